"""The backward stepper's trace of PyTorch's real engine: its gradients, order, nodes, captures and errors against
torch.autograd.grad itself and against independent pre-hooks; hooks gone afterwards; the stepper in the page."""
import gc
import pickle

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from core import derivatives, multi_backward as mb, network_gradients as ng
from core.expr import FUNCTIONS, parse
from core.graph import graph_nodes, node_saved_tensors
from core.trace import FULL_SIZE, trace_backward
from test_derivatives import CASES

NETS = [ng.NetConfig(6, 2, "tanh", 3), *(ng.NetConfig(4, 1, a, 1) for a in ng.ACTIVATIONS), ng.NetConfig(3, 3, "relu", 2)]
POINT = (0.5, -0.3)


def engine_order(outputs, inputs=()):
    """The names of the nodes the engine runs, in order, from pre-hooks of the test's own (removed afterwards), and
    "capture k" where a tensor hook sees the gradient of inputs[k] taken."""
    order, handles = [], []
    for node in graph_nodes(*outputs):
        handles.append(node.register_prehook(lambda grads, node=node: order.append(node.name().split("::")[-1])))
    for k, tensor in enumerate(inputs):
        handles.append(tensor.register_hook(lambda grad, k=k: order.append(f"capture {k}")))
    return order, handles


def step_names(trace) -> list[str]:
    """The trace's steps named as engine_order names them."""
    return [f"capture {s.input_index}" if s.captured else s.name for s in trace.steps]


def needed_ids(trace) -> set:
    """Node ids with a path to a captured input (torch.autograd.grad) or every node (backward): from the edges."""
    captures = {s.node_id for s in trace.steps if s.captured}
    if not captures:
        return {n.node_id for n in trace.nodes}
    needed, grew = set(captures), True
    while grew:
        grew = False
        for source, to in trace.edges:
            if to in needed and source not in needed:
                needed.add(source)
                grew = True
    return needed


def assert_trace_is_sound(trace, expected_grads, truth_order, inputs_count):
    """Bit-equal grads, each node once, edges respected, each input's capture carrying exactly its gradient."""
    assert len(trace.grads) == len(expected_grads)
    for got, want in zip(trace.grads, expected_grads):
        assert (got is None) == (want is None)
        if want is not None:
            np.testing.assert_array_equal(got, want.detach().numpy(force=True))
            assert got.dtype == want.detach().numpy(force=True).dtype
    ran = [s for s in trace.steps if not s.captured]
    assert [s.name for s in ran] == truth_order  # the engine's own order, seen by independent pre-hooks
    ids = [s.node_id for s in trace.steps]
    assert len(ids) == len(set(ids)), "a node appears twice"
    position = {node_id: k for k, node_id in enumerate(ids)}
    for source, to in trace.edges:
        if source in position and to in position:
            assert position[source] < position[to], f"{trace.node(to).name} ran before {trace.node(source).name}"
    assert set(ids) == needed_ids(trace)
    captures = [s for s in trace.steps if s.captured]
    assert len(captures) == sum(g is not None for g in expected_grads) <= inputs_count
    for step in captures:
        k = step.input_index
        value = step.grad_outputs[0]
        want = expected_grads[k].detach().numpy(force=True)
        if value.complete:
            np.testing.assert_array_equal(value.values, want)
        else:
            np.testing.assert_array_equal(value.values, want.ravel()[: value.values.size])
            assert value.norm == pytest.approx(np.linalg.norm(want), rel=1e-6)


def traced_pass(expression: str, x: float, order: int):
    """The pass giving f^(order) traced, and the same pass on a fresh identical graph by plain torch.autograd.grad."""
    trace = derivatives.derivative_trace(expression, x, order)
    x_t = torch.tensor(float(x), dtype=torch.float64, requires_grad=True)
    chain = derivatives.derivative_chain(parse(expression), x_t, order - 1)
    if chain[-1].grad_fn is None:
        return trace, None, None
    order_seen, handles = engine_order([chain[-1]])
    expected = torch.autograd.grad(chain[-1], x_t, create_graph=True, allow_unused=True)
    for handle in handles:
        handle.remove()
    return trace, expected, order_seen


@pytest.mark.parametrize("formula, points", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("order", [1, 2])
def test_page_one_expressions_trace_like_the_engine(formula, points, order):
    for x in points:
        trace, expected, truth = traced_pass(formula, x, order)
        if expected is None:
            assert trace is None
            continue
        assert_trace_is_sound(trace, expected, truth, 1)
        assert trace.error == ""


def test_second_pass_marks_the_nodes_the_first_pass_recorded():
    first, second = (derivatives.derivative_trace("sin(x)*exp(x)", 0.4, k) for k in (1, 2))
    assert not any(s.created_by_backward for s in first.steps)
    created = [s.name for s in second.steps if s.created_by_backward]
    assert created and "CosBackward0" in created  # sin's backward multiplies by cos x: recorded by pass one
    x = torch.tensor(0.4, dtype=torch.float64, requires_grad=True)
    f = parse("sin(x)*exp(x)")(x)
    forward = {n.name() for n in graph_nodes(f)}
    (d,) = torch.autograd.grad(f, x, create_graph=True)
    new = [n.name() for n in graph_nodes(d) - graph_nodes(f)]
    assert sorted(n for n in (i.name for i in second.nodes if i.kind == "created")) == sorted(new)
    assert "CosBackward0" not in forward
    assert '#F28482"' in second.dot(0).dot  # drawn red, as core.graph draws created nodes


def test_the_constant_derivative_has_no_pass():
    assert derivatives.derivative_trace("x", 1.0, 2) is None
    assert derivatives.derivative_trace("5", 1.0, 1) is None


UNARY = sorted(FUNCTIONS)


def expressions():
    """Random formulas of page 1's grammar: functions, + - * /, constant powers, x and small numbers."""
    leaf = st.one_of(st.just("x"), st.sampled_from(["2", "0.5", "3", "pi"]))
    return st.recursive(leaf, lambda inner: st.one_of(
        st.builds(lambda f, a: f"{f}({a})", st.sampled_from(UNARY), inner),
        st.builds(lambda a, op, b: f"({a} {op} {b})", inner, st.sampled_from("+-*/"), inner),
        st.builds(lambda a, p: f"({a})**{p}", inner, st.sampled_from(["2", "3", "0.5", "-1"]))), max_leaves=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(), st.floats(0.1, 1.5), st.sampled_from([1, 2]))
def test_random_expressions_trace_like_the_engine(formula, x, order):
    try:
        parse(formula)
    except Exception:  # the parser refusing a formula is tested in test_expr; here only accepted ones count
        assume(False)
    trace, expected, truth = traced_pass(formula, x, order)
    if expected is not None:
        assert_trace_is_sound(trace, expected, truth, 1)


@pytest.mark.parametrize("config", NETS, ids=str)
def test_network_gradient_traces_match_the_engine(config):
    trace = ng.gradient_trace(config, POINT)
    net = ng.make_mlp(config, torch.device("cpu"))
    point = torch.tensor(POINT, dtype=torch.float64, requires_grad=True)
    f = net(point).squeeze()
    inputs = [point, *net.parameters()]
    truth, handles = engine_order([f], inputs)
    expected = torch.autograd.grad(f, inputs)
    for handle in handles:
        handle.remove()
    assert_trace_is_sound(trace, expected, [name for name in truth if not name.startswith("capture")], len(inputs))
    assert step_names(trace) == truth  # each capture where the engine really took it


@pytest.mark.parametrize("config", NETS, ids=str)
def test_double_backprop_traces_match_the_engine(config):
    trace = ng.double_backprop_trace(config, POINT)
    net = ng.make_mlp(config, torch.device("cpu"))
    f = net(torch.tensor(POINT, dtype=torch.float64)).squeeze()
    params = list(net.parameters())
    grads = torch.autograd.grad(f, params, create_graph=True)
    G = sum(g.pow(2).sum() for g in grads)
    truth, handles = engine_order([G])
    expected = torch.autograd.grad(G, params, allow_unused=True)
    for handle in handles:
        handle.remove()
    assert_trace_is_sound(trace, expected, truth, len(params))
    assert any(s.created_by_backward for s in trace.steps)
    np.testing.assert_array_equal(trace.grads[0], ng.double_backprop(config, POINT).grad_G[0])


def test_big_gradients_are_summarised_and_small_ones_kept_whole():
    w = torch.randn(5, 7, dtype=torch.float64, generator=torch.Generator().manual_seed(0), requires_grad=True)
    b = torch.randn(3, dtype=torch.float64, generator=torch.Generator().manual_seed(1), requires_grad=True)
    trace = trace_backward((w.tanh().sum() + (b * b).sum()), [w, b], names={"w": w, "b": b})
    by_leaf = {s.leaf: s.grad_outputs[0] for s in trace.steps if s.captured}
    assert w.numel() > FULL_SIZE and not by_leaf["w"].complete and by_leaf["w"].shape == (5, 7)
    assert by_leaf["w"].norm == pytest.approx(np.linalg.norm(trace.grads[0]), rel=1e-12)
    np.testing.assert_array_equal(by_leaf["b"].values, 2 * b.detach().numpy())


def test_backward_mode_writes_each_leaf_once_with_its_grad():
    setup = mb.Setup(depth=2)
    trace = mb.shared_trunk_trace(setup)
    model, x = mb.build(setup)
    _, loss1, loss2 = mb.losses(model, x)
    truth, handles = engine_order([loss1, loss2])
    torch.autograd.backward([loss1, loss2])
    for handle in handles:
        handle.remove()
    assert [s.name for s in trace.steps] == truth
    written = {s.leaf: s.grad_outputs[0] for s in trace.steps if s.name == "AccumulateGrad"}
    assert set(written) == {n for n, _ in model.named_parameters()}
    for name, p in model.named_parameters():
        value = written[name]
        if value.complete:
            np.testing.assert_array_equal(value.values, p.grad.numpy())
        else:
            assert value.norm == pytest.approx(float(p.grad.norm()), rel=1e-12)
    # The trunk's last node receives both heads' gradients: the step where they add up.
    summed = [k for k, s in enumerate(trace.steps) if len(trace.senders(k)) == 2]
    assert summed and trace.steps[summed[0]].name == "AddmmBackward0"


def raised_at(outputs) -> str:
    """The name of the node the engine was running when it raised, from the test's own pre-hooks."""
    order, handles = engine_order(outputs)
    with pytest.raises(RuntimeError):
        torch.autograd.backward(outputs)
    for handle in handles:
        handle.remove()
    return order


@pytest.mark.parametrize("depth", [1, 3])
def test_second_backward_without_retain_graph_fails_at_the_freed_node(depth):
    setup = mb.Setup(depth=depth)
    trace = mb.freed_trace(setup)
    assert "Trying to backward through the graph a second time" in trace.error
    failed = trace.node(trace.error_node)
    assert trace.steps[-1].raised and trace.steps[-1].node_id == trace.error_node
    model, x = mb.build(setup)
    _, loss1, loss2 = mb.losses(model, x)
    loss1.backward()
    truth = raised_at([loss2])
    assert [s.name for s in trace.steps] == truth  # every node that started, the failing one last
    assert failed.name == truth[-1]
    assert not any(s.raised for s in trace.steps[:-1])


def test_in_place_error_is_reported_at_the_node_that_saved_the_changed_weight():
    setup = mb.Setup(depth=2)
    trace = mb.in_place_trace(setup, lr=0.1)
    assert "modified by an inplace operation" in trace.error
    model, x = mb.build(setup)
    _, loss1, loss2 = mb.losses(model, x)
    loss1.backward(retain_graph=True)
    torch.optim.SGD(model.parameters(), lr=0.1).step()
    truth = raised_at([loss2])
    assert [s.name for s in trace.steps] == truth
    # The failing node is one that holds a tensor changed in place since it was saved.
    nodes = [n for n in graph_nodes(loss2) if n.name() == truth[-1]]
    assert any(any(v == "modified in place" for _, v in node_saved_tensors(n)) for n in nodes)


def test_hooks_are_gone_and_tracing_changes_nothing():
    config = ng.NetConfig(4, 2, "tanh", 0)
    point = torch.tensor(POINT, dtype=torch.float64)

    def train(trace_first: bool):
        net = ng.make_mlp(config, torch.device("cpu"))
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for _ in range(3):
            loss = net(point).pow(2).sum()
            if trace_first:
                first = trace_backward(loss, list(net.parameters()), retain_graph=True)
                again = trace_backward(loss, list(net.parameters()), retain_graph=True)
                assert [s.name for s in first.steps] == [s.name for s in again.steps]
                for a, b in zip(first.grads, again.grads):
                    np.testing.assert_array_equal(a, b)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return [p.detach().clone() for p in net.parameters()]

    for a, b in zip(train(False), train(True)):
        assert torch.equal(a, b)
    gc.collect()
    alive = [o for o in gc.get_objects() if callable(o) and "trace_backward.<locals>" in getattr(o, "__qualname__", "")]
    assert not alive, "a hook of trace_backward is still registered"


def test_trace_is_plain_picklable_data_and_draws_every_step():
    trace = ng.double_backprop_trace(ng.NetConfig(16, 3, "tanh", 0), POINT)
    again = pickle.loads(pickle.dumps(trace))
    assert [s.grad_outputs[0].norm for s in again.steps] == [s.grad_outputs[0].norm for s in trace.steps]
    assert len(trace.nodes) > 80
    picture = trace.dot(len(trace.steps) // 2, max_nodes=80)
    assert picture.truncated and picture.shown_nodes == 80 + len(trace.outputs)
    for index in (0, len(trace.steps) // 2, len(trace.steps) - 1):
        dot = trace.dot(index).dot
        assert dot.count("penwidth=4") == 1  # exactly one running node
        assert dot.startswith("digraph") and dot.endswith("}")


def stepper_text(at) -> str:
    """Everything the page wrote in Markdown, captions, info and errors (where the stepper's panel goes)."""
    return "\n".join(e.value for kind in ("markdown", "caption", "info", "error", "success") for e in getattr(at, kind))


def test_home_stepper_steps_forward_and_back_and_plays(app_page):
    at = app_page("home")
    assert not at.exception
    trace = derivatives.derivative_trace("x**2 + 3*x", 1.0, 1)
    assert at.slider(key="home_bw_step").max == len(trace.steps) - 1
    assert "Step 1 of" in stepper_text(at) and f"`{trace.steps[0].name}`" in stepper_text(at)
    at.button(key="home_bw_next").click().run()
    assert at.slider(key="home_bw_step").value == 1
    assert f"`{trace.steps[1].name}`" in stepper_text(at)
    at.button(key="home_bw_prev").click().run()
    assert at.slider(key="home_bw_step").value == 0
    at.button(key="home_bw_play").click().run()  # each run while playing is one tick of the timer
    assert at.button(key="home_bw_play").label == "⏸ Pause"
    while at.button(key="home_bw_play").label == "⏸ Pause":
        at.run()
        assert at.slider(key="home_bw_step").value <= len(trace.steps) - 1
    assert at.slider(key="home_bw_step").value == len(trace.steps) - 1  # played to the end, then stopped
    assert "x.grad" not in stepper_text(at) and "torch.autograd.grad` takes this as its result for `x`" in stepper_text(at)
    assert "without an error" in stepper_text(at)


def test_home_second_pass_shows_the_created_nodes_in_korean(app_page):
    at = app_page("home", {"lang": "ko", "home_pass": "d²y/dx²"})
    assert not at.exception
    trace = derivatives.derivative_trace("x**2 + 3*x", 1.0, 2)
    assert at.slider(key="home_bw_step").max == len(trace.steps) - 1
    text = stepper_text(at)
    assert "역전파" in text and "Step 1 of" not in text
    assert trace.steps[0].created_by_backward and "create_graph=True` 역전파가 기록한 노드" in text
    charts = [c.proto.spec for c in at.get("graphviz_chart")]
    assert any('#F28482' in spec and "penwidth=4" in spec for spec in charts)


def test_a_shorter_pass_keeps_the_slider_in_range(app_page):
    at = app_page("home", {"home_pass": "d²y/dx²"})
    last = at.slider(key="home_bw_step").max
    at.slider(key="home_bw_step").set_value(last).run()
    at.radio(key="home_pass").set_value(1).run()
    assert not at.exception
    assert at.slider(key="home_bw_step").value == at.slider(key="home_bw_step").max < last


def test_edges_say_which_sent_gradient_travels_along_them():
    x = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    c = torch.tensor(2.0, dtype=torch.float64)  # needs no gradient: the node's first next function is None
    trace = trace_backward(c - 3 * x, x, names={"x": x})
    sub = trace.steps[0]
    assert sub.name == "SubBackward0" and sub.grad_inputs[0] is None
    (slot,) = [s for (source, _), s in zip(trace.edges, trace.edge_slots) if source == sub.node_id]
    assert slot == 1 and sub.grad_inputs[slot].values == -1.0
    assert trace.senders(1) == [(sub.node_id, sub.grad_inputs[1])]
    assert trace.receivers(0) == [(trace.steps[1].node_id, sub.grad_inputs[1])]  # the sent -1, not the unsent None
