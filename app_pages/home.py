"""Home page: what the app is, one card per use case, and a tiny live autograd primer."""
import streamlit as st

from core import derivatives
from ui import t
from ui.furniture import graph_panel
from ui.state import slider

CASES = ["derivatives", "network_gradients", "maml", "hessian", "inr", "multi_backward"]
PRIMER = "x**2 + 3*x"


def page() -> None:
    """Cards linking to the use cases, then the primer."""
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

    st.subheader(t("home.primer_title"))
    st.markdown(t("home.primer"))
    x = slider("home_x", "home.primer_x", -3.0, 3.0, 1.0, step=0.1)
    y, dy = derivatives.nth_derivatives(PRIMER, x, 1)
    st.success(t("home.primer_result", y=y, dy=dy, hand=2 * x + 3))
    graph, _ = derivatives.derivative_graph(PRIMER, x, 0)
    graph_panel(graph)


page()
