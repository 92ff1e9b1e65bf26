"""Page 2: gradients of a small MLP with respect to its input and its weights, double backprop,
and an input-gradient penalty trained live."""
from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from core import network_gradients as ng
from core.jobs import JobStatus
from ui import charts, t
from ui.furniture import backward_stepper, cached, check_badge, code_panel, graph_panel, pitfall_panel
from ui.live import live_training
from ui.state import radio, select_slider, selectbox, settings, slider

PENALTIES = [0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
LEARNING_RATES = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 100.0, 1000.0]
EXTENT = 2.0
ARROWS_PER_SIDE = 13
REFERENCES = ("network_gradients.ref_jacrev", "network_gradients.ref_fd")  # names of the two first-order checks
STEPPER_PASSES = {"grad": "∇f", "double": "∇θG"}  # the backward pass each stepper option traces
RUN_TITLES = {"plain": "network_gradients.plain_short", "penalised": "network_gradients.penalised_short"}

gradients_at = cached(ng.gradients_at)
input_gradient_field = cached(ng.input_gradient_field)
double_backprop = cached(ng.double_backprop)
first_layer_by_activation = cached(ng.first_layer_by_activation)
autograd_graph = cached(ng.autograd_graph)
gradient_trace = cached(ng.gradient_trace)
double_backprop_trace = cached(ng.double_backprop_trace)
# The three checks are cached apart, each keyed only on what it depends on: the parameter check (the slowest)
# does not rerun when the field's resolution changes.
check_input_gradients = cached(ng.check_input_gradients)
check_parameter_gradients = cached(ng.check_parameter_gradients)
check_double_backprop = cached(ng.check_double_backprop)
pitfalls = cached(ng.pitfalls)


def number(value: float) -> str:
    """Option labels for the URL and the slider: the same in every language."""
    return f"{value:g}"


def controls() -> tuple[ng.NetConfig, tuple[float, float], int]:
    """Title, intro and the net's sliders: the net, the chosen input point and the field's resolution."""
    st.title(t("network_gradients.title"))
    st.markdown(t("network_gradients.intro"))
    columns = st.columns(6)
    with columns[0]:
        x1 = slider("ng_x1", "network_gradients.x1", -EXTENT, EXTENT, 0.5, step=0.05)
    with columns[1]:
        x2 = slider("ng_x2", "network_gradients.x2", -EXTENT, EXTENT, -0.5, step=0.05)
    with columns[2]:
        width = slider("ng_width", "network_gradients.width", 2, 32, 8, help="network_gradients.width_help")
    with columns[3]:
        depth = slider("ng_depth", "network_gradients.depth", 1, 4, 2, help="network_gradients.depth_help")
    with columns[4]:
        activation = selectbox("ng_act", "network_gradients.activation", ng.ACTIVATIONS, "tanh")
    with columns[5]:
        resolution = slider("ng_res", "network_gradients.resolution", 11, 61, 31, step=2,
                            help="network_gradients.resolution_help")
    return ng.NetConfig(width, depth, activation, settings().seed), (float(x1), float(x2)), resolution


def field_chart(field: ng.Field, x: tuple[float, float]) -> charts.Chart:
    """Heatmap of f with ∇ₓf arrows (direction and relative length) and the chosen point."""
    arrows = ng.field_arrows(field, ARROWS_PER_SIDE)
    frame = pd.DataFrame({"x1": arrows.x1, "x2": arrows.x2, "df_dx1": arrows.df_dx1, "df_dx2": arrows.df_dx2,
                          "angle": arrows.heading, "size": 30 + 470 * arrows.relative})
    arrow_marks = charts.layer(frame, {"type": "point", "shape": "arrow", "filled": True, "fill": "white",
                                       "stroke": "black", "strokeWidth": 0.5, "opacity": 0.9}, {
        "x": charts.quantitative("x1", "x₁"), "y": charts.quantitative("x2", "x₂"),
        "angle": {"field": "angle", "type": "quantitative", "scale": None},
        "size": {"field": "size", "type": "quantitative", "scale": None},
        "tooltip": [{"field": name} for name in ("x1", "x2", "df_dx1", "df_dx2")]}, plotted=("x1", "x2", "angle"))
    chosen = charts.layer(pd.DataFrame({"x1": [x[0]], "x2": [x[1]]}),
                          {"type": "point", "shape": "circle", "size": 160, "color": charts.ACCENT, "strokeWidth": 3},
                          {"x": charts.quantitative("x1", "x₁"), "y": charts.quantitative("x2", "x₂")})
    return charts.heatmap(field.f, field.x1, "f", "viridis", EXTENT, height=460) + arrow_marks + chosen


def input_section(config: ng.NetConfig, x: tuple[float, float], resolution: int, device: str) -> None:
    """f and ∇ₓf at the point with their checks, beside the field over the whole plane."""
    st.header(t("network_gradients.input_title"))
    at_point = gradients_at(config, x, device)
    chart_column, numbers_column = st.columns([3, 2])
    with numbers_column:
        st.metric(f"f({x[0]:g}, {x[1]:g})", f"{at_point.f:.6f}")
        a, b = st.columns(2)
        a.metric("∂f/∂x₁", f"{at_point.input_grad[0]:.6f}")
        b.metric("∂f/∂x₂", f"{at_point.input_grad[1]:.6f}")
        for check, reference in zip(check_input_gradients(config, x, device, EXTENT, resolution), REFERENCES):
            check_badge(replace(check, reference=t(reference)))
    with chart_column:
        charts.show(field_chart(input_gradient_field(config, device, EXTENT, resolution), x))
        st.caption(t("network_gradients.field_caption", n=resolution * resolution))
    code_panel(case="network_gradients", section="input")


def layer_heatmaps(labels: list[str], grads: list[np.ndarray]) -> None:
    """One heatmap per layer: its weight (out × in) with the bias as the last column, on the layer's colour scale."""
    blocks = ng.layer_blocks(labels, grads)
    for (title, values), column in zip(blocks, st.columns(len(blocks))):
        with column:
            charts.show(charts.matrix(values, title, row_labels=True))


def parameter_section(config: ng.NetConfig, x: tuple[float, float], device: str) -> None:
    """∇θf per layer and as one vector, with its checks."""
    at_point = gradients_at(config, x, device)
    st.header(t("network_gradients.param_title"))
    st.markdown(t("network_gradients.param_intro", n=at_point.flat.size))
    for check, reference in zip(check_parameter_gradients(config, x, device), REFERENCES):
        check_badge(replace(check, reference=t(reference)))
    st.caption(t("network_gradients.heat_caption", what="∂f/∂θ"))
    layer_heatmaps(at_point.labels, at_point.param_grads)
    flat = pd.DataFrame({"index": np.arange(at_point.flat.size), "value": at_point.flat, "param": at_point.owners()})
    charts.show(charts.bars(flat, "index", "value", t("network_gradients.flat_index"), "∂f/∂θ", color="param",
                            sort=at_point.labels, ordinal=False, height=220,
                            tooltip=[{"field": "index"}, {"field": "param"}, {"field": "value", "format": ".3e"}]))
    st.caption(t("network_gradients.flat_caption", n=at_point.flat.size,
                 sizes=" + ".join(str(g.size) for g in at_point.param_grads)))


def double_section(config: ng.NetConfig, x: tuple[float, float], device: str) -> None:
    """G, ∇θG per parameter and per layer, which first-layer parts vanish per activation, and the graph."""
    st.header(t("network_gradients.double_title"))
    st.markdown(t("network_gradients.double_intro"))
    result = double_backprop(config, x, device)
    st.metric("G = Σ (∂f/∂θ)²", f"{result.G:.6f}")
    check_badge(replace(check_double_backprop(config, x, device), reference=t("network_gradients.ref_fd_grad")))
    entries = ng.largest_entries(result)
    st.dataframe(pd.DataFrame({
        t("network_gradients.col_param"): [e.label for e in entries],
        t("network_gradients.col_shape"): [" × ".join(map(str, e.shape)) for e in entries],
        "max |∂G/∂θ|": [e.grad_G for e in entries], "max |∂Gℓ/∂θℓ|": [e.own for e in entries]}),
        hide_index=True, width="stretch")
    st.caption(t("network_gradients.heat_caption", what="∂G/∂θ"))
    layer_heatmaps(result.labels, result.grad_G)
    st.subheader(t("network_gradients.relu_title"))
    rows = first_layer_by_activation(config, x, device)
    st.dataframe(pd.DataFrame({
        t("network_gradients.activation"): [r.activation for r in rows],
        "max |∂G/∂W1|": [r.full for r in rows],
        "max |∂G1/∂W1|, G1 = ‖∂f/∂W1‖²": [r.own for r in rows]}), hide_index=True, width="stretch")
    st.info(t("network_gradients.relu_explain"))
    graph_panel(autograd_graph(config, x, device), t("network_gradients.graph_caption"))
    code_panel(case="network_gradients", section="double")


def stepper_section(config: ng.NetConfig, x: tuple[float, float], device: str) -> None:
    """Step through the backward pass of ∇f, or of G = Σ(∂f/∂θ)² through the nodes the first pass recorded."""
    st.subheader(t("stepper.title"))
    which = radio("ng_pass", "stepper.pass", list(STEPPER_PASSES), "grad", format_func=STEPPER_PASSES.get,
                  horizontal=True)
    st.caption(t(f"stepper.ng_{which}"))
    trace = gradient_trace(config, x, device) if which == "grad" else double_backprop_trace(config, x, device)
    backward_stepper(trace, "ng_bw")


def pitfall_section(config: ng.NetConfig, x: tuple[float, float], device: str) -> None:
    """The three wrong versions and what PyTorch really did."""
    st.header(t("network_gradients.pitfall_header"))
    no_graph, twice, first_only = pitfalls(config, x, device)
    pitfall_panel(no_graph, t("network_gradients.pitfall_graph_title"), t("network_gradients.pitfall_graph_explain"))
    demo = twice.value
    pitfall_panel(twice, t("network_gradients.pitfall_twice_title"), t("network_gradients.pitfall_twice_explain"),
                  value_text=t("network_gradients.pitfall_twice_value", once=np.array2string(demo.once, precision=6),
                               twice=np.array2string(demo.twice, precision=6), none=demo.none_after_zero_grad,
                               again=np.array2string(demo.after_zero_grad, precision=6)))
    shape, total = first_only.value
    pitfall_panel(first_only, t("network_gradients.pitfall_first_title"), t("network_gradients.pitfall_first_explain"),
                  value_text=t("network_gradients.pitfall_first_value", shape=shape, n=shape[0] * shape[1], total=total))
    code_panel(case="network_gradients", section="pitfall")


def data_points(points: pd.DataFrame) -> charts.Chart:
    """The training points (x1, x2, label) as two kinds of outlined dots."""
    return charts.layer(points, {"type": "point", "filled": True, "size": 30, "stroke": "black", "strokeWidth": 0.5}, {
        "x": charts.quantitative("x1"), "y": charts.quantitative("x2"),
        "fill": {"field": "label", "type": "nominal", "scale": {"range": ["#1f77b4", "#ff7f0e"]}, "legend": None},
        "shape": {"field": "label", "type": "nominal", "legend": None}})


def run_panel(view: ng.TrainView, index: int, title: str, numbers: ng.RunNumbers) -> None:
    """One run's numbers, decision surface and ‖∇ₓf‖ map, with the data on both."""
    points = pd.DataFrame({"x1": view.data[:, 0], "x2": view.data[:, 1], "label": view.labels.astype(int).astype(str)})
    st.markdown(f"**{title}**")
    st.caption(t("network_gradients.train_numbers", accuracy=f"{view.accuracy[index]:.1%}",
                 loss=f"{numbers.loss:.4f}", norm=f"{numbers.norm:.3f}"))
    charts.show(charts.heatmap(view.probability[index], view.x1, "p(y=1)", "blueorange", EXTENT) + data_points(points))
    charts.show(charts.heatmap(view.grad_norm[index], view.x1, "‖∇ₓf‖", "viridis", EXTENT,
                               domain=[0, view.grad_norm_top()]) + data_points(points))


def penalty_render(job: JobStatus) -> None:
    """Both nets' decision surfaces and ‖∇ₓf‖ maps side by side with their numbers, and both norms over training."""
    snapshot, config = job.snapshot, job.config
    if snapshot.preview is None or not snapshot.preview["view"].finite():
        return  # a diverged net has nothing meaningful to draw; the error above says why
    view, history = snapshot.preview["view"], snapshot.history
    titles = (t("network_gradients.plain"), t("network_gradients.penalised", penalty=number(config.penalty)))
    latest = ng.latest_numbers(history)
    for index, (run, column) in enumerate(zip(ng.RUNS, st.columns(2))):
        with column:
            run_panel(view, index, titles[index], latest[run])
    if history:
        curves = pd.DataFrame(ng.norm_curves(history))
        curves["run"] = curves["run"].map(lambda run: t(RUN_TITLES[run]))
        charts.show(charts.line(curves, "step", "norm", "step", t("network_gradients.mean_norm"), color="run",
                                sort=[t(RUN_TITLES[run]) for run in ng.RUNS], height=200))


def training_section(net_config: ng.NetConfig, device: str) -> None:
    """The penalty's settings and the two runs trained live."""
    st.header(t("network_gradients.train_title"))
    st.markdown(t("network_gradients.train_intro"))
    a, b, c = st.columns(3)
    with a:
        penalty = select_slider("ng_lambda", "network_gradients.penalty", PENALTIES, 0.01, format_func=number,
                                help="network_gradients.penalty_help")
    with b:
        lr = select_slider("ng_lr", "network_gradients.lr", LEARNING_RATES, 0.3, format_func=number,
                           help="network_gradients.lr_help")
    with c:
        steps = slider("ng_steps", "network_gradients.steps", 100, 10_000, 500, step=100)
    config = ng.TrainConfig(net_config, penalty=penalty, lr=lr, steps=steps, device=device)
    live_training("ng_train", ng.PenaltyTrainer, config, render=penalty_render)
    code_panel(case="network_gradients", section="training")


def page() -> None:
    """Net and point in; ∇ₓf field, ∇θf heatmaps, double backprop, checks, graph, pitfalls and live training out."""
    config, x, resolution = controls()
    device = settings().device
    input_section(config, x, resolution, device)
    parameter_section(config, x, device)
    double_section(config, x, device)
    stepper_section(config, x, device)
    pitfall_section(config, x, device)
    training_section(config, device)


page()
