"""Page 3: MAML on sinusoid regression, trained live, with second- and first-order meta-gradients side by side."""
import inspect
from dataclasses import replace

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st
import torch

from core import maml
from core.checks import compare
from core.devices import DeviceError, resolve
from core.jobs import JobStatus
from ui import charts, t
from ui.furniture import bounded_cache, check_badge, code_panel, graph_panel, pitfall_panel
from ui.live import live_training
from ui.state import number_input, select_slider, settings, slider, toggle

META_LRS = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1]
SHOWN_STEPS = (0, 1, 5, 10)
EVAL_TASKS = 100
METHOD_KEYS = {"second_order": "maml.second_order", "first_order": "maml.first_order", "pretrained": "maml.pretrained"}


@bounded_cache()
def held_out_view(weights: dict, k_shot: int, inner_lr: float, task: int, device: str):
    """The drawn held-out task, its support points, and the model's curves after 0, 1, 5 and 10 steps."""
    tasks = maml.held_out_tasks(1, k_shot, seed=task, device=device)
    grid, curves = maml.adapted_curves(maml.model_from_weights(weights, device), tasks, inner_lr, SHOWN_STEPS)
    support = pd.DataFrame({"x": tasks.x_support[0, :, 0].cpu().numpy(), "y": tasks.y_support[0, :, 0].cpu().numpy()})
    amplitude, phase = float(tasks.amplitude[0]), float(tasks.phase[0])
    return amplitude, phase, grid, amplitude * np.sin(grid - phase), curves, support


@bounded_cache()
def held_out_mse(weights: dict, k_shot: int, inner_lr: float, seed: int, device: str) -> pd.DataFrame:
    """Mean and standard error of the held-out MSE after 0..10 SGD steps."""
    tasks = maml.held_out_tasks(EVAL_TASKS, k_shot, seed, device)
    mean, sem = maml.mean_and_sem(maml.adaptation_mse(maml.model_from_weights(weights, device), tasks, inner_lr, steps=10))
    return pd.DataFrame({"step": np.arange(len(mean)), "mse": mean, "low": mean - sem, "high": mean + sem})


@bounded_cache(max_entries=48)
def method_curve(config: maml.MetaConfig, method: str) -> maml.MethodCurve:
    """One method's run with held-out MSE at checkpoints (expensive: cached, and shared by every session)."""
    return maml.method_curve(config, method, eval_tasks=EVAL_TASKS)


@bounded_cache()
def lesson(weights: dict, config: maml.MetaConfig, reference_name: str):
    """On one held-out meta-batch: the meta-gradient check and the forgotten-create_graph pitfall."""
    model = maml.model_from_weights(weights, config.device)
    tasks = maml.sample_tasks(config.meta_batch, config.k_shot, torch.Generator().manual_seed(10**9 + config.seed), config.device)
    check = compare(maml.meta_gradient(model, tasks, config)[1], maml.reference_meta_gradient(model, tasks, config),
                    reference_name, 1e-4)
    return check, maml.create_graph_pitfall(model, tasks, config)


@bounded_cache()
def meta_graphs(seed: int) -> dict:
    """The meta-loss graph of one task with and without create_graph (they depend on the seed only)."""
    return {order: maml.meta_graph(maml.MetaConfig(inner_steps=1, second_order=order, seed=seed)) for order in (True, False)}


def line_chart(frame: pd.DataFrame, x: str, y: str, x_title: str, y_title: str, color: str | None = None,
               log: bool = False, height: int = 260) -> alt.Chart:
    """A plain Altair line chart, optionally coloured by a column and on a log y axis."""
    encoding = dict(x=alt.X(f"{x}:Q", title=x_title),
                    y=alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(type="log") if log else alt.Undefined))
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=None)
    return alt.Chart(frame).mark_line().encode(**encoding).properties(height=height)


def error_bar_chart(frame: pd.DataFrame, color: str | None = None) -> alt.Chart:
    """MSE against adaptation steps with ± standard error bars."""
    base = alt.Chart(frame).encode(x=alt.X("step:Q", title=t("maml.adapt_steps"), axis=alt.Axis(tickMinStep=1)))
    color_enc = {"color": alt.Color(f"{color}:N", title=None)} if color else {}
    lines = base.mark_line(point=True).encode(y=alt.Y("mse:Q", title=t("maml.mse")), **color_enc)
    bars = base.mark_errorbar().encode(y="low:Q", y2="high:Q", **color_enc)
    return (lines + bars).properties(height=300)


def render_training(job: JobStatus) -> None:
    """The live part: loss curve, speed, and the second- vs first-order meta-gradient comparison."""
    snapshot, config = job.snapshot, job.config
    history = snapshot.history
    if not history:
        return
    charts.show(charts.line(pd.DataFrame(history.rows, columns=history.columns), "iteration", "loss", t("maml.iteration"),
                            t("maml.meta_loss"), log=True))
    st.caption(t("maml.speed", ms=f"{1000 * snapshot.seconds / max(snapshot.step, 1):.2f}", device=config.device,
                 seconds=f"{snapshot.seconds:.1f}"))
    st.markdown(f"**{t('maml.agreement_title')}**")
    agreement = snapshot.extra["agreement"]
    if not agreement:
        st.caption(t("maml.agreement_wait", every=config.compare_every))
        return
    long = pd.DataFrame(agreement.rows, columns=agreement.columns).rename(
        columns={"cosine": t("maml.cosine"), "relative_norm": t("maml.relative_norm")}).melt("iteration", var_name="measure")
    charts.show(charts.line(long, "iteration", "value", t("maml.iteration"), None, color="measure", height=220))
    st.caption(t("maml.agreement_caption", every=config.compare_every))


def show_held_out(weights: dict, config: maml.MetaConfig) -> None:
    """The redrawable held-out task with the adapted curves, and the held-out MSE of the trained model."""
    st.subheader(t("maml.results_title"))
    left, right = st.columns([3, 1])
    with right:
        number_input("maml_task", "maml.task", 0, 10**6, 0, step=1, help="maml.task_help")
        st.button(t("maml.redraw"), key="maml_redraw", width="stretch",
                  on_click=lambda: st.session_state.update(maml_task=(st.session_state["maml_task"] + 1) % 10**6))
    task = int(st.session_state["maml_task"])
    amplitude, phase, grid, truth, curves, support = held_out_view(weights, config.k_shot, config.inner_lr, task, config.device)
    mse = held_out_mse(weights, config.k_shot, config.inner_lr, config.seed, config.device)
    finite = maml.finite_steps(mse.mse, mse.low, mse.high)
    shown = [n for n in SHOWN_STEPS if np.isfinite(curves[n]).all()]
    if finite < len(mse) or len(shown) < len(SHOWN_STEPS):
        first = min([finite] + [n for n in SHOWN_STEPS if n not in shown])
        st.warning(t("maml.adapt_diverged", alpha=f"{config.inner_lr:g}", step=first))
    lines = pd.concat([pd.DataFrame({"x": grid, "y": truth, "curve": t("maml.truth")})] + [
        pd.DataFrame({"x": grid, "y": curves[n], "curve": t("maml.after_steps", n=n)}) for n in shown])
    order = [t("maml.truth")] + [t("maml.after_steps", n=n) for n in shown]
    chart = alt.Chart(lines).mark_line().encode(
        x=alt.X("x:Q", title="x"), y=alt.Y("y:Q", title="y"),
        color=alt.Color("curve:N", sort=order, title=t("maml.curve")),
        strokeDash=alt.condition(alt.datum.curve == t("maml.truth"), alt.value([5, 4]), alt.value([1, 0])))
    points = alt.Chart(support.assign(curve=t("maml.support"))).mark_point(filled=True, size=70, color="#000000").encode(
        x="x:Q", y="y:Q", tooltip=["x", "y"])
    with left:
        st.altair_chart((chart + points).properties(height=340), width="stretch")
        st.caption(t("maml.task_caption", amplitude=f"{amplitude:.2f}", phase=f"{phase:.2f}", k=config.k_shot,
                     alpha=f"{config.inner_lr:g}"))
    st.markdown(f"**{t('maml.heldout_title', n=EVAL_TASKS)}**")
    st.altair_chart(error_bar_chart(mse.iloc[:finite]), width="stretch")


def show_comparison(config: maml.MetaConfig) -> None:
    """Second-order vs first-order vs pretrained, per adaptation step, per iteration and per second."""
    st.subheader(t("maml.compare_title"))
    left, right = st.columns([1, 2])
    with left:
        run = toggle("maml_compare", "maml.compare_toggle", False, help="maml.compare_help")
    with right:
        iterations = slider("maml_compare_iters", "maml.compare_iters", 100, 3000, 500, step=100, help="maml.compare_iters_help")
    if not run:
        st.caption(t("maml.compare_idle"))
        return
    names = {method: t(key) for method, key in METHOD_KEYS.items()}
    # second_order is set per method inside: fixing it here keeps one cache entry for both switch positions.
    config = replace(config, iterations=iterations, compare_every=0, second_order=True)
    bar = st.progress(0.0)
    curves = {}
    for done, method in enumerate(maml.METHODS):  # the bar is updated here: a cached function must not draw on it
        bar.progress(done / len(maml.METHODS), text=t("maml.compare_running_method", method=names[method]))
        curves[method] = method_curve(config, method)
    bar.empty()
    step = config.inner_steps
    finals, over_time = [], []
    for method, curve in curves.items():
        mean, sem = np.array(curve.final_mean), np.array(curve.final_sem)
        finite = maml.finite_steps(mean, sem)
        checkpoints = pd.DataFrame({"iteration": curve.iterations, "seconds": curve.seconds,
                                    "mse": [row[step] for row in curve.mse], "method": names[method]})
        if curve.error:
            st.warning(t("maml.compare_failed", method=names[method]))
        elif finite < len(mean) or not np.isfinite(checkpoints.mse).all():  # trained fine, but adapting blows up
            st.warning(t("maml.compare_adapt_diverged", method=names[method], alpha=f"{config.inner_lr:g}"))
        finals.append(pd.DataFrame({"step": np.arange(finite), "mse": mean[:finite], "low": (mean - sem)[:finite],
                                    "high": (mean + sem)[:finite], "method": names[method]}))
        over_time.append(checkpoints[np.isfinite(checkpoints.mse)])
    st.markdown(f"**{t('maml.compare_steps')}**")
    st.altair_chart(error_bar_chart(pd.concat(finals), color="method"), width="stretch")
    over_time = pd.concat(over_time)
    by_iteration, by_second = st.columns(2)
    with by_iteration:
        st.markdown(f"**{t('maml.compare_iterations', n=step)}**")
        st.altair_chart(line_chart(over_time, "iteration", "mse", t("maml.iteration"), t("maml.mse"), color="method"),
                        width="stretch")
    with by_second:
        st.markdown(f"**{t('maml.compare_seconds')}**")
        st.altair_chart(line_chart(over_time, "seconds", "mse", t("maml.seconds"), t("maml.mse"), color="method"),
                        width="stretch")
    st.caption(t("maml.compare_caption"))


def page() -> None:
    """Settings and live meta-training; held-out adaptation, the comparison, and the create_graph lesson."""
    st.title(t("maml.title"))
    st.markdown(t("maml.intro"))
    columns = st.columns(4)
    with columns[0]:
        alpha = slider("maml_alpha", "maml.alpha", 0.001, 0.05, 0.01, step=0.001, format="%.3f", help="maml.alpha_help")
        steps = slider("maml_steps", "maml.steps", 1, 5, 1, help="maml.steps_help")
    with columns[1]:
        k_shot = select_slider("maml_k", "maml.k", [5, 10, 20], 10, help="maml.k_help")
        batch = slider("maml_batch", "maml.batch", 1, 50, 25, help="maml.batch_help")
    with columns[2]:
        meta_lr = select_slider("maml_meta_lr", "maml.meta_lr", META_LRS, 1e-3, format_func=lambda v: f"{v:g}",
                                help="maml.meta_lr_help")
        iterations = slider("maml_iters", "maml.iters", 100, 10_000, 3000, step=100, help="maml.iters_help")
    with columns[3]:
        second_order = toggle("maml_create_graph", "maml.create_graph", True, help="maml.create_graph_help")
    options = settings()
    try:
        resolve(options.device)
    except DeviceError as error:
        st.error(t("maml.device_error", message=str(error)))
        return
    config = maml.MetaConfig(k_shot=k_shot, inner_lr=alpha, inner_steps=steps, meta_batch=batch, meta_lr=meta_lr,
                             second_order=second_order, iterations=iterations, seed=options.seed, device=options.device)

    st.subheader(t("maml.train_title"))
    job = live_training("maml_live", maml.MetaTrainer, config, render=render_training)
    final = job.snapshot if job is not None and job.snapshot is not None and job.snapshot.weights is not None else None
    trained = final is not None and final.step > 0 and final.error is None
    weights = final.weights if trained else maml.MetaTrainer(config).weights()
    if trained:
        show_held_out(weights, job.config)
    else:
        st.info(t("maml.results_running" if job is not None and job.running else "maml.results_idle"))

    show_comparison(config)

    st.subheader(t("maml.graph_title"))
    # The training-only fields are pinned so that moving their sliders does not recompute the lesson.
    check, pitfall = lesson(weights, replace(config, iterations=0, meta_lr=0.0, compare_every=0), t("maml.reference"))
    graphs = meta_graphs(config.seed)
    (second, created), (first, _) = graphs[True], graphs[False]
    graph_panel(graphs[second_order][0], t("maml.graph_caption", second=second.total_nodes, created=created,
                                            first=first.total_nodes))
    st.markdown(f"**{t('maml.check_title')}**")
    check_badge(check)
    st.info(t("maml.query_note"))
    code_panel(maml.Dense, maml.mean_task_loss, maml.adapt, maml.meta_loss, maml.MetaTrainer.train_step,
               maml.reference_meta_gradient)
    with st.expander(t("maml.code_reference")):
        st.code(inspect.getsource(maml.meta_loss_loop), language="python")

    value = None if pitfall.raised else t("maml.pitfall_value", first=f"{pitfall.details['vs_first_abs']:.1e}",
                                            second=f"{pitfall.details['vs_second_rel']:.3f}")
    pitfall_panel(pitfall, t("maml.pitfall_title"), t("maml.pitfall_explain"), value_text=value)
    code_panel(maml.meta_gradient_without_create_graph)


page()
