"""Page 7: physics-informed networks, where derivatives of the network are the loss."""
import numpy as np
import pandas as pd
import streamlit as st

from core import pinn
from core.checks import compare
from core.export import (PINN_COLLOCATION, PINN_EQUATION_LABELS, PINN_LEARNING_RATES, PINN_VISCOSITIES, PINN_WEIGHTS,
                         PINN_WIDTHS)
from core.jobs import JobStatus
from ui import charts, t
from ui.furniture import cached, check_badge, code_panel, graph_panel, pitfall_panel
from ui.live import live_training
from ui.state import select_slider, selectbox, settings, slider, toggle

L2_TOLERANCE = {"oscillator": 1e-2, "burgers": 2e-2, "oscillator_inverse": 5e-2}  # the benchmark's targets
MAX_ERROR = {"oscillator": 2e-2, "burgers": 1e-1, "oscillator_inverse": 5e-2}  # pointwise; Burgers' front is steep
DAMPING_TOLERANCE = 0.05  # the inverse problem's ζ, relative

residual_graph = cached(pinn.residual_graph)
order_cost = cached(pinn.order_cost)
pitfalls = cached(pinn.pitfalls)
burgers_reference_view = cached(pinn.burgers_reference_view)
shown_reference = cached(pinn.shown_reference)


def equation_controls(equation: str) -> dict:
    """The equation's own parameters."""
    columns = st.columns(3)
    if equation == "burgers":
        nu = select_slider("pinn_nu", "pinn.viscosity", PINN_VISCOSITIES, PINN_VISCOSITIES[0],
                           format_func=lambda v: f"{v * np.pi:.2f}/π", help="pinn.viscosity_help")
        return {"viscosity": nu}
    with columns[0]:
        damping = slider("pinn_zeta", "pinn.damping", 0.02, 0.5, 0.1, step=0.01, help="pinn.damping_help")
    with columns[1]:
        frequency = slider("pinn_omega", "pinn.frequency", 5.0, 30.0, 20.0, step=1.0, help="pinn.frequency_help")
    values = {"damping": damping, "frequency": frequency}
    if equation == "oscillator_inverse":
        with columns[2]:
            values["observations"] = slider("pinn_obs", "pinn.observations", 0, 50, 20, help="pinn.observations_help")
            values["noise"] = slider("pinn_noise", "pinn.noise", 0.0, 0.05, 0.01, step=0.005, format="%.3f")
    return values


def network_controls(equation: str) -> dict:
    """Network, optimizer and loss weights; Burgers has its own keys (its defaults differ)."""
    base, key = pinn.default_config(equation), ("pinn_b_" if equation == "burgers" else "pinn_") + "{}"
    columns = st.columns(4)
    with columns[0]:
        width = select_slider(key.format("width"), "pinn.width", PINN_WIDTHS, base.width)
        depth = slider(key.format("depth"), "pinn.depth", 1, 8, base.depth)
        activation = selectbox(key.format("act"), "pinn.activation", list(pinn.ACTIVATIONS), base.activation)
    with columns[1]:
        features = slider(key.format("features"), "pinn.features", 0, 8, base.features, help="pinn.features_help")
        lr = select_slider(key.format("lr"), "pinn.learning_rate", PINN_LEARNING_RATES, base.learning_rate,
                           format_func=lambda v: f"{v:g}")
        collocation = select_slider(key.format("points"), "pinn.collocation", PINN_COLLOCATION, base.collocation,
                                    help="pinn.collocation_help")
    with columns[2]:
        steps = slider(key.format("steps"), "pinn.steps", 0, 10_000, base.steps, step=100)
        lbfgs = toggle(key.format("lbfgs"), "pinn.lbfgs", True, help="pinn.lbfgs_help")
        lbfgs_steps = slider(key.format("lbfgs_steps"), "pinn.lbfgs_steps", 0, 10_000, base.lbfgs_steps, step=100)
    with columns[3]:
        w_res = select_slider(key.format("w_res"), "pinn.weight_residual", PINN_WEIGHTS, base.weight_residual, format_func=str)
        w_bc = select_slider(key.format("w_bc"), "pinn.weight_boundary", PINN_WEIGHTS, base.weight_boundary, format_func=str)
        w_data = select_slider(key.format("w_data"), "pinn.weight_data", PINN_WEIGHTS, base.weight_data, format_func=str,
                               disabled=equation != "oscillator_inverse")
    return dict(width=width, depth=depth, activation=activation, features=features, learning_rate=lr,
                collocation=collocation, steps=steps, optimizer="adam+lbfgs" if lbfgs else "adam",
                lbfgs_steps=lbfgs_steps, weight_residual=w_res, weight_boundary=w_bc, weight_data=w_data)


def controls() -> pinn.PinnConfig:
    """Title, intro, the equation picker and every slider, as one run's config."""
    st.title(t("pinn.title"))
    st.markdown(t("pinn.intro"))
    equation = selectbox("pinn_eq", "pinn.equation", pinn.EQUATIONS, "oscillator", format_func=PINN_EQUATION_LABELS.get)
    st.caption(t(f"pinn.about_{equation}"))
    values = equation_controls(equation) | network_controls(equation)
    options = settings()
    return pinn.default_config(equation, **values, seed=options.seed, device=options.device)


def render_training(job: JobStatus) -> None:
    """The live part: the error, ζ, the prediction against the reference, the residual, each loss term."""
    snapshot, config, preview = job.snapshot, job.config, job.snapshot.preview
    if preview is None:
        return
    metrics = st.columns(3)
    metrics[0].metric(t("pinn.relative_l2"), f"{preview['relative_l2']:.2e}")
    metrics[1].metric(t("pinn.speed"), f"{1000 * snapshot.seconds / max(snapshot.step, 1):.1f} ms")
    if config.equation == "oscillator_inverse":
        metrics[2].metric(t("pinn.learned_damping"), f"{preview['damping']:.4f}",
                          delta=f"{preview['damping'] - config.damping:+.4f}", delta_color="off")
    if config.equation == "burgers":
        burgers_views(preview, config)
    else:
        oscillator_views(preview, config)
    loss_chart(snapshot.history, config)


def oscillator_views(preview: dict, config: pinn.PinnConfig) -> None:
    """The prediction against the closed form (and the observations), and |residual| over t."""
    t_axis, reference = pinn.reference_points(config)[0], shown_reference(config)
    truth, net = t("pinn.reference"), t("pinn.network")
    frame = pd.concat([pd.DataFrame({"t": t_axis[:, 0], "u": reference, "curve": truth}),
                       pd.DataFrame({"t": t_axis[:, 0], "u": preview["prediction"], "curve": net})])
    chart = charts.line(frame, "t", "u", "t", "u", color="curve", sort=[truth, net], dash=True, color_title=None)
    if "observed_t" in preview:
        chart += charts.dots(pd.DataFrame({"t": preview["observed_t"], "u": preview["observed_u"]}), "t", "u",
                             fill="#000000", size=50)
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('pinn.prediction_title')}**")
        charts.show(chart)
    with right:
        st.markdown(f"**{t('pinn.residual_title')}**")
        residual = pd.DataFrame({"t": t_axis[:, 0], "r": np.maximum(preview["residual"], 1e-12)})
        charts.show(charts.line(residual, "t", "r", "t", t("pinn.residual_axis"), log=True))


def burgers_views(preview: dict, config: pinn.PinnConfig) -> None:
    """Heat maps u(t, x) of the network, its error against Cole-Hopf, and |residual|."""
    t_axis, x_axis, _ = burgers_reference_view(config.viscosity)
    bound = float(np.abs(preview["error"]).max()) or 1.0
    maps = [(t("pinn.network"), preview["prediction"], "redblue", [-1, 1]),
            (t("pinn.error"), preview["error"], "redblue", [-bound, bound]),
            (t("pinn.residual_abs"), np.log10(np.maximum(preview["residual"], 1e-8)), "viridis", None)]
    for column, heat_map in zip(st.columns(3), maps):
        with column:
            burgers_map(*heat_map, x_axis, t_axis)
    st.caption(t("pinn.burgers_caption"))


def burgers_map(title: str, values, scheme: str, domain, x_axis, t_axis) -> None:
    """One titled heat map over (x, t)."""
    st.markdown(f"**{title}**")
    charts.show(charts.grid_heatmap(values, x_axis, t_axis, "x", "t", "", scheme=scheme, domain=domain, height=220))


def reference_map(config: pinn.PinnConfig) -> None:
    """Burgers' Cole-Hopf solution, drawn by the full run only: it does not change while training, and the live
    panel redraws every refresh (four heat maps there cost more than a refresh's budget)."""
    t_axis, x_axis, reference = burgers_reference_view(config.viscosity)
    with st.columns(3)[0]:
        burgers_map(t("pinn.cole_hopf"), reference, "redblue", [-1, 1], x_axis, t_axis)


def loss_chart(history, config: pinn.PinnConfig) -> None:
    """Each loss term over steps, and the learned ζ against the truth for the inverse problem."""
    if not history:
        return
    frame = pd.DataFrame(history.rows, columns=history.columns)
    names = {name: t(f"pinn.term_{name}") for name in ("loss", *history.columns[3:-1])}
    long = frame.rename(columns=names).melt("step", value_vars=list(names.values()), var_name="term")
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('pinn.loss_title')}**")
        charts.show(charts.line(long, "step", "value", t("pinn.step"), None, color="term", log=True, color_title=None))
    if config.equation == "oscillator_inverse":
        with right:
            st.markdown(f"**{t('pinn.damping_title')}**")
            truth = pd.DataFrame({"ζ": [config.damping]})
            charts.show(charts.line(frame.rename(columns={"damping": "ζ"}), "step", "ζ", t("pinn.step"), "ζ")
                        + charts.rules(truth, y="ζ", fill=charts.ACCENT))
    if config.optimizer == "adam+lbfgs":
        st.caption(t("pinn.lbfgs_caption", adam=config.steps))


def training_section(config: pinn.PinnConfig) -> JobStatus | None:
    """Start, stop and watch the training job of these settings; bad settings say why instead."""
    st.subheader(t("pinn.train_title"))
    problem = pinn.problem_error(config)
    if problem is not None:
        st.error(t(problem))
        return None
    if config.equation == "burgers":
        reference_map(config)
    return live_training("pinn_live", pinn.PinnTrainer, config, render=render_training)


def check_section(job: JobStatus | None) -> None:
    """The trained network against the reference (and the learned ζ against the truth) as badges."""
    st.subheader(t("pinn.check_title"))
    final = job.snapshot if job is not None and not job.running else None
    if final is None or final.preview is None or final.step == 0:
        st.info(t("pinn.check_idle"))
        return
    config, preview = job.config, final.preview
    check_badge(compare(preview["prediction"], shown_reference(config), t(f"pinn.reference_{config.equation}"),
                        MAX_ERROR[config.equation]))
    passed = preview["relative_l2"] <= L2_TOLERANCE[config.equation]
    (st.success if passed else st.warning)(t("pinn.l2_verdict", l2=f"{preview['relative_l2']:.2e}",
                                             target=f"{L2_TOLERANCE[config.equation]:.0e}"))
    if config.equation == "oscillator_inverse":
        relative = abs(preview["damping"] - config.damping) / config.damping
        (st.success if relative <= DAMPING_TOLERANCE else st.warning)(
            t("pinn.damping_verdict", learned=f"{preview['damping']:.4f}", truth=f"{config.damping:g}",
              rel=f"{100 * relative:.1f}"))


def graph_section(config: pinn.PinnConfig) -> None:
    """The residual's autograd graph, the create_graph backwards' nodes in red."""
    st.subheader(t("pinn.graph_title"))
    graph, forward, total = residual_graph(config, config.seed)
    graph_panel(graph, t("pinn.graph_caption", forward=forward, total=total))


def cost_section(config: pinn.PinnConfig) -> None:
    """Time and graph size of dⁿu/dtⁿ, nested autograd.grad against torch.func, measured now."""
    st.subheader(t("pinn.cost_title"))
    if not toggle("pinn_cost", "pinn.cost_toggle", False, help="pinn.cost_help"):
        st.caption(t("pinn.cost_idle"))
        return
    cost = order_cost(config, config.seed)
    grad, func = "autograd.grad", "torch.func"
    frame = pd.concat([pd.DataFrame({"n": cost.orders, "ms": cost.grad_ms, "nodes": cost.grad_nodes, "way": grad}),
                       pd.DataFrame({"n": cost.orders, "ms": cost.func_ms, "nodes": cost.func_nodes, "way": func})])
    left, right = st.columns(2)
    with left:
        charts.show(charts.line(frame, "n", "ms", "n", t("pinn.cost_ms"), color="way", sort=[grad, func], log=True,
                                points=True, color_title=None))
    with right:
        charts.show(charts.line(frame, "n", "nodes", "n", t("pinn.cost_nodes"), color="way", sort=[grad, func],
                                log=True, points=True, color_title=None))
    st.caption(t("pinn.cost_caption", diff=f"{cost.max_difference:.1e}"))
    code_panel(case="pinn", section="cost")


def code_section() -> None:
    """The code that trains."""
    code_panel(case="pinn", section="code")


def pitfall_section(config: pinn.PinnConfig) -> None:
    """The three wrong versions, run for real."""
    outcomes = pitfalls(config, config.seed)
    pitfall_panel(outcomes.no_create_graph, t("pinn.pitfall_graph_title"), t("pinn.pitfall_graph_explain"))
    code_panel(case="pinn", section="pitfall_graph")
    details = outcomes.batchnorm.details
    pitfall_panel(outcomes.batchnorm, t("pinn.pitfall_bn_title"), t("pinn.pitfall_bn_explain"),
                  value_text=t("pinn.pitfall_bn_value", bn=f"{details['with_batchnorm']:.2e}",
                               plain=f"{details['without_batchnorm']:.1e}"))
    code_panel(case="pinn", section="pitfall_batchnorm")
    pitfall_panel(outcomes.reshaped_copy, t("pinn.pitfall_copy_title"), t("pinn.pitfall_copy_explain"))
    code_panel(case="pinn", section="pitfall_copy")


def page() -> None:
    """Settings and live training; the check, the residual's graph, the cost of higher orders, code, pitfalls."""
    config = controls()
    job = training_section(config)
    check_section(job)
    graph_section(config)
    cost_section(config)
    code_section()
    pitfall_section(config)


page()
