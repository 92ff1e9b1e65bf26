"""Record PyTorch's real backward pass node by node: hooks on every autograd Node, in the order the engine ran them."""
from __future__ import annotations

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


STACK_ENTRIES = 1 << 22  # entries one stacked copy of big gradients may hold
NUMPY_DTYPES = {torch.float64: np.float64, torch.float32: np.float32}  # kept as is; other dtypes come back as float64


@dataclass(slots=True)  # not frozen: a trace builds one per node, and frozen fields cost a call each
class NodeInfo:
    """One node of the graph as plain data."""

    node_id: int
    name: str  # e.g. MulBackward0; AccumulateGrad for a leaf; the input's name for a captured non-leaf input
    kind: str  # function, created (recorded by an earlier create_graph=True backward), leaf, input
    leaf: str | None = None  # the leaf or input tensor it stands for


class GradPool:
    """Every gradient of one trace as numpy arrays, converted from the tensors the hooks saw in one go after the
    engine's pass: a Python call per tensor would cost as much as the pass itself."""

    def __init__(self, tensors: list):
        """Convert these tensors (None allowed); `ids` gives each one's index in the pool (-1 for None). A tensor
        the engine passed on as it was (what one node sent is what the next one received) is kept once."""
        keys = list(map(id, tensors))
        firsts = dict(zip(keys, tensors))  # the list holds every tensor meanwhile, so no id stands for two
        firsts.pop(id(None), None)
        index = dict(zip(firsts, range(len(firsts))))
        index[id(None)] = -1
        self.ids = list(map(index.__getitem__, keys))
        self._freeze(list(firsts.values()))

    def _freeze(self, tensors: list) -> None:
        """Convert distinct tensors, one stacked copy per shape, dtype, device and layout: small ones in full, big
        ones as a norm and their first few entries."""
        self.shapes, self.dtypes = [t.shape for t in tensors], [t.dtype for t in tensors]
        groups: dict = {}  # contiguous ones apart: one strided tensor among them makes a stack six times slower
        keys = zip(self.shapes, self.dtypes, [t.device for t in tensors], [t.is_contiguous() for t in tensors])
        for k, key in enumerate(keys):
            groups.setdefault(key, []).append(k)
        self.values = np.zeros((len(tensors), FULL_SIZE))  # a row per tensor: its entries, or its first FEW
        self.norms, complete, order = np.zeros(len(tensors)), np.zeros(len(tensors), dtype=bool), []
        with torch.no_grad():
            for (shape, *_), members in groups.items():
                size = shape.numel()
                kept = size if size <= FULL_SIZE else FEW
                per_chunk = max(1, STACK_ENTRIES // max(1, size))  # bounded however big the tensors are
                for start in range(0, len(members), per_chunk):
                    chunk = members[start:start + per_chunk]
                    rows = slice(len(order), len(order) + len(chunk))
                    stacked = torch.stack([tensors[k] for k in chunk]).reshape(len(chunk), size)
                    self.values[rows, :kept] = stacked[:, :kept].to("cpu", torch.float64).numpy()
                    if size > FULL_SIZE:
                        self.norms[rows] = torch.linalg.vector_norm(stacked, dim=1, dtype=torch.float64).cpu().numpy()
                    complete[rows] = size <= FULL_SIZE
                    order += chunk
        self.norms[complete] = np.sqrt((self.values[complete] ** 2).sum(axis=1))
        self.row_of = np.zeros(len(tensors), dtype=np.int64)
        self.row_of[order] = np.arange(len(order))

    def value(self, index: int) -> GradValue | None:
        """The gradient at `index` (None for -1)."""
        if index < 0:
            return None
        row, shape, size = self.row_of[index], tuple(self.shapes[index]), self.shapes[index].numel()
        complete = size <= FULL_SIZE
        kept = self.values[row, :size if complete else FEW].astype(NUMPY_DTYPES.get(self.dtypes[index], np.float64))
        return GradValue(shape, float(self.norms[row]), kept.reshape(shape) if complete else kept, complete)


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

    def receivers(self, index: int) -> list[tuple[int, GradValue | None]]:
        """(receiving node id, the gradient sent to it) for every edge out of step `index`'s node."""
        step = self.steps[index]
        return [(to, step.pool.value(step.sending[slot])) for (source, to), slot in zip(self.edges, self.edge_slots)
                if source == step.node_id and slot < len(step.sending)]

    def statuses(self, index: int) -> dict[int, str]:
        """Each node's status at step `index`: done, running, waiting, or idle (never run by this pass)."""
        order = {s.node_id: k for k, s in enumerate(self.steps)}
        return {n.node_id: ("idle" if n.node_id not in order else "done" if order[n.node_id] < index
                            else "running" if order[n.node_id] == index else "waiting") for n in self.nodes}

    def dot(self, step: int, max_nodes: int = MAX_DRAWN) -> DotGraph:
        """DOT of the graph at `step`: done, running and waiting nodes styled apart, gradients on the edges that
        have carried one. A graph of more than `max_nodes` is drawn as the window of nodes nearest the running one."""
        return _dot(self, min(max(step, 0), max(len(self.steps) - 1, 0)), max_nodes)


def _graph(outputs: Sequence[torch.Tensor], name_of: dict, forward) -> tuple[list, dict, list, list, list, dict]:
    """Every Node reachable from the outputs, breadth first, with its index and a NodeInfo, the edges between them
    with the slot of the sender's next_functions each comes from, and each leaf's AccumulateGrad by the leaf's id.
    One read of next_functions per node: each read builds tuples."""
    graph, index, edges, slots, infos, leaf_ids = [], {}, [], [], [], {}
    for tensor in outputs:
        if tensor.grad_fn is not None and tensor.grad_fn not in index:
            index[tensor.grad_fn] = len(graph)
            graph.append(tensor.grad_fn)
    k = 0
    while k < len(graph):
        node = graph[k]
        variable = getattr(node, "variable", None)
        if variable is not None:
            leaf_ids[id(variable)] = k
            infos.append(NodeInfo(k, "AccumulateGrad", "leaf", name_of.get(id(variable), "leaf")))
        else:
            infos.append(NodeInfo(k, node.name(), "function" if forward is None or node in forward else "created"))
        for slot, (child, _) in enumerate(node.next_functions):
            if child is not None:
                j = index.get(child)
                if j is None:
                    j = index[child] = len(graph)
                    graph.append(child)
                edges.append((k, j))
                slots.append(slot)
        k += 1
    return graph, index, edges, slots, infos, leaf_ids


def trace_backward(outputs, inputs=None, create_graph: bool = False, grad_outputs=None, retain_graph=None,
                   allow_unused: bool = False, names: Mapping[str, torch.Tensor] | None = None,
                   forward_nodes=None, output_names: Sequence[str] | None = None) -> BackwardTrace:
    """Run the real torch.autograd.grad(outputs, inputs, ...) (torch.autograd.backward when `inputs` is None) with a
    hook on every node, and record what each node received and sent, in the order the engine ran them.

    `names` labels leaves and inputs; nodes not in `forward_nodes` are marked as created by an earlier
    create_graph=True backward. Every hook is removed again before this returns (torch keeps each node's emptied
    hook list, which slows a later pass through the same graph: a traced graph is best not backwarded again).
    """
    outputs = [outputs] if isinstance(outputs, torch.Tensor) else list(outputs)
    inputs = None if inputs is None else [inputs] if isinstance(inputs, torch.Tensor) else list(inputs)
    name_of = {id(t): n for n, t in (names or {}).items()}
    forward = set(forward_nodes) if forward_nodes is not None else None

    graph, index, edges, slots, infos, leaf_ids = _graph(outputs, name_of, forward)

    # An input's gradient is captured where it arrives: at its AccumulateGrad node for a leaf, at a node of its
    # own (the slot of its grad_fn it came out of) otherwise.
    capture_ids = []
    for k, tensor in enumerate(inputs or []):
        label = name_of.get(id(tensor), f"inputs[{k}]")
        if tensor.grad_fn is None and id(tensor) in leaf_ids:
            node_id = leaf_ids[id(tensor)]
            capture_ids.append(node_id)
            infos[node_id] = NodeInfo(node_id, "AccumulateGrad", "leaf", label)
            continue
        capture_ids.append(len(infos))
        infos.append(NodeInfo(len(infos), label, "input", label))
        edge = torch.autograd.graph.get_gradient_edge(tensor)
        for node in graph:
            for slot, (child, nr) in enumerate(node.next_functions):
                if child is edge.node and nr == edge.output_nr:
                    edges.append((index[node], capture_ids[-1])), slots.append(slot)

    records: list = []  # (node id, grads arriving, grads sent, captured input index) in the order they ran

    def ran(k):  # one hook after the node: a pre-hook as well would double the engine's cost
        return lambda sent, arriving: records.append((k, arriving, sent, None))

    def captured(k):
        return lambda grad: records.append((capture_ids[k], (grad,), (), k))

    skipped = set(capture_ids) if inputs is not None else ()  # leaves whose gradient grad() takes, never run
    handles = []
    try:
        handles = [node.register_hook(ran(k)) for k, node in enumerate(graph) if k not in skipped]
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
    finally:
        for handle in handles:
            handle.remove()

    error_node = _failed_node(graph, index, edges, records, capture_ids, outputs) if error else None
    records = _with_leaf_captures(records, returned, capture_ids, len(graph), edges)
    seeds = _seeds(outputs, grad_outputs)
    pool = GradPool([t for record in records for grads in record[1:3] for t in grads] + seeds)
    ids, steps, start = pool.ids, [], 0
    for k, arriving, sent, input_index in records:
        info, middle, end = infos[k], start + len(arriving), start + len(arriving) + len(sent)
        steps.append(TraceStep(k, info.name, tuple(ids[start:middle]), tuple(ids[middle:end]), info.kind == "created",
                               info.leaf, input_index is not None, False, input_index, pool))
        start = end
    if error_node is not None:  # the node the engine was running: nothing left it (its senders show what came)
        steps.append(TraceStep(error_node, infos[error_node].name, (), (), infos[error_node].kind == "created",
                               infos[error_node].leaf, False, True, None, pool))
    labels = list(output_names or [f"out{k}" if len(outputs) > 1 else "out" for k in range(len(outputs))])
    return BackwardTrace(tuple(infos), tuple(steps), tuple(edges), tuple(slots),
                         tuple((label, index.get(t.grad_fn)) for label, t in zip(labels, outputs)),
                         tuple(pool.value(k) for k in ids[start:]),
                         tuple(None if g is None else g.numpy(force=True) for g in returned), error, error_node)


def _with_leaf_captures(records: list, returned: tuple, capture_ids: list, graph_size: int, edges: list) -> list:
    """The records with each leaf input's capture added: the gradient torch.autograd.grad returned for it, right
    after the last node that sent to it ran (the engine takes a leaf's gradient as soon as it is complete)."""
    leaves = [(node_id, k) for k, (node_id, grad) in enumerate(zip(capture_ids, returned))
              if node_id < graph_size and grad is not None]
    if not leaves:
        return records
    position = {record[0]: p for p, record in enumerate(records)}
    last_sender = dict.fromkeys((node_id for node_id, _ in leaves), -1)
    for source, to in edges:
        if to in last_sender and position.get(source, -1) > last_sender[to]:
            last_sender[to] = position[source]
    after: dict = {}
    for node_id, k in leaves:
        after.setdefault(last_sender[node_id], []).append((node_id, (returned[k],), (), k))
    merged, done = [], 0
    for p in sorted(after):  # each capture right after its last sender's record
        merged += records[done:p + 1]
        merged += after[p]
        done = p + 1
    return merged + records[done:]


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


def _seeds(outputs: list[torch.Tensor], grad_outputs) -> list[torch.Tensor]:
    """The gradient each output starts the pass with: ones for a scalar unless given."""
    given = [grad_outputs] if isinstance(grad_outputs, torch.Tensor) else list(grad_outputs or [None] * len(outputs))
    return [g if g is not None else torch.ones_like(t) for t, g in zip(outputs, given)]


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
