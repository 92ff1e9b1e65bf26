"""Page 4: Hessian-vector products by double backward, and the curvature they buy without forming H."""
import numpy as np
import pandas as pd
import streamlit as st

from core import hessian as hs
from core.checks import compare, run_pitfall
from ui import charts, t
from ui.furniture import cached, check_badge, code_panel, graph_panel, pitfall_panel
from ui.state import select_slider, selectbox, settings, slider, toggle

ACTIVATIONS = ["tanh", "gelu", "softplus", "sigmoid", "relu"]
TOLERANCES = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6]
SCALING_WIDTHS = [4, 8, 16, 32, 64, 128, 256]  # depth 2: N from 33 to 66,561
SCALING_FULL_MAX_WIDTH = 32  # the live chart forms H only up to N = 1,153: its cost grows like N²
MB = 1024**2
MAX_ITER = 300  # power iterations per eigenvalue before the page gives up
HEATMAP_PIXELS = 420  # the heat map's side, whatever the number of cells
SHOWN_ENTRIES = 200  # entries of H·v drawn: enough to see the two agree, few enough to tell dots apart
EXACT_COLOUR = "#555555"  # the exact-eigenvalue density beside SLQ's accent
METHODS = {"double backward": "hessian.method_double", "double backward, reused graph": "hessian.method_reused",
           "torch.func.jvp(grad)": "hessian.method_jvp", "autograd.functional.hvp": "hessian.method_hvp",
           "autograd.functional.vhp": "hessian.method_vhp", "torch.func.hessian @ v": "hessian.method_full"}
TIMED = {"gradient": "hessian.time_gradient", "hvp": "hessian.time_hvp", "full Hessian": "hessian.time_full"}

hvp_report = cached(hs.hvp_report)
exact_spectrum = cached(hs.exact_spectrum)
eigen_report = cached(hs.eigen_report)
trace_report = cached(hs.trace_report)
density_report = cached(hs.density_report)
gradient_graph = cached(hs.gradient_graph)
scaling_point = cached(hs.scaling_point)
pitfalls = cached(hs.pitfalls)


def controls() -> hs.NetConfig:
    """Title, intro and the network's sliders."""
    st.title(t("hessian.title"))
    st.markdown(t("hessian.intro"))
    left, middle, right = st.columns(3)
    with left:
        width = slider("hess_width", "hessian.width", 2, 64, 16, help="hessian.width_help")
    with middle:
        depth = slider("hess_depth", "hessian.depth", 1, 4, 2)
    with right:
        activation = selectbox("hess_act", "hessian.activation", ACTIVATIONS, "tanh", help="hessian.activation_help")
    return hs.NetConfig(width, depth, activation, seed=settings().seed)


def hvp_section(config: hs.NetConfig, device: str) -> None:
    """N, loss, every HVP method against finite differences, and the gradient graph they differentiate."""
    report = hvp_report(config, device, seed=config.seed)
    left, right = st.columns(2)
    left.metric(t("hessian.n_params"), f"{report.n:,}")
    right.metric(t("hessian.loss"), f"{report.loss:.4f}")
    st.subheader(t("hessian.hvp_title"))
    st.markdown(t("hessian.hvp_intro"))
    double = report.products["double backward"]
    check_badge(compare(double, report.finite_difference, t("hessian.fd_reference"), 1e-5))
    differences = hs.method_differences(report)
    st.dataframe(pd.DataFrame({t("hessian.col_method"): [t(METHODS[name]) for name in report.products],
                               t("hessian.col_diff"): [differences[name] for name in report.products],
                               t("hessian.col_ms"): [1e3 * report.seconds[name] for name in report.products]}),
                 hide_index=True, column_config={t("hessian.col_diff"): st.column_config.NumberColumn(format="%.2e"),
                                                 t("hessian.col_ms"): st.column_config.NumberColumn(format="%.3f")})
    st.caption(t("hessian.methods_note"))
    shown = min(report.n, SHOWN_ENTRIES)
    entries = pd.DataFrame({"i": np.arange(shown), "double": double[:shown], "fd": report.finite_difference[:shown]})
    tooltip = [{"field": name, "type": "quantitative"} for name in ("i", "double", "fd")]
    charts.show(charts.line(entries, "i", "double", t("hessian.axis_index"), "(H·v)ᵢ")
                + charts.dots(entries, "i", "fd", fill=charts.ACCENT, size=20, tooltip=tooltip))
    st.caption(t("hessian.hv_chart_note", shown=shown))
    code_panel(case="hessian", section="hvp")
    graph_panel(gradient_graph(config), t("hessian.graph_caption"))


def full_section(config: hs.NetConfig, device: str) -> hs.Spectrum | None:
    """The full Hessian as a heat map when it fits the memory budget, else why not."""
    st.subheader(t("hessian.full_title"))
    n = hs.parameter_count(config)
    if not hs.fits_budget(config, device):
        st.warning(t("hessian.full_refused", n=f"{n:,}", need=f"{hs.full_hessian_bytes(config, device) / MB:,.0f}",
                     budget=f"{hs.FULL_HESSIAN_BUDGET_BYTES / MB:,.0f}"))
        return None
    with st.spinner(t("hessian.full_running")):
        exact = exact_spectrum(config, device)
    cells = exact.heatmap.shape[0]
    charts.show(charts.matrix(exact.heatmap, "H", cell=max(1, HEATMAP_PIXELS // cells)))
    pooled = t("hessian.heatmap_pooled", cells=cells) if cells < n else ""
    st.caption(t("hessian.heatmap_note", asym=f"{exact.asymmetry:.1e}") + pooled)
    code_panel(case="hessian", section="full")
    return exact


def eigen_section(config: hs.NetConfig, device: str, exact: hs.Spectrum | None) -> hs.EigenReport:
    """Power iteration with deflation: convergence, and the comparison with eigvalsh."""
    st.subheader(t("hessian.eigen_title"))
    st.markdown(t("hessian.eigen_intro"))
    left, right = st.columns(2)
    with left:
        k = slider("hess_k", "hessian.k", 1, 5, 3)
    with right:
        tol = select_slider("hess_tol", "hessian.tol", TOLERANCES, 1e-3, format_func=lambda v: f"{v:.0e}",
                            help="hessian.tol_help")
    with st.spinner(t("hessian.running")):
        result = eigen_report(config, device, k, tol, seed=config.seed, max_iter=MAX_ITER)
    if not all(result.converged):
        st.warning(t("hessian.not_converged", max_iter=MAX_ITER))
    labels = hs.eigen_labels(k)
    chart = charts.line(pd.DataFrame(hs.eigen_histories(result)), "iteration", "λ", t("hessian.axis_iteration"),
                        t("hessian.axis_estimate"), color="k", sort=labels, height=300)
    table = pd.DataFrame({"k": labels, t("hessian.col_power"): result.values,
                          t("hessian.col_iterations"): [len(h) for h in result.history]})
    if exact is not None:
        reference = hs.by_magnitude(exact.eigenvalues, k)
        chart += charts.rules(pd.DataFrame({"λ": reference, "k": labels}), y="λ", color="k", sort=labels)
        table[t("hessian.col_eigvalsh")] = reference
        check_badge(compare(result.values, reference, t("hessian.eigvalsh_reference"), tol))
    else:
        st.info(t("hessian.no_reference"))
    charts.show(chart)
    st.dataframe(table, hide_index=True)
    return result


def slice_section(result: hs.EigenReport) -> None:
    """The loss along the top eigenvector beside its second-order Taylor model."""
    st.markdown(t("hessian.slice_title"))
    curves = pd.DataFrame({"α": result.alphas, t("hessian.slice_loss"): result.slice_loss,
                           t("hessian.slice_model"): result.slice_model}).melt("α", var_name="curve", value_name="L")
    charts.show(charts.line(curves, "α", "L", t("hessian.axis_alpha"), "L(θ + α·u₁)", color="curve", dash=True,
                            sort=[t("hessian.slice_loss"), t("hessian.slice_model")], height=280))
    st.caption(t("hessian.slice_note", lam=f"{result.values[0]:.4g}"))
    code_panel(case="hessian", section="eigen")


def trace_section(config: hs.NetConfig, device: str, exact: hs.Spectrum | None) -> None:
    """Hutchinson's estimator: running mean ± one standard error against the exact trace."""
    st.subheader(t("hessian.trace_title"))
    st.markdown(t("hessian.trace_intro"))
    samples = slider("hess_samples", "hessian.samples", 10, 1000, 200, step=10)
    with st.spinner(t("hessian.running")):
        result = trace_report(config, device, samples, seed=config.seed)
    band = pd.DataFrame(hs.trace_band(result))
    chart = charts.band(band, "m", "low", "high", t("hessian.axis_samples"), "tr(H)", height=280)
    chart += charts.line(band, "m", "mean")
    estimate, error = f"{result.running_mean[-1]:.4g}", f"{result.running_se[-1]:.2g}"
    if exact is not None:
        chart += charts.rules(pd.DataFrame({"y": [exact.trace]}), y="y", fill=charts.ACCENT)
        st.markdown(t("hessian.trace_vs_exact", est=estimate, se=error, exact=f"{exact.trace:.4g}",
                      z=f"{hs.standard_errors_away(result, exact.trace):.2g}"))
    else:
        st.markdown(t("hessian.trace_only", est=estimate, se=error))
    charts.show(chart)
    code_panel(case="hessian", section="trace")


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
        result = density_report(config, device, steps, runs, seed=config.seed)
    curves = {t("hessian.density_slq"): result.density}
    if exact is not None:
        curves[t("hessian.density_exact")] = hs.exact_density(exact.eigenvalues, result.grid, result.sigma)
    frame = pd.DataFrame({"λ": result.grid, **curves}).melt("λ", var_name="curve", value_name="p")
    chart = charts.line(frame, "λ", "p", t("hessian.axis_eigenvalue"), t("hessian.axis_density"), color="curve",
                        sort=list(curves), colors=[charts.ACCENT, EXACT_COLOUR][: len(curves)], dash=True, height=300)
    if exact is not None:
        encoding = {"x": charts.quantitative("start", t("hessian.axis_eigenvalue")), "x2": {"field": "end"},
                    "y": charts.quantitative("p", t("hessian.axis_density")), "y2": {"datum": 0}}
        chart = charts.layer(pd.DataFrame(hs.eigenvalue_histogram(exact.eigenvalues)),
                             {"type": "rect", "opacity": 0.3, "color": charts.MUTED}, encoding, plotted=("p",)) + chart
    charts.show(chart)
    st.caption(t("hessian.density_note" if exact is not None else "hessian.density_alone", sigma=f"{result.sigma:.3g}"))
    code_panel(case="hessian", section="density")


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
        rows.append(scaling_point(width, device, with_full=width <= SCALING_FULL_MAX_WIDTH))
        progress.progress((index + 1) / total, text=t("hessian.scaling_progress", done=index + 1, total=total))
    progress.empty()
    data = pd.DataFrame(hs.scaling_curves(rows))
    data["what"] = data["what"].map(lambda what: t(TIMED[what]))
    tooltip = [{"field": "n", "type": "quantitative"}, {"field": "what", "type": "nominal"},
               {"field": "seconds", "type": "quantitative"}]
    charts.show(charts.line(data, "n", "seconds", "N", t("hessian.axis_seconds"), color="what", log=True, x_log=True,
                            points=True, sort=[t(key) for key in TIMED.values()], tooltip=tooltip, height=320))
    biggest = rows[-1]
    st.caption(t("hessian.scaling_note", n=f"{biggest['n']:,}", ratio=f"{biggest['hvp'] / biggest['gradient']:.1f}",
                 limit=f"{rows[SCALING_WIDTHS.index(SCALING_FULL_MAX_WIDTH)]['n']:,}"))
    code_panel(case="hessian", section="scaling")


def pitfall_section(config: hs.NetConfig, device: str) -> None:
    """The blog's scalar 'vector' and the missing create_graph=True, both run for real."""
    st.subheader(t("hessian.pitfall_title"))
    blog, no_graph = pitfalls(config, device, seed=config.seed)
    wrong, right = blog.value
    shown = "\n".join(f"{i:>3}  {w:+.6f}  {r:+.6f}" for i, (w, r) in enumerate(zip(wrong[:8], right[:8])))
    pitfall_panel(blog, t("hessian.blog_title"), t("hessian.blog_explain", cos=f"{hs.cosine(wrong, right):.3f}"),
                  value_text=f"  i  {t('hessian.blog_wrong')}  {t('hessian.blog_right')}\n{shown}")
    pitfall_panel(no_graph, t("hessian.no_graph_title"), t("hessian.no_graph_explain"))
    code_panel(case="hessian", section="pitfall")


def relu_section(config: hs.NetConfig, device: str, exact: hs.Spectrum | None) -> None:
    """A ReLU net's Hessian beside a smooth one's: the fraction of entries that are exactly zero."""
    if exact is None:  # the full Hessian did not fit (its size does not depend on the activation)
        st.info(t("hessian.relu_needs_full"))
        return
    smooth, relu = hs.smooth_and_relu(config)
    smooth_zeros = exact_spectrum(smooth, device).zero_fraction
    outcome = run_pitfall(lambda: exact_spectrum(relu, device).zero_fraction)
    pitfall_panel(outcome, t("hessian.relu_title"),
                  t("hessian.relu_explain", act=smooth.activation, smooth=f"{100 * smooth_zeros:.1f}"),
                  value_text=None if outcome.raised else t("hessian.relu_value", zeros=f"{100 * outcome.value:.1f}"))


def page() -> None:
    """Network sliders; HVP methods and checks; the full Hessian; eigenvalues, trace, density; scaling; pitfalls."""
    config = controls()
    device = settings().device
    hvp_section(config, device)
    exact = full_section(config, device)
    slice_section(eigen_section(config, device, exact))
    trace_section(config, device, exact)
    density_section(config, device, exact)
    scaling_section(device)
    pitfall_section(config, device)
    relu_section(config, device, exact)


page()
