"""MAML page: meta-gradients against independent references, training, and the page through AppTest."""
from __future__ import annotations

import copy
import math
import time
import warnings
from dataclasses import asdict, replace

import numpy as np
import pyarrow
import pytest
import torch

import live_pages
from core import maml
from core.checks import to_numpy
from core.graph import STYLE, graph_nodes
from core.jobs import JobStatus
from core.maml import MetaConfig
from references import central_difference, unflatten
from ui import live as ui_live


def tiny_setup(second_order=True, inner_steps=2, hidden=4, dtype=torch.float64, seed=0):
    """A small float64 net and a meta-batch of tasks, for exact comparisons."""
    torch.manual_seed(seed)
    model = maml.make_model(hidden).to(dtype)
    with torch.no_grad():  # a generic point: zero second-layer biases put points exactly on a ReLU kink
        for layer in model[::2]:
            layer.bias.add_(0.1 * torch.randn_like(layer.bias))
    tasks = maml.sample_tasks(3, 5, torch.Generator().manual_seed(seed), dtype=dtype)
    config = MetaConfig(hidden=hidden, inner_steps=inner_steps, second_order=second_order, inner_lr=0.05, meta_batch=3)
    return model, tasks, config


@pytest.mark.parametrize("second_order", [True, False])
@pytest.mark.parametrize("inner_steps", [1, 3])
def test_batched_meta_gradient_matches_loop(second_order, inner_steps):
    model = maml.make_model(seed=1)
    tasks = maml.sample_tasks(25, 10, torch.Generator().manual_seed(1))
    config = MetaConfig(second_order=second_order, inner_steps=inner_steps)
    loss_b, grads_b = maml.meta_gradient(model, tasks, config, batched=True)
    loss_l, grads_l = maml.meta_gradient(model, tasks, config, batched=False)
    batched, loop = to_numpy(grads_b), to_numpy(grads_l)
    assert loss_b == pytest.approx(loss_l, rel=1e-5)
    assert np.linalg.norm(batched - loop) / np.linalg.norm(loop) < 1e-5


def test_second_order_meta_gradient_matches_finite_differences():
    model, tasks, config = tiny_setup(second_order=True)
    params = dict(model.named_parameters())
    _, grads = maml.meta_gradient(model, tasks, config)
    analytic = to_numpy(grads)

    def loss_at(vector):
        weights = {name: w.requires_grad_() for name, w in unflatten(vector, params).items()}
        return maml.meta_loss(model, weights, tasks, config).item()

    numeric = to_numpy(central_difference(loss_at, torch.from_numpy(to_numpy(list(params.values())))))
    error = np.linalg.norm(analytic - numeric) / np.linalg.norm(numeric)
    assert error < 1e-6
    # The first-order gradient misses the second-order term: it is measurably off the true derivative.
    first = to_numpy(maml.meta_gradient(model, tasks, replace(config, second_order=False))[1])
    assert np.linalg.norm(first - numeric) / np.linalg.norm(numeric) > 100 * error


def test_second_order_meta_gradient_passes_gradcheck():
    model, tasks, config = tiny_setup(second_order=True, inner_steps=1)
    names = [name for name, _ in model.named_parameters()]
    inputs = tuple(p.detach().clone().requires_grad_() for p in model.parameters())
    assert torch.autograd.gradcheck(lambda *w: maml.meta_loss(model, dict(zip(names, w)), tasks, config), inputs)


@pytest.mark.parametrize("second_order", [True, False])
def test_meta_gradient_matches_torch_func_reference(second_order):
    model, tasks, config = tiny_setup(second_order=second_order, hidden=40, dtype=torch.float32)
    batched = to_numpy(maml.meta_gradient(model, tasks, config)[1])
    reference = to_numpy(maml.reference_meta_gradient(model, tasks, config))
    assert np.linalg.norm(batched - reference) / np.linalg.norm(reference) < 1e-5


def test_first_order_meta_gradient_is_the_query_gradient_at_the_adapted_weights():
    model, tasks, config = tiny_setup()
    first = to_numpy(maml.meta_gradient(model, tasks, replace(config, second_order=False))[1])
    # First-order MAML treats the inner steps as constants: per task, plain SGD on the support set, then the
    # query-loss gradient at the adapted weights, as if it were the gradient at the initial ones; mean over tasks.
    expected = np.zeros_like(first)
    for i in range(len(tasks.x_support)):
        net = copy.deepcopy(model)
        sgd = torch.optim.SGD(net.parameters(), lr=config.inner_lr)
        for _ in range(config.inner_steps):
            sgd.zero_grad()
            torch.nn.functional.mse_loss(net(tasks.x_support[i]), tasks.y_support[i]).backward()
            sgd.step()
        query = torch.nn.functional.mse_loss(net(tasks.x_query[i]), tasks.y_query[i])
        expected += to_numpy(list(torch.autograd.grad(query, list(net.parameters())))) / len(tasks.x_support)
    np.testing.assert_allclose(first, expected, rtol=1e-10, atol=1e-12)
    second = to_numpy(maml.meta_gradient(model, tasks, config)[1])
    assert not np.allclose(first, second, rtol=1e-3)


def test_forgotten_create_graph_is_first_order_maml():
    model, tasks, config = tiny_setup()
    pitfall = maml.create_graph_pitfall(model, tasks, config)
    first = to_numpy(maml.meta_gradient(model, tasks, replace(config, second_order=False))[1])
    assert not pitfall.raised
    np.testing.assert_allclose(pitfall.value, first, rtol=1e-10, atol=1e-12)
    assert pitfall.details["vs_first_abs"] < 1e-12 and pitfall.details["vs_second_rel"] > 1e-3


def test_gradient_agreement_matches_reference_gradients():
    model, tasks, config = tiny_setup(hidden=40, dtype=torch.float32)
    cosine, relative = maml.gradient_agreement(model, tasks, config)
    second = to_numpy(maml.reference_meta_gradient(model, tasks, config))
    first = to_numpy(maml.reference_meta_gradient(model, tasks, replace(config, second_order=False)))
    assert cosine == pytest.approx(second @ first / (np.linalg.norm(second) * np.linalg.norm(first)), abs=1e-5)
    assert relative == pytest.approx(np.linalg.norm(second - first) / np.linalg.norm(second), rel=1e-4)


def test_adaptation_mse_matches_plain_sgd():
    model = maml.make_model(seed=2)
    tasks = maml.held_out_tasks(4, 10, seed=3)
    mse = maml.adaptation_mse(model, tasks, inner_lr=0.02, steps=5)
    for i in range(4):
        net = copy.deepcopy(model)
        sgd = torch.optim.SGD(net.parameters(), lr=0.02)
        expected = []
        for step in range(6):
            with torch.no_grad():
                expected.append(torch.nn.functional.mse_loss(net(tasks.x_query[i]), tasks.y_query[i]).item())
            sgd.zero_grad()
            torch.nn.functional.mse_loss(net(tasks.x_support[i]), tasks.y_support[i]).backward()
            sgd.step()
        np.testing.assert_allclose(mse[i], expected, rtol=1e-5)


def test_sampled_tasks_follow_the_sinusoid_distribution():
    tasks = maml.sample_tasks(500, 10, torch.Generator().manual_seed(0))
    assert tasks.amplitude.min() >= 0.1 and tasks.amplitude.max() <= 5.0
    assert tasks.phase.min() >= 0 and tasks.phase.max() <= math.pi
    assert tasks.x_support.abs().max() <= 5 and tasks.x_query.shape == (500, 10, 1)
    expected = tasks.amplitude[:, None, None] * torch.sin(tasks.x_query - tasks.phase[:, None, None])
    torch.testing.assert_close(tasks.y_query, expected)


def test_task_stream_gives_the_meta_batches_of_one_draw_per_iteration():
    stream = maml.TaskStream(4, 5, torch.Generator().manual_seed(2), chunk=3)
    generator = torch.Generator().manual_seed(2)
    for _ in range(7):  # across chunk boundaries
        streamed, drawn = stream.next(), maml.sample_tasks(4, 5, generator)
        for name in maml.Tasks.__dataclass_fields__:
            assert torch.equal(getattr(streamed, name), getattr(drawn, name)), name


def test_model_is_seeded_and_matches_a_plain_linear_network():
    model = maml.make_model(40, seed=3)
    again = maml.make_model(40, seed=3)
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), again.parameters()))
    first = model[0]
    bends = -first.bias / first.weight  # where each first-layer unit's ReLU bends
    assert bends.min() >= -5 and bends.max() <= 5 and bends.std() > 2
    assert torch.all(first.bias <= 0)  # the pre-activation at x = 0: every unit is off there
    assert all(not layer.bias.any() for layer in model[2::2])
    # Dense stores (in, out); the same network written with nn.Linear's (out, in) gives the same outputs.
    reference = torch.nn.Sequential(torch.nn.Linear(1, 40), torch.nn.ReLU(), torch.nn.Linear(40, 40), torch.nn.ReLU(),
                                    torch.nn.Linear(40, 1))
    with torch.no_grad():
        for linear, dense in zip(reference[::2], model[::2]):
            linear.weight.copy_(dense.weight.T)
            linear.bias.copy_(dense.bias[0])
    x = torch.linspace(-5, 5, 50).reshape(-1, 1)
    torch.testing.assert_close(model(x), reference(x))
    fast = maml.per_task(dict(model.named_parameters()), 2)
    torch.testing.assert_close(maml.batched_forward(model, fast, x.expand(2, -1, -1)), reference(x).expand(2, -1, -1))


def test_short_training_lowers_held_out_mse():
    config = MetaConfig(iterations=500, compare_every=100, seed=0)
    tasks = maml.held_out_tasks(100, config.k_shot, seed=0)
    before = maml.adaptation_mse(maml.MetaTrainer(config).model, tasks, config.inner_lr).mean(0)
    result = maml.meta_train(config)
    after = maml.adaptation_mse(result.model, tasks, config.inner_lr).mean(0)
    assert result.error is None and len(result.history.loss) == 500
    assert after[1] < 0.7 * before[1] and after[10] < 0.7 * before[10]
    assert np.all(np.diff(result.history.seconds) > 0)
    assert result.agreement.iteration == [100, 200, 300, 400, 500]
    assert all(-1 <= c <= 1 for c in result.agreement.cosine) and all(r >= 0 for r in result.agreement.relative_norm)
    out = result.model(torch.zeros(7, 1))
    assert out.shape == (7, 1)


def test_progress_can_stop_training():
    seen = []
    result = maml.meta_train(MetaConfig(iterations=100), progress=lambda step: seen.append(step) or step < 5)
    assert seen == [1, 2, 3, 4, 5] and len(result.history.loss) == 5


def test_trainer_resumes_where_it_stopped():
    config = MetaConfig(iterations=40, compare_every=0, seed=4)
    whole = maml.meta_train(config)
    trainer = maml.MetaTrainer(config)
    for _ in range(20):
        trainer.train_step()
    trainer.advance(60)
    assert trainer.done and trainer.history.loss == whole.history.loss


DIVERGING = MetaConfig(inner_lr=0.05, inner_steps=5, meta_lr=0.1, iterations=200, compare_every=0)


def test_diverging_settings_stop_with_an_error():
    result = maml.meta_train(DIVERGING)
    assert result.error == "maml.diverged"
    assert len(result.history.loss) < 200 and all(math.isfinite(v) for v in result.history.loss)
    assert all(torch.isfinite(p).all() for p in result.model.parameters())


def test_finite_steps_counts_the_adaptation_steps_before_sgd_blows_up():
    assert maml.finite_steps([1.0, 2.0, 3.0]) == 3
    assert maml.finite_steps([1.0, 2.0, math.inf, 3.0]) == 2
    assert maml.finite_steps([1.0, 2.0, 3.0], [0.1, math.nan, 0.1]) == 1
    # The last finite weights of a diverging run: SGD with α = 0.05 on held-out support sets blows up after a few steps.
    model = maml.meta_train(DIVERGING).model
    mse = maml.adaptation_mse(model, maml.held_out_tasks(100, 10, 0), DIVERGING.inner_lr, steps=10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the inf and NaN steps give no numpy warning
        mean, sem = maml.mean_and_sem(mse)
    finite = maml.finite_steps(mean, sem)
    assert 1 < finite < 11 and np.isfinite(mean[:finite]).all() and not np.isfinite(sem[finite] + mean[finite])


def test_adaptation_curve_is_mean_and_standard_error_cut_where_sgd_blew_up():
    mse = np.array([[1.0, 0.5, 0.2, math.inf], [3.0, 1.5, 0.4, math.inf]])
    curve = maml.adaptation_curve(mse)
    np.testing.assert_allclose(curve.mean, [2.0, 1.0, 0.3])
    np.testing.assert_allclose(curve.sem, np.std(mse[:, :3], axis=0, ddof=1) / math.sqrt(2))
    assert curve.diverged_at == 3 and list(curve.steps) == [0, 1, 2]
    assert maml.adaptation_curve(mse[:, :3]).diverged_at is None


def test_held_out_results_of_weights_match_the_model_they_rebuild():
    config = MetaConfig(seed=5)
    weights = maml.initial_weights(config.hidden, config.seed)
    trainer_weights = maml.MetaTrainer(config).weights()
    assert weights.keys() == trainer_weights.keys() and all(np.array_equal(weights[k], trainer_weights[k]) for k in weights)
    model = maml.make_model(config.hidden, config.seed)
    curve = maml.held_out_mse(weights, 10, 0.02, seed=3, device="cpu", tasks=4, steps=5)
    mse = maml.adaptation_mse(model, maml.held_out_tasks(4, 10, seed=3), 0.02, steps=5)
    np.testing.assert_allclose(curve.mean, mse.mean(0), rtol=1e-6)
    assert curve.diverged_at is None
    task = maml.adapted_task(weights, 10, 0.02, task=7, device="cpu")
    tasks = maml.held_out_tasks(1, 10, seed=7)
    assert task.amplitude == pytest.approx(float(tasks.amplitude[0])) and set(task.curves) == set(maml.SHOWN_STEPS)
    np.testing.assert_allclose(task.truth, task.amplitude * np.sin(task.x - task.phase))
    np.testing.assert_allclose(task.y_support, tasks.y_support[0, :, 0].numpy())
    with torch.no_grad():  # no steps yet: the model itself on the grid
        np.testing.assert_allclose(task.curves[0], model(torch.from_numpy(task.x).float()[:, None])[:, 0].numpy(), rtol=1e-5)
    assert task.diverged_at is None


def test_adapted_task_leaves_out_curves_that_blow_up():
    weights = maml.initial_weights(40, 0)
    task = maml.adapted_task(weights, 10, inner_lr=5.0, task=0, device="cpu")  # SGD with α = 5 blows up at once
    assert 0 in task.curves and task.diverged_at is not None and task.diverged_at not in task.curves
    assert all(np.isfinite(curve).all() for curve in task.curves.values())


def test_compare_methods_shapes_and_shared_start():
    curves = maml.compare_methods(MetaConfig(iterations=20), checkpoints=2, eval_tasks=10, adapt_steps=3)
    assert set(curves) == set(maml.METHODS)
    for curve in curves.values():
        assert curve.iterations == [0, 10, 20] and len(curve.mse) == 3 and len(curve.final.mean) == 4
        assert curve.seconds[0] == 0 and curve.seconds[-1] > 0 and curve.error is None
        after = curve.after(1)
        np.testing.assert_allclose(after.mse, [row[1] for row in curve.mse])
        assert after.dropped == 0 and not curve.adapt_diverged(1)
    # Same seed, same initial weights: every method starts from the same held-out MSE.
    assert curves["second_order"].mse[0] == curves["first_order"].mse[0] == curves["pretrained"].mse[0]
    # Only the setup, the meta learning rate and the iterations count: the method sets the rest.
    again = maml.method_curve(MetaConfig(iterations=20, second_order=False, compare_every=7).setup, 1e-3, 20, "first_order",
                              checkpoints=2, eval_tasks=10, adapt_steps=3)
    assert again.mse == curves["first_order"].mse


def test_method_curve_leaves_out_checkpoints_where_adapting_blew_up():
    curve = maml.MethodCurve([0, 10, 20], [0.0, 1.0, 2.0], [[1.0, 0.5], [1.0, math.inf], [1.0, 0.2]],
                             maml.adaptation_curve(np.ones((2, 2))))
    after = curve.after(1)
    assert list(after.iterations) == [0, 20] and list(after.seconds) == [0.0, 2.0] and after.dropped == 1
    assert curve.adapt_diverged(1) and not curve.adapt_diverged(0)


def test_meta_config_setup_is_what_runs_share():
    config = MetaConfig(k_shot=5, inner_lr=0.02, inner_steps=2, meta_batch=3, seed=4, meta_lr=0.1, iterations=7)
    assert config.setup == maml.MetaSetup(k_shot=5, inner_lr=0.02, inner_steps=2, meta_batch=3, seed=4)
    assert replace(config, meta_lr=0.2, iterations=9, compare_every=0, second_order=False).setup == config.setup


def test_lesson_checks_the_meta_gradient_on_held_out_tasks():
    setup = maml.MetaSetup(meta_batch=3, inner_steps=2, seed=1)
    weights = maml.initial_weights(setup.hidden, setup.seed)
    for second_order in (True, False):
        result = maml.lesson(weights, setup, second_order)
        model = maml.model_from_weights(weights)
        tasks = maml.sample_tasks(3, 10, torch.Generator().manual_seed(10**9 + 1))
        config = MetaConfig(**asdict(setup), second_order=second_order)
        np.testing.assert_allclose(result.gradient, to_numpy(maml.meta_gradient(model, tasks, config)[1]))
        np.testing.assert_allclose(result.reference, result.gradient, rtol=1e-3, atol=1e-5)
        assert not result.pitfall.raised and result.pitfall.details["vs_first_abs"] < 1e-6


def test_inner_backwards_collects_the_nodes_a_create_graph_backward_made():
    x = torch.linspace(-1, 1, 5, requires_grad=True)
    loss = (torch.sin(x) * x).sum()
    with maml.InnerBackwards() as inner:
        (grad,) = torch.autograd.grad(loss, x, create_graph=True)
    assert inner.created == graph_nodes(grad) - graph_nodes(loss) and inner.created
    with maml.InnerBackwards() as inner:
        torch.autograd.grad((torch.sin(x) * x).sum(), x)
    assert inner.created == set()


def test_meta_graph_marks_create_graph_nodes():
    (second, created), (first, none) = (maml.meta_graph(second_order, seed=0) for second_order in (True, False))
    red = STYLE["created"]
    assert second.dot.count(red) == created > 0 and red not in first.dot and none == 0
    assert second.total_nodes > first.total_nodes + created  # the support forward pass is in the graph too
    assert not second.truncated


# The page, through AppTest. Jobs train in the background (in-process here); tests rerun until they have.

def start_training(app_page, query=None, at_least=1):
    """Open the page, press Start, and rerun until the job has trained `at_least` iterations."""
    at = app_page("maml", {"maml_iters": "10000", **(query or {})})
    return live_pages.start(at, "maml_live", at_least)


def live(at) -> JobStatus:
    """The status of this (test) browser session's training job."""
    return live_pages.job(at, "maml_live")


def chart_numbers(at) -> np.ndarray:
    """Every number the page handed to its charts."""
    tables = (pyarrow.ipc.open_stream(chart.proto.data.data).read_all().to_pandas() for chart in at.get("vega_lite_chart"))
    return np.concatenate([table.select_dtypes("number").to_numpy().ravel() for table in tables])


def task_caption(at) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Task: A ="))


def test_page_trains_live_and_stop_works(app_page):
    at = start_training(app_page)
    assert not at.exception and not at.error
    step = live(at).snapshot.step
    live_pages.run_until(at, lambda: live(at).snapshot.step > step)  # training goes on between refreshes
    live_pages.stop(at, "maml_live")
    stopped = live(at).snapshot.step
    at.run()
    assert live(at).state == "paused" and live(at).snapshot.step == stopped
    assert task_caption(at)  # the trained model is shown adapting to a held-out task
    assert any("ms per meta-iteration" in c.value for c in at.caption)
    assert at.button(key="maml_live_stop").disabled and not at.button(key="maml_live_continue").disabled


def test_stop_after_continue_stops_again(app_page):
    at = start_training(app_page)
    live_pages.stop(at, "maml_live")
    at.button(key="maml_live_continue").click().run()
    assert live(at).running and not at.button(key="maml_live_stop").disabled
    live_pages.stop(at, "maml_live")
    stopped = live(at).snapshot.step
    time.sleep(1)
    at.run()
    assert live(at).state == "paused" and live(at).snapshot.step == stopped  # one loop, and it is stopped
    assert at.button(key="maml_live_stop").disabled and not at.button(key="maml_live_continue").disabled


def test_reset_during_a_run_leaves_nothing_running(app_page):
    at = start_training(app_page)
    job_id = live(at).job_id
    at.button(key="maml_live_reset").click().run()
    assert live(at) is None and at.button(key="maml_live_stop").disabled and at.button(key="maml_live_continue").disabled
    assert ui_live.service().status(job_id) is None  # nobody watches it: dropped at once
    assert any(c.value == "Press Start to train." for c in at.caption)


def test_a_reload_finds_the_run_again(app_page):
    at = start_training(app_page)
    reloaded = app_page("maml", {"maml_iters": "10000"})  # a new session with the same link
    assert any("A run with exactly these settings is on the server" in i.value for i in reloaded.info)
    live_pages.start(reloaded, "maml_live")
    assert live(reloaded).job_id == live(at).job_id and live(reloaded).watchers == 2


def test_switching_language_keeps_the_trained_model(app_page):
    at = start_training(app_page)
    live_pages.stop(at, "maml_live")
    job_id, step = live(at).job_id, live(at).snapshot.step
    at.selectbox(key="lang").set_value("ko").run()
    assert not at.exception
    assert at.title[0].value == "MAML 메타러닝"
    assert live(at).job_id == job_id and live(at).snapshot.step == step
    assert not any("설정이 바뀌었습니다" in info.value for info in at.info)


def test_changed_settings_say_so_and_keep_the_model(app_page):
    at = start_training(app_page)
    live_pages.stop(at, "maml_live")
    job_id = live(at).job_id
    at.slider(key="maml_batch").set_value(5).run()
    assert any("Settings changed" in info.value for info in at.info) and live(at).job_id == job_id
    assert task_caption(at)  # still the trained model, with the settings it was trained with


def test_held_out_task_redraws(app_page):
    at = start_training(app_page)
    live_pages.stop(at, "maml_live")
    before = task_caption(at)
    at.button(key="maml_redraw").click().run()
    assert not at.exception
    assert at.number_input(key="maml_task").value == 1 and task_caption(at) != before


def test_check_badge_and_pitfall_show_the_lesson(app_page):
    at = app_page("maml")
    assert not at.exception
    assert at.success and "torch.func" in at.success[0].value
    pitfall = next(c.value for c in at.code if "first-order MAML (detached inner gradient)" in c.value)
    first, second = (float(line.rsplit(" ", 1)[1]) for line in pitfall.splitlines())
    assert first < 1e-6 and second > 1e-3  # silently first-order, visibly not second-order


DIVERGING_LINK = {"maml_alpha": "0.05", "maml_steps": "5", "maml_meta_lr": "0.1"}


def test_diverging_settings_stop_with_a_clear_message(app_page):
    at = start_training(app_page, DIVERGING_LINK)
    live_pages.run_until(at, lambda: live(at).state == "failed")
    assert not at.exception
    assert any("NaN" in e.value for e in at.error)
    assert live(at).snapshot.error == "maml.diverged" and at.button(key="maml_live_continue").disabled


def test_adaptation_that_blows_up_is_a_message_not_a_nan_chart(app_page):
    # Seed 28 meta-trains 152 iterations before NaN: its first 100 are finite, but SGD with α = 0.05 from them blows up.
    assert len(maml.meta_train(replace(DIVERGING, seed=28, iterations=400)).history) > 100
    at = app_page("maml", {**DIVERGING_LINK, "maml_iters": "100", "seed": "28"})
    at.button(key="maml_live_start").click().run()
    live_pages.run_until(at, lambda: live(at).state == "done")
    assert not at.exception and live(at).snapshot.error is None
    assert any("diverges on held-out tasks" in w.value for w in at.warning)
    assert np.isfinite(chart_numbers(at)).all()


def test_comparison_with_diverging_settings_draws_finite_charts(app_page):
    at = app_page("maml", {"maml_alpha": "0.05", "maml_steps": "5", "maml_meta_lr": "0.1", "maml_compare_iters": "100"})
    at.toggle(key="maml_compare").set_value(True).run()
    assert not at.exception
    warnings_shown = [w.value for w in at.warning]
    assert any("diverged with these settings" in w for w in warnings_shown)
    assert any("diverges on held-out tasks" in w for w in warnings_shown)
    assert np.isfinite(chart_numbers(at)).all()


def test_comparison_runs_on_the_page(app_page):
    at = app_page("maml", {"maml_compare_iters": "100"})
    at.toggle(key="maml_compare").set_value(True).run()
    assert not at.exception and not at.warning
    assert any("pretrained baseline" in c.value for c in at.caption)
    at.run()  # a rerun, and another session by link, take the cached runs: replaying them must not fail
    shared = app_page("maml", {"maml_compare_iters": "100", "maml_compare": "true"})
    assert not at.exception and not shared.exception
    assert len(shared.get("vega_lite_chart")) == len(at.get("vega_lite_chart")) > 0


def test_create_graph_switch_trains_first_order_and_redraws_the_graph(app_page):
    at = app_page("maml")
    red = STYLE["created"]
    assert red in at.get("graphviz_chart")[0].proto.spec  # second order: the inner backward is in the graph
    at.toggle(key="maml_create_graph").set_value(False).run()
    live_pages.start(at, "maml_live")
    assert not at.exception
    assert live(at).config.second_order is False and live(at).snapshot.step > 0
    assert red not in at.get("graphviz_chart")[0].proto.spec
