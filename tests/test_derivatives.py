"""Page 1: autograd's higher-order derivatives against sympy, finite differences, and the page itself (and the
home page's primer, which differentiates with the same functions)."""
import json
import math

import numpy as np
import pytest
import sympy

from core import derivatives
from core.checks import compare
from core.graph import STYLE

# (formula, points inside its domain); every one is checked to order 4 against sympy.
CASES = [
    ("2*x**3", [-2.0, 0.5, 1.7]),
    ("x**5 - 3*x**2 + 7", [-1.3, 0.0, 2.1]),
    ("sin(x)", [-1.0, 0.3, 2.5]),
    ("cos(2*x)", [-0.7, 0.0, 1.9]),
    ("tan(x)", [-0.5, 0.2, 1.1]),
    ("exp(x)", [-2.0, 0.0, 1.5]),
    ("exp(-x**2)", [-1.2, 0.1, 0.8]),
    ("log(x)", [0.3, 1.0, 4.2]),
    ("log(1 + x**2)", [-2.0, 0.0, 1.3]),
    ("sqrt(x)", [0.25, 1.0, 3.0]),
    ("sqrt(1 + x**2)", [-1.5, 0.0, 2.0]),
    ("tanh(x)", [-1.0, 0.0, 0.7]),
    ("sigmoid(x)", [-2.0, 0.0, 1.0]),
    ("softplus(x)", [-1.5, 0.0, 2.0]),
    ("1/x", [-2.0, 0.5, 3.0]),
    ("x/(1 + x**2)", [-1.0, 0.3, 2.2]),
    ("sin(x)*exp(x)", [-1.0, 0.3, 1.2]),
    ("x*log(x)", [0.5, 1.0, 2.5]),
    ("x**x", [0.5, 1.3, 1.8]),
    ("2**x", [-1.0, 0.0, 2.0]),
    ("sin(cos(x))", [-1.0, 0.4, 2.0]),
    ("exp(sin(x))", [-2.0, 0.0, 1.0]),
    ("atan(x)", [-1.5, 0.0, 0.9]),
    ("asin(x/2)", [-1.0, 0.0, 1.2]),
    ("acos(x/3)", [-2.0, 0.5, 2.0]),
    ("sinh(x) + cosh(x)", [-1.0, 0.0, 1.0]),
    ("erf(x)", [-1.0, 0.2, 1.5]),
    ("abs(x)**3", [-1.5, 0.7, 2.0]),
    ("relu(x)**2 + x", [-1.0, 0.6, 1.4]),
    ("x**-2", [-1.5, 0.4, 2.0]),
    ("x**0.5 * sin(x)", [0.3, 1.0, 2.0]),
    ("pi*x**2 - e*x", [-1.0, 0.0, 1.0]),
    ("(x - 1)**4 / (x + 2)", [-1.0, 0.5, 3.0]),
]


@pytest.mark.parametrize("formula, points", CASES, ids=[c[0] for c in CASES])
def test_autograd_matches_sympy_to_order_4(formula, points):
    for x in points:
        autograd = derivatives.nth_derivatives(formula, x, 4)
        exact = derivatives.sympy_derivatives(formula, x, 4)
        np.testing.assert_allclose(autograd, exact, rtol=1e-9, atol=1e-9, err_msg=f"{formula} at {x}")


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="torch bug: at exactly x = 1, pow(x, x)'s double backward gives f‴ = 2, not 3 (and f⁽⁴⁾ = 7, not 8)")
def test_x_to_the_x_at_one_matches_sympy():
    exact = derivatives.sympy_derivatives("x**x", 1.0, 4)
    assert exact == pytest.approx([1, 1, 2, 3, 8])
    assert compare(derivatives.nth_derivatives("x**x", 1.0, 4), exact, "sympy", 1e-9).passed


def test_classic_example_from_the_issue():
    assert derivatives.nth_derivatives("2*x**3", -2.0, 4) == [-16.0, 24.0, -24.0, 12.0, 0.0]


def test_constant_derivatives_are_zero_not_an_error():
    assert derivatives.nth_derivatives("x", 1.0, 6) == [1.0, 1.0, 0, 0, 0, 0, 0]
    assert derivatives.nth_derivatives("5", 1.0, 3) == [5.0, 0.0, 0.0, 0.0]


@pytest.mark.parametrize("formula, x", [("exp(x)*sin(x)", 0.4), ("1/(1 + x**2)", 0.9), ("x**4", 1.3)])
def test_finite_differences_agree_at_low_orders(formula, x):
    fd = derivatives.finite_difference_derivatives(formula, x, 3)
    exact = derivatives.sympy_derivatives(formula, x, 3)
    np.testing.assert_allclose(fd, exact, rtol=1e-3, atol=1e-3)


def test_batched_curves_equal_the_per_point_loop():
    xs, rows = derivatives.derivative_curves("sin(x)*x**2", -2.0, 2.0, 3, points=21)
    for i, x in enumerate(xs):
        np.testing.assert_allclose(rows[:, i], derivatives.nth_derivatives("sin(x)*x**2", float(x), 3), rtol=1e-12, atol=1e-12)


def test_domain_problems_become_nan_or_inf_not_errors():
    values = derivatives.nth_derivatives("log(x)", -1.0, 2)
    assert math.isnan(values[0])
    assert math.isinf(derivatives.nth_derivatives("1/x", 0.0, 1)[0])
    xs, rows = derivatives.derivative_curves("sqrt(x)", -1.0, 1.0, 1, points=11)
    assert np.isnan(rows[0, xs < 0]).all() and np.isfinite(rows[0, xs > 0]).all()


def test_gradient_with_create_graph_is_not_a_leaf_and_graph_marks_backward_nodes():
    graph, facts = derivatives.derivative_graph("2*x**3", -2.0, 2)
    assert facts.is_leaf is False and facts.requires_grad and facts.grad_fn != "None"
    assert STYLE["created"] in graph.dot  # nodes created by the create_graph=True backward
    assert 'label="x' in graph.dot


def test_pitfall_raises_pytorchs_real_error():
    outcome = derivatives.second_derivative_without_create_graph("2*x**3", -2.0)
    assert outcome.raised and outcome.exception_type == "RuntimeError"
    assert "does not require grad" in outcome.message


def test_table_puts_autograd_sympy_and_finite_differences_side_by_side():
    table = derivatives.derivative_table("exp(x)*sin(x)", 0.4, 3)
    assert table["order"] == [0, 1, 2, 3]
    exact = [math.exp(0.4) * math.sin(0.4), math.exp(0.4) * (math.sin(0.4) + math.cos(0.4)),
             2 * math.exp(0.4) * math.cos(0.4), 2 * math.exp(0.4) * (math.cos(0.4) - math.sin(0.4))]
    np.testing.assert_allclose(table["autograd"], exact, rtol=1e-12)
    np.testing.assert_allclose(table["sympy"], exact, rtol=1e-12)
    np.testing.assert_allclose(table["fd"], exact, rtol=1e-3)


def test_curve_table_is_long_form_and_splits_curves_where_undefined():
    data = derivatives.curve_table("sqrt(x**2 - 1)", 2.0, 1)  # undefined (NaN) for |x| < 1
    assert len(data["x"]) == len(data["y"]) == len(data["curve"]) == len(data["segment"]) == 2 * 401
    f, df = data["curve"] == "f", data["curve"] == "f′"
    np.testing.assert_allclose(data["y"][f & (data["x"] == 2.0)], [math.sqrt(3)])
    np.testing.assert_allclose(data["y"][df & (data["x"] == -2.0)], [-2 / math.sqrt(3)])
    assert np.isnan(data["y"][f & (np.abs(data["x"]) < 0.99)]).all()
    drawn = f & np.isfinite(data["y"])
    left, right = set(data["segment"][drawn & (data["x"] < 0)]), set(data["segment"][drawn & (data["x"] > 0)])
    assert len(left) == len(right) == 1 and left != right  # one line each side of the gap, not one across it
    assert not set(data["segment"][f]) & set(data["segment"][df])  # no line joins f to f′


def test_y_range_ignores_the_extreme_tails_and_pads_the_rest():
    values = np.r_[np.linspace(-1.0, 1.0, 981), np.full(10, 1e9), np.full(10, -1e9), np.nan, np.inf]
    low, high = derivatives.y_range(values)
    assert -1.5 < low < -1.0 and 1.0 < high < 1.5  # the ±1e9 tails (1 % each) are out, all of [-1, 1] is in
    assert derivatives.y_range([np.nan, np.inf]) == pytest.approx((-1.2, 1.2))  # nothing finite: a default
    assert derivatives.y_range([3.0, 3.0]) == pytest.approx((2.9, 3.1))  # a constant still gets a span


@pytest.mark.parametrize("formula, f, df", [
    ("x**2 + 3*x", lambda x: x**2 + 3 * x, lambda x: 2 * x + 3),
    ("sin(x)*exp(x)", lambda x: sympy.sin(x) * sympy.exp(x), lambda x: sympy.exp(x) * (sympy.sin(x) + sympy.cos(x))),
])
def test_derivative_formula_is_sympys_derivative(formula, f, df):
    x = sympy.Symbol("x", real=True)
    shown_f, shown_df = derivatives.derivative_formula(formula)
    assert shown_f == sympy.latex(f(x))
    assert shown_df == sympy.latex(sympy.expand(df(x)))


# ---- the pages, through AppTest ----

def table_values(at):
    return [float(v) for v in at.table[0].value.iloc[:, 0]]


def test_page_runs_with_defaults(app_page):
    at = app_page("derivatives")
    assert not at.exception
    assert table_values(at) == [-16.0, 24.0, -24.0, 12.0, 0.0]
    assert at.success and "sympy" in at.success[0].value


def test_changing_inputs_changes_the_values(app_page):
    at = app_page("derivatives")
    at.text_input(key="deriv_expr").input("sin(x)").run()
    at.slider(key="deriv_x").set_value(0.0).run()
    at.slider(key="deriv_order").set_value(2).run()
    assert not at.exception
    assert table_values(at) == pytest.approx([0.0, 1.0, 0.0])


def test_invalid_expression_shows_a_message_not_a_traceback(app_page):
    at = app_page("derivatives")
    at.text_input(key="deriv_expr").input("__import__('os').system('id')").run()
    assert not at.exception
    assert len(at.error) == 1 and "not allowed" in at.error[0].value
    assert at.text_input(key="deriv_expr").value == "__import__('os').system('id')"  # the input is kept


def test_domain_problem_is_explained(app_page):
    at = app_page("derivatives", {"deriv_expr": "log(x)", "deriv_x": "-1.0"})
    assert not at.exception
    assert at.warning and "undefined" in at.warning[0].value


def test_query_string_seeds_the_widgets(app_page):
    at = app_page("derivatives", {"deriv_expr": "x**4", "deriv_x": "1.0", "deriv_order": "3"})
    assert at.text_input(key="deriv_expr").value == "x**4"
    assert table_values(at) == pytest.approx([1.0, 4.0, 12.0, 24.0])


def test_switching_language_translates_the_page(app_page):
    at = app_page("derivatives")
    english = at.title[0].value
    at.selectbox(key="lang").set_value("ko").run()
    assert not at.exception
    assert at.title[0].value != english and at.title[0].value == "고계 도함수"


def test_chart_clips_y_to_the_curves_bulk_and_marks_the_chosen_x(app_page):
    at = app_page("derivatives", {"deriv_expr": "1/x", "deriv_x": "1.0", "deriv_order": "2"})
    assert not at.exception
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    curves, chosen, rule = spec["layer"]
    low, high = curves["encoding"]["y"]["scale"]["domain"]
    assert -1e3 < low < 0 < high < 1e3  # f″ = 2/x³ reaches 2e6 next to 0: the tails are cut
    assert chosen["encoding"]["y"]["scale"]["domain"] == [low, high] and rule["encoding"]["x"]["field"] == "x"
    assert curves["encoding"]["color"]["title"] == "curve" and curves["encoding"]["detail"]["field"] == "segment"


def test_home_primer_by_hand_is_sympys_derivative(app_page):
    at = app_page("home", {"home_x": "-1.5"})
    assert not at.exception
    assert "$2 x + 3$ = 0" in at.success[0].value and "dy/dx by autograd = 0" in at.success[0].value
    assert any("$y = x^{2} + 3 x$" in m.value and "$dy/dx = 2 x + 3$" in m.value for m in at.markdown)
