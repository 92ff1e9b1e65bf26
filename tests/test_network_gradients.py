"""Network gradients & double backprop: core checks against independent references, and the page."""
from __future__ import annotations

import math
import threading
from dataclasses import replace

import numpy as np
import pytest
import torch
from torch.func import functional_call, grad, jacrev, jvp, vmap
from torch.nn.utils import parameters_to_vector

import core.network_gradients as ng
from core.devices import DeviceError, available_devices
from core.graph import STYLE
import live_pages
from references import central_difference, unflatten

X = (0.3, -0.7)
SMALL = ng.NetConfig(width=6, depth=2, activation="tanh", seed=3)


def reference_net(config):
    """A float64 CPU net and its parameters as a dict, for torch.func."""
    net = ng.make_mlp(config, torch.device("cpu"))
    return net, {name: p.detach().clone() for name, p in net.named_parameters()}


def weights(config) -> list[torch.Tensor]:
    """The seeded net's parameters, in order."""
    return [p.detach().clone() for p in ng.make_mlp(config, torch.device("cpu")).parameters()]


# ---------------------------------------------------------------- the seeded net


def test_seeded_net_has_default_init_bounds_and_leaves_the_global_rng_alone():
    state = torch.get_rng_state()
    first, again = weights(SMALL), weights(SMALL)
    assert torch.equal(torch.get_rng_state(), state)
    assert all(torch.equal(a, b) for a, b in zip(first, again))
    assert not all(torch.equal(a, b) for a, b in zip(first, weights(replace(SMALL, seed=4))))
    for weight, bias in zip(first[::2], first[1::2]):
        bound = 1 / math.sqrt(weight.shape[1])  # nn.Linear's default U(±1/√fan_in)
        assert weight.abs().max() <= bound and bias.abs().max() <= bound
        assert weight.abs().max() > 0.5 * bound and len(weight.unique()) == weight.numel()


def test_two_seeds_built_at_once_in_threads_equal_each_seed_built_alone(monkeypatch):
    configs = (replace(SMALL, depth=3), replace(SMALL, seed=11, width=9, depth=3))
    alone = [weights(c) for c in configs]
    data_alone = [ng.make_moons(50, 0.1, c.seed) for c in configs]
    lockstep = threading.Barrier(2, timeout=30)
    real_activation = ng.make_activation

    def activation_in_lockstep(name: str):
        lockstep.wait()  # each build stops between two layers until the other has drawn its layer too
        return real_activation(name)

    monkeypatch.setattr(ng, "make_activation", activation_in_lockstep)
    rounds, results, errors = 20, [[], []], []

    def build(index: int) -> None:
        try:
            for _ in range(rounds):
                results[index].append((weights(configs[index]), ng.make_moons(50, 0.1, configs[index].seed)))
        except Exception as exc:  # surfaced below: an assert in a thread would not fail the test
            errors.append(exc)
            lockstep.abort()

    threads = [threading.Thread(target=build, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for index in range(2):
        assert len(results[index]) == rounds
        for built, (data, labels) in results[index]:
            assert all(torch.equal(a, b) for a, b in zip(built, alone[index]))
            assert torch.equal(data, data_alone[index][0]) and torch.equal(labels, data_alone[index][1])


# ---------------------------------------------------------------- ∇ₓf


@pytest.mark.parametrize("activation", ng.ACTIVATIONS)
def test_input_field_matches_jacrev_and_finite_differences(activation):
    config = replace(SMALL, activation=activation)
    field = ng.input_gradient_field(config, "cpu", extent=1.5, resolution=9)
    net, params = reference_net(config)
    axis = torch.linspace(-1.5, 1.5, 9, dtype=torch.float64)
    x2, x1 = torch.meshgrid(axis, axis, indexing="ij")
    points = torch.stack([x1.ravel(), x2.ravel()], 1)
    exact = vmap(jacrev(lambda p: functional_call(net, params, (p,)).squeeze()))(points).numpy()
    np.testing.assert_allclose(field.grad.reshape(-1, 2), exact, rtol=0, atol=1e-12)
    h = 1e-6
    with torch.no_grad():
        fd = np.stack([((net(points + e) - net(points - e)) / (2 * h)).squeeze(-1).numpy()
                       for e in h * torch.eye(2, dtype=torch.float64)], 1)
    np.testing.assert_allclose(field.grad.reshape(-1, 2), fd, atol=1e-7)
    np.testing.assert_allclose(field.f.ravel(), net(points).detach().squeeze(-1).numpy(), atol=1e-12)


def test_field_arrows_point_along_the_gradient_clockwise_from_up():
    axis = np.linspace(-1.0, 1.0, 4)
    grad = np.ones((4, 4, 2))
    grad[0, 0], grad[0, 2], grad[2, 0], grad[2, 2] = (0, 1), (2, 0), (0, -0.5), (-1, -1)
    field = ng.Field(axis, np.zeros((4, 4)), grad)
    arrows = ng.field_arrows(field, per_side=2)  # every second point: rows and columns 0 and 2
    np.testing.assert_allclose(arrows.x1, axis[[0, 2, 0, 2]])
    np.testing.assert_allclose(arrows.x2, axis[[0, 0, 2, 2]])
    np.testing.assert_array_equal(arrows.df_dx1, [0, 2, 0, -1])
    np.testing.assert_array_equal(arrows.df_dx2, [1, 0, -0.5, -1])
    np.testing.assert_allclose(np.mod(arrows.heading, 360), [0.0, 90.0, 180.0, 225.0])  # up, right, down, down-left
    np.testing.assert_allclose(arrows.relative, np.array([1, 2, 0.5, math.sqrt(2)]) / 2)
    assert len(ng.field_arrows(field, per_side=4).x1) == 16


def test_batched_field_equals_a_loop_over_points():
    field = ng.input_gradient_field(SMALL, "cpu", extent=2.0, resolution=7)
    axis, points = ng.grid(2.0, 7, torch.device("cpu"))
    loop = np.stack([ng.gradients_at(SMALL, tuple(p.tolist())).input_grad for p in points])
    np.testing.assert_allclose(field.grad.reshape(-1, 2), loop, atol=1e-13)
    np.testing.assert_allclose(field.x1, axis.numpy())


# ---------------------------------------------------------------- ∇θf


@pytest.mark.parametrize("activation", ng.ACTIVATIONS)
def test_parameter_gradients_cover_every_parameter(activation):
    config = replace(SMALL, activation=activation)
    result = ng.gradients_at(config, X)
    net, params = reference_net(config)
    point = torch.tensor(X, dtype=torch.float64)
    exact = jacrev(lambda p: functional_call(net, p, (point,)).squeeze())(params)
    assert result.labels == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert [g.shape for g in result.param_grads] == [p.shape for p in params.values()]
    for ours, reference in zip(result.param_grads, exact.values()):
        np.testing.assert_allclose(ours, reference.numpy(), atol=1e-12)
    theta = parameters_to_vector(params.values())
    fd = central_difference(lambda flat: functional_call(net, unflatten(flat, params), (point,)).squeeze(), theta)
    assert result.flat.shape == (theta.numel(),)
    np.testing.assert_allclose(result.flat, fd.numpy(), atol=1e-7)
    np.testing.assert_allclose(result.flat, np.concatenate([g.ravel() for g in result.param_grads]))
    owners = np.array(result.owners())
    assert len(owners) == result.flat.size
    for label, p in zip(result.labels, params.values()):
        assert (owners == label).sum() == p.numel()


def test_layer_blocks_put_each_bias_beside_its_weight():
    result = ng.gradients_at(SMALL, X)
    blocks = ng.layer_blocks(result.labels, result.param_grads)
    assert [title for title, _ in blocks] == ["W1 | b1", "W2 | b2", "W3 | b3"]
    for (_, block), weight, bias in zip(blocks, result.param_grads[::2], result.param_grads[1::2]):
        np.testing.assert_array_equal(block[:, :-1], weight)
        np.testing.assert_array_equal(block[:, -1], bias)


def test_checks_pass_and_can_fail(monkeypatch):
    for check in (*ng.check_input_gradients(SMALL, X, resolution=5), *ng.check_parameter_gradients(SMALL, X),
                  ng.check_double_backprop(SMALL, X)):
        assert check.passed and check.compared > 0
    real = ng.gradients_at
    monkeypatch.setattr(ng, "gradients_at", lambda *a: replace(real(*a), flat=real(*a).flat * 1.001,
                                                               input_grad=real(*a).input_grad * 1.001))
    assert not any(c.passed for c in ng.check_parameter_gradients(SMALL, X))
    assert not any(c.passed for c in ng.check_input_gradients(SMALL, X, resolution=5))
    real_db = ng.double_backprop
    monkeypatch.setattr(ng, "double_backprop", lambda *a: replace(real_db(*a), own=[o + 1e-4 for o in real_db(*a).own]))
    assert not ng.check_double_backprop(SMALL, X).passed


# ---------------------------------------------------------------- double backprop


@pytest.mark.parametrize("activation", ng.ACTIVATIONS)
def test_grad_of_G_is_twice_hessian_times_gradient(activation):
    config = replace(SMALL, activation=activation)
    result = ng.double_backprop(config, X)
    net, params = reference_net(config)
    point = torch.tensor(X, dtype=torch.float64)
    theta = parameters_to_vector(params.values())

    def f(flat):
        return functional_call(net, unflatten(flat, params), (point,)).squeeze()

    g = grad(f)(theta)
    _, hg = jvp(grad(f), (theta,), (g,))  # forward-over-reverse: independent of the double backward
    np.testing.assert_allclose(np.concatenate([a.ravel() for a in result.grad_G]), 2 * hg.numpy(), atol=1e-12)
    assert result.G == pytest.approx(float(g.pow(2).sum()), rel=1e-12)
    sizes = [p.numel() for p in params.values()]
    for i, own in enumerate(result.own):
        only = torch.cat([b if j == i else torch.zeros_like(b) for j, b in enumerate(torch.split(g, sizes))])
        _, h_only = jvp(grad(f), (theta,), (only,))
        np.testing.assert_allclose(own.ravel(), 2 * torch.split(h_only, sizes)[i].numpy(), atol=1e-12)


def test_network_double_backward_passes_gradgradcheck():
    net, params = reference_net(SMALL)
    point = torch.tensor(X, dtype=torch.float64)
    names = list(params)
    inputs = tuple(p.clone().requires_grad_(True) for p in params.values())
    assert torch.autograd.gradgradcheck(
        lambda *ps: functional_call(net, dict(zip(names, ps)), (point,)), inputs)


def test_relu_zeroes_only_each_layers_own_block():
    relu = ng.double_backprop(replace(SMALL, activation="relu"), X)
    # f is piecewise linear in each layer's (W, b) when the others are fixed: the own blocks vanish…
    assert all(np.all(own == 0.0) for own in relu.own)
    # …but ∂G/∂W1 does not: ∂f/∂W2 holds the first layer's activations, which move with W1.
    assert np.abs(relu.grad_G[0]).max() > 1e-3
    assert ng.check_double_backprop(replace(SMALL, activation="relu"), X).passed
    for activation in ("tanh", "softplus", "sine"):
        smooth = ng.double_backprop(replace(SMALL, activation=activation), X)
        assert all(np.abs(own).max() > 1e-6 for own in smooth.own[:-2])  # hidden layers curve
        assert np.all(smooth.own[-2] == 0.0) and np.all(smooth.own[-1] == 0.0)  # f is linear in the last layer
    entries = ng.largest_entries(relu)
    assert [e.label for e in entries] == relu.labels and [e.shape for e in entries] == [g.shape for g in relu.grad_G]
    assert all(e.own == 0.0 for e in entries) and entries[0].grad_G == np.abs(relu.grad_G[0]).max()
    rows = ng.first_layer_by_activation(SMALL, X)
    assert [r.activation for r in rows] == list(ng.ACTIVATIONS)
    assert rows[0].own == 0.0 and all(r.own > 0 for r in rows[1:]) and all(r.full > 0 for r in rows)


def test_autograd_graph_marks_double_backward_nodes():
    graph = ng.autograd_graph(SMALL, X)
    assert "W1" in graph.dot and STYLE["created"] in graph.dot
    assert graph.shown_nodes > 10


# ---------------------------------------------------------------- pitfalls


def test_no_create_graph_raises_the_real_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        ng.wrong_no_create_graph(SMALL, X)


def test_backward_twice_accumulates_and_zero_grad_resets():
    demo = ng.wrong_backward_twice(SMALL, X)
    true = ng.gradients_at(SMALL, X).param_grads[0][0]
    np.testing.assert_allclose(demo.once, true, atol=1e-14)
    np.testing.assert_allclose(demo.twice, 2 * true, atol=1e-14)
    assert demo.none_after_zero_grad
    np.testing.assert_allclose(demo.after_zero_grad, true, atol=1e-14)


def test_pitfalls_run_each_wrong_version():
    no_graph, twice, first_only = ng.pitfalls(SMALL, X)
    assert no_graph.raised and no_graph.exception_type == "RuntimeError"
    assert not twice.raised and np.array_equal(twice.value.twice, ng.wrong_backward_twice(SMALL, X).twice)
    assert not first_only.raised and first_only.value == ng.wrong_first_only(SMALL, X)


def test_first_index_is_only_the_first_weight():
    shape, total = ng.wrong_first_only(SMALL, X)
    assert shape == (SMALL.width, 2)
    assert total == ng.gradients_at(SMALL, X).flat.size > SMALL.width * 2


@pytest.mark.parametrize("device", [d.name for d in available_devices()])
def test_every_check_passes_on_every_device(device):
    config = replace(SMALL, activation="softplus")
    checks = (*ng.check_input_gradients(config, X, device, resolution=5),
              *ng.check_parameter_gradients(config, X, device), ng.check_double_backprop(config, X, device))
    for check in checks:
        assert check.passed, check
    on_device = ng.input_gradient_field(config, device, resolution=5)
    on_cpu = ng.input_gradient_field(config, "cpu", resolution=5)
    np.testing.assert_allclose(on_device.grad, on_cpu.grad, atol=1e-5)
    trainer = ng.PenaltyTrainer(ng.TrainConfig(net=config, steps=5, device=device))
    trainer.advance(30)
    assert trainer.done and len(trainer.history) == 5 and trainer.view(resolution=5).probability[0].shape == (5, 5)


def test_unavailable_device_raises_device_error():
    with pytest.raises(DeviceError):
        ng.input_gradient_field(SMALL, "cuda:7")


# ---------------------------------------------------------------- penalty training


def test_penalised_loss_gradient_matches_finite_differences():
    net, params = reference_net(SMALL)
    data, labels = ng.make_moons(20, 0.1, 0)
    theta = parameters_to_vector(params.values())

    def loss(flat):
        torch.nn.utils.vector_to_parameters(flat, net.parameters())
        return ng.penalised_loss(net, data, labels, 0.5)[0]

    value = loss(theta.clone())
    ours = parameters_to_vector(torch.autograd.grad(value, list(net.parameters())))
    fd = central_difference(lambda flat: float(loss(flat).detach()), theta)
    np.testing.assert_allclose(ours.numpy(), fd.numpy(), atol=1e-7)


def test_trainer_same_start_and_penalty_flattens_the_function():
    trainer = ng.PenaltyTrainer(ng.TrainConfig(net=SMALL, penalty=0.1, lr=0.3, steps=150))
    plain, penalised = trainer.nets
    assert all(torch.equal(a, b) for a, b in zip(plain.parameters(), penalised.parameters()))
    trainer.advance(60)
    assert trainer.done and trainer.error is None and trainer.step == 150
    view = trainer.view(resolution=11)
    assert len(trainer.history) == 150
    assert trainer.history.norm_penalised[-1] < 0.5 * trainer.history.norm_plain[-1]  # mean ‖∇ₓf‖: well below plain
    assert view.probability[0].shape == (11, 11) and 0.5 <= view.accuracy[0] <= 1.0


def test_latest_numbers_and_norm_curves_read_the_named_columns():
    trainer = ng.PenaltyTrainer(ng.TrainConfig(net=SMALL, penalty=0.1, steps=4))
    assert all(math.isnan(n.loss) and math.isnan(n.norm) for n in ng.latest_numbers(trainer.history).values())
    trainer.advance(30)
    history = trainer.history
    assert history.columns == ("step", "loss_plain", "loss_penalised", "norm_plain", "norm_penalised")
    latest = ng.latest_numbers(history)
    assert latest["plain"] == ng.RunNumbers(history.loss_plain[-1], history.norm_plain[-1])
    assert latest["penalised"] == ng.RunNumbers(history.loss_penalised[-1], history.norm_penalised[-1])
    assert latest["plain"].loss != latest["penalised"].loss  # the penalty is in the second run's loss
    curves = ng.norm_curves(history)
    assert curves["step"] == [1, 2, 3, 4] * 2 and curves["run"] == ["plain"] * 4 + ["penalised"] * 4
    assert curves["norm"] == history.norm_plain + history.norm_penalised


def test_train_view_is_finite_until_it_diverges_and_shares_one_norm_scale():
    view = ng.PenaltyTrainer(ng.TrainConfig(net=SMALL, steps=1)).view(resolution=5)
    assert view.finite()
    assert view.grad_norm_top() == max(view.grad_norm[0].max(), view.grad_norm[1].max())
    broken = replace(view, grad_norm=(view.grad_norm[0], np.full_like(view.grad_norm[1], np.nan)))
    assert not broken.finite()


def test_trainer_without_penalty_trains_two_identical_nets():
    trainer = ng.PenaltyTrainer(ng.TrainConfig(net=SMALL, penalty=0.0, steps=20))
    trainer.advance(30)
    view = trainer.view(resolution=5)
    np.testing.assert_array_equal(view.probability[0], view.probability[1])


def test_diverging_learning_rate_stops_with_an_error():
    # The penalty's gradient grows like a product of weights, so a huge step overflows within a few steps.
    config = ng.TrainConfig(net=replace(SMALL, activation="sine"), penalty=0.1, lr=1000.0, steps=400)
    trainer = ng.PenaltyTrainer(config)
    trainer.advance(30)
    assert trainer.error == "common.train_diverged" and not trainer.done and trainer.step < 400


# ---------------------------------------------------------------- the page


def page_config(at) -> tuple[ng.NetConfig, tuple[float, float]]:
    """The net and point the page is showing, read back from its widgets."""
    config = ng.NetConfig(at.slider(key="ng_width").value, at.slider(key="ng_depth").value,
                          at.selectbox(key="ng_act").value, at.number_input(key="seed").value)
    return config, (at.slider(key="ng_x1").value, at.slider(key="ng_x2").value)


def test_page_numbers_match_jacrev_and_every_badge_is_green(app_page):
    at = app_page("network_gradients")
    assert not at.exception and not at.error
    assert len(at.success) == 5 and "❌" not in "".join(s.value for s in at.success)
    config, x = page_config(at)
    net, params = reference_net(config)
    point = torch.tensor(x, dtype=torch.float64)
    f = lambda p: functional_call(net, params, (p,)).squeeze()  # noqa: E731
    shown = {m.label: float(m.value) for m in at.metric}
    expected = jacrev(f)(point)
    assert shown["∂f/∂x₁"] == pytest.approx(float(expected[0]), abs=1e-6)
    assert shown["∂f/∂x₂"] == pytest.approx(float(expected[1]), abs=1e-6)
    g = jacrev(lambda p: functional_call(net, p, (point,)).squeeze())(params)
    assert shown["G = Σ (∂f/∂θ)²"] == pytest.approx(float(sum(v.pow(2).sum() for v in g.values())), abs=1e-6)
    codes = " ".join(c.value for c in at.code)
    assert "RuntimeError: element 0 of tensors does not require grad" in codes
    assert f"grads[0].shape = ({config.width}, 2)" in codes


def test_page_relu_link_shows_which_first_layer_part_vanishes(app_page):
    at = app_page("network_gradients", {"ng_act": "relu", "ng_width": "5", "ng_depth": "3", "ng_x1": "-0.4"})
    assert not at.exception and len(at.success) == 5
    config, x = page_config(at)
    assert (config.activation, config.width, config.depth, x[0]) == ("relu", 5, 3, -0.4)
    per_param, by_activation = (d.value for d in at.dataframe)
    own = by_activation.iloc[:, 2].to_numpy()
    assert own[0] == 0.0 and np.all(own[1:] > 0) and np.all(by_activation.iloc[:, 1] > 0)
    assert np.all(per_param.iloc[:, 3] == 0.0) and per_param.iloc[0, 2] > 0  # own blocks 0, ∂G/∂W1 not
    np.testing.assert_allclose(per_param.iloc[:, 2], [np.abs(g).max() for g in ng.double_backprop(config, x).grad_G])


def test_page_in_korean(app_page):
    at = app_page("network_gradients", {"lang": "한국어"})
    assert not at.exception
    assert at.title[0].value == "신경망 기울기와 이중 역전파"
    assert any("조각별 선형" in i.value for i in at.info)
    assert "일치합니다" in at.success[0].value


def job(at):
    """The status of the page's training job."""
    return live_pages.job(at, "ng_train")


def test_page_live_training_stops_and_continues(app_page):
    at = app_page("network_gradients", {"ng_steps": "3000", "ng_width": "4"})
    live_pages.start(at, "ng_train")
    assert 0 < job(at).snapshot.step < job(at).snapshot.total and job(at).snapshot.error is None
    first, job_id = job(at).snapshot.step, job(at).job_id
    live_pages.run_until(at, lambda: job(at).snapshot.step > first)  # the same model keeps training across reruns
    assert job(at).job_id == job_id
    live_pages.stop(at, "ng_train")
    stopped = job(at).snapshot.step
    at.run()
    assert job(at).snapshot.step == stopped and not at.button(key="ng_train_continue").disabled
    at.button(key="ng_train_continue").click().run()
    live_pages.run_until(at, lambda: job(at).snapshot.step > stopped)
    assert not at.exception and len(at.dataframe) == 2


def test_page_live_panel_shows_each_runs_latest_numbers(app_page):
    at = app_page("network_gradients", {"ng_steps": "100", "ng_width": "4"})
    drawn = len(at.get("vega_lite_chart"))  # the field, 3 + 3 layer heatmaps, the flat vector
    assert drawn == 8
    live_pages.start(at, "ng_train")
    live_pages.run_until(at, lambda: job(at).state == "done")
    assert not at.exception and len(at.get("vega_lite_chart")) == drawn + 5  # 2 maps per run, the norms
    latest = ng.latest_numbers(job(at).snapshot.history)
    captions = " ".join(c.value for c in at.caption)
    for run in ng.RUNS:
        assert f"loss {latest[run].loss:.4f} · mean ‖∇ₓf‖ on the data {latest[run].norm:.3f}" in captions


def test_page_diverging_learning_rate_shows_a_clear_error(app_page):
    at = app_page("network_gradients", {"ng_act": "sine", "ng_lr": "1000", "ng_lambda": "0.1"})
    at.button(key="ng_train_start").click().run()
    live_pages.run_until(at, lambda: job(at).state == "failed")
    assert not at.exception
    assert any("NaN" in e.value for e in at.error)
    assert job(at).snapshot.error == "common.train_diverged" and at.button(key="ng_train_continue").disabled


def test_page_steps_through_double_backprop(app_page):
    at = app_page("network_gradients", {"ng_pass": "∇θG"})
    assert not at.exception
    config = ng.NetConfig(at.slider(key="ng_width").value, at.slider(key="ng_depth").value, "tanh", 0)
    x = (at.slider(key="ng_x1").value, at.slider(key="ng_x2").value)
    trace = ng.double_backprop_trace(config, x)
    assert at.slider(key="ng_bw_step").max == len(trace.steps) - 1
    np.testing.assert_allclose(trace.grads[0], ng.double_backprop(config, x).grad_G[0], rtol=0, atol=0)
    created = next(k for k, s in enumerate(trace.steps) if s.created_by_backward)
    at.slider(key="ng_bw_step").set_value(created).run()
    assert any("create_graph=True" in e.value for e in at.caption)
    at.button(key="ng_bw_next").click().run()
    assert at.slider(key="ng_bw_step").value == created + 1
