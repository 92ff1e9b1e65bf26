"""Home page: what the app is, one card per use case, and a tiny live autograd primer."""
import streamlit as st

from core import derivatives
from ui import t
from ui.furniture import backward_stepper, cached, graph_panel
from ui.state import radio, slider

CASES = ["derivatives", "network_gradients", "maml", "hessian", "inr", "multi_backward", "pinn"]
PRIMER = "x**2 + 3*x"
PASSES = {1: "dy/dx", 2: "d²y/dx²"}  # the backward pass each stepper option traces

derivative_formula = cached(derivatives.derivative_formula)
nth_derivatives = cached(derivatives.nth_derivatives)
sympy_derivatives = cached(derivatives.sympy_derivatives)
derivative_graph = cached(derivatives.derivative_graph)
derivative_trace = cached(derivatives.derivative_trace)


def cards() -> None:
    """Title, tagline and one card per use case linking to its page."""
    st.title(t("common.app_title"))
    st.markdown(t("home.tagline"))
    st.subheader(t("home.cases"))
    for row in (CASES[start:start + 3] for start in range(0, len(CASES), 3)):
        for column, case in zip(st.columns(3), row):
            with column.container(border=True):
                st.markdown(f"**{t(case + '.title')}**")
                st.write(t(f"home.{case}_blurb"))
                st.caption(f"{t('home.you_see')}: {t(f'home.{case}_see')}")
                st.page_link(f"app_pages/{case}.py", label=t("home.open"), icon="➡️")


def primer_section() -> float:
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
    return x


def stepper_section(x: float) -> None:
    """The backward pass that gives dy/dx, then the one that gives d²y/dx² through the nodes the first recorded."""
    st.subheader(t("stepper.title"))
    order = radio("home_pass", "stepper.pass", [1, 2], 1, format_func=PASSES.get, horizontal=True)
    st.caption(t(f"stepper.primer_pass{order}"))
    backward_stepper(derivative_trace(PRIMER, x, order), "home_bw")


def page() -> None:
    """Cards linking to the use cases, then the primer."""
    cards()
    x = primer_section()
    stepper_section(x)


page()
