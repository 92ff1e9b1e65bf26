"""Physics-informed networks: residuals and references against independent ones, training, pitfalls, the page."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import live_pages
from core import pinn
from core.graph import STYLE

H = 1e-4  # central-difference step in float64: truncation ~h², rounding ~ε/h² for the second derivative


def float64_network(equation: str, seed: int = 0, **changes) -> pinn.Network:
    """A fresh network of the equation's default shape, in float64."""
    config = pinn.default_config(equation, **changes)
    return pinn.small_network(config, seed).double()


def fd_oscillator_residual(model, t: np.ndarray, damping: float, frequency: float) -> np.ndarray:
    """The oscillator's residual by central differences of the float64 network."""
    u = lambda shift: model(torch.as_tensor(t + shift)[:, None])[:, 0].detach().numpy()
    u0, up, down = u(0.0), u(H), u(-H)
    return (up - 2 * u0 + down) / H ** 2 / frequency ** 2 + 2 * damping * (up - down) / (2 * H) / frequency + u0


def fd_burgers_residual(model, points: np.ndarray, viscosity: float) -> np.ndarray:
    """Burgers' residual by central differences of the float64 network."""
    u = lambda dt, dx: model(torch.as_tensor(points + [dt, dx]))[:, 0].detach().numpy()
    u0 = u(0, 0)
    u_t = (u(H, 0) - u(-H, 0)) / (2 * H)
    u_x = (u(0, H) - u(0, -H)) / (2 * H)
    u_xx = (u(0, H) - 2 * u0 + u(0, -H)) / H ** 2
    return u_t + u0 * u_x - viscosity * u_xx


# The residuals: autograd against finite differences of the same network, float64.

@pytest.mark.parametrize("features", [0, 4])
def test_oscillator_residual_matches_finite_differences(features):
    model = float64_network("oscillator", features=features)
    t = np.linspace(0.01, 0.99, 40)
    points = torch.as_tensor(t)[:, None].requires_grad_()
    u, u_t, residual = pinn.oscillator_residual(model, points, 0.1, 20.0)
    reference = fd_oscillator_residual(model, t, 0.1, 20.0)
    assert np.abs(residual[:, 0].detach().numpy() - reference).max() < 1e-6 * max(1, np.abs(reference).max())
    assert np.abs(reference).max() > 1e-2  # an untrained network: the residual is far from zero


def test_burgers_residual_matches_finite_differences():
    model = float64_network("burgers")
    points = np.random.default_rng(0).uniform([0, -1], [1, 1], size=(50, 2))
    _, residual = pinn.burgers_residual(model, torch.as_tensor(points).requires_grad_(), 0.01 / math.pi)
    reference = fd_burgers_residual(model, points, 0.01 / math.pi)
    assert np.abs(residual[:, 0].detach().numpy() - reference).max() < 1e-6 * max(1, np.abs(reference).max())


# The references against each other.

@pytest.mark.parametrize("damping, frequency", [(0.1, 20.0), (0.3, 5.0), (0.05, 30.0)])
def test_oscillator_closed_form_matches_solve_ivp(damping, frequency):
    t = np.linspace(0, 1, 201)
    closed = pinn.oscillator_solution(t, damping, frequency)
    assert closed[0] == pytest.approx(1.0)
    assert np.abs(closed - pinn.oscillator_solve_ivp(t, damping, frequency)).max() < 1e-8


def test_cole_hopf_matches_a_fine_finite_difference_solver():
    nu = 0.1 / math.pi
    x = np.linspace(-1, 1, 801)
    for t_end in (0.25, 1.0):
        by_fd = pinn.burgers_finite_difference(t_end, x, nu)
        by_quadrature = pinn.burgers_cole_hopf(np.full_like(x, t_end), x, nu)
        assert np.abs(by_fd - by_quadrature).max() < 1e-4


def test_cole_hopf_meets_its_conditions_and_survives_small_viscosity():
    nu = 0.01 / math.pi
    t, x, u = pinn.burgers_grid(nu)
    assert np.isfinite(u).all()  # exp(1/(2πν)) alone would be exp(50); smaller ν would overflow without log-space
    assert np.abs(u[0] + np.sin(np.pi * x)).max() < 1e-12
    assert np.abs(u[:, [0, -1]]).max() < 1e-6
    tiny = pinn.burgers_cole_hopf(np.array([0.5, 0.5]), np.array([0.3, -0.3]), 0.001 / math.pi)
    assert np.isfinite(tiny).all() and tiny[0] == pytest.approx(-tiny[1])  # odd in x
    coarse = pinn.burgers_cole_hopf(t[1:, None], x[None, :], nu, nodes=401)
    assert np.abs(coarse - u[1:]).max() < 1e-5  # the quadrature has converged


# Training: short runs lower the error by a stated factor.

def test_short_oscillator_training_lowers_the_error_tenfold():
    config = pinn.default_config("oscillator", steps=800, collocation=128, optimizer="adam")
    trainer = pinn.PinnTrainer(config)
    before = trainer.relative_l2()
    trainer.advance(60)
    assert trainer.done and trainer.error is None
    assert trainer.relative_l2() < before / 10
    assert trainer.history.step[-1] == 800 and len(trainer.history.columns) == 6


def test_lbfgs_after_adam_lowers_the_loss_further():
    config = pinn.default_config("oscillator", steps=300, lbfgs_steps=60)
    trainer = pinn.PinnTrainer(config)
    while trainer.step < 300:
        trainer.train_step()
    after_adam = trainer.history.loss[-1]
    trainer.advance(60)
    assert trainer.done and trainer.step == 360
    assert trainer.history.loss[-1] < after_adam / 3


def test_short_burgers_training_halves_the_error():
    config = pinn.default_config("burgers", collocation=1000, steps=300, optimizer="adam")
    trainer = pinn.PinnTrainer(config)
    before = trainer.relative_l2()
    trainer.advance(60)
    assert trainer.done and trainer.relative_l2() < before / 2


def test_inverse_problem_moves_zeta_towards_the_truth():
    config = pinn.default_config("oscillator_inverse", steps=1500, collocation=128, optimizer="adam")
    trainer = pinn.PinnTrainer(config)
    start = trainer.estimate()
    assert start == pytest.approx(0.5)  # sigmoid(0): far from the truth 0.1
    trainer.advance(60)
    assert abs(trainer.estimate() - config.damping) < abs(start - config.damping) / 5
    observed = trainer.snapshot(preview=True).preview
    assert len(observed["observed_t"]) == config.observations
    clean = pinn.oscillator_solution(observed["observed_t"], config.damping, config.frequency)
    assert 0.3 * config.noise < np.std(observed["observed_u"] - clean) < 3 * config.noise


def test_same_seed_same_run_and_predict_shapes():
    config = pinn.default_config("burgers", collocation=200, steps=5, optimizer="adam")
    first, second = pinn.PinnTrainer(config), pinn.PinnTrainer(config)
    first.advance(10)
    second.advance(10)
    assert first.history.loss == second.history.loss
    assert first.predict(np.zeros((7, 2))).shape == (7,)
    preview = first.snapshot(preview=True).preview
    assert preview["prediction"].shape == preview["error"].shape == pinn.burgers_reference_view(config.viscosity)[2].shape
    assert pinn.PinnTrainer(pinn.default_config("oscillator")).predict(np.zeros((3, 1))).shape == (3,)


def test_a_learning_rate_that_diverges_stops_with_a_message():
    trainer = pinn.PinnTrainer(pinn.default_config("oscillator", learning_rate=1.0, collocation=128))
    trainer.advance(30)
    assert trainer.error == pinn.DIVERGED and not trainer.done


def test_bad_settings_are_refused_before_training():
    assert pinn.problem_error(pinn.default_config("oscillator", collocation=0)) == "pinn.no_collocation"
    assert pinn.problem_error(pinn.default_config("oscillator_inverse", observations=0)) == "pinn.no_observations"
    assert pinn.problem_error(pinn.default_config("oscillator", damping=1.0)) == "pinn.not_underdamped"
    trainer = pinn.PinnTrainer(pinn.default_config("burgers", collocation=0))
    trainer.advance(1)
    assert trainer.error == "pinn.no_collocation" and trainer.step == 0


# Higher orders, the graph, the pitfalls.

def test_nested_grad_matches_torch_func_and_finite_differences():
    model = float64_network("oscillator")
    x = torch.linspace(0.1, 0.9, 9, dtype=torch.float64)[:, None].requires_grad_()
    for order in (1, 2, 3):
        by_grad = pinn.nested_grad(model, x, order)
        by_func = pinn.functorch_derivative(model, x, order)
        assert torch.allclose(by_grad, by_func, rtol=1e-10, atol=1e-10)
    second = pinn.nested_grad(model, x, 2).detach()[:, 0].numpy()
    u = lambda shift: model(x.detach() + shift)[:, 0].detach().numpy()
    assert np.abs(second - (u(H) - 2 * u(0.0) + u(-H)) / H ** 2).max() < 1e-4 * max(1, np.abs(second).max())


def test_order_cost_grows_with_the_order():
    cost = pinn.order_cost(pinn.default_config("oscillator", features=0, width=8, depth=2), 0, points=16, max_order=4)
    assert cost.orders == [1, 2, 3, 4] and cost.max_difference < 1e-4
    assert all(a < b for a, b in zip(cost.grad_nodes, cost.grad_nodes[1:]))
    assert all(a < b for a, b in zip(cost.func_nodes, cost.func_nodes[1:]))
    assert all(ms > 0 for ms in cost.grad_ms + cost.func_ms)


@pytest.mark.parametrize("equation", ["oscillator", "burgers"])
def test_residual_graph_marks_the_create_graph_nodes(equation):
    graph, forward, total = pinn.residual_graph(pinn.default_config(equation), 0)
    assert total > 2 * forward  # the two backwards add more nodes than the forward pass has
    assert STYLE["created"] in graph.dot and "created" in graph.kinds


def test_pitfalls_raise_or_mislead_as_described():
    outcomes = pinn.pitfalls(pinn.default_config("oscillator"), 0)
    assert outcomes.no_create_graph.raised and outcomes.no_create_graph.exception_type == "RuntimeError"
    assert "does not require grad" in outcomes.no_create_graph.message
    assert outcomes.reshaped_copy.raised and "appears to not have been used in the graph" in outcomes.reshaped_copy.message
    batchnorm = outcomes.batchnorm
    assert not batchnorm.raised  # silently wrong
    assert batchnorm.details["with_batchnorm"] > 1e-2 and batchnorm.details["without_batchnorm"] < 1e-6


# The page, through AppTest.

def live(at):
    return live_pages.job(at, "pinn_live")


def test_page_opens_in_both_languages(app_page):
    english = app_page("pinn")
    assert not english.exception and english.title[0].value == "Physics-informed networks"
    korean = app_page("pinn", {"lang": "ko", "pinn_eq": "uₜ + u·uₓ = ν·uₓₓ"})
    assert not korean.exception and korean.title[0].value == "물리 정보 신경망"
    assert korean.selectbox(key="pinn_eq").value == "burgers"
    assert korean.get("graphviz_chart") and STYLE["created"] in korean.get("graphviz_chart")[0].proto.spec


def test_page_trains_live_and_checks_the_result(app_page):
    at = app_page("pinn", {"pinn_steps": "300", "pinn_lbfgs": "false"})
    live_pages.start(at, "pinn_live")
    live_pages.run_until(at, lambda: live(at).state == "done")
    assert not at.exception
    assert at.metric and float(at.metric[0].value) < 1.0
    assert any("closed form" in s.value for s in [*at.success, *at.error])
    assert len(at.get("vega_lite_chart")) >= 3


def test_inverse_page_shows_the_learned_zeta(app_page):
    at = app_page("pinn", {"pinn_eq": "ζ = ? · u″ + 2ζω₀u′ + ω₀²u = 0", "pinn_steps": "200", "pinn_lbfgs": "false"})
    live_pages.start(at, "pinn_live")
    live_pages.run_until(at, lambda: live(at).state == "done")
    assert not at.exception and live(at).config.equation == "oscillator_inverse"
    assert any(m.label == "Learned ζ" for m in at.metric)
    assert any("Learned ζ" in s.value for s in [*at.success, *at.warning])


def test_bad_settings_give_a_clear_message(app_page):
    at = app_page("pinn", {"pinn_points": "0"})
    assert not at.exception and any("Zero collocation points" in e.value for e in at.error)
    diverging = app_page("pinn", {"pinn_lr": "1"})
    live_pages.start(diverging, "pinn_live")
    live_pages.run_until(diverging, lambda: live(diverging).state == "failed")
    assert not diverging.exception and any("Lower the learning rate" in e.value for e in diverging.error)


def test_cost_of_higher_orders_draws_on_request(app_page):
    at = app_page("pinn", {"pinn_depth": "1", "pinn_width": "8"})
    charts_before = len(at.get("vega_lite_chart"))
    at.toggle(key="pinn_cost").set_value(True).run()
    assert not at.exception and len(at.get("vega_lite_chart")) == charts_before + 2
