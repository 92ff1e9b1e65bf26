"""Hessian-vector products and the estimators built on them, against the full float64 Hessian; plus the page."""
from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import threading

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from core import hessian as hs
from core.checks import run_pitfall
from core.graph import STYLE

ROOT = pathlib.Path(__file__).resolve().parents[1]

NETS = [hs.NetConfig(8, 2, "tanh"), hs.NetConfig(6, 3, "gelu"), hs.NetConfig(12, 1, "softplus"),
        hs.NetConfig(8, 2, "relu", seed=3)]


def _problem_and_hessian(config):
    problem = hs.make_problem(config, "cpu", torch.float64)
    return problem, hs.full_hessian(problem)


@pytest.mark.parametrize("config", NETS, ids=lambda c: f"{c.activation}-{c.width}x{c.depth}")
@pytest.mark.parametrize("seed", [0, 1])
def test_hvp_methods_agree_with_full_hessian(config, seed):
    problem, hessian = _problem_and_hessian(config)
    v = torch.randn(hs.parameter_count(config), generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    vector = hs.unflatten(v, problem.params)
    expected = hessian @ v
    products = {
        "double backward": hs.flatten(hs.hvp(problem.loss_fn, problem.params, vector)),
        "reused graph": hs.hvp_operator(problem.loss_fn, problem.params)(v),
        "forward-over-reverse": hs.flatten(hs.hvp_forward_over_reverse(problem, vector)),
        "autograd.functional.hvp": hs.flatten(hs.hvp_functional(problem, vector)),
        "autograd.functional.vhp": hs.flatten(hs.hvp_functional(problem, vector, transpose=True)),
    }
    for name, product in products.items():
        torch.testing.assert_close(product, expected, rtol=1e-10, atol=1e-12, msg=name)
    # Finite differences of the gradient never use a second derivative: an independent check of all.
    torch.testing.assert_close(hs.hvp_finite_difference(problem, vector), expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("config", NETS[:2], ids=lambda c: c.activation)
def test_double_backward_passes_gradgradcheck(config):
    problem = hs.make_problem(hs.NetConfig(3, config.depth, config.activation, samples=5), "cpu", torch.float64)
    assert torch.autograd.gradgradcheck(lambda *p: problem.loss(p), tuple(problem.params))


@pytest.mark.parametrize("config", NETS, ids=lambda c: c.activation)
def test_hessian_is_symmetric(config):
    _, hessian = _problem_and_hessian(config)
    torch.testing.assert_close(hessian, hessian.T, rtol=0, atol=1e-12)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), a=st.floats(-3, 3), b=st.floats(-3, 3))
def test_hvp_is_linear_and_symmetric(seed, a, b):
    problem = hs.make_problem(hs.NetConfig(5, 2), "cpu", torch.float64)
    product = hs.hvp_operator(problem.loss_fn, problem.params)
    gen = torch.Generator().manual_seed(seed)
    u, w = (torch.randn(hs.parameter_count(problem.config), generator=gen, dtype=torch.float64) for _ in range(2))
    torch.testing.assert_close(product(a * u + b * w), a * product(u) + b * product(w), rtol=1e-9, atol=1e-9)
    torch.testing.assert_close(u @ product(w), w @ product(u), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("config", NETS[:3], ids=lambda c: c.activation)
def test_power_iteration_finds_top_eigenvalues(config):
    problem, hessian = _problem_and_hessian(config)
    expected = hs.by_magnitude(torch.linalg.eigvalsh(hessian).numpy(), 3)
    found = hs.top_eigenvalues(problem.loss_fn, problem.params, 3, tol=1e-6)
    np.testing.assert_allclose(found, expected, rtol=1e-8)


def test_power_iteration_vectors_are_eigenvectors():
    problem, hessian = _problem_and_hessian(NETS[0])
    eigen = hs.power_iteration(hs.hvp_operator(problem.loss_fn, problem.params), hs.flatten(problem.params).detach(), 2, 1e-6)
    for value, vector, history in zip(eigen.values, eigen.vectors, eigen.history):
        assert float((hessian @ vector - value * vector).norm()) <= 1e-5 * abs(value)
        assert history[-1] == value and len(history) < 1000
    assert abs(float(eigen.vectors[0] @ eigen.vectors[1])) < 1e-6


@pytest.mark.parametrize("config", NETS[:2], ids=lambda c: c.activation)
def test_hutchinson_converges_to_exact_trace(config):
    problem, hessian = _problem_and_hessian(config)
    exact = float(hessian.trace())
    like = hs.flatten(problem.params).detach()
    long = hs.hutchinson(hs.hvp_operator(problem.loss_fn, problem.params), like, 2000)
    estimate, error = float(long.running_mean[-1]), float(long.running_se[-1])
    assert abs(estimate - exact) <= 4 * error
    assert error <= 0.05 * abs(exact)
    assert hs.standard_errors_away(long, exact) == pytest.approx(abs(estimate - exact) / error)
    # Each sample is zᵀHz for its own Rademacher z: the same numbers from the full Hessian.
    est = hs.hutchinson(hs.hvp_operator(problem.loss_fn, problem.params), like, 20)
    zs = [hs.random_vector(like.numel(), i, like, rademacher=True) for i in range(20)]
    np.testing.assert_allclose(est.samples, [float(z @ hessian @ z) for z in zs], rtol=1e-10)
    np.testing.assert_allclose(est.running_mean, np.cumsum(est.samples) / np.arange(1, 21))


def test_lanczos_quadrature_is_exact_for_low_moments():
    problem, hessian = _problem_and_hessian(NETS[0])
    like = hs.flatten(problem.params).detach()
    start = hs.random_vector(like.numel(), 7, like, rademacher=True)
    nodes, weights = hs.lanczos(hs.hvp_operator(problem.loss_fn, problem.params), start, 8)
    u = start / start.norm()
    # Gauss quadrature with m nodes integrates polynomials of degree up to 2m − 1 exactly.
    for power in range(0, 15):
        exact = float(u @ torch.linalg.matrix_power(hessian, power) @ u)
        assert np.sum(weights * nodes**power) == pytest.approx(exact, rel=1e-7, abs=1e-9)


def test_lanczos_with_full_steps_recovers_every_eigenvalue():
    problem, hessian = _problem_and_hessian(hs.NetConfig(3, 2))
    like = hs.flatten(problem.params).detach()
    nodes, _ = hs.lanczos(hs.hvp_operator(problem.loss_fn, problem.params), hs.random_vector(like.numel(), 0, like), like.numel())
    np.testing.assert_allclose(np.sort(nodes), torch.linalg.eigvalsh(hessian).numpy(), atol=1e-8)


def test_spectral_density_is_a_density_with_the_right_mean():
    problem, hessian = _problem_and_hessian(NETS[0])
    density = hs.density_report(NETS[0], "cpu", steps=20, runs=30)
    assert np.trapezoid(density.density, density.grid) == pytest.approx(1.0, abs=1e-3)
    mean = np.mean([np.sum(w * n) for n, w in zip(density.nodes, density.weights)])
    n = hs.parameter_count(NETS[0])
    # E[uᵀHu] = tr(H)/N for u = z/|z|, z Rademacher (|z|² = N exactly).
    assert mean == pytest.approx(float(hessian.trace()) / n, abs=4 * float(hessian.norm()) / n / np.sqrt(30) * np.sqrt(2))


def test_spectral_density_approaches_the_smoothed_exact_spectrum():
    density = hs.density_report(NETS[0], "cpu", steps=30, runs=20)
    eigenvalues = hs.exact_spectrum(NETS[0], "cpu").eigenvalues
    exact = hs.exact_density(eigenvalues, density.grid, density.sigma)
    assert np.trapezoid(exact, density.grid) == pytest.approx(1.0, abs=1e-3)
    assert np.trapezoid(np.abs(density.density - exact), density.grid) < 0.05  # L1 distance between the two densities


def test_eigen_report_slice_curvature_matches_top_eigenvalue():
    report = hs.eigen_report(NETS[0], "cpu", k=2, tol=1e-6)
    problem = hs.make_problem(NETS[0])
    assert report.slice_loss[20] == pytest.approx(problem.loss_fn().item(), rel=1e-12)  # α = 0
    assert all(report.converged) and max(report.residuals) <= 1e-5 * abs(report.values[0])
    # Second difference of the loss itself along the eigenvector (no autograd at all) ≈ λ₁.
    h = report.alphas[1] - report.alphas[0]
    curvature = (report.slice_loss[21] - 2 * report.slice_loss[20] + report.slice_loss[19]) / h**2
    assert curvature == pytest.approx(report.values[0], rel=0.05)
    np.testing.assert_allclose(report.slice_model[19:22], report.slice_loss[19:22], rtol=1e-3)


def test_hvp_report_agrees_with_finite_differences_and_full_hessian():
    report = hs.hvp_report(NETS[1], "cpu", seed=4)
    assert set(report.products) >= {"double backward", "torch.func.jvp(grad)", "torch.func.hessian @ v"}
    for name, product in report.products.items():
        np.testing.assert_allclose(product, report.finite_difference, rtol=1e-5, atol=1e-7, err_msg=name)
    assert all(s > 0 for s in report.seconds.values())


def test_exact_spectrum_matches_numpy():
    config = NETS[0]
    spectrum = hs.exact_spectrum(config, "cpu", cells=16)
    _, hessian = _problem_and_hessian(config)
    h = hessian.numpy()
    np.testing.assert_allclose(spectrum.eigenvalues, np.linalg.eigvalsh(h), atol=1e-10)
    assert spectrum.trace == pytest.approx(np.trace(h)) and spectrum.heatmap.shape == (16, 16)
    counts = np.bincount(np.arange(len(h)) * 16 // len(h))
    assert np.sum(spectrum.heatmap * np.outer(counts, counts)) == pytest.approx(h.sum())  # blocks tile H once


def test_relu_hessian_has_exact_zeros_and_tanh_none():
    relu = hs.exact_spectrum(hs.NetConfig(16, 2, "relu"), "cpu")
    tanh = hs.exact_spectrum(hs.NetConfig(16, 2, "tanh"), "cpu")
    assert relu.zero_fraction > 0.5 and tanh.zero_fraction == 0.0


def test_blog_scalar_gives_a_scaled_hessian_times_ones_not_hv():
    config = NETS[0]
    wrong, right = hs.blog_scalar_hvp(config, "cpu", seed=2)
    problem, hessian = _problem_and_hessian(config)
    ones_product = (hessian @ torch.ones(hessian.shape[0], dtype=torch.float64)).numpy()
    scale = wrong @ ones_product / (ones_product @ ones_product)
    assert 0 < scale < 1  # torch.rand(1): one number in [0, 1) multiplying H·1
    np.testing.assert_allclose(wrong, scale * ones_product, rtol=1e-10, atol=1e-12)
    v = hs.random_vector(hessian.shape[0], 2, hessian)
    np.testing.assert_allclose(right, (hessian @ v).numpy(), rtol=1e-10, atol=1e-12)
    assert np.abs(wrong - right).max() > 0.1 * np.abs(right).max()


def test_second_grad_without_create_graph_raises():
    outcome = run_pitfall(lambda: hs.hvp_without_create_graph(NETS[0], "cpu"))
    assert outcome.raised and outcome.exception_type == "RuntimeError"
    assert "does not require grad" in outcome.message


def test_gradient_graph_has_nodes_made_by_create_graph():
    graph = hs.gradient_graph(NETS[0])
    assert STYLE["created"] in graph.dot and STYLE["function"] in graph.dot  # created and forward nodes both drawn
    assert "W1" in graph.dot and graph.total_nodes > 20


def test_scaling_point_times_every_method():
    row = hs.scaling_point(4, "cpu", with_full=True)
    assert row["n"] == hs.parameter_count(hs.NetConfig(4, 2)) == 33
    assert all(row[k] > 0 for k in ("gradient", "hvp", "full Hessian"))


def test_budget_refuses_large_networks():
    assert hs.fits_budget(hs.NetConfig(16, 2))
    assert not hs.fits_budget(hs.NetConfig(64, 4))
    assert hs.full_hessian_bytes(hs.NetConfig(64, 4)) > hs.FULL_HESSIAN_BUDGET_BYTES



# --- what the page's tables and charts show -------------------------------------------------------

def test_method_differences_measure_each_method_against_double_backward():
    report = hs.hvp_report(NETS[0], "cpu", seed=1)
    differences = hs.method_differences(report)
    assert differences.keys() == report.products.keys() and differences["double backward"] == 0.0
    double = report.products["double backward"]
    for name, hv in report.products.items():
        assert differences[name] == max(abs(a - b) for a, b in zip(hv, double))
        assert differences[name] < 1e-10  # every method computes the same H·v in float64


def test_by_magnitude_orders_by_absolute_value():
    np.testing.assert_array_equal(hs.by_magnitude(np.array([0.5, -3.0, 2.0, -0.1]), 3), [-3.0, 2.0, 0.5])
    assert len(hs.by_magnitude(np.array([1.0, 2.0]), 5)) == 2


def test_eigen_histories_are_one_curve_per_eigenvalue():
    report = hs.eigen_report(NETS[0], "cpu", k=3, tol=1e-4)
    columns = hs.eigen_histories(report)
    for label, history in zip(hs.eigen_labels(3), report.history):
        mine = columns["k"] == label
        np.testing.assert_array_equal(columns["λ"][mine], history)
        np.testing.assert_array_equal(columns["iteration"][mine], np.arange(1, len(history) + 1))
    assert len(columns["k"]) == sum(map(len, report.history))


def test_trace_band_is_the_mean_plus_minus_one_standard_error():
    draws = np.array([1.0, 3.0, 2.0, 6.0])
    estimate = hs.TraceEstimate(draws, np.cumsum(draws) / np.arange(1, 5),
                                np.array([0.0] + [np.std(draws[:m], ddof=1) / np.sqrt(m) for m in range(2, 5)]))
    band = hs.trace_band(estimate)
    np.testing.assert_array_equal(band["m"], [1, 2, 3, 4])
    np.testing.assert_allclose(band["high"] - band["low"], 2 * estimate.running_se)
    np.testing.assert_allclose((band["high"] + band["low"]) / 2, [1.0, 2.0, 2.0, 3.0])
    assert hs.standard_errors_away(estimate, 4.0) == pytest.approx(1.0 / (np.std(draws, ddof=1) / 2))


def test_eigenvalue_histogram_is_a_density_over_the_eigenvalues():
    eigenvalues = hs.exact_spectrum(NETS[0], "cpu").eigenvalues
    bars = hs.eigenvalue_histogram(eigenvalues, bins=60)
    assert np.sum(bars["p"] * (bars["end"] - bars["start"])) == pytest.approx(1.0)
    assert bars["start"][0] == eigenvalues.min() and bars["end"][-1] == pytest.approx(eigenvalues.max())
    inside = (eigenvalues >= bars["start"][10]) & (eigenvalues < bars["end"][10])
    assert bars["p"][10] * len(eigenvalues) * (bars["end"][10] - bars["start"][10]) == pytest.approx(inside.sum())


def test_scaling_curves_leave_out_what_was_not_timed():
    rows = [{"n": 33, "gradient": 1.0, "hvp": 2.0, "full Hessian": 30.0}, {"n": 66561, "gradient": 3.0, "hvp": 5.0}]
    curves = hs.scaling_curves(rows)
    assert list(zip(curves["n"], curves["what"], curves["seconds"])) == [
        (33, "gradient", 1.0), (33, "hvp", 2.0), (33, "full Hessian", 30.0), (66561, "gradient", 3.0), (66561, "hvp", 5.0)]


def test_cosine_of_known_angles():
    assert hs.cosine(np.array([1.0, 0.0]), np.array([0.0, 2.0])) == pytest.approx(0.0)
    assert hs.cosine(np.array([1.0, 1.0]), np.array([3.0, 3.0])) == pytest.approx(1.0)
    assert hs.cosine(np.array([1.0, 0.0]), np.array([1.0, 1.0])) == pytest.approx(np.sqrt(0.5))


def test_pitfalls_run_both_wrong_versions():
    blog, no_graph = hs.pitfalls(NETS[0], "cpu", seed=2)
    assert not blog.raised and no_graph.raised and no_graph.exception_type == "RuntimeError"
    for mine, direct in zip(blog.value, hs.blog_scalar_hvp(NETS[0], "cpu", seed=2)):
        np.testing.assert_array_equal(mine, direct)


def test_smooth_and_relu_swap_only_the_activation():
    assert hs.smooth_and_relu(hs.NetConfig(8, 2, "gelu")) == (hs.NetConfig(8, 2, "gelu"), hs.NetConfig(8, 2, "relu"))
    assert hs.smooth_and_relu(hs.NetConfig(8, 2, "relu", seed=3)) == (hs.NetConfig(8, 2, "tanh", seed=3),
                                                                     hs.NetConfig(8, 2, "relu", seed=3))

PEAK_SCRIPT = """
import json, threading, time, psutil, torch
torch.set_num_threads(1)
from core import hessian as hs
hs.full_hessian(hs.make_problem(hs.NetConfig(4, 2)))  # warm up torch.func before measuring
process, done = psutil.Process(), threading.Event()
before = peak = process.memory_info().rss
def sample():  # poll the resident size: ru_maxrss may already hold a higher peak from the imports
    global peak
    while not done.is_set():
        peak = max(peak, process.memory_info().rss)
        time.sleep(0.0005)
sampler = threading.Thread(target=sample)
sampler.start()
config = hs.NetConfig(32, 2)
torch.linalg.eigvalsh(hs.full_hessian(hs.make_problem(config)))
done.set()
sampler.join()
print(json.dumps({"peak": peak - before, "estimate": hs.full_hessian_bytes(config)}))
"""


def test_memory_estimate_bounds_the_measured_peak():
    result = subprocess.run([sys.executable, "-c", PEAK_SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    numbers = json.loads(result.stdout.strip().splitlines()[-1])
    assert 0 < numbers["peak"] <= numbers["estimate"]


# --- torch.func under overlapping reruns --------------------------------------------------------

class _StoppingProblem(hs.Problem):
    """A problem whose loss raises Streamlit's StopException on its `stop_at`-th call: a rerun stopped mid-transform."""

    def __init__(self, config, stop_at):
        base = hs.make_problem(config, "cpu", torch.float64)
        super().__init__(base.config, base.params, base.x, base.y)
        self.calls, self.stop_at = 0, stop_at

    def loss(self, params):
        self.calls += 1
        if self.calls == self.stop_at:
            from streamlit.runtime.scriptrunner_utils.exceptions import StopException
            raise StopException()
        return super().loss(params)


def _forward_mode_nesting():
    from torch._functorch import eager_transforms
    return eager_transforms.JVP_NESTING


def test_stop_raised_inside_a_transform_leaves_torch_func_clean():
    from streamlit.runtime.scriptrunner_utils.exceptions import StopException
    config = hs.NetConfig(5, 2)
    vector = hs.unflatten(torch.ones(hs.parameter_count(config), dtype=torch.float64), hs.make_problem(config).params)
    for run in (hs.full_hessian, lambda p: hs.hvp_forward_over_reverse(p, vector)):
        with pytest.raises(StopException):
            run(_StoppingProblem(config, stop_at=1))
        assert _forward_mode_nesting() == 0
    problem, hessian = _problem_and_hessian(config)
    torch.testing.assert_close(hs.flatten(hs.hvp_forward_over_reverse(problem, vector)), hessian @ hs.flatten(vector))
    torch.testing.assert_close(hs.full_hessian(problem), hessian)


def test_overlapping_reruns_in_threads_share_torch_func_safely():
    # Streamlit's fast reruns start the new run in a new thread while the old one is still inside torch.func.
    configs = [hs.NetConfig(w, 2) for w in (10, 14, 18, 22)]
    expected = {c: _problem_and_hessian(c)[1] for c in configs}
    v = {c: torch.ones(hs.parameter_count(c), dtype=torch.float64) for c in configs}
    exact_hv = {c: expected[c] @ v[c] for c in configs}
    errors, start = [], threading.Barrier(len(configs) + 1)

    def rerun(config):
        start.wait()
        problem = hs.make_problem(config, "cpu", torch.float64)
        for _ in range(8):
            try:
                torch.testing.assert_close(hs.full_hessian(problem), expected[config])
                hv = hs.hvp_forward_over_reverse(problem, hs.unflatten(v[config], problem.params))
                torch.testing.assert_close(hs.flatten(hv), exact_hv[config])
            except Exception as error:  # noqa: BLE001 - collected and reported by the main thread
                errors.append(f"{type(error).__name__}: {error}")

    def stopped_rerun():  # the superseded run: stopped while its transform is running
        start.wait()
        for _ in range(8):
            try:
                hs.full_hessian(_StoppingProblem(configs[0], stop_at=1))
                errors.append("the stop raised inside the transform was lost")
            except BaseException as error:  # noqa: BLE001
                if type(error).__name__ != "StopException":
                    errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=rerun, args=(c,)) for c in configs[1:]]
    threads += [threading.Thread(target=rerun, args=(configs[0],)), threading.Thread(target=stopped_rerun)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[:3]
    assert _forward_mode_nesting() == 0


# --- the page ---------------------------------------------------------------------------------

def _texts(elements):
    return " ".join(str(e.value) for e in elements)


def test_page_renders_with_checks_estimators_and_pitfalls(app_page):
    at = app_page("hessian")
    assert not at.exception and not at.error
    assert at.metric[0].value == f"{hs.parameter_count(hs.NetConfig()):,}"
    badges = _texts(at.success)
    assert "central differences" in badges and "eigvalsh" in badges and not _texts(at.warning)
    assert "standard errors away" in _texts(at.markdown)  # Hutchinson against the exact trace
    # H·v, heatmap, convergence, slice, trace, density; and the gradient graph
    assert len(at.get("vega_lite_chart")) == 6 and len(at.get("graphviz_chart")) == 1
    codes = _texts(at.code)
    assert "element 0 of tensors does not require grad" in codes  # the real RuntimeError
    assert "scalar (wrong)" in codes and "exactly 0.0" in codes


def test_sliders_change_n(app_page):
    at = app_page("hessian", {"hess_width": "4", "hess_depth": "1"})
    assert at.metric[0].value == str(hs.parameter_count(hs.NetConfig(4, 1)))
    at.slider(key="hess_width").set_value(8).run()
    at.slider(key="hess_depth").set_value(3).run()
    assert not at.exception
    assert at.metric[0].value == str(hs.parameter_count(hs.NetConfig(8, 3)))


def test_full_hessian_refused_above_budget_but_estimators_run(app_page):
    at = app_page("hessian", {"hess_width": "64", "hess_depth": "4", "hess_k": "1", "hess_samples": "20",
                              "hess_steps": "10", "hess_runs": "1"})
    assert not at.exception and not at.error
    n = hs.parameter_count(hs.NetConfig(64, 4))
    warning = _texts(at.warning)
    assert "Full Hessian refused" in warning and f"{n:,}" in warning and "1,024 MiB" in warning
    assert "central differences" in _texts(at.success)  # H·v is still checked
    assert "Estimate" in _texts(at.markdown) and "no exact eigenvalues" in _texts(at.info)


def test_scaling_chart_measures_live(app_page):
    at = app_page("hessian", {"hess_k": "1", "hess_samples": "10", "hess_runs": "1"})
    at.toggle(key="hess_scaling").set_value(True).run()
    assert not at.exception
    assert "one HVP took" in _texts(at.caption)


def test_page_in_korean(app_page):
    at = app_page("hessian", {"hess_width": "6", "hess_samples": "10"})
    at.selectbox(key="lang").set_value("ko").run()
    assert not at.exception and at.title[0].value == "헤시안-벡터 곱"
    assert "표준 오차" in _texts(at.markdown)
