"""Page 6 (multiple backwards): core scenarios against independent references, and the page in both languages."""
from __future__ import annotations

import re
import sys
import threading
import weakref

import numpy as np
import pytest
import torch

from core import multi_backward as mb
from core.devices import available_devices
from core.graph import BRANCH_FILLS, SHARED_FILL
from ui.i18n import translate

DEVICES = [d.name for d in available_devices()]
SETUPS = [mb.Setup(), mb.Setup(x1=-1.3, x2=0.7, depth=3, seed=5), mb.Setup(depth=2, input_requires_grad=True, seed=2)]


def finite_difference_grads(setup: mb.Setup, head: int, h: float = 1e-6) -> dict:
    """d loss_head / d parameter by float64 central differences, with autograd off."""
    model, x = mb.build(setup, "cpu")
    grads = {}
    with torch.no_grad():
        for name, p in model.named_parameters():
            g = np.zeros(tuple(p.shape))
            for index in np.ndindex(g.shape):
                old = p[index].item()
                p[index] = old + h
                plus = mb.losses(model, x)[head].item()
                p[index] = old - h
                minus = mb.losses(model, x)[head].item()
                p[index] = old
                g[index] = (plus - minus) / (2 * h)
            grads[name] = g
    return grads


def assert_grads_close(actual: dict, expected: dict, tol: float = 1e-10) -> None:
    assert actual.keys() == expected.keys()
    for name in expected:
        np.testing.assert_allclose(actual[name], expected[name], rtol=tol, atol=tol, err_msg=name)


def added(a: dict, b: dict) -> dict:
    return {n: a[n] + b[n] for n in a}


def trunk_names(setup: mb.Setup) -> set:
    return {n for n, _ in mb.build(setup)[0].named_parameters() if n.startswith("trunk.")}


def hook_counts(setup: mb.Setup, retain: bool) -> list[tuple[int, int]]:
    """(count, bytes) of saved tensors alive after forward, loss1.backward, loss2.backward, via saved_tensors_hooks."""
    model, x = mb.build(setup, "cpu")
    boxes = []

    class Box:
        def __init__(self, tensor):
            self.tensor, self.nbytes = tensor, tensor.element_size() * tensor.nelement()

    def pack(tensor):
        box = Box(tensor)
        boxes.append(weakref.ref(box))
        return box

    def alive():
        live = [ref() for ref in boxes if ref() is not None]
        return len(live), sum(b.nbytes for b in live)

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda box: box.tensor):
        _, loss1, loss2 = mb.losses(model, x)
    counts = [alive()]
    loss1.backward(retain_graph=retain)
    counts.append(alive())
    try:
        loss2.backward()
    except RuntimeError:
        pass
    counts.append(alive())
    return counts


@pytest.mark.parametrize("setup", SETUPS)
def test_reference_grads_match_finite_differences(setup):
    g1, g2 = mb.reference_grads(setup)
    assert_grads_close(g1, finite_difference_grads(setup, 1), tol=1e-7)
    assert_grads_close(g2, finite_difference_grads(setup, 2), tol=1e-7)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("setup", SETUPS)
def test_retain_graph_gives_the_sum(setup, device):
    g1, g2 = mb.reference_grads(setup, "cpu")
    scenario = mb.retain_then_second(setup, device)
    assert not scenario.outcome.raised
    forward, first, second = scenario.steps
    assert_grads_close(first.grads, g1)
    assert_grads_close(second.grads, added(g1, g2))
    trunk = trunk_names(setup)
    assert set(first.accumulated) == trunk | {"head1.weight", "head1.bias"}
    assert set(second.accumulated) == trunk | {"head2.weight", "head2.bias"}
    assert not np.allclose(mb.trunk_vector(first.grads), mb.trunk_vector(second.grads))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("setup", SETUPS)
def test_second_backward_without_retain_graph_raises(setup, device):
    scenario = mb.without_retain(setup, device)
    assert scenario.outcome.raised and scenario.outcome.exception_type == "RuntimeError"
    assert "backward through the graph a second time" in scenario.outcome.message
    assert scenario.steps[-1].error == "RuntimeError"
    assert_grads_close(scenario.steps[1].grads, mb.reference_grads(setup)[0])
    # The failure happens at the trunk's freed node, so no trunk .grad can have been written by it.
    assert not set(scenario.steps[-1].accumulated) & trunk_names(setup)


@pytest.mark.parametrize("setup", SETUPS)
@pytest.mark.parametrize("retain", [True, False])
def test_memory_counts_match_saved_tensor_hooks(setup, retain):
    scenario = mb.retain_then_second(setup) if retain else mb.without_retain(setup)
    assert [(s.saved_count, s.saved_bytes) for s in scenario.steps] == hook_counts(setup, retain)
    forward, first, last = scenario.steps
    assert (first.saved_count == forward.saved_count) == retain
    assert forward.saved_bytes > 0
    # retain: head 1's tensors outlive the second backward; without: the failed one freed head 2's on its way.
    assert (last.saved_count > 0) == retain


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("input_requires_grad", [False, True])
def test_step_between_raises_unless_the_trunk_is_one_linear_on_a_plain_input(depth, input_requires_grad, device):
    setup = mb.Setup(depth=depth, input_requires_grad=input_requires_grad, seed=3)
    result = mb.step_between(setup, device, lr=0.2)
    outcome = result.scenario.outcome
    should_raise = depth > 1 or input_requires_grad
    assert outcome.raised == should_raise
    versions = {v.name: v for v in result.versions}
    g1, _ = mb.reference_grads(setup)
    for name, v in versions.items():  # SGD updates, in place, exactly the parameters that have a .grad
        assert v.after == v.before + (1 if name in trunk_names(setup) or name.startswith("head1.") else 0)
    assert result.scenario.steps[2].saved_count == result.scenario.steps[1].saved_count  # a step frees nothing
    culprits = [v for v in result.versions if v.saved_for_loss2 and v.after != v.before]
    assert bool(culprits) == should_raise and result.culprits == tuple(culprits)
    if should_raise:
        assert outcome.exception_type == "RuntimeError"
        assert "modified by an inplace operation" in outcome.message
        assert result.message_versions == (culprits[0].after, culprits[0].before) == result.reported_versions
        shape = tuple(int(s) for s in re.search(r"Tensor \[([\d, ]+)\]\]", outcome.message)[1].split(","))
        # The graph saved W.t(), so the message shows the weight's shape transposed.
        assert shape in {tuple(reversed(g1[c.name].shape)) for c in culprits}
        assert result.g2_stale is None
    else:
        assert result.message_versions is None


@pytest.mark.parametrize("device", DEVICES)
def test_one_linear_trunk_uses_stale_activations(device):
    setup, lr = mb.Setup(x1=0.8, x2=-0.4, depth=1, seed=7), 0.3
    result = mb.step_between(setup, device, lr=lr)
    model, x = mb.build(setup)
    w, b = (p.detach().numpy() for p in model.trunk[0].parameters())
    g1_old, g2_old = mb.reference_grads(setup)
    g2_new = mb.reference_grads(setup, lr=lr)[1]
    xv = np.array([setup.x1, setup.x2])
    np.testing.assert_allclose(result.h_stale.ravel(), w @ xv + b, rtol=1e-12)
    w1, b1 = w - lr * g1_old["trunk.0.weight"], b - lr * g1_old["trunk.0.bias"]
    np.testing.assert_allclose(result.h_fresh.ravel(), w1 @ xv + b1, rtol=1e-12)
    assert_grads_close(result.g2_stale, g2_old)  # the gradient at the old weights, though they moved
    assert_grads_close(result.g2_fresh, g2_new)
    assert np.abs(mb.trunk_vector(result.g2_stale) - mb.trunk_vector(result.g2_fresh)).max() > 1e-3
    assert abs(result.loss2_stale - result.loss2_fresh) > 1e-4
    # .grad still holds g1 after it was applied: the next step would apply it again.
    assert_grads_close(result.scenario.steps[-1].grads, added(g1_old, g2_old))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("setup", SETUPS)
def test_alternatives_agree_with_each_other_and_the_reference(setup, device):
    g1, g2 = mb.reference_grads(setup)
    results = mb.alternatives(setup, device)
    assert len(results) == 3
    for code, scenario in results.items():
        assert not scenario.outcome.raised, code
        assert_grads_close(scenario.steps[-1].grads, added(g1, g2))
        assert scenario.steps[-1].saved_count == 0
    first, *others = (mb.trunk_vector(s.steps[-1].grads) for s in results.values())
    for other in others:
        np.testing.assert_allclose(other, first, rtol=1e-12, atol=1e-14)


def test_graphs_tint_the_trunk_and_the_branches_and_show_freed_tensors():
    before, after = mb.graphs(mb.Setup(depth=2))
    for graph in (before, after):
        assert SHARED_FILL in graph.dot and BRANCH_FILLS[0] in graph.dot and BRANCH_FILLS[1] in graph.dot
        assert "loss1" in graph.dot and "loss2" in graph.dot
    assert "freed" not in before.dot
    assert "freed" in after.dot


def test_build_is_seeded_and_leaves_the_global_generator_alone():
    state = torch.random.get_rng_state()
    a, _ = mb.build(mb.Setup(seed=1))
    b, _ = mb.build(mb.Setup(seed=1))
    c, _ = mb.build(mb.Setup(seed=2))
    assert torch.equal(torch.random.get_rng_state(), state)
    assert torch.equal(a.trunk[0].weight, b.trunk[0].weight)
    assert not torch.equal(a.trunk[0].weight, c.trunk[0].weight)



def test_build_gives_pytorchs_default_initialisation_for_the_seed():
    for depth, seed in ((1, 0), (4, 11)):
        model, _ = mb.build(mb.Setup(depth=depth, seed=seed))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            reference = mb.TwoHeads(depth).double()  # nn.Linear's own init from the global generator
        for (name, mine), theirs in zip(model.named_parameters(), reference.parameters()):
            assert torch.equal(mine, theirs), name


def parameters(setup: mb.Setup) -> list[torch.Tensor]:
    return [p.detach().clone() for p in mb.build(setup)[0].parameters()]


def test_concurrent_sessions_each_get_their_own_seeds_weights():
    """Sessions are threads sharing one cache: a build must not draw from a generator another thread reseeds."""
    setups = [mb.Setup(depth=4, seed=1), mb.Setup(depth=4, seed=2)]
    alone = [parameters(setup) for setup in setups]
    barrier, rounds = threading.Barrier(len(setups)), 500
    results = [[] for _ in setups]

    def session(index: int) -> None:
        for _ in range(rounds):
            barrier.wait()  # both builds start together, every round
            results[index].append(parameters(setups[index]))

    threads = [threading.Thread(target=session, args=(i,)) for i in range(len(setups))]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so that builds really interleave
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    for expected, got in zip(alone, results):
        assert len(got) == rounds
        assert all(all(torch.equal(a, b) for a, b in zip(expected, run)) for run in got)


@pytest.mark.parametrize("setup", SETUPS)
def test_retain_check_expects_g1_then_the_sum_by_finite_differences(setup):
    actual, expected = mb.retain_check(mb.retain_then_second(setup), mb.reference_grads(setup))
    np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-12)
    g1, g2 = finite_difference_grads(setup, 1), finite_difference_grads(setup, 2)
    by_differences = np.concatenate([mb.trunk_vector(g1), mb.trunk_vector(added(g1, g2))])
    np.testing.assert_allclose(expected, by_differences, rtol=1e-7, atol=1e-7)
    assert mb.trunk_norm(g1) == pytest.approx(np.linalg.norm(by_differences[: len(by_differences) // 2]))


def test_step_check_compares_stale_and_fresh_g2_with_the_old_and_stepped_weights():
    setup, lr = mb.Setup(x1=0.8, x2=-0.4, seed=7), 0.3
    result = mb.step_between(setup, lr=lr)
    actual, expected = mb.step_check(result, mb.reference_grads(setup), mb.reference_grads(setup, lr=lr))
    np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-12)
    half = len(expected) // 2
    assert np.abs(expected[:half] - expected[half:]).max() > 1e-3  # the two references really differ


@pytest.mark.parametrize("setup", SETUPS)
def test_alternatives_rows_and_check(setup):
    methods = mb.alternatives(setup)
    rows = mb.alternative_rows(methods)
    g1, g2 = finite_difference_grads(setup, 1), finite_difference_grads(setup, 2)
    assert rows["method"] == list(methods)
    np.testing.assert_allclose(rows["trunk_norm"], np.linalg.norm(mb.trunk_vector(added(g1, g2))), rtol=1e-7)
    assert rows["diff"][0] == 0.0 and max(rows["diff"]) < 1e-12
    assert rows["saved_end"] == [0, 0, 0] and min(rows["peak"]) > 0
    actual, expected = mb.alternatives_check(methods, mb.reference_grads(setup))
    np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(expected, np.tile(mb.trunk_vector(added(g1, g2)), 3), rtol=1e-7, atol=1e-7)


def test_first_layer_lists_every_entry_of_every_series():
    g1, g2 = mb.reference_grads(mb.Setup(depth=2))
    columns = mb.first_layer({"one": g1, "two": g2})
    labels = mb.entry_labels(g1)
    assert len(labels) == mb.WIDTH * 2 + mb.WIDTH and columns["entry"] == labels * 2
    assert columns["series"] == ["one"] * len(labels) + ["two"] * len(labels)
    assert columns["value"][labels.index("W₀[2,1]")] == g1["trunk.0.weight"][2, 1]
    assert columns["value"][len(labels) + labels.index("b₀[1]")] == g2["trunk.0.bias"][1]


def test_memory_rows_follow_each_scenarios_steps():
    setup = mb.Setup()
    scenarios = {"kept": mb.retain_then_second(setup), "freed": mb.without_retain(setup)}
    rows = mb.memory_rows(scenarios)
    assert rows["scenario"] == ["kept"] * 3 + ["freed"] * 3 and rows["step"] == [0, 1, 2] * 2
    assert rows["bytes"] == [s.saved_bytes for scenario in scenarios.values() for s in scenario.steps]
    assert rows["line"][1] == "1. loss1.backward(retain_graph=True)"

def page_text(at) -> str:
    """Every markdown, caption, code block and alert on the page, one per line."""
    kinds = (at.markdown, at.caption, at.code, at.error, at.warning, at.info, at.success)
    return "\n".join(element.value for kind in kinds for element in kind)


def test_page_runs_every_scenario_in_english(app_page):
    at = app_page("multi_backward")
    assert not at.exception
    text = page_text(at)
    setup = mb.Setup()
    assert mb.without_retain(setup).outcome.message in text
    assert "modified by an inplace operation" not in text  # the original one-Linear trunk does not raise
    assert translate("multi_backward.s3_silent", "en") in text
    assert len(at.success) == 3 and not at.error  # scenario 1, scenario 3's stale gradient, scenario 4
    expected = [np.linalg.norm(mb.trunk_vector(s.grads)) for s in mb.retain_then_second(setup).steps]
    norms = at.dataframe[0].value[translate("multi_backward.col_trunk_norm", "en")]
    np.testing.assert_allclose(norms, expected, rtol=1e-12)
    graphs = at.get("graphviz_chart")
    assert len(graphs) == 3 and SHARED_FILL in graphs[0].proto.spec and "freed" in graphs[1].proto.spec
    assert "digraph backward" in graphs[2].proto.spec  # the backward stepper's picture


def test_page_runs_every_scenario_in_korean(app_page):
    at = app_page("multi_backward")
    at.selectbox(key="lang").set_value("ko").run()
    assert not at.exception
    assert at.title[0].value == translate("multi_backward.title", "ko")
    text = page_text(at)
    for key in ("s1_explain", "s2_pitfall", "s3_silent", "s4_notes", "memory_notes"):
        assert translate(f"multi_backward.{key}", "ko") in text
    assert "backward through the graph a second time" in text  # PyTorch's own message, not translated
    assert len(at.success) == 3 and not at.error


def test_depth_decides_whether_scenario_three_raises(app_page):
    at = app_page("multi_backward", {"mb_depth": "2", "mb_lr": "0.3"})
    assert not at.exception
    result = mb.step_between(mb.Setup(depth=2), lr=0.3)
    culprit = next(v for v in result.versions if v.saved_for_loss2 and v.after != v.before)
    text = page_text(at)
    assert result.scenario.outcome.message in text
    is_at, expected = result.message_versions
    assert translate("multi_backward.s3_raised", "en", names=culprit.name, before=culprit.before, after=culprit.after,
                     is_at=is_at, expected=expected) in text
    assert len(at.success) == 2  # scenario 3 now shows the error instead of the stale-gradient check
    at.slider(key="mb_depth").set_value(1).run()
    assert "modified by an inplace operation" not in page_text(at)
    assert len(at.success) == 3


def test_input_that_requires_grad_makes_the_one_linear_trunk_raise(app_page):
    at = app_page("multi_backward")
    at.toggle(key="mb_xgrad").set_value(True).run()
    assert not at.exception
    assert mb.step_between(mb.Setup(input_requires_grad=True)).scenario.outcome.message in page_text(at)


def test_input_slider_changes_the_numbers(app_page):
    at = app_page("multi_backward")
    column = translate("multi_backward.col_trunk_norm", "en")
    before = at.dataframe[0].value[column].to_numpy()
    at.slider(key="mb_x1").set_value(-1.5).run()
    after = at.dataframe[0].value[column].to_numpy()
    assert not at.exception and not np.allclose(before[1:], after[1:])
    expected = [np.linalg.norm(mb.trunk_vector(s.grads)) for s in mb.retain_then_second(mb.Setup(x1=-1.5)).steps]
    np.testing.assert_allclose(after, expected, rtol=1e-12)


def test_page_steps_to_where_the_heads_add_up_and_to_the_real_errors(app_page):
    at = app_page("multi_backward")
    trace = mb.shared_trunk_trace(mb.Setup())
    summed = next(k for k in range(len(trace.steps)) if len(trace.senders(k)) == 2)
    at.slider(key="mb_bw_step").set_value(summed).run()
    assert not at.exception
    assert any("from 2 nodes arrived" in e.value for e in at.info)
    for which, words in (("freed", "backward through the graph a second time"), ("in_place", "inplace operation")):
        at.radio(key="mb_pass").set_value(which).run()
        last = at.slider(key="mb_bw_step").max
        at.slider(key="mb_bw_step").set_value(last).run()
        assert not at.exception
        assert any("The engine raised here" in e.value for e in at.error)
        assert any(words in c.value for c in at.code)
