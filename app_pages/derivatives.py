"""Page 1: higher-order derivatives of a formula the user types."""
import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from core import derivatives
from core.checks import compare
from core.expr import ExpressionError, parse
from ui import t
from ui.furniture import bounded_cache, check_badge, code_panel, graph_panel, pitfall_panel
from ui.state import settings, slider, text_input

PRIMES = ["f", "f′", "f″", "f‴", "f⁽⁴⁾", "f⁽⁵⁾", "f⁽⁶⁾"]


@bounded_cache()
def values_table(expression: str, x: float, order: int, device: str) -> pd.DataFrame:
    """Autograd, sympy and finite-difference values side by side."""
    return pd.DataFrame({
        "order": range(order + 1),
        "autograd": derivatives.nth_derivatives(expression, x, order, device),
        "sympy": derivatives.sympy_derivatives(expression, x, order),
        "fd": derivatives.finite_difference_derivatives(expression, x, order),
    })


@bounded_cache()
def curves(expression: str, half_range: float, order: int, device: str) -> pd.DataFrame:
    """Long-form curves; `segment` splits lines at undefined points so the chart shows gaps."""
    xs, rows = derivatives.derivative_curves(expression, -half_range, half_range, order, device=device)
    frames = []
    for k, row in enumerate(rows):
        finite = np.isfinite(row)
        frames.append(pd.DataFrame({"x": xs, "y": np.where(finite, row, np.nan), "curve": PRIMES[k],
                                    "segment": f"{k}-" + pd.Series(np.cumsum(~finite)).astype(str)}))
    return pd.concat(frames, ignore_index=True)


@bounded_cache()
def graph_and_facts(expression: str, x: float, order: int):
    """The n-th derivative's autograd graph, and the facts about the first gradient."""
    return derivatives.derivative_graph(expression, x, order)


@bounded_cache()
def pitfall(expression: str, x: float):
    """The second derivative without create_graph=True, run for real."""
    return derivatives.second_derivative_without_create_graph(expression, x)


def expression_error(error: ExpressionError) -> str:
    """The parser's complaint in the user's language, with where it is."""
    where = t("derivatives.err_column", column=error.column) if error.column else ""
    return t("derivatives.error_title", message=t(f"derivatives.err_{error.code}", detail=error.detail) + where)


def chart(data: pd.DataFrame, x: float, table: pd.DataFrame) -> alt.Chart:
    """Curves with the chosen x marked; the y axis ignores the extreme tails of singular curves."""
    finite = data["y"].dropna()
    low, high = (np.percentile(finite, [2, 98]) if len(finite) else (-1.0, 1.0))
    pad = 0.1 * (high - low or 1.0)
    scale = alt.Scale(domain=[float(low - pad), float(high + pad)])
    lines = alt.Chart(data).mark_line(clip=True).encode(
        x=alt.X("x:Q", title="x"), y=alt.Y("y:Q", title=None, scale=scale),
        color=alt.Color("curve:N", sort=PRIMES, title=t("derivatives.curve"), scale=alt.Scale(scheme="category10")),
        detail="segment:N")
    marks = pd.DataFrame({"x": x, "y": table["autograd"], "curve": PRIMES[: len(table)]}).replace([np.inf, -np.inf], np.nan)
    points = alt.Chart(marks.dropna()).mark_point(size=80, filled=True, clip=True).encode(
        x="x:Q", y=alt.Y("y:Q", scale=scale), color=alt.Color("curve:N", sort=PRIMES, scale=alt.Scale(scheme="category10")),
        tooltip=["curve", "y"])
    rule = alt.Chart(pd.DataFrame({"x": [x]})).mark_rule(strokeDash=[4, 4], color="#888888").encode(x="x:Q")
    return (lines + points + rule).properties(height=380)


def page() -> None:
    """Formula, point and order in; table, check, chart, graph, code and pitfall out."""
    st.title(t("derivatives.title"))
    st.markdown(t("derivatives.intro"))
    left, middle, right, far = st.columns([3, 2, 2, 2])
    with left:
        expression = text_input("deriv_expr", "derivatives.expression", "2*x**3", help="derivatives.expression_help")
    with middle:
        x = slider("deriv_x", "derivatives.x", -5.0, 5.0, -2.0, step=0.1)
    with right:
        order = slider("deriv_order", "derivatives.order", 1, 6, 4)
    with far:
        half_range = slider("deriv_range", "derivatives.range", 1.0, 10.0, 3.0, step=0.5)
    try:
        parse(expression)
    except ExpressionError as error:
        st.error(expression_error(error))
        return
    device = settings().device

    table = values_table(expression, x, order, device)
    st.subheader(t("derivatives.table_title", x=f"{x:g}"))
    check_badge(compare(table["autograd"], table["sympy"], t("derivatives.reference"), 1e-9))
    if not np.all(np.isfinite(table["autograd"])):
        st.warning(t("derivatives.domain", x=f"{x:g}"))
    shown = table.map(lambda v: f"{v:.12g}").assign(order=[PRIMES[k] for k in table["order"]]).rename(columns={
        "order": t("derivatives.col_order"), "autograd": t("derivatives.col_autograd"),
        "sympy": t("derivatives.col_sympy"), "fd": t("derivatives.col_fd")})
    st.table(shown.set_index(t("derivatives.col_order")))
    st.caption(t("derivatives.fd_note"))

    st.subheader(t("derivatives.chart_title"))
    data = curves(expression, half_range, order, device)
    st.altair_chart(chart(data, x, table), width="stretch")
    if data["y"].isna().any():
        st.caption(t("derivatives.chart_gaps"))

    st.subheader(t("derivatives.graph_title"))
    graph, facts = graph_and_facts(expression, x, order)
    graph_panel(graph, t("derivatives.graph_caption"))
    st.info(t("derivatives.leaf_note", is_leaf=facts.is_leaf, requires_grad=facts.requires_grad, grad_fn=facts.grad_fn))
    code_panel(derivatives.derivative_chain, derivatives.nth_derivatives, derivatives.derivative_curves)

    outcome = pitfall(expression, x)
    explanation = t("derivatives.pitfall_explain") if outcome.raised else t("derivatives.pitfall_constant")
    pitfall_panel(outcome, t("derivatives.pitfall_title"), explanation)
    code_panel(derivatives.second_derivative_without_create_graph)


page()
