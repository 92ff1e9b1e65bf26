"""Record PyTorch's real backward pass node by node: hooks on every autograd Node, in the order the engine ran them."""
from __future__ import annotations

import math
import re
from collections import deque
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import torch

from core.graph import STYLE, DotGraph, header, node_saved_tensors

FULL_SIZE = 16  # gradients with at most this many entries are kept in full; bigger ones are summarised
FEW = 4  # entries a summary keeps
MAX_DRAWN = 80  # nodes one picture of a step draws; a bigger graph is drawn as a window around the running node
STATUS = ("done", "running", "waiting", "idle")  # how a node stands at a step; idle: the pass never runs it
FILLS = {"function": "#D9D9D9", "created": "#F28482", "leaf": "#90BE6D", "input": "#90BE6D"}


@dataclass(frozen=True)
class GradValue:
    """One gradient tensor as plain data: in full when small, else its shape, norm and first few entries."""

    shape: tuple[int, ...]
    norm: float
    values: np.ndarray  # the whole tensor in its shape when `complete`, else the first FEW entries, flattened
    complete: bool

    def text(self) -> str:
        """A short label: the value of a scalar, a few entries of a small tensor, shape and norm otherwise."""
        if self.complete and self.values.size == 1:
            return f"{self.values.item():.4g}"
        if self.complete and self.values.size <= FEW:
            return "[" + ", ".join(f"{v:.3g}" for v in self.values.ravel()) + "]"
        return f"{'×'.join(map(str, self.shape))} ‖·‖={self.norm:.3g}"


def summarise(tensor: torch.Tensor | None) -> GradValue | None:
    """One gradient as a GradValue (None stays None: no gradient flowed there)."""
    if tensor is None:
        return None
    pool = GradPool()
    (index,) = pool.add_all([tensor])
    pool.freeze()
    return pool.value(index)


STACK_ENTRIES = 1 << 22  # entries one stacked copy of big gradients may hold
NUMPY_DTYPES = {torch.float64: np.float64, torch.float32: np.float32}  # kept as is; other dtypes come back as float64


@dataclass(frozen=True)
class NodeInfo:
    """One node of the graph as plain data."""

    node_id: int
    name: str  # e.g. MulBackward0; AccumulateGrad for a leaf; the input's name for a captured non-leaf input
    kind: str  # function, created (recorded by an earlier create_graph=True backward), leaf, input
    leaf: str | None = None  # the leaf or input tensor it stands for


class GradPool:
    """Every gradient of one trace as flat numpy arrays, filled from the tensors the hooks saw in one go after the
    engine's pass (a conversion per tensor would cost more than the pass itself)."""

    def __init__(self):
        self._tensors: list = []

    def add_all(self, tensors) -> tuple[int, ...]:
        """Indices for these tensors (-1 for None), to read them back once frozen."""
        ids = []
        for tensor in tensors:
            if tensor is None:
                ids.append(-1)
            else:
                ids.append(len(self._tensors))
                self._tensors.append(tensor)
        return tuple(ids)

    def freeze(self) -> None:
        """Convert the tensors to numpy: small ones in full, big ones as a norm and their first few entries."""
        tensors, self._tensors = self._tensors, []
        # One attribute read per tensor and per property: at a thousand gradients a trace, the Python calls here
        # cost about as much as the engine's whole pass.
        shapes, torch_dtypes, devices = [t.shape for t in tensors], [t.dtype for t in tensors], [t.device for t in tensors]
        self.shapes = [tuple(shape) for shape in shapes]
        self.dtypes = [NUMPY_DTYPES.get(dtype, np.float64) for dtype in torch_dtypes]
        sizes = [math.prod(shape) for shape in self.shapes]
        self.complete = np.array(sizes, dtype=np.int64) <= FULL_SIZE
        self.counts = np.where(self.complete, sizes, FEW).astype(np.int64)
        self.starts = np.concatenate([[0], np.cumsum(self.counts)[:-1]]).astype(np.int64)
        self.norms = np.zeros(len(tensors))
        groups: dict = {}  # tensors of one shape, dtype and device: one stacked copy converts them all
        for k, key in enumerate(zip(self.shapes, torch_dtypes, devices)):
            groups.setdefault(key, []).append(k)
        flat = np.zeros(int(self.counts.sum()))
        with torch.no_grad():
            for group in groups.values():
                per_chunk = max(1, STACK_ENTRIES // max(1, sizes[group[0]]))  # bounded however big the tensors are
                for start in range(0, len(group), per_chunk):
                    self._convert(tensors, group[start:start + per_chunk], flat)
        self.values = flat
        filled = self.counts > 0  # strictly increasing starts: reduceat sums exactly each tensor's entries
        if filled.any():
            squares = np.add.reduceat(flat * flat, self.starts[filled])
            full = self.complete[filled]
            self.norms[np.flatnonzero(filled)[full]] = np.sqrt(squares[full])

    def _convert(self, tensors: list, members: list, flat: np.ndarray) -> None:
        """Entries (all of small tensors, the first few of big ones) and big ones' norms, from one stacked copy."""
        count = int(self.counts[members[0]])
        if count == 0:
            return
        stacked = torch.stack([tensors[k] for k in members]).reshape(len(members), -1)
        if not self.complete[members[0]]:
            self.norms[members] = torch.linalg.vector_norm(stacked.to(torch.float64), dim=1).cpu().numpy()
        flat[self.starts[members][:, None] + np.arange(count)] = stacked[:, :count].to("cpu", torch.float64).numpy()

    def value(self, index: int) -> GradValue | None:
        """The gradient at `index` (None for -1)."""
        if index < 0:
            return None
        start, count = int(self.starts[index]), int(self.counts[index])
        values = self.values[start:start + count].astype(self.dtypes[index])
        values = values.reshape(self.shapes[index]) if self.complete[index] else values
        return GradValue(self.shapes[index], float(self.norms[index]), values, bool(self.complete[index]))


@dataclass(slots=True)  # not frozen: a trace builds one per node, and frozen fields cost a call each
class TraceStep:
    """One node the engine ran (or the capture of an input's gradient), with what came in and what went out."""

    node_id: int
    name: str
    arriving: tuple[int, ...]  # pool indices of the gradients arriving at each of the node's outputs
    sending: tuple[int, ...]  # pool indices of the gradients it sends to each next function (none if it raised)
    created_by_backward: bool
    leaf: str | None = None  # the leaf an AccumulateGrad wrote to, or the input whose gradient was captured
    captured: bool = False  # torch.autograd.grad took this input's gradient here instead of running a node
    raised: bool = False  # the engine raised while running this node
    input_index: int | None = None  # which of `inputs` a captured gradient belongs to
    pool: GradPool | None = field(default=None, repr=False, compare=False)

    @property
    def grad_outputs(self) -> tuple:
        """The gradients that arrived at the node (GradValue or None per output)."""
        return tuple(self.pool.value(i) for i in self.arriving)

    @property
    def grad_inputs(self) -> tuple:
        """The gradients the node sent on (GradValue or None per next function)."""
        return tuple(self.pool.value(i) for i in self.sending)


@dataclass(frozen=True)
class BackwardTrace:
    """Everything one backward pass did, as plain data (picklable, cacheable)."""

    nodes: tuple[NodeInfo, ...]
    steps: tuple[TraceStep, ...]
    edges: tuple[tuple[int, int], ...]  # (from, to) in the direction gradients flow
    edge_slots: tuple[int, ...]  # for each edge, which of its sender's grad_inputs travels along it
    outputs: tuple[tuple[str, int | None], ...]  # (label, the node id of its grad_fn) per output
    seeds: tuple  # the gradient each output starts with (GradValue)
    grads: tuple  # what torch.autograd.grad returned, as numpy arrays (None where unused); () under .backward()
    error: str = ""  # the engine's exception, "Type: message"
    error_node: int | None = None  # the node it raised in

    def node(self, node_id: int) -> NodeInfo:
        """The node with this id."""
        return self.nodes[node_id]

    def senders(self, index: int) -> list[tuple[int, GradValue | None]]:
        """(sender node id, the gradient it sent) for every node that ran before step `index` and sent to its node."""
        ran = {s.node_id: s for s in self.steps[:index]}
        target = self.steps[index].node_id
        found = []
        for (source, to), slot in zip(self.edges, self.edge_slots):
            if to == target and source in ran and slot < len(ran[source].sending):
                found.append((source, ran[source].pool.value(ran[source].sending[slot])))
        return found

    def statuses(self, index: int) -> dict[int, str]:
        """Each node's status at step `index`: done, running, waiting, or idle (never run by this pass)."""
        order = {s.node_id: k for k, s in enumerate(self.steps)}
        return {n.node_id: ("idle" if n.node_id not in order else "done" if order[n.node_id] < index
                            else "running" if order[n.node_id] == index else "waiting") for n in self.nodes}

    def dot(self, step: int, max_nodes: int = MAX_DRAWN) -> DotGraph:
        """DOT of the graph at `step`: done, running and waiting nodes styled apart, gradients on the edges that
        have carried one. A graph of more than `max_nodes` is drawn as the window of nodes nearest the running one."""
        return _dot(self, min(max(step, 0), max(len(self.steps) - 1, 0)), max_nodes)


def _walk(outputs: Sequence[torch.Tensor]) -> list:
    """Every Node reachable from the outputs, breadth first."""
    seen: dict = {}
    queue = deque(t.grad_fn for t in outputs if t.grad_fn is not None)
    while queue:
        node = queue.popleft()
        if node in seen:
            continue
        seen[node] = None
        queue.extend(child for child, _ in node.next_functions if child is not None)
    return list(seen)


def trace_backward(outputs, inputs=None, create_graph: bool = False, grad_outputs=None, retain_graph=None,
                   allow_unused: bool = False, names: Mapping[str, torch.Tensor] | None = None,
                   forward_nodes=None, output_names: Sequence[str] | None = None) -> BackwardTrace:
    """Run the real torch.autograd.grad(outputs, inputs, ...) (torch.autograd.backward when `inputs` is None) with a
    hook on every node, and record what each node received and sent, in the order the engine ran them.

    `names` labels leaves and inputs; nodes not in `forward_nodes` are marked as created by an earlier
    create_graph=True backward. Every hook is removed again before this returns.
    """
    outputs = [outputs] if isinstance(outputs, torch.Tensor) else list(outputs)
    single = isinstance(inputs, torch.Tensor)
    inputs = None if inputs is None else [inputs] if single else list(inputs)
    name_of = {id(t): n for n, t in (names or {}).items()}
    forward = set(forward_nodes) if forward_nodes is not None else None

    graph = _walk(outputs)
    index = {node: k for k, node in enumerate(graph)}
    infos = []
    for k, node in enumerate(graph):
        variable = getattr(node, "variable", None)
        if variable is not None:
            infos.append(NodeInfo(k, "AccumulateGrad", "leaf", name_of.get(id(variable), "leaf")))
        else:
            created = forward is not None and node not in forward
            infos.append(NodeInfo(k, node.name(), "created" if created else "function"))
    edges, slots = [], []
    for node in graph:
        for slot, (child, _) in enumerate(node.next_functions):
            if child is not None:
                edges.append((index[node], index[child])), slots.append(slot)

    # An input's gradient is captured where it arrives: at its AccumulateGrad node for a leaf, at a node of its
    # own (the slot of its grad_fn it came out of) otherwise.
    capture_ids = []
    for k, tensor in enumerate(inputs or []):
        label = name_of.get(id(tensor), f"inputs[{k}]")
        edge = torch.autograd.graph.get_gradient_edge(tensor)
        edge_node, output_nr = edge.node, edge.output_nr
        if edge_node in index and getattr(edge_node, "variable", None) is not None:
            capture_ids.append(index[edge_node])
            infos[index[edge_node]] = NodeInfo(index[edge_node], infos[index[edge_node]].name, "leaf", label)
            continue
        new_id = len(infos)
        infos.append(NodeInfo(new_id, label, "input", label))
        capture_ids.append(new_id)
        for node in graph:
            for slot, (child, nr) in enumerate(node.next_functions):
                if child is edge_node and nr == output_nr:
                    edges.append((index[node], new_id)), slots.append(slot)

    records: list = []  # (node id, grads arriving, grads sent, captured input index) in the order they ran

    def ran(k):  # one hook after the node: a pre-hook as well would double the engine's cost
        return lambda sent, arriving: records.append((k, arriving, sent, None))

    def captured(k):
        return lambda grad: records.append((capture_ids[k], (grad,), (), k))

    handles = []
    try:
        skipped = set(capture_ids) if inputs is not None else set()  # leaves whose gradient grad() takes, never run
        for k, node in enumerate(graph):
            if k not in skipped:
                handles.append(node.register_hook(ran(k)))
        for k, tensor in enumerate(inputs or []):
            if capture_ids[k] >= len(graph):  # a non-leaf input; a leaf's capture is placed below, without a hook
                handles.append(tensor.register_hook(captured(k)))
        error, returned = "", ()
        try:
            if inputs is None:
                torch.autograd.backward(outputs, grad_outputs, retain_graph=retain_graph, create_graph=create_graph)
            else:
                returned = torch.autograd.grad(outputs, inputs, grad_outputs, retain_graph=retain_graph,
                                               create_graph=create_graph, allow_unused=allow_unused)
        except RuntimeError as exc:
            error = f"{type(exc).__name__}: {exc}"
        error_node = _failed_node(graph, index, edges, records, capture_ids, outputs) if error else None
    finally:
        for handle in handles:
            handle.remove()

    records = _with_leaf_captures(records, returned, capture_ids, len(graph), edges)
    pool = GradPool()
    steps = [TraceStep(k, infos[k].name, pool.add_all(arriving), pool.add_all(sent), infos[k].kind == "created",
                       infos[k].leaf, input_index is not None, False, input_index, pool)
             for k, arriving, sent, input_index in records]
    if error_node is not None:  # the node the engine was running: nothing left it (its senders show what came)
        steps.append(TraceStep(error_node, infos[error_node].name, (), (), infos[error_node].kind == "created",
                               infos[error_node].leaf, False, True, None, pool))
    pool.freeze()
    labels = list(output_names or [f"out{k}" if len(outputs) > 1 else "out" for k in range(len(outputs))])
    seeds = _seeds(outputs, grad_outputs)
    return BackwardTrace(tuple(infos), tuple(steps), tuple(edges), tuple(slots),
                         tuple((label, index.get(t.grad_fn)) for label, t in zip(labels, outputs)), seeds,
                         tuple(None if g is None else g.detach().numpy(force=True) for g in returned), error, error_node)


def _with_leaf_captures(records: list, returned: tuple, capture_ids: list, graph_size: int, edges: list) -> list:
    """The records with each leaf input's capture added: the gradient torch.autograd.grad returned for it, right
    after the last node that sent to it ran (the engine takes a leaf's gradient as soon as it is complete)."""
    last_sender: dict = {}
    position = {record[0]: k for k, record in enumerate(records)}
    for source, to in edges:
        if source in position:
            last_sender[to] = max(last_sender.get(to, -1), position[source])
    after: dict = {}
    for k, (node_id, grad) in enumerate(zip(capture_ids, returned)):
        if node_id < graph_size and grad is not None:
            after.setdefault(last_sender.get(node_id, -1), []).append((node_id, (grad,), (), k))
    merged = list(after.get(-1, []))
    for k, record in enumerate(records):
        merged.append(record)
        merged.extend(after.get(k, []))
    return merged


def _failed_node(graph: list, index: dict, edges: list, records: list, capture_ids: list, outputs: list) -> int | None:
    """The node the engine raised in: one that had not finished though every node sending to it had; where several
    were ready, the one whose saved tensors cannot be read (freed, or changed in place), then the engine's order."""
    done = {record[0] for record in records}
    senders: dict = {}
    for source, to in edges:
        senders.setdefault(to, []).append(source)
    needed = set(range(len(graph)))
    if capture_ids:  # torch.autograd.grad runs only the nodes with a path to an input
        needed, queue = set(capture_ids), deque(capture_ids)
        while queue:
            for source in senders.get(queue.popleft(), []):
                if source not in needed:
                    needed.add(source), queue.append(source)
    roots = {index[t.grad_fn] for t in outputs if t.grad_fn in index}
    ready = [k for k in needed if k < len(graph) and k not in done and k not in capture_ids
             and (k in roots or senders.get(k)) and all(s in done for s in senders.get(k, []) if s in needed)]
    if not ready:
        return None
    unreadable = [k for k in ready if any(isinstance(v, str) for _, v in node_saved_tensors(graph[k]))]
    return max(unreadable or ready, key=lambda k: graph[k]._sequence_nr())


def _seeds(outputs: list[torch.Tensor], grad_outputs) -> tuple:
    """The gradient each output starts the pass with: ones for a scalar unless given."""
    given = [grad_outputs] if isinstance(grad_outputs, torch.Tensor) else list(grad_outputs or [None] * len(outputs))
    return tuple(summarise(g if g is not None else torch.ones_like(t)) for t, g in zip(outputs, given))


def family(name: str) -> str:
    """A node's type without its Backward suffix, lower case: MulBackward0 → mul, AccumulateGrad → accumulategrad."""
    return re.sub(r"Backward\d*$", "", name).lower()


def _window(trace: BackwardTrace, step: int, max_nodes: int) -> list[int]:
    """Node ids to draw: all of them, or the `max_nodes` nearest the running node in the engine's order."""
    if len(trace.nodes) <= max_nodes:
        return [n.node_id for n in trace.nodes]
    order = [s.node_id for s in trace.steps] + [n.node_id for n in trace.nodes
                                                 if n.node_id not in {s.node_id for s in trace.steps}]
    start = max(0, min(step - max_nodes // 2, len(order) - max_nodes))
    return order[start:start + max_nodes]


def _node_line(info: NodeInfo, status: str) -> str:
    """One node's DOT line, its fill from its kind and its outline from its status."""
    label = info.leaf if info.kind in ("leaf", "input") else info.name
    if info.kind == "leaf":
        label = f"{info.leaf}\\n{info.name}"
    shape = "ellipse" if info.kind in ("leaf", "input") else "box"
    fill = FILLS[info.kind]
    if status == "running":
        style = f'shape={shape}, style="filled,rounded,bold", fillcolor="{fill}", color="#1D4ED8", penwidth=4'
    elif status == "done":
        style = f'shape={shape}, style="filled,rounded", fillcolor="{fill}"'
        label = "✓ " + label
    else:  # waiting or never run: faded, outlined dashed or dotted
        dash = "dashed" if status == "waiting" else "dotted"
        style = f'shape={shape}, style="filled,rounded,{dash}", fillcolor="{fill}55", fontcolor="#555555"'
    return f'  n{info.node_id} [label="{label}", {style}];'


def _dot(trace: BackwardTrace, step: int, max_nodes: int) -> DotGraph:
    status = trace.statuses(step)
    shown = _window(trace, step, max_nodes)
    drawn = set(shown)
    ran = {s.node_id: s for s in trace.steps[:step + 1] if not s.raised}
    lines = ["digraph backward {", *header("TB", ', fontname="Helvetica", fontsize=10, fontcolor="#1D4ED8"')]
    kinds = {"output"}
    for k, ((label, root), seed) in enumerate(zip(trace.outputs, trace.seeds)):
        lines.append(f'  out{k} [label="{label}", {STYLE["output"]}];')
        if root is not None and root in drawn:
            lines.append(f'  out{k} -> n{root} [label="{seed.text()}", penwidth=2];')
    for node_id in shown:
        info = trace.nodes[node_id]
        kinds.add("leaf" if info.kind in ("leaf", "input") else info.kind)
        lines.append(_node_line(info, status[node_id]))
    for (source, to), slot in zip(trace.edges, trace.edge_slots):
        if source not in drawn or to not in drawn:
            continue
        sent = ran.get(source)
        value = sent.pool.value(sent.sending[slot]) if sent is not None and slot < len(sent.sending) else None
        if value is not None:
            lines.append(f'  n{source} -> n{to} [label="{value.text()}", color="#1D4ED8", penwidth=2];')
        else:
            lines.append(f"  n{source} -> n{to};")
    hidden = len(trace.nodes) - len(shown)
    if hidden:
        lines.append(f'  truncated [label="+{hidden} …", {STYLE["note"]}];')  # the page says it in words
    lines.append("}")
    return DotGraph("\n".join(lines), len(trace.nodes) + len(trace.outputs), len(shown) + len(trace.outputs),
                    frozenset(kinds))
