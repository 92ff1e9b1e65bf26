"""core.graph: the DOT text follows grad_fn.next_functions, styles node kinds, and truncates."""
import torch

from core.graph import BRANCH_FILLS, SHARED_FILL, STYLE, graph_nodes, node_saved_tensors, to_dot


def test_forward_graph_lists_operations_leaves_and_saved_tensors():
    x = torch.tensor(2.0, requires_grad=True)
    y = torch.sin(x) * x
    dot = to_dot({"y": y}, {"x": x}).dot
    assert "MulBackward0" in dot and "SinBackward0" in dot
    assert 'label="x' in dot and STYLE["leaf"] in dot
    assert STYLE["saved"] in dot
    assert dot.count("->") >= 4


def test_nodes_created_by_create_graph_backward_are_marked():
    x = torch.tensor(1.5, requires_grad=True)
    y = x ** 3
    forward = graph_nodes(y)
    (dy,) = torch.autograd.grad(y, x, create_graph=True)
    assert STYLE["created"] in to_dot({"dy": dy}, {"x": x}, forward).dot
    assert STYLE["created"] not in to_dot({"y": y}, {"x": x}, forward).dot
    assert "created" in to_dot({"dy": dy}, {"x": x}, forward).kinds
    assert to_dot({"y": y}, {"x": x}, forward).kinds == {"output", "function", "leaf", "saved"}


def test_two_outputs_tint_shared_and_branch_nodes():
    x = torch.randn(3)
    w = torch.randn(3, requires_grad=True)
    trunk = torch.tanh(w * x)
    a, b = trunk.sum(), (trunk ** 2).sum()
    dot = to_dot({"a": a, "b": b}).dot
    assert SHARED_FILL in dot  # the shared trunk
    assert BRANCH_FILLS[0] in dot and BRANCH_FILLS[1] in dot  # one colour per branch
    assert {"branch", "shared", "leaf"} <= to_dot({"a": a, "b": b}, {"w": w}).kinds  # so the legend explains them


def test_large_graphs_are_truncated_with_a_note():
    x = torch.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100):
        y = torch.sin(y)
    graph = to_dot({"y": y}, max_nodes=20)
    assert graph.truncated and graph.total_nodes > 100 and graph.shown_nodes == 20
    assert "more nodes not drawn" in graph.dot


def test_saved_tensors_are_readable_until_backward_frees_them():
    w = torch.randn(4, 4, requires_grad=True)
    y = torch.tanh(torch.randn(8, 4) @ w).sum()
    node = y.grad_fn.next_functions[0][0]  # TanhBackward0 saves its result
    [(_, saved)] = node_saved_tensors(node)
    assert isinstance(saved, torch.Tensor) and saved.shape == (8, 4)
    y.backward()
    assert node_saved_tensors(node) == [("result", "freed")]
    assert "freed" in to_dot({"y": y}).dot


def test_saved_tensor_changed_in_place_is_labelled_as_such_not_freed():
    w = torch.randn(3, requires_grad=True)
    y = (w ** 2).sum()  # PowBackward0 saves w itself
    with torch.no_grad():
        w.add_(1.0)
    dot = to_dot({"y": y}).dot
    assert "modified in place" in dot and "freed" not in dot
