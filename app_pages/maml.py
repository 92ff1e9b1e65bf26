"""Page 3: MAML on sinusoid regression, trained live, with second- and first-order meta-gradients side by side."""

import pandas as pd
import streamlit as st

from core import maml
from core.checks import PitfallOutcome, compare
from core.expr import source
from core.jobs import JobStatus
from ui import charts, t
from ui.furniture import cached, check_badge, code_panel, graph_panel, pitfall_panel
from ui.live import live_training
from ui.state import number_input, presenting, select_slider, settings, slider, toggle

META_LRS = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1]
EVAL_TASKS = 100
CHECK_TOLERANCE = 1e-4
METHOD_KEYS = {"second_order": "maml.second_order", "first_order": "maml.first_order", "pretrained": "maml.pretrained"}

adapted_task = cached(maml.adapted_task)
held_out_mse = cached(maml.held_out_mse)
method_curve = cached(maml.method_curve, max_entries=48)  # expensive: shared by every session
lesson = cached(maml.lesson)
meta_graph = cached(maml.meta_graph)


def controls() -> maml.MetaConfig:
    """The inner-loop, meta-batch and training sliders and the create_graph switch, as one run's config."""
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
    return maml.MetaConfig(k_shot=k_shot, inner_lr=alpha, inner_steps=steps, meta_batch=batch, meta_lr=meta_lr,
                           second_order=second_order, iterations=iterations, seed=options.seed, device=options.device)


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


def training_section(config: maml.MetaConfig) -> JobStatus | None:
    """Start, stop and watch the meta-training job of these settings."""
    st.subheader(t("maml.train_title"))
    return live_training("maml_live", maml.MetaTrainer, config, render=render_training)


def trained_weights(job: JobStatus | None) -> dict | None:
    """The weights of a job that trained at least one iteration and stopped, finished or failed; None otherwise."""
    final = job.snapshot if job is not None else None
    if final is None or final.weights is None or final.step == 0 or final.error is not None:
        return None
    return final.weights


def error_bar_frame(curve: maml.AdaptationCurve) -> pd.DataFrame:
    """An adaptation curve as the columns charts.error_bars draws: step, mse, low and high (± standard error)."""
    return pd.DataFrame({"step": curve.steps, "mse": curve.mean, "low": curve.mean - curve.sem,
                         "high": curve.mean + curve.sem})


def task_chart(task: maml.AdaptedTask) -> charts.Chart:
    """The task's sinusoid (dashed), the model's curves after each shown number of steps, and the support points."""
    order = [t("maml.truth")] + [t("maml.after_steps", n=n) for n in task.curves]
    truth = pd.DataFrame({"x": task.x, "y": task.truth, "curve": order[0]})
    adapted = pd.concat([pd.DataFrame({"x": task.x, "y": y, "curve": t("maml.after_steps", n=n)})
                         for n, y in task.curves.items()] or [truth.iloc[:0]])
    support = pd.DataFrame({"x": task.x_support, "y": task.y_support})
    tooltip = [{"field": "x", "type": "quantitative"}, {"field": "y", "type": "quantitative"}]
    curves = {"color": "curve", "sort": order, "color_title": t("maml.curve"), "height": 340}
    return (charts.line(truth, "x", "y", "x", "y", dashed=True, **curves) + charts.line(adapted, "x", "y", "x", "y", **curves)
            + charts.dots(support, "x", "y", fill="#000000", size=70, tooltip=tooltip))


def held_out_section(weights: dict | None, job: JobStatus | None) -> None:
    """The redrawable held-out task with the adapted curves, and the held-out MSE of the trained model."""
    if weights is None:
        st.info(t("maml.results_running" if job is not None and job.running else "maml.results_idle"))
        return
    config = job.config  # the settings the model was trained with
    st.subheader(t("maml.results_title"))
    left, right = st.columns([3, 1])
    with right:
        number_input("maml_task", "maml.task", 0, 10**6, 0, step=1, help="maml.task_help")
        st.button(t("maml.redraw"), key="maml_redraw", width="stretch",
                  on_click=lambda: st.session_state.update(maml_task=(st.session_state["maml_task"] + 1) % 10**6))
    task = adapted_task(weights, config.k_shot, config.inner_lr, int(st.session_state["maml_task"]), config.device)
    curve = held_out_mse(weights, config.k_shot, config.inner_lr, config.seed, config.device, EVAL_TASKS)
    diverged = [step for step in (task.diverged_at, curve.diverged_at) if step is not None]
    if diverged:
        st.warning(t("maml.adapt_diverged", alpha=f"{config.inner_lr:g}", step=min(diverged)))
    with left:
        charts.show(task_chart(task))
        st.caption(t("maml.task_caption", amplitude=f"{task.amplitude:.2f}", phase=f"{task.phase:.2f}",
                     k=config.k_shot, alpha=f"{config.inner_lr:g}"))
    st.markdown(f"**{t('maml.heldout_title', n=EVAL_TASKS)}**")
    charts.show(charts.error_bars(error_bar_frame(curve), "step", "mse", "low", "high", t("maml.adapt_steps"),
                                  t("maml.mse")))


def comparison_runs(config: maml.MetaConfig, iterations: int) -> dict[str, maml.MethodCurve]:
    """Every method's run, with a progress bar (drawn here: a cached function must not draw on it)."""
    bar = st.progress(0.0)
    curves = {}
    for done, method in enumerate(maml.METHODS):
        bar.progress(done / len(maml.METHODS), text=t("maml.compare_running_method", method=t(METHOD_KEYS[method])))
        curves[method] = method_curve(config.setup, config.meta_lr, iterations, method, eval_tasks=EVAL_TASKS)
    bar.empty()
    return curves


def comparison_section(config: maml.MetaConfig) -> None:
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
    show_comparison(comparison_runs(config, iterations), config)


def show_comparison(curves: dict[str, maml.MethodCurve], config: maml.MetaConfig) -> None:
    """Warnings for methods that diverged, then the held-out MSE per adaptation step, per iteration and per second."""
    names = {method: t(key) for method, key in METHOD_KEYS.items()}
    step = config.inner_steps
    for method, curve in curves.items():
        if curve.error:
            st.warning(t("maml.compare_failed", method=names[method]))
        elif curve.adapt_diverged(step):  # trained fine, but adapting blows up
            st.warning(t("maml.compare_adapt_diverged", method=names[method], alpha=f"{config.inner_lr:g}"))
    finals = pd.concat([error_bar_frame(curve.final).assign(method=names[m]) for m, curve in curves.items()])
    over_time = pd.concat([pd.DataFrame({"iteration": c.iterations, "seconds": c.seconds, "mse": c.mse, "method": names[m]})
                           for m, c in ((m, curve.after(step)) for m, curve in curves.items())])
    order = list(names.values())
    st.markdown(f"**{t('maml.compare_steps')}**")
    charts.show(charts.error_bars(finals, "step", "mse", "low", "high", t("maml.adapt_steps"), t("maml.mse"),
                                  color="method", sort=order))
    by_iteration, by_second = st.columns(2)
    with by_iteration:
        st.markdown(f"**{t('maml.compare_iterations', n=step)}**")
        charts.show(charts.line(over_time, "iteration", "mse", t("maml.iteration"), t("maml.mse"), color="method", sort=order))
    with by_second:
        st.markdown(f"**{t('maml.compare_seconds')}**")
        charts.show(charts.line(over_time, "seconds", "mse", t("maml.seconds"), t("maml.mse"), color="method", sort=order))
    st.caption(t("maml.compare_caption"))


def graph_section(second_order: bool, seed: int) -> None:
    """The meta-loss graph of one task, with or without the inner create_graph backward."""
    st.subheader(t("maml.graph_title"))
    (second, created), (first, _) = meta_graph(True, seed), meta_graph(False, seed)
    graph_panel(second if second_order else first, t("maml.graph_caption", second=second.total_nodes, created=created,
                                                      first=first.total_nodes))


def check_section(weights: dict, config: maml.MetaConfig) -> PitfallOutcome:
    """The meta-gradient against torch.func on a held-out meta-batch; returns that batch's pitfall run."""
    result = lesson(weights, config.setup, config.second_order)
    st.markdown(f"**{t('maml.check_title')}**")
    check_badge(compare(result.gradient, result.reference, t("maml.reference"), CHECK_TOLERANCE))
    st.info(t("maml.query_note"))
    return result.pitfall


def code_section() -> None:
    """The code that trains, and the per-task loop it is tested against."""
    code_panel(case="maml", section="code")
    if not presenting():  # like the code panels, hidden on a projector
        with st.expander(t("maml.code_reference")):
            st.code(source(maml.meta_loss_loop), language="python")


def pitfall_section(pitfall: PitfallOutcome) -> None:
    """The inner step without create_graph=True, run for real: silently first-order MAML."""
    value = None if pitfall.raised else t("maml.pitfall_value", first=f"{pitfall.details['vs_first_abs']:.1e}",
                                            second=f"{pitfall.details['vs_second_rel']:.3f}")
    pitfall_panel(pitfall, t("maml.pitfall_title"), t("maml.pitfall_explain"), value_text=value)
    code_panel(case="maml", section="pitfall")


def page() -> None:
    """Settings and live meta-training; held-out adaptation, the comparison, and the create_graph lesson."""
    st.title(t("maml.title"))
    st.markdown(t("maml.intro"))
    config = controls()
    job = training_section(config)
    trained = trained_weights(job)
    held_out_section(trained, job)
    comparison_section(config)
    graph_section(config.second_order, config.seed)
    weights = trained if trained is not None else maml.initial_weights(config.hidden, config.seed)
    pitfall = check_section(weights, config)
    code_section()
    pitfall_section(pitfall)


page()
