"""Page 1: higher-order derivatives of a formula the user types."""
import re

import numpy as np
import pandas as pd
import streamlit as st

from core import derivatives
from core.checks import compare
from core.derivatives import PRIMES
from core.expr import ExpressionError, parse
from ui import charts, t
from ui.furniture import backward_stepper, cached, check_badge, code_panel, graph_panel, pitfall_panel
from ui.state import radio, settings, slider, text_input

CHART_HEIGHT = 380
COLUMNS = {"autograd": "derivatives.col_autograd", "sympy": "derivatives.col_sympy", "fd": "derivatives.col_fd"}

derivative_table = cached(derivatives.derivative_table)
curve_table = cached(derivatives.curve_table)
derivative_graph = cached(derivatives.derivative_graph)
second_derivative_without_create_graph = cached(derivatives.second_derivative_without_create_graph)
derivative_trace = cached(derivatives.derivative_trace)


def escaped(text: str) -> str:
    """Text shown as typed in Markdown (a name such as __import__ keeps its underscores)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:^])", r"\\\1", text)


def expression_error(error: ExpressionError) -> str:
    """The parser's complaint in the user's language, with where it is."""
    where = t("derivatives.err_column", column=error.column) if error.column else ""
    message = t(f"derivatives.err_{error.code}", detail=escaped(error.detail))
    return t("derivatives.error_title", message=message + where)


def controls() -> tuple[str, float, int, float] | None:
    """Title, intro, formula, point, order and chart range; None (after saying why) when the formula is refused."""
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
        return None
    return expression, x, order, half_range


def table_section(expression: str, x: float, order: int, device: str) -> dict:
    """Autograd, sympy and finite differences at x, with the check against sympy."""
    table = derivative_table(expression, x, order, device)
    st.subheader(t("derivatives.table_title", x=f"{x:g}"))
    check_badge(compare(table["autograd"], table["sympy"], t("derivatives.reference"), 1e-9))
    if not np.all(np.isfinite(table["autograd"])):
        st.warning(t("derivatives.domain", x=f"{x:g}"))
    shown = pd.DataFrame({t("derivatives.col_order"): [PRIMES[k] for k in table["order"]],
                          **{t(key): [f"{v:.12g}" for v in table[name]] for name, key in COLUMNS.items()}})
    st.dataframe(shown, hide_index=True)
    st.caption(t("derivatives.fd_note"))
    return table


def chart_section(expression: str, x: float, order: int, half_range: float, device: str, table: dict) -> None:
    """The curves around x (gaps where undefined), the y axis fitted to their bulk, and the values at x marked."""
    st.subheader(t("derivatives.chart_title"))
    data = curve_table(expression, x, half_range, order, device)
    y_domain = derivatives.y_range(data["y"], data["curve"])
    curves = charts.line(pd.DataFrame(data), "x", "y", "x", None, color="curve", sort=list(PRIMES), y_domain=y_domain,
                         detail="segment", height=CHART_HEIGHT, color_title=t("derivatives.curve"))
    at_x = pd.DataFrame({"x": x, "y": table["autograd"], "curve": PRIMES[: len(table["order"])]})
    tooltip = [{"field": "curve", "type": "nominal"}, {"field": "y", "type": "quantitative"}]
    charts.show(curves + charts.dots(at_x, "x", "y", color="curve", sort=list(PRIMES), size=80, y_domain=y_domain,
                                     tooltip=tooltip)
                + charts.rules(pd.DataFrame({"x": [x]}), x="x"))
    if not np.isfinite(data["y"]).all():
        st.caption(t("derivatives.chart_gaps"))
    clipped = derivatives.clipped_curves(data, y_domain)
    if clipped:
        shown = ", ".join(t("derivatives.chart_clipped_curve", curve=name, low=f"{low:.3g}", high=f"{high:.3g}")
                          for name, low, high in clipped)
        st.caption(t("derivatives.chart_clipped", curves=shown))


def graph_section(expression: str, x: float, order: int) -> None:
    """The graph of the highest derivative that has one, what the first gradient is, and the code that built them."""
    graph, facts = derivative_graph(expression, x, order)
    if facts.drawn_order is None:
        st.subheader(t("derivatives.graph_title", name=PRIMES[order]))
        st.info(t("derivatives.graph_none", expression=escaped(expression)))
    else:
        st.subheader(t("derivatives.graph_title", name=PRIMES[facts.drawn_order]))
        if facts.drawn_order < order:
            st.info(t("derivatives.graph_last_constant", last=PRIMES[order], shown=PRIMES[facts.drawn_order]))
        caption = "derivatives.graph_caption" if facts.drawn_order > 0 else "derivatives.graph_caption_forward"
        graph_panel(graph, t(caption))
    note = "derivatives.leaf_note_constant" if facts.constant else "derivatives.leaf_note"
    st.info(t(note, is_leaf=facts.is_leaf, requires_grad=facts.requires_grad, grad_fn=facts.grad_fn))
    code_panel(case="derivatives", section="graph")


def stepper_section(expression: str, x: float) -> None:
    """The backward pass that gives f′, or the one that gives f″ through the nodes the first pass recorded."""
    st.subheader(t("stepper.title"))
    order = radio("deriv_pass", "stepper.pass", [1, 2], 1, format_func=lambda k: PRIMES[k], horizontal=True)
    trace = derivative_trace(expression, x, order)
    if trace is None:
        st.info(t("stepper.deriv_constant", name=PRIMES[order - 1]))
        return
    st.caption(t("stepper.deriv_pass", k=order, name=PRIMES[order]))
    backward_stepper(trace, "deriv_bw")


def pitfall_section(expression: str, x: float) -> None:
    """The second derivative without create_graph=True, run for real."""
    outcome = second_derivative_without_create_graph(expression, x)
    explanation = t("derivatives.pitfall_explain") if outcome.raised else t("derivatives.pitfall_constant")
    pitfall_panel(outcome, t("derivatives.pitfall_title"), explanation)
    code_panel(case="derivatives", section="pitfall")


def page() -> None:
    """Formula, point and order in; table, check, chart, graph, code and pitfall out."""
    chosen = controls()
    if chosen is None:
        return
    expression, x, order, half_range = chosen
    device = settings().device
    table = table_section(expression, x, order, device)
    chart_section(expression, x, order, half_range, device, table)
    graph_section(expression, x, order)
    stepper_section(expression, x)
    pitfall_section(expression, x)


page()
