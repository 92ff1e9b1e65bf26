"""Home page: what the app is, one card per use case, and a tiny live autograd primer."""
import streamlit as st

from core import derivatives
from ui import t
from ui.furniture import cached, graph_panel
from ui.state import slider

CASES = ["derivatives", "network_gradients", "maml", "hessian", "inr", "multi_backward"]
PRIMER = "x**2 + 3*x"

derivative_formula = cached(derivatives.derivative_formula)
nth_derivatives = cached(derivatives.nth_derivatives)
sympy_derivatives = cached(derivatives.sympy_derivatives)
derivative_graph = cached(derivatives.derivative_graph)


def cards() -> None:
    """Title, tagline and one card per use case linking to its page."""
    st.title(t("common.app_title"))
    st.markdown(t("home.tagline"))
    st.subheader(t("home.cases"))
    for row in (CASES[:3], CASES[3:]):
        for column, case in zip(st.columns(3), row):
            with column.container(border=True):
                st.markdown(f"**{t(case + '.title')}**")
                st.write(t(f"home.{case}_blurb"))
                st.caption(f"{t('home.you_see')}: {t(f'home.{case}_see')}")
                st.page_link(f"app_pages/{case}.py", label=t("home.open"), icon="➡️")


def primer_section() -> None:
    """y = PRIMER and dy/dx by autograd beside the derivative sympy writes out, and the recorded graph."""
    st.subheader(t("home.primer_title"))
    formula, derivative = derivative_formula(PRIMER)
    st.markdown(t("home.primer", f=formula, df=derivative))
    x = slider("home_x", "home.primer_x", -3.0, 3.0, 1.0, step=0.1)
    y, dy = nth_derivatives(PRIMER, x, 1)
    hand = sympy_derivatives(PRIMER, x, 1)[1]
    st.success(t("home.primer_result", y=y, dy=dy, df=derivative, hand=hand))
    graph, _ = derivative_graph(PRIMER, x, 0)
    graph_panel(graph)


def page() -> None:
    """Cards linking to the use cases, then the primer."""
    cards()
    primer_section()


page()
