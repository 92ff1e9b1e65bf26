"""Page 4: Hessian-vector products by double backward, and the curvature they buy without forming H."""
from dataclasses import replace

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from core import hessian as hs
from core.checks import compare, run_pitfall
from core.devices import DeviceError, resolve
from core.timing import median_seconds
from ui import t
from ui.furniture import bounded_cache, check_badge, code_panel, graph_panel, pitfall_panel
from ui.state import select_slider, selectbox, settings, slider, toggle

ACTIVATIONS = ["tanh", "gelu", "softplus", "sigmoid", "relu"]
TOLERANCES = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6]
SCALING_WIDTHS = [4, 8, 16, 32, 64, 128, 256]  # depth 2: N from 33 to 66,561
SCALING_FULL_MAX_WIDTH = 32  # the live chart forms H only up to N = 1,153: its cost grows like N²
MB = 1024**2
MAX_ITER = 300  # power iterations per eigenvalue before the page gives up
METHODS = {"double backward": "hessian.method_double", "double backward, reused graph": "hessian.method_reused",
           "torch.func.jvp(grad)": "hessian.method_jvp", "autograd.functional.hvp": "hessian.method_hvp",
           "autograd.functional.vhp": "hessian.method_vhp", "torch.func.hessian @ v": "hessian.method_full"}
TIMED = {"gradient": "hessian.time_gradient", "hvp": "hessian.time_hvp", "full Hessian": "hessian.time_full"}


@bounded_cache()
def hvp_report(config: hs.NetConfig, device: str) -> hs.HVPReport:
    """H·v by every method, for one seeded random v."""
    return hs.hvp_report(config, device, seed=config.seed)


@bounded_cache()
def spectrum(config: hs.NetConfig, device: str) -> hs.Spectrum:
    """The full Hessian's eigenvalues, trace and heatmap (only called when it fits the budget)."""
    return hs.exact_spectrum(config, device)


@bounded_cache()
def eigen(config: hs.NetConfig, device: str, k: int, tol: float) -> hs.EigenReport:
    """Top-k eigenvalues by power iteration, and the loss along the top eigenvector."""
    return hs.eigen_report(config, device, k, tol, seed=config.seed, max_iter=MAX_ITER)


@bounded_cache()
def trace(config: hs.NetConfig, device: str, samples: int) -> hs.TraceEstimate:
    """Hutchinson's running trace estimate."""
    return hs.trace_report(config, device, samples, seed=config.seed)


@bounded_cache()
def density(config: hs.NetConfig, device: str, steps: int, runs: int) -> hs.Density:
    """Stochastic Lanczos quadrature of the eigenvalue density."""
    return hs.density_report(config, device, steps, runs, seed=config.seed)


@bounded_cache()
def gradient_graph(config: hs.NetConfig):
    """The graph of g·v that the HVP differentiates."""
    return hs.gradient_graph(config)


@bounded_cache()
def scaling_point(width: int, device: str) -> dict:
    """One size of the scaling chart, measured once per device."""
    return hs.scaling_point(width, device, with_full=width <= SCALING_FULL_MAX_WIDTH)


@bounded_cache()
def pitfalls(config: hs.NetConfig, device: str):
    """The blog's scalar 'vector', and the second grad without create_graph=True, both run for real."""
    return (run_pitfall(lambda: hs.blog_scalar_hvp(config, device, seed=config.seed)),
            run_pitfall(lambda: hs.hvp_without_create_graph(config, device)))


def network_section(config: hs.NetConfig, device: str) -> hs.Spectrum | None:
    """N, loss, every HVP method against finite differences, the gradient graph, and the full Hessian when it fits."""
    report = hvp_report(config, device)
    fits = hs.fits_budget(config, device)
    left, right = st.columns(2)
    left.metric(t("hessian.n_params"), f"{report.n:,}")
    right.metric(t("hessian.loss"), f"{report.loss:.4f}")

    st.subheader(t("hessian.hvp_title"))
    st.markdown(t("hessian.hvp_intro"))
    double = report.products["double backward"]
    check_badge(compare(double, report.finite_difference, t("hessian.fd_reference"), 1e-5))
    rows = [{t("hessian.col_method"): t(METHODS[name]), t("hessian.col_diff"): float(np.abs(hv - double).max()),
             t("hessian.col_ms"): 1e3 * report.seconds[name]} for name, hv in report.products.items()]
    st.dataframe(pd.DataFrame(rows), hide_index=True, column_config={
        t("hessian.col_diff"): st.column_config.NumberColumn(format="%.2e"),
        t("hessian.col_ms"): st.column_config.NumberColumn(format="%.3f")})
    st.caption(t("hessian.methods_note"))
    shown = min(report.n, 200)
    data = pd.DataFrame({"i": np.arange(shown), "double": double[:shown], "fd": report.finite_difference[:shown]})
    line = alt.Chart(data).mark_line().encode(x=alt.X("i:Q", title=t("hessian.axis_index")),
                                               y=alt.Y("double:Q", title="(H·v)ᵢ"))
    dots = alt.Chart(data).mark_point(color="#C1121F", size=20).encode(x="i:Q", y="fd:Q", tooltip=["i", "double", "fd"])
    st.altair_chart((line + dots).properties(height=260), width="stretch")
    st.caption(t("hessian.hv_chart_note", shown=shown))
    code_panel(hs.hvp, hs.hvp_operator, hs.hvp_forward_over_reverse, hs.hvp_functional, hs.hvp_finite_difference)
    graph_panel(gradient_graph(config), t("hessian.graph_caption"))

    st.subheader(t("hessian.full_title"))
    if not fits:
        st.warning(t("hessian.full_refused", n=f"{report.n:,}", need=f"{hs.full_hessian_bytes(config, device) / MB:,.0f}",
                     budget=f"{hs.FULL_HESSIAN_BUDGET_BYTES / MB:,.0f}"))
        return None
    with st.spinner(t("hessian.full_running")):
        exact = spectrum(config, device)
    cells = exact.heatmap.shape[0]
    i, j = np.meshgrid(np.arange(cells), np.arange(cells), indexing="ij")
    heat = pd.DataFrame({"row": i.ravel(), "col": j.ravel(), "h": exact.heatmap.ravel()})
    bound = float(np.abs(exact.heatmap).max()) or 1.0
    st.altair_chart(alt.Chart(heat).mark_rect().encode(
        x=alt.X("col:O", axis=None), y=alt.Y("row:O", axis=None),
        color=alt.Color("h:Q", scale=alt.Scale(scheme="redblue", domain=[-bound, bound], reverse=True), title="H"),
        tooltip=["row", "col", "h"]).properties(height=420, width=420), width="content")
    pooled = t("hessian.heatmap_pooled", cells=cells) if cells < report.n else ""
    st.caption(t("hessian.heatmap_note", asym=f"{exact.asymmetry:.1e}") + pooled)
    code_panel(hs.full_hessian)
    return exact


def eigen_section(config: hs.NetConfig, device: str, exact: hs.Spectrum | None) -> None:
    """Power iteration with deflation: convergence, comparison with eigvalsh, and the 1-D loss slice."""
    st.subheader(t("hessian.eigen_title"))
    st.markdown(t("hessian.eigen_intro"))
    left, right = st.columns(2)
    with left:
        k = slider("hess_k", "hessian.k", 1, 5, 3)
    with right:
        tol = select_slider("hess_tol", "hessian.tol", TOLERANCES, 1e-3, format_func=lambda v: f"{v:.0e}",
                            help="hessian.tol_help")
    with st.spinner(t("hessian.running")):
        result = eigen(config, device, k, tol)
    if not all(result.converged):
        st.warning(t("hessian.not_converged", max_iter=MAX_ITER))
    history = pd.concat([pd.DataFrame({"iteration": np.arange(1, len(h) + 1), "λ": h, "k": f"λ{i + 1}"})
                         for i, h in enumerate(result.history)])
    chart = alt.Chart(history).mark_line().encode(x=alt.X("iteration:Q", title=t("hessian.axis_iteration")),
                                                  y=alt.Y("λ:Q", title=t("hessian.axis_estimate")), color="k:N")
    table = pd.DataFrame({"k": [f"λ{i + 1}" for i in range(k)], t("hessian.col_power"): result.values,
                          t("hessian.col_iterations"): [len(h) for h in result.history]})
    if exact is not None:
        reference = exact.eigenvalues[np.argsort(-np.abs(exact.eigenvalues))][:k]
        rules = pd.DataFrame({"λ": reference, "k": table["k"]})
        chart += alt.Chart(rules).mark_rule(strokeDash=[4, 4]).encode(y="λ:Q", color="k:N")
        table[t("hessian.col_eigvalsh")] = reference
        check_badge(compare(result.values, reference, t("hessian.eigvalsh_reference"), tol))
    else:
        st.info(t("hessian.no_reference"))
    st.altair_chart(chart.properties(height=300), width="stretch")
    st.dataframe(table, hide_index=True)

    st.markdown(t("hessian.slice_title"))
    long = pd.DataFrame({"α": result.alphas, t("hessian.slice_loss"): result.slice_loss,
                         t("hessian.slice_model"): result.slice_model}).melt("α", var_name="curve", value_name="L")
    st.altair_chart(alt.Chart(long).mark_line().encode(
        x=alt.X("α:Q", title=t("hessian.axis_alpha")), y=alt.Y("L:Q", title="L(θ + α·u₁)"),
        color=alt.Color("curve:N", title=None), strokeDash="curve:N").properties(height=280), width="stretch")
    st.caption(t("hessian.slice_note", lam=f"{result.values[0]:.4g}"))
    code_panel(hs.power_iteration, hs.eigen_report)


def trace_section(config: hs.NetConfig, device: str, exact: hs.Spectrum | None) -> None:
    """Hutchinson's estimator: running mean ± one standard error against the exact trace."""
    st.subheader(t("hessian.trace_title"))
    st.markdown(t("hessian.trace_intro"))
    samples = slider("hess_samples", "hessian.samples", 10, 1000, 200, step=10)
    with st.spinner(t("hessian.running")):
        result = trace(config, device, samples)
    data = pd.DataFrame({"m": np.arange(1, samples + 1), "mean": result.running_mean,
                         "low": result.running_mean - result.running_se, "high": result.running_mean + result.running_se})
    base = alt.Chart(data).encode(x=alt.X("m:Q", title=t("hessian.axis_samples")))
    band = base.mark_area(opacity=0.25).encode(y=alt.Y("low:Q", title="tr(H)"), y2="high:Q")
    chart = band + base.mark_line().encode(y="mean:Q")
    estimate, error = float(result.running_mean[-1]), float(result.running_se[-1])
    if exact is not None:
        chart += alt.Chart(pd.DataFrame({"y": [exact.trace]})).mark_rule(strokeDash=[4, 4], color="#C1121F").encode(y="y:Q")
        st.markdown(t("hessian.trace_vs_exact", est=f"{estimate:.4g}", se=f"{error:.2g}", exact=f"{exact.trace:.4g}",
                      z=f"{abs(estimate - exact.trace) / max(error, 1e-300):.2g}"))
    else:
        st.markdown(t("hessian.trace_only", est=f"{estimate:.4g}", se=f"{error:.2g}"))
    st.altair_chart(chart.properties(height=280), width="stretch")
    code_panel(hs.hutchinson)


def density_section(config: hs.NetConfig, device: str, exact: hs.Spectrum | None) -> None:
    """Stochastic Lanczos quadrature beside the exact eigenvalue histogram."""
    st.subheader(t("hessian.density_title"))
    st.markdown(t("hessian.density_intro"))
    left, right = st.columns(2)
    with left:
        steps = slider("hess_steps", "hessian.steps", 5, 80, 30)
    with right:
        runs = slider("hess_runs", "hessian.runs", 1, 10, 4)
    with st.spinner(t("hessian.running")):
        result = density(config, device, steps, runs)
    curves = {t("hessian.density_slq"): result.density}
    if exact is not None:
        weights = np.full(len(exact.eigenvalues), 1 / len(exact.eigenvalues))
        curves[t("hessian.density_exact")] = hs.smoothed_density(exact.eigenvalues, weights, result.grid, result.sigma)
    data = pd.DataFrame({"λ": result.grid, **curves}).melt("λ", var_name="curve", value_name="p")
    chart = alt.Chart(data).mark_line().encode(
        x=alt.X("λ:Q", title=t("hessian.axis_eigenvalue")), y=alt.Y("p:Q", title=t("hessian.axis_density")),
        color=alt.Color("curve:N", title=None, scale=alt.Scale(domain=list(curves), range=["#C1121F", "#555555"][: len(curves)])),
        strokeDash="curve:N")
    if exact is not None:
        counts, edges = np.histogram(exact.eigenvalues, bins=60, density=True)
        bars = pd.DataFrame({"start": edges[:-1], "end": edges[1:], "p": counts})
        histogram = alt.Chart(bars).mark_rect(opacity=0.3, color="#888888").encode(x="start:Q", x2="end:Q", y="p:Q", y2=alt.datum(0))
        chart = histogram + chart
    st.altair_chart(chart.properties(height=300), width="stretch")
    st.caption(t("hessian.density_note" if exact is not None else "hessian.density_alone", sigma=f"{result.sigma:.3g}"))
    code_panel(hs.lanczos, hs.spectral_density)


def scaling_section(device: str) -> None:
    """Live timings of one gradient, one HVP and the full Hessian as N grows (log-log)."""
    st.subheader(t("hessian.scaling_title"))
    st.markdown(t("hessian.scaling_intro"))
    if not toggle("hess_scaling", "hessian.scaling_toggle", False, help="hessian.scaling_help"):
        return
    total = len(SCALING_WIDTHS)
    progress = st.progress(0.0, text=t("hessian.scaling_progress", done=0, total=total))
    rows = []
    for index, width in enumerate(SCALING_WIDTHS):
        rows.append(scaling_point(width, device))
        progress.progress((index + 1) / total, text=t("hessian.scaling_progress", done=index + 1, total=total))
    progress.empty()
    data = pd.DataFrame(rows).melt("n", var_name="what", value_name="seconds").dropna()
    data["what"] = data["what"].map(lambda what: t(TIMED[what]))
    st.altair_chart(alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("n:Q", scale=alt.Scale(type="log"), title="N"),
        y=alt.Y("seconds:Q", scale=alt.Scale(type="log"), title=t("hessian.axis_seconds")),
        color=alt.Color("what:N", title=None), tooltip=["n", "what", "seconds"]).properties(height=320), width="stretch")
    biggest = rows[-1]
    st.caption(t("hessian.scaling_note", n=f"{biggest['n']:,}", ratio=f"{biggest['hvp'] / biggest['gradient']:.1f}",
                 limit=f"{rows[SCALING_WIDTHS.index(SCALING_FULL_MAX_WIDTH)]['n']:,}"))
    code_panel(hs.scaling_point, median_seconds)


def pitfall_section(config: hs.NetConfig, device: str, exact: hs.Spectrum | None) -> None:
    """The blog's scalar 'vector', the missing create_graph=True, and a ReLU net's exactly-zero Hessian."""
    st.subheader(t("hessian.pitfall_title"))
    blog, no_graph = pitfalls(config, device)
    wrong, right = blog.value
    cosine = float(wrong @ right / (np.linalg.norm(wrong) * np.linalg.norm(right)))
    shown = "\n".join(f"{i:>3}  {w:+.6f}  {r:+.6f}" for i, (w, r) in enumerate(zip(wrong[:8], right[:8])))
    pitfall_panel(blog, t("hessian.blog_title"), t("hessian.blog_explain", cos=f"{cosine:.3f}"),
                  value_text=f"  i  {t('hessian.blog_wrong')}  {t('hessian.blog_right')}\n{shown}")
    pitfall_panel(no_graph, t("hessian.no_graph_title"), t("hessian.no_graph_explain"))
    code_panel(hs.blog_scalar_hvp, hs.hvp_without_create_graph)
    relu = replace(config, activation="relu")
    if exact is None:  # the full Hessian did not fit (its size does not depend on the activation)
        st.info(t("hessian.relu_needs_full"))
        return
    smooth = config if config.activation != "relu" else replace(config, activation="tanh")
    smooth_zeros = spectrum(smooth, device).zero_fraction
    outcome = run_pitfall(lambda: spectrum(relu, device).zero_fraction)
    pitfall_panel(outcome, t("hessian.relu_title"),
                  t("hessian.relu_explain", act=smooth.activation, smooth=f"{100 * smooth_zeros:.1f}"),
                  value_text=None if outcome.raised else t("hessian.relu_value", zeros=f"{100 * outcome.value:.1f}"))


def page() -> None:
    """Network sliders; HVP methods and checks; eigenvalues, trace, density; scaling; pitfalls."""
    st.title(t("hessian.title"))
    st.markdown(t("hessian.intro"))
    try:
        device = str(resolve(settings().device))
    except DeviceError:
        st.error(t("hessian.bad_device", device=settings().device))
        return
    left, middle, right = st.columns(3)
    with left:
        width = slider("hess_width", "hessian.width", 2, 64, 16, help="hessian.width_help")
    with middle:
        depth = slider("hess_depth", "hessian.depth", 1, 4, 2)
    with right:
        activation = selectbox("hess_act", "hessian.activation", ACTIVATIONS, "tanh", help="hessian.activation_help")
    config = hs.NetConfig(width, depth, activation, seed=settings().seed)

    exact = network_section(config, device)
    eigen_section(config, device, exact)
    trace_section(config, device, exact)
    density_section(config, device, exact)
    scaling_section(device)
    pitfall_section(config, device, exact)


page()
