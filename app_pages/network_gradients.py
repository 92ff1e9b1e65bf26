"""Page 2: gradients of a small MLP with respect to its input and its weights, double backprop,
and an input-gradient penalty trained live."""
from dataclasses import replace

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from core import network_gradients as ng
from core.checks import run_pitfall
from core.devices import DeviceError, resolve
from core.jobs import JobStatus
from ui import charts, t
from ui.furniture import bounded_cache, check_badge, code_panel, graph_panel, pitfall_panel
from ui.live import live_training
from ui.state import select_slider, selectbox, settings, slider

PENALTIES = [0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
LEARNING_RATES = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 100.0, 1000.0]
EXTENT = 2.0
ARROWS_PER_SIDE = 13
REFERENCES = ("network_gradients.ref_jacrev", "network_gradients.ref_fd")  # names of the two first-order checks


def number(value: float) -> str:
    """Option labels for the URL and the slider: the same in every language."""
    return f"{value:g}"


@bounded_cache()
def point(config: ng.NetConfig, x: tuple, device: str) -> ng.PointGradients:
    """∇ₓf and ∇θf at the chosen point."""
    return ng.gradients_at(config, x, device)


@bounded_cache()
def field(config: ng.NetConfig, resolution: int, device: str) -> ng.Field:
    """f and ∇ₓf on the whole grid, one batched pass."""
    return ng.input_gradient_field(config, device, EXTENT, resolution)


@bounded_cache()
def second_order(config: ng.NetConfig, x: tuple, device: str):
    """Double backprop for the chosen net, and the first layer's part for every activation."""
    return ng.double_backprop(config, x, device), ng.first_layer_by_activation(config, x, device)


# The three checks are cached apart, each keyed only on what it depends on: the parameter check (the slowest)
# does not rerun when the field's resolution changes.
@bounded_cache()
def input_checks(config: ng.NetConfig, x: tuple, resolution: int, device: str):
    """∇ₓf at the point and on the field against torch.func and float64 central differences."""
    return ng.check_input_gradients(config, x, device, EXTENT, resolution)


@bounded_cache()
def parameter_checks(config: ng.NetConfig, x: tuple, device: str):
    """∇θf against torch.func and float64 central differences."""
    return ng.check_parameter_gradients(config, x, device)


@bounded_cache()
def double_backprop_check(config: ng.NetConfig, x: tuple, device: str):
    """∇θG against central differences of ∇θf."""
    return ng.check_double_backprop(config, x, device)


@bounded_cache()
def graph(config: ng.NetConfig, x: tuple, device: str):
    """The autograd graph of f and G."""
    return ng.autograd_graph(config, x, device)


@bounded_cache()
def pitfalls(config: ng.NetConfig, x: tuple, device: str):
    """The three wrong versions, run for real."""
    return tuple(run_pitfall(lambda wrong=wrong: wrong(config, x, device))
                 for wrong in (ng.wrong_no_create_graph, ng.wrong_backward_twice, ng.wrong_first_only))


def heatmap(values: np.ndarray, axis: np.ndarray, title: str, scheme: str = "viridis") -> alt.Chart:
    """A square grid of values over the input plane, cell (i, j) at (axis[j], axis[i])."""
    half = (axis[1] - axis[0]) / 2
    x1, x2 = np.meshgrid(axis, axis)
    data = pd.DataFrame({"x1": x1.ravel() - half, "x1_end": x1.ravel() + half, "x2": x2.ravel() - half,
                         "x2_end": x2.ravel() + half, "value": values.ravel()})
    return alt.Chart(data).mark_rect().encode(
        x=alt.X("x1:Q", title="x₁", scale=alt.Scale(domain=[-EXTENT, EXTENT], nice=False)), x2="x1_end:Q",
        y=alt.Y("x2:Q", title="x₂", scale=alt.Scale(domain=[-EXTENT, EXTENT], nice=False)), y2="x2_end:Q",
        color=alt.Color("value:Q", title=title, scale=alt.Scale(scheme=scheme)))


def field_chart(result: ng.Field, x: tuple) -> alt.Chart:
    """Heatmap of f with ∇ₓf arrows (direction and relative length) and the chosen point."""
    n = len(result.x1)
    every = max(1, n // ARROWS_PER_SIDE)
    x1, x2 = np.meshgrid(result.x1[::every], result.x1[::every])
    grad = result.grad[::every, ::every]
    magnitude = np.hypot(grad[..., 0], grad[..., 1])
    arrows = pd.DataFrame({
        "x1": x1.ravel(), "x2": x2.ravel(), "df_dx1": grad[..., 0].ravel(), "df_dx2": grad[..., 1].ravel(),
        # Vega turns symbols clockwise from "up"; the arrow should point along the gradient.
        "angle": (90 - np.degrees(np.arctan2(grad[..., 1], grad[..., 0]))).ravel(),
        "size": (30 + 470 * magnitude / max(magnitude.max(), 1e-12)).ravel()})
    arrow_marks = alt.Chart(arrows).mark_point(
        shape="arrow", filled=True, fill="white", stroke="black", strokeWidth=0.5, opacity=0.9).encode(
        x="x1:Q", y="x2:Q", angle=alt.Angle("angle:Q", scale=None), size=alt.Size("size:Q", scale=None),
        tooltip=["x1", "x2", "df_dx1", "df_dx2"])
    chosen = alt.Chart(pd.DataFrame({"x1": [x[0]], "x2": [x[1]]})).mark_point(
        shape="circle", size=160, color="red", strokeWidth=3).encode(x="x1:Q", y="x2:Q")
    layers = heatmap(result.f, result.x1, "f") + arrow_marks + chosen
    return layers.properties(height=460).configure_axis(grid=False)


def parameter_charts(labels: list[str], grads: list[np.ndarray]) -> None:
    """One heatmap per layer weight (out × in) with its bias beside it, each on its own colour scale."""
    for (w_label, weight, b_label, bias), column in zip(
            zip(labels[::2], grads[::2], labels[1::2], grads[1::2]), st.columns(len(labels) // 2)):
        rows, cols = np.indices(weight.shape)
        data = pd.concat([
            pd.DataFrame({"param": w_label, "row": rows.ravel(), "col": cols.ravel(), "value": weight.ravel()}),
            pd.DataFrame({"param": b_label, "row": np.arange(bias.size), "col": 0, "value": bias.ravel()})])
        limit = float(np.abs(data["value"]).max()) or 1.0
        chart = alt.Chart(data).mark_rect().encode(
            x=alt.X("col:O", title=None, axis=None), y=alt.Y("row:O", title=None, axis=alt.Axis(labelFontSize=8)),
            color=alt.Color("value:Q", title=None,
                            scale=alt.Scale(scheme="redblue", domain=[-limit, limit], reverse=True)),
            column=alt.Column("param:N", title=None, sort=[w_label, b_label]),
            tooltip=["param", "row", "col", alt.Tooltip("value:Q", format=".3e")]
        ).properties(width=alt.Step(10), height=alt.Step(10)).resolve_scale(x="independent")
        with column:
            st.altair_chart(chart, width="content")


def flat_chart(result: ng.PointGradients) -> alt.Chart:
    """The whole of ∇θf as one vector, coloured by the parameter each entry belongs to."""
    owner = np.concatenate([[label] * g.size for label, g in zip(result.labels, result.param_grads)])
    data = pd.DataFrame({"index": np.arange(result.flat.size), "value": result.flat, "param": owner})
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("index:Q", title=t("network_gradients.flat_index")), y=alt.Y("value:Q", title="∂f/∂θ"),
        color=alt.Color("param:N", sort=result.labels, title=None),
        tooltip=["index", "param", alt.Tooltip("value:Q", format=".3e")]).properties(height=220)


def second_order_table(result: ng.DoubleBackprop) -> pd.DataFrame:
    """Per parameter: how large ∂G/∂θ and the parameter's own block ∂Gℓ/∂θℓ are."""
    return pd.DataFrame({
        t("network_gradients.col_param"): result.labels,
        t("network_gradients.col_shape"): [" × ".join(map(str, g.shape)) for g in result.grad_G],
        "max |∂G/∂θ|": [float(np.abs(g).max()) for g in result.grad_G],
        "max |∂Gℓ/∂θℓ|": [float(np.abs(o).max()) for o in result.own]})


def data_points(points: pd.DataFrame) -> charts.Chart:
    """The training points (x1, x2, label) as two kinds of outlined dots."""
    return charts.layer(points, {"type": "point", "filled": True, "size": 30, "stroke": "black", "strokeWidth": 0.5}, {
        "x": charts.quantitative("x1"), "y": charts.quantitative("x2"),
        "fill": {"field": "label", "type": "nominal", "scale": {"range": ["#1f77b4", "#ff7f0e"]}, "legend": None},
        "shape": {"field": "label", "type": "nominal", "legend": None}})


def penalty_render(job: JobStatus) -> None:
    """Decision surface and ‖∇ₓf‖ map of both nets side by side, with their numbers and losses."""
    snapshot, config = job.snapshot, job.config
    if snapshot.preview is None:
        return
    view, history = snapshot.preview["view"], snapshot.history
    if not all(np.all(np.isfinite(a)) for a in (*view.probability, *view.grad_norm)):
        return  # a diverged net has nothing meaningful to draw; the error above says why
    points = pd.DataFrame({"x1": view.data[:, 0], "x2": view.data[:, 1], "label": view.labels.astype(int).astype(str)})
    top = max(float(view.grad_norm[0].max()), float(view.grad_norm[1].max()), 1e-12)
    for index, column in enumerate(st.columns(2)):
        with column:
            st.markdown("**" + (t("network_gradients.plain") if index == 0 else
                                t("network_gradients.penalised", penalty=number(config.penalty))) + "**")
            last = history[-1] if history else [np.nan] * 5
            st.caption(t("network_gradients.train_numbers", accuracy=f"{view.accuracy[index]:.1%}",
                         loss=f"{last[1 + index]:.4f}", norm=f"{last[3 + index]:.3f}"))
            charts.show(charts.heatmap(view.probability[index], view.x1, "p(y=1)", "blueorange", EXTENT) + data_points(points))
            charts.show(charts.heatmap(view.grad_norm[index], view.x1, "‖∇ₓf‖", "viridis", EXTENT, domain=[0, top])
                        + data_points(points))
    if history:
        norms = pd.DataFrame(history.rows, columns=history.columns)[["step", "norm_plain", "norm_penalised"]].rename(
            columns={"norm_plain": t("network_gradients.plain_short"), "norm_penalised": t("network_gradients.penalised_short")})
        charts.show(charts.line(norms.melt("step", var_name="run", value_name="norm"), "step", "norm", "step",
                                t("network_gradients.mean_norm"), color="run", height=200))


def page() -> None:
    """Net and point in; ∇ₓf field, ∇θf heatmaps, double backprop, checks, graph, pitfalls and live training out."""
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
    device = settings().device
    try:
        resolve(device)
    except DeviceError:
        st.error(t("network_gradients.device_error", device=device))
        return
    net_config = ng.NetConfig(width, depth, activation, settings().seed)
    x = (float(x1), float(x2))
    input_check, param_check = input_checks(net_config, x, resolution, device), parameter_checks(net_config, x, device)
    double_check = double_backprop_check(net_config, x, device)

    st.header(t("network_gradients.input_title"))
    at_point = point(net_config, x, device)
    chart_column, numbers_column = st.columns([3, 2])
    with numbers_column:
        st.metric(f"f({x1:g}, {x2:g})", f"{at_point.f:.6f}")
        a, b = st.columns(2)
        a.metric("∂f/∂x₁", f"{at_point.input_grad[0]:.6f}")
        b.metric("∂f/∂x₂", f"{at_point.input_grad[1]:.6f}")
        for check, reference in zip(input_check, REFERENCES):
            check_badge(replace(check, reference=t(reference)))
    with chart_column:
        st.altair_chart(field_chart(field(net_config, resolution, device), x), width="stretch")
        st.caption(t("network_gradients.field_caption", n=resolution * resolution))
    code_panel(ng.gradients_at, ng.input_gradient_field)

    st.header(t("network_gradients.param_title"))
    st.markdown(t("network_gradients.param_intro", n=at_point.flat.size))
    for check, reference in zip(param_check, REFERENCES):
        check_badge(replace(check, reference=t(reference)))
    st.caption(t("network_gradients.heat_caption", what="∂f/∂θ"))
    parameter_charts(at_point.labels, at_point.param_grads)
    st.altair_chart(flat_chart(at_point), width="stretch")
    st.caption(t("network_gradients.flat_caption", n=at_point.flat.size,
                 sizes=" + ".join(str(g.size) for g in at_point.param_grads)))

    st.header(t("network_gradients.double_title"))
    st.markdown(t("network_gradients.double_intro"))
    result, rows = second_order(net_config, x, device)
    st.metric("G = Σ (∂f/∂θ)²", f"{result.G:.6f}")
    check_badge(replace(double_check, reference=t("network_gradients.ref_fd_grad")))
    st.dataframe(second_order_table(result), hide_index=True, width="stretch")
    st.caption(t("network_gradients.heat_caption", what="∂G/∂θ"))
    parameter_charts(result.labels, result.grad_G)
    st.subheader(t("network_gradients.relu_title"))
    st.dataframe(pd.DataFrame({
        t("network_gradients.activation"): [r.activation for r in rows],
        "max |∂G/∂W1|": [r.full for r in rows],
        "max |∂G1/∂W1|, G1 = ‖∂f/∂W1‖²": [r.own for r in rows]}), hide_index=True, width="stretch")
    st.info(t("network_gradients.relu_explain"))
    graph_panel(graph(net_config, x, device), t("network_gradients.graph_caption"))
    code_panel(ng.double_backprop, ng.check_double_backprop)

    st.header(t("network_gradients.pitfall_header"))
    no_graph, twice, first_only = pitfalls(net_config, x, device)
    pitfall_panel(no_graph, t("network_gradients.pitfall_graph_title"), t("network_gradients.pitfall_graph_explain"))
    demo = twice.value
    pitfall_panel(twice, t("network_gradients.pitfall_twice_title"), t("network_gradients.pitfall_twice_explain"),
                  value_text=t("network_gradients.pitfall_twice_value", once=np.array2string(demo.once, precision=6),
                               twice=np.array2string(demo.twice, precision=6), none=demo.none_after_zero_grad,
                               again=np.array2string(demo.after_zero_grad, precision=6)))
    shape, total = first_only.value
    pitfall_panel(first_only, t("network_gradients.pitfall_first_title"), t("network_gradients.pitfall_first_explain"),
                  value_text=t("network_gradients.pitfall_first_value", shape=shape, n=shape[0] * shape[1], total=total))
    code_panel(ng.wrong_no_create_graph, ng.wrong_backward_twice, ng.wrong_first_only)

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
    code_panel(ng.penalised_loss, ng.PenaltyTrainer.train_step)


page()
