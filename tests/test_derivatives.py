"""Page 1: autograd's higher-order derivatives against sympy, finite differences, and the page itself (and the
home page's primer, which differentiates with the same functions)."""
import json
import math

import numpy as np
import pytest
import sympy
import torch

from core import derivatives
from core.checks import compare
from core.derivatives import PRIMES
from core.expr import parse
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
    data = derivatives.curve_table("sqrt(x**2 - 1)", 0.0, 2.0, 1)  # undefined (NaN) for |x| < 1
    assert len(data["x"]) == len(data["y"]) == len(data["curve"]) == len(data["segment"]) == 2 * 401
    f, df = data["curve"] == "f", data["curve"] == "f′"
    np.testing.assert_allclose(data["y"][f & (data["x"] == 2.0)], [math.sqrt(3)])
    np.testing.assert_allclose(data["y"][df & (data["x"] == -2.0)], [-2 / math.sqrt(3)])
    assert np.isnan(data["y"][f & (np.abs(data["x"]) < 0.99)]).all()
    drawn = f & np.isfinite(data["y"])
    left, right = set(data["segment"][drawn & (data["x"] < 0)]), set(data["segment"][drawn & (data["x"] > 0)])
    assert len(left) == len(right) == 1 and left != right  # one line each side of the gap, not one across it
    assert not set(data["segment"][f]) & set(data["segment"][df])  # no line joins f to f′


def test_y_range_ignores_a_curves_spikes_and_pads_the_rest():
    values = np.r_[np.linspace(-1.0, 1.0, 981), np.full(10, 1e9), np.full(10, -1e9), np.nan, np.inf]
    low, high = derivatives.y_range(values)
    assert -1.5 < low < -1.0 and 1.0 < high < 1.5  # the ±1e9 tails (1 % each) are out, all of [-1, 1] is in
    assert derivatives.y_range([np.nan, np.inf]) == pytest.approx((-1.2, 1.2))  # nothing finite: a default
    assert derivatives.y_range([3.0, 3.0]) == pytest.approx((2.9, 3.1))  # a constant still gets a span


# ---- the check: undefined on both sides is agreement, finite on one side only is a difference ----

def test_compare_counts_entries_undefined_on_both_sides_and_compares_only_the_finite_rest():
    check = compare([math.inf, math.nan, 1.0, -math.inf, 2.0], [math.inf, math.inf, 1.0, math.nan, 2.0 + 1e-12],
                    "ref", 1e-9)
    assert check.undefined == 3 and check.compared == 2 and check.passed
    assert check.max_abs_diff == pytest.approx(1e-12, rel=1e-3)
    everywhere = compare([math.inf, math.nan, -math.inf], [math.inf, -math.inf, math.nan], "ref", 1e-9)
    assert everywhere.undefined == 3 and everywhere.compared == 0 and not everywhere.passed


def test_compare_finite_on_one_side_only_is_a_difference():
    check = compare([1.0, 2.0, math.inf], [1.0, math.nan, 3.0], "ref", 1e-9)
    assert check.one_sided == 2 and check.undefined == 0 and check.compared == 3
    assert not check.passed and math.isinf(check.max_abs_diff)


def test_compare_of_finite_numbers_is_unchanged():
    check = compare([1.0, 200.0], [1.1, 202.0], "ref", 1e-2)
    assert check.max_abs_diff == pytest.approx(2.0) and check.max_rel_diff == pytest.approx(0.1 / 1.1)  # over max(|ref|, 1)
    assert check.compared == 2 and check.undefined == 0 and check.one_sided == 0 and not check.passed


@pytest.mark.parametrize("formula, x, undefined", [("exp(exp(exp(x)))", 2.0, 5), ("1/x", 0.0, 5), ("1/0", 0.0, 1)])
def test_autograd_and_sympy_agree_that_these_are_undefined(formula, x, undefined):
    table = derivatives.derivative_table(formula, x, 4)
    check = compare(table["autograd"], table["sympy"], "sympy", 1e-9)
    assert check.undefined == undefined and check.compared == 5 - undefined and check.one_sided == 0
    assert check.passed == (undefined < 5)


# ---- the graph of the n-th derivative and what the first gradient is ----

def test_a_constant_first_derivative_is_described_as_a_constant_not_as_a_graph_output():
    for formula in ("pi*x", "3", "x"):
        x_t = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
        (first,) = torch.autograd.grad(parse(formula)(x_t) + 0 * x_t, x_t, create_graph=True)  # + 0*x: always a graph
        _, facts = derivatives.derivative_graph(formula, 2.0, 4)
        assert facts.constant and not first.requires_grad, formula
        assert (facts.is_leaf, facts.requires_grad, facts.grad_fn) == (True, False, "None"), formula
    _, facts = derivatives.derivative_graph("2*x**3", 2.0, 4)
    assert not facts.constant and not facts.is_leaf and facts.requires_grad


@pytest.mark.parametrize("formula, order, drawn", [
    ("2*x**3", 4, 3),  # f⁽⁴⁾ = 0 is a constant: f‴ (12, still recorded) is the last with a graph
    ("x**2", 3, 2), ("sin(x)", 4, 4), ("pi*x", 3, 0), ("3", 2, None), ("x", 2, None)])
def test_graph_shows_the_last_order_that_has_one(formula, order, drawn):
    graph, facts = derivatives.derivative_graph(formula, 1.5, order)
    assert facts.drawn_order == drawn
    if drawn is not None:
        assert f'label="{PRIMES[drawn]}(x)' in graph.dot
        assert (STYLE["created"] in graph.dot) == (drawn > 0)  # only a backward pass records red nodes
    assert "f^(" not in graph.dot


# ---- the chart: centred on x, a y range that spikes do not flatten, and what was cut off ----

def test_curve_table_is_centred_on_the_chosen_x():
    data = derivatives.curve_table("x**2", 5.0, 1.5, 1)
    f = data["curve"] == "f"
    assert data["x"].min() == pytest.approx(3.5) and data["x"].max() == pytest.approx(6.5)
    np.testing.assert_allclose(data["y"][f], data["x"][f] ** 2, rtol=1e-12)
    np.testing.assert_allclose(data["y"][~f], 2 * data["x"][~f], rtol=1e-12)


def test_y_range_is_not_flattened_by_a_spike_over_many_points():
    bulk, spike = np.linspace(-50.0, 50.0, 940), np.geomspace(1e10, 1e158, 60)  # the spike is 6 % of the points
    low, high = derivatives.y_range(np.r_[bulk, spike])
    assert -70 < low < -50 and 50 < high < 1e3


def test_y_range_keeps_every_value_of_ordinary_curves():
    data = derivatives.curve_table("2*x**3", -2.0, 3.0, 4)
    low, high = derivatives.y_range(data["y"], data["curve"])
    xs = data["x"][data["curve"] == "f"]
    assert low <= 2 * xs.min() ** 3 and 2 * xs.max() ** 3 <= high  # f spans [-250, 2]: all of it is shown
    assert derivatives.clipped_curves(data, (low, high)) == []


def test_clipped_curves_name_each_curve_cut_off_and_its_extremes():
    data = derivatives.curve_table("exp(exp(exp(x)))", 0.0, 3.0, 1)
    low, high = derivatives.y_range(data["y"], data["curve"])
    xs = np.linspace(-3.0, 3.0, 401)
    f = np.exp(np.exp(np.exp(xs)))
    df = f * np.exp(np.exp(xs)) * np.exp(xs)
    for values in (f, df):  # up to 1e300, yet the bulk of each curve is on the chart
        finite = values[np.isfinite(values)]
        assert high < 1e-200 * finite.max() and np.mean((finite >= low) & (finite <= high)) > 0.5
    cut = {name: (lowest, highest) for name, lowest, highest in derivatives.clipped_curves(data, (low, high))}
    assert set(cut) == {"f", "f′"}
    assert cut["f"] == pytest.approx((f.min(), f[np.isfinite(f)].max()), rel=1e-9)


def test_y_range_cuts_a_curve_that_explodes_far_beyond_the_others():
    xs = np.linspace(-3.0, 3.0, 401)
    curves = {"f": np.sin(xs), "f′": np.cos(xs), "f″": np.exp(xs) ** 100}  # f″ reaches 1e130
    low, high = derivatives.y_range(np.concatenate(list(curves.values())), np.repeat(list(curves), len(xs)))
    assert -1e3 < low <= -1.0 and 1.0 <= high < 1e4  # ± a fixed multiple of the others' reach, not 1e130


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
    return [float(v) for v in at.dataframe[0].value["autograd"]]


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



def test_table_is_a_dataframe_with_the_orders_as_a_column(app_page):
    at = app_page("derivatives")
    assert not at.table and len(at.dataframe) == 1
    shown = at.dataframe[0].value
    assert list(shown.columns) == ["order", "autograd", "sympy (exact)", "finite difference (float64)"]
    assert list(shown["order"]) == list(PRIMES[:5])
    assert list(shown["sympy (exact)"]) == ["-16", "24", "-24", "12", "0"]


@pytest.mark.parametrize("formula, x", [("exp(exp(exp(x)))", "2.0"), ("1/x", "0.0")])
def test_undefined_on_both_sides_gets_its_own_badge_not_a_difference(app_page, formula, x):
    at = app_page("derivatives", {"deriv_expr": formula, "deriv_x": x})
    assert not at.exception and not at.error
    assert any("undefined" in box.value and "5" in box.value and "sympy" in box.value for box in at.info)
    at.selectbox(key="lang").set_value("ko").run()
    assert not at.error and any("정의되지 않" in box.value for box in at.info)


@pytest.mark.parametrize("formula, x", [("log(x)", "-1.0"), ("1/0", "0.0")])  # f: NaN or inf on both sides
def test_green_badge_says_how_many_entries_were_undefined_on_both_sides(app_page, formula, x):
    at = app_page("derivatives", {"deriv_expr": formula, "deriv_x": x})
    assert not at.exception and not at.error and at.success
    assert "4 numbers compared" in at.success[0].value and "1 undefined" in at.success[0].value


def leaf_note(at):
    (note,) = [box.value for box in at.info if "is_leaf" in box.value]
    return note


@pytest.mark.parametrize("formula", ["pi*x", "3", "x"])
def test_leaf_note_of_a_constant_derivative_says_it_is_a_constant(app_page, formula):
    at = app_page("derivatives", {"deriv_expr": formula})
    note = leaf_note(at)
    assert "not a leaf" not in note and "is_leaf = True" in note and "constant" in note
    at.selectbox(key="lang").set_value("ko").run()
    assert "리프가 아닙니다" not in leaf_note(at) and "상수" in leaf_note(at)


def test_leaf_note_of_a_recorded_gradient_says_it_is_not_a_leaf(app_page):
    note = leaf_note(app_page("derivatives"))
    assert "not a leaf" in note and "is_leaf = False" in note and "grad_fn = MulBackward0" in note


def test_default_graph_is_the_last_order_that_has_one_and_says_why(app_page):
    at = app_page("derivatives")  # 2*x**3 to order 4: f⁽⁴⁾ = 0 is a constant
    dot = at.get("graphviz_chart")[0].proto.spec
    assert 'label="f‴(x)' in dot and STYLE["created"] in dot and "f^(" not in dot
    assert any("f⁽⁴⁾" in box.value and "f‴" in box.value for box in at.info)


def test_formula_without_a_graph_draws_none_and_says_why(app_page):
    at = app_page("derivatives", {"deriv_expr": "3"})
    assert not at.exception and not at.get("graphviz_chart")
    assert any("no graph" in box.value for box in at.info)


@pytest.mark.parametrize("formula, english, korean, unwanted", [
    ("x^2", ["x\\*\\*2", "XOR"], ["x\\*\\*2", "XOR"], ["BinOp"]),
    ("lambda: 1", ["lambda", "function definition"], ["lambda", "함수 정의"], ["Lambda"]),
    ("x if x else 1", ["if", "condition"], ["if", "조건"], ["IfExp"]),
    ("[x]", ["list"], ["리스트"], ["List"]),
    ("__import__('os')", ["\\_\\_import\\_\\_"], ["\\_\\_import\\_\\_"], ["“import”"]),
    ("x²", ["x\\*\\*2"], ["x\\*\\*2"], ["valid formula"]),
    ("x" * 301, ["300"], ["300"], ["too long"]),
])
def test_formula_errors_say_what_is_wrong_in_words(app_page, formula, english, korean, unwanted):
    at = app_page("derivatives", {"deriv_expr": formula})
    assert not at.exception and len(at.error) == 1
    message = at.error[0].value
    assert all(w in message for w in english) and not any(u in message for u in unwanted), message
    at.selectbox(key="lang").set_value("ko").run()
    message = at.error[0].value
    assert "을(를)" not in message and all(w in message for w in korean), message
    assert not any(u in message for u in unwanted), message


def chart_frame(at):
    import pyarrow
    chart = at.get("vega_lite_chart")[0]
    return json.loads(chart.proto.spec), pyarrow.ipc.open_stream(chart.proto.data.data).read_all().to_pandas()


def test_chart_is_centred_on_the_chosen_x(app_page):
    at = app_page("derivatives", {"deriv_expr": "x**2", "deriv_x": "5.0", "deriv_range": "1.5"})
    _, frame = chart_frame(at)
    curves = frame[frame["layer"] == 0]
    assert curves["x"].min() == pytest.approx(3.5) and curves["x"].max() == pytest.approx(6.5)


def test_chart_says_when_a_curve_was_cut_off(app_page):
    at = app_page("derivatives", {"deriv_expr": "exp(exp(exp(x)))", "deriv_x": "0.0", "deriv_order": "1"})
    spec, _ = chart_frame(at)
    assert spec["layer"][0]["encoding"]["y"]["scale"]["domain"][1] < 1e10  # the curves reach 1e300
    assert any("cut off" in c.value.lower() and "f′" in c.value for c in at.caption)
    plain = app_page("derivatives")
    assert not any("cut off" in c.value.lower() for c in plain.caption)


def test_home_primer_by_hand_is_sympys_derivative(app_page):
    at = app_page("home", {"home_x": "-1.5"})
    assert not at.exception
    assert "$2 x + 3$ = 0" in at.success[0].value and "dy/dx by autograd = 0" in at.success[0].value
    assert any("$y = x^{2} + 3 x$" in m.value and "$dy/dx = 2 x + 3$" in m.value for m in at.markdown)


def test_page_steps_through_the_second_backward_and_its_created_nodes(app_page):
    at = app_page("derivatives", {"deriv_expr": "sin(x)*exp(x)", "deriv_x": "0.5", "deriv_pass": PRIMES[2]})
    assert not at.exception
    trace = derivatives.derivative_trace("sin(x)*exp(x)", 0.5, 2)
    assert at.slider(key="deriv_bw_step").max == len(trace.steps) - 1
    at.slider(key="deriv_bw_step").set_value(len(trace.steps) - 1).run()
    last = trace.steps[-1]
    assert last.captured and last.grad_outputs[0].values == pytest.approx(derivatives.sympy_derivatives(
        "sin(x)*exp(x)", 0.5, 2)[2], rel=1e-12)
    shown = "\n".join(e.value for e in at.markdown)
    assert f"{last.grad_outputs[0].values.item():.6f}"[:6] in shown
    at.button(key="deriv_bw_prev").click().run()
    assert at.slider(key="deriv_bw_step").value == len(trace.steps) - 2


def test_page_says_when_the_derivative_is_a_constant(app_page):
    at = app_page("derivatives", {"deriv_expr": "x", "deriv_pass": PRIMES[2]})
    assert not at.exception
    assert any("constant" in e.value and "f′" in e.value for e in at.info)
