"""Walk an autograd graph (grad_fn.next_functions) and describe it as Graphviz DOT text."""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Iterable, Mapping

import torch

# Explicit fills with black text and mid-grey edges read on both light and dark themes.
STYLE = {
    "output": 'shape=box, style="filled,rounded,bold", fillcolor="#F9C74F"',
    "function": 'shape=box, style="filled,rounded", fillcolor="#D9D9D9"',
    "created": 'shape=box, style="filled,rounded", fillcolor="#F28482"',  # made by a create_graph backward
    "leaf": 'shape=ellipse, style=filled, fillcolor="#90BE6D"',
    "saved": 'shape=note, style=filled, fillcolor="#A7C7E7"',
    "note": 'shape=plaintext, fontcolor="#888888"',
}
# When several outputs share a graph, nodes are tinted by which outputs reach them.
BRANCH_FILLS = ["#84A59D", "#F5CAC3", "#B8C0FF", "#FFD6A5"]
SHARED_FILL = "#CDB4DB"
KINDS = ("output", "function", "branch", "shared", "created", "leaf", "saved")  # in the legend's order
# Drawn at natural size (10 pt is 13 px) and scrolled sideways when wider than the page, never shrunk to fit:
# shrunk, the widest graphs' text fell to 6-8 px on a 1280x720 projector. Nodes hug their text.
def header(rankdir: str = "BT", edge: str = "") -> tuple[str, ...]:
    """The DOT lines every graph of the app starts with; `edge` adds edge attributes (e.g. label fonts)."""
    return (f'  graph [rankdir={rankdir}, bgcolor="transparent", fontname="Helvetica", fontcolor="#888888"];',
            '  node [fontname="Helvetica", fontsize=10, fontcolor="#000000", color="#555555", margin="0.08,0.04", '
            'width=0.3, height=0.3];',
            f'  edge [color="#7F7F7F", arrowsize=0.7{edge}];')


@dataclass(frozen=True)
class DotGraph:
    """DOT text plus how much of the graph it shows."""

    dot: str
    total_nodes: int
    shown_nodes: int
    kinds: frozenset = frozenset()  # which of KINDS it draws, for its legend

    @property
    def truncated(self) -> bool:
        """True when the graph had more nodes than were drawn."""
        return self.shown_nodes < self.total_nodes


def graph_nodes(*outputs: torch.Tensor) -> set:
    """Every autograd Node reachable from the outputs' grad_fn (for 'what is new' comparisons)."""
    seen: set = set()
    queue = deque(t.grad_fn for t in outputs if t.grad_fn is not None)
    while queue:
        node = queue.popleft()
        if node in seen:
            continue
        seen.add(node)
        queue.extend(child for child, _ in node.next_functions if child is not None)
    return seen


def node_saved_tensors(node) -> list[tuple[str, torch.Tensor | str]]:
    """(attribute, tensor) for each tensor a node saved; "freed" or "modified" where unreadable."""
    found = []
    for name in dir(node):
        if not name.startswith("_saved_"):
            continue
        try:
            value = getattr(node, name)
        except RuntimeError as error:  # freed by an earlier backward, or changed in place since
            found.append((name[len("_saved_"):], "freed" if "freed" in str(error) else "modified in place"))
            continue
        if isinstance(value, torch.Tensor):
            found.append((name[len("_saved_"):], value))
        elif isinstance(value, (tuple, list)):
            found.extend((f"{name[len('_saved_'):]}[{i}]", v) for i, v in enumerate(value) if isinstance(v, torch.Tensor))
    return found


def _label_tensor(tensor: torch.Tensor) -> str:
    shape = "×".join(str(s) for s in tensor.shape) or "scalar"
    return f"{shape}\\n{str(tensor.dtype).replace('torch.', '')}"


def to_dot(
    outputs: Mapping[str, torch.Tensor],
    names: Mapping[str, torch.Tensor] | None = None,
    forward_nodes: Iterable | None = None,
    max_nodes: int = 60,
    show_saved: bool = True,
) -> DotGraph:
    """DOT for the graph behind `outputs` ({label: tensor}).

    `names` labels leaf tensors (e.g. dict(model.named_parameters()) or {"x": x});
    nodes not in `forward_nodes` are styled as created by a create_graph=True backward;
    with several outputs, nodes are tinted by which outputs reach them (a shared trunk vs branches).
    """
    names = dict(names or {})
    name_of = {id(t): n for n, t in names.items()}
    forward = set(forward_nodes) if forward_nodes is not None else None
    roots = list(outputs.items())  # an output without grad_fn is drawn alone: nothing recorded it

    # Which outputs reach each node: decides branch tints when there are several outputs.
    reach: dict = {}
    for index, (_, tensor) in enumerate(roots):
        for node in graph_nodes(tensor):
            reach.setdefault(node, set()).add(index)
    total = len(reach) + len(roots)

    ids: dict = {}
    lines = ["digraph autograd {", *header()]

    def node_id(obj) -> str:
        if id(obj) not in ids:
            ids[id(obj)] = f"n{len(ids)}"
        return ids[id(obj)]

    shown = 0
    kinds = {"output"}
    queue: deque = deque()
    for index, (label, tensor) in enumerate(roots):
        out_id = f"out{index}"
        lines.append(f'  {out_id} [label="{label}\\n{_label_tensor(tensor)}", {STYLE["output"]}];')
        shown += 1
        if tensor.grad_fn is not None:
            queue.append(tensor.grad_fn)
            lines.append(f"  {node_id(tensor.grad_fn)} -> {out_id};")
    visited: set = set()
    while queue:
        node = queue.popleft()
        if node in visited:
            continue
        if shown >= max_nodes:
            break
        visited.add(node)
        shown += 1
        nid = node_id(node)
        variable = getattr(node, "variable", None)  # AccumulateGrad nodes stand for leaf tensors
        if variable is not None:
            label = name_of.get(id(variable), "leaf")
            lines.append(f'  {nid} [label="{label}\\n{_label_tensor(variable)}", {STYLE["leaf"]}];')
            kinds.add("leaf")
        else:
            kind, style = "function", STYLE["function"]
            if forward is not None and node not in forward:
                kind, style = "created", STYLE["created"]
            elif len(roots) > 1:
                owners = reach.get(node, set())
                kind = "shared" if len(owners) > 1 else "branch"
                fill = SHARED_FILL if len(owners) > 1 else BRANCH_FILLS[min(owners) % len(BRANCH_FILLS)]
                style = f'shape=box, style="filled,rounded", fillcolor="{fill}"'
            kinds.add(kind)
            lines.append(f'  {nid} [label="{node.name()}", {style}];')
            if show_saved:
                for attribute, saved in node_saved_tensors(node):
                    sid = f"{nid}_{attribute.replace('[', '_').replace(']', '')}"
                    text = _label_tensor(saved) if isinstance(saved, torch.Tensor) else saved
                    lines.append(f'  {sid} [label="{attribute}\\n{text}", {STYLE["saved"]}];')
                    lines.append(f'  {sid} -> {nid} [style=dashed, arrowhead=none];')
                    kinds.add("saved")
        for child, _ in node.next_functions:
            if child is None:
                continue
            lines.append(f"  {node_id(child)} -> {nid};")
            if child not in visited:
                queue.append(child)
    hidden = total - shown
    if hidden > 0:
        # Edges may point at nodes never drawn; give them a placeholder and say what was cut.
        drawn = {node_id(n) for n in visited} | {f"out{i}" for i in range(len(roots))}
        for obj_id, nid in list(ids.items()):
            if nid not in drawn:
                lines.append(f'  {nid} [label="…", {STYLE["note"]}];')
        lines.append(f'  truncated [label="{hidden} more nodes not drawn", {STYLE["note"]}];')
    lines.append("}")
    return DotGraph("\n".join(lines), total, min(shown, total), frozenset(kinds))
