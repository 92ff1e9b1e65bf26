"""Two backwards through one shared trunk: retain_graph, the freed-graph and in-place errors, and the fixes."""
from __future__ import annotations

import math
import re
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
import torch
from torch import nn

from core.checks import PitfallOutcome, run_pitfall, to_numpy
from core.devices import float_dtype, resolve
from core.graph import DotGraph, graph_nodes, node_saved_tensors, to_dot
from core.trace import BackwardTrace, trace_backward

WIDTH = 3  # trunk width: small enough to show every gradient entry
TARGETS = (1.0, -1.0)  # head 1 is pulled towards +1, head 2 towards -1


@dataclass(frozen=True)
class Setup:
    """Everything every scenario depends on: the input, the trunk's depth and the seed (scenario 3 adds a learning rate)."""

    x1: float = 0.5
    x2: float = -1.0
    depth: int = 1  # Linear layers in the trunk; 1 is the original example
    input_requires_grad: bool = False
    seed: int = 0


class TwoHeads(nn.Module):
    """A shared trunk (Linear, then Tanh + Linear per extra layer) feeding two Linear heads."""

    def __init__(self, depth: int):
        super().__init__()
        layers: list[nn.Module] = [nn.Linear(2, WIDTH)]
        for _ in range(depth - 1):
            layers += [nn.Tanh(), nn.Linear(WIDTH, WIDTH)]
        self.trunk = nn.Sequential(*layers)
        self.head1 = nn.Linear(WIDTH, 1)
        self.head2 = nn.Linear(WIDTH, 1)

    def forward(self, x: torch.Tensor):
        h = self.trunk(x)
        return h, self.head1(h), self.head2(h)


def initialise(layer: nn.Linear, generator: torch.Generator) -> None:
    """nn.Linear's own default initialisation (uniform in ±1/√fan-in), drawn from `generator`."""
    with torch.no_grad():
        nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=generator)
        bound = 1 / math.sqrt(layer.in_features)
        nn.init.uniform_(layer.bias, -bound, bound, generator=generator)


def build(setup: Setup, device="cpu") -> tuple[TwoHeads, torch.Tensor]:
    """The network (the same weights on every device for a seed) and the input x of shape (1, 2)."""
    device = resolve(device)
    # A private generator: sessions are threads sharing the global one, and their results share caches.
    with torch.device("meta"):  # construction draws nothing
        model = TwoHeads(setup.depth)
    model = model.to_empty(device="cpu")
    generator = torch.Generator().manual_seed(setup.seed)
    for layer in model.modules():  # in construction order, so a seed gives the weights torch.manual_seed gives
        if isinstance(layer, nn.Linear):
            initialise(layer, generator)
    model = model.to(device=device, dtype=float_dtype(device))
    x = torch.tensor([[setup.x1, setup.x2]], device=device, dtype=float_dtype(device),
                     requires_grad=setup.input_requires_grad)
    return model, x


def head_losses(h: torch.Tensor, y1: torch.Tensor, y2: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The trunk's output h and one squared-error loss per head, from the network's outputs."""
    return h, (y1 - TARGETS[0]).pow(2).sum(), (y2 - TARGETS[1]).pow(2).sum()


def losses(model: TwoHeads, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """One forward pass: the trunk's output h, loss1 and loss2."""
    return head_losses(*model(x))


def trunk_vector(grads: dict[str, np.ndarray]) -> np.ndarray:
    """Every trunk gradient entry in one vector."""
    return np.concatenate([g.ravel() for n, g in grads.items() if n.startswith("trunk.")])


def held_tensors(*outputs: torch.Tensor, sizes: dict | None = None) -> dict:
    """{(node, attribute): bytes} for each tensor the graph behind `outputs` still holds for backward.

    Reading a saved tensor that was changed in place since raises, yet the graph still holds it:
    its size is then taken from `sizes`, an earlier result of this function.
    """
    held = {}
    for node in graph_nodes(*outputs):
        for attribute, value in node_saved_tensors(node):
            if isinstance(value, torch.Tensor):
                held[node, attribute] = value.element_size() * value.nelement()
            elif value == "modified in place" and sizes and (node, attribute) in sizes:
                held[node, attribute] = sizes[node, attribute]
            # otherwise freed by a backward without retain_graph
    return held


@dataclass(frozen=True)
class Step:
    """What one line did, and the state right after it."""

    code: str
    accumulated: tuple[str, ...]  # parameters whose .grad this line accumulated into
    modified: tuple[str, ...]  # parameters this line changed in place (their version counter moved)
    grads: dict  # parameter name -> .grad after the line (zeros while it is None)
    saved_count: int  # tensors the graph still holds for backward
    saved_bytes: int
    error: str = ""  # the exception type when the line raised


@dataclass(frozen=True)
class Scenario:
    """The lines of one scenario, what each did, and what PyTorch said in the end."""

    steps: tuple[Step, ...]
    outcome: PitfallOutcome


class Recorder:
    """Runs a scenario's lines one at a time and records, after each, grads, versions and saved tensors."""

    def __init__(self, model: nn.Module, *outputs: torch.Tensor):
        self.params = dict(model.named_parameters())
        self.outputs = outputs
        self.sizes = held_tensors(*outputs)
        self.steps: list[Step] = []
        self.accumulated: list[str] = []
        for name, p in self.params.items():  # the exact parameters each backward writes .grad to
            p.register_post_accumulate_grad_hook(lambda _, name=name: self.accumulated.append(name))
        self._record("forward", {}, "")

    def _record(self, code: str, versions: dict, error: str) -> None:
        modified = tuple(n for n, p in self.params.items() if n in versions and p._version != versions[n])
        grads = {n: np.zeros(tuple(p.shape)) if p.grad is None else to_numpy(p.grad) for n, p in self.params.items()}
        held = held_tensors(*self.outputs, sizes=self.sizes)
        self.steps.append(Step(code, tuple(dict.fromkeys(self.accumulated)), modified, grads,
                               len(held), sum(held.values()), error))
        self.accumulated.clear()

    @contextmanager
    def step(self, code: str):
        """Record the state after the block runs, also when it raises (the exception goes on)."""
        versions = {n: p._version for n, p in self.params.items()}
        error = ""
        try:
            yield
        except Exception as exc:
            error = type(exc).__name__
            raise
        finally:
            self._record(code, versions, error)

    def run(self, lines: Callable[[], None]) -> Scenario:
        """Run the lines for real (an exception is kept, not raised) and return what happened."""
        outcome = run_pitfall(lines)
        return Scenario(tuple(self.steps), outcome)


def retain_then_second(setup: Setup, device="cpu") -> Scenario:
    """Scenario 1: loss1.backward(retain_graph=True), then loss2.backward(); the trunk's .grad is g1 + g2."""
    model, x = build(setup, device)
    _, loss1, loss2 = losses(model, x)
    rec = Recorder(model, loss1, loss2)

    def lines():
        with rec.step("loss1.backward(retain_graph=True)"):
            loss1.backward(retain_graph=True)
        with rec.step("loss2.backward()"):
            loss2.backward()

    return rec.run(lines)


def without_retain(setup: Setup, device="cpu") -> Scenario:
    """Scenario 2: the same without retain_graph; the first backward frees the trunk's saved tensors."""
    model, x = build(setup, device)
    _, loss1, loss2 = losses(model, x)
    rec = Recorder(model, loss1, loss2)

    def lines():
        with rec.step("loss1.backward()"):
            loss1.backward()
        with rec.step("loss2.backward()"):
            loss2.backward()

    return rec.run(lines)


def saved_parameters(model: nn.Module, *outputs: torch.Tensor) -> set[str]:
    """Parameters that the graph behind `outputs` saved for backward (a weight saved as W.t() counts)."""
    storages = {p.untyped_storage().data_ptr(): n for n, p in model.named_parameters()}
    found = set()
    for node in graph_nodes(*outputs):
        for _, value in node_saved_tensors(node):
            if isinstance(value, torch.Tensor) and value.untyped_storage().data_ptr() in storages:
                found.add(storages[value.untyped_storage().data_ptr()])
    return found


@dataclass(frozen=True)
class Version:
    """One parameter's version counter around optimizer.step(), and whether loss2's backward needs it."""

    name: str
    saved_for_loss2: bool
    before: int
    after: int


@dataclass(frozen=True)
class StepBetween:
    """Scenario 3 and what it shows: version counters, and stale vs recomputed activations."""

    scenario: Scenario
    versions: tuple[Version, ...]
    message_versions: tuple[int, int] | None  # (is at, expected) read from PyTorch's message
    h_stale: np.ndarray  # the trunk output loss2's graph holds: computed with the old weights
    h_fresh: np.ndarray  # the trunk output recomputed after the step
    loss2_stale: float
    loss2_fresh: float
    g2_stale: dict | None  # what loss2.backward() added to .grad (None when it raised)
    g2_fresh: dict  # the gradient of loss2 after recomputing the forward pass

    @property
    def culprits(self) -> tuple[Version, ...]:
        """The parameters loss2's backward needs that optimizer.step() changed in place."""
        return tuple(v for v in self.versions if v.saved_for_loss2 and v.after != v.before)

    @property
    def reported_versions(self) -> tuple[int, int]:
        """(is at, expected): read from PyTorch's message, else the first culprit's counters."""
        return self.message_versions or (self.culprits[0].after, self.culprits[0].before)


def step_between(setup: Setup, device="cpu", lr: float = 0.1) -> StepBetween:
    """Scenario 3: optimizer.step() (SGD with this learning rate) between the two backwards, then the forward pass
    recomputed."""
    model, x = build(setup, device)
    h, loss1, loss2 = losses(model, x)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    needed = saved_parameters(model, loss2)
    before = {n: p._version for n, p in model.named_parameters()}
    rec = Recorder(model, loss1, loss2)

    def lines():
        with rec.step("loss1.backward(retain_graph=True)"):
            loss1.backward(retain_graph=True)
        with rec.step("optimizer.step()"):
            optimizer.step()
        with rec.step("loss2.backward()"):
            loss2.backward()

    scenario = rec.run(lines)
    versions = tuple(Version(n, n in needed, before[n], p._version) for n, p in model.named_parameters())
    found = re.search(r"is at version (\d+); expected version (\d+)", scenario.outcome.message)
    g2_stale = None
    if not scenario.outcome.raised:  # .grad now holds g1 + g2; take g1 back out to see g2 alone
        first, last = scenario.steps[1].grads, scenario.steps[-1].grads
        g2_stale = {n: last[n] - first[n] for n in last}
    h_fresh, _, loss2_fresh = losses(model, x)  # the fix: a new forward pass with the updated weights
    names, params = zip(*model.named_parameters())
    g2_fresh = torch.autograd.grad(loss2_fresh, params, allow_unused=True)
    return StepBetween(
        scenario, versions, (int(found[1]), int(found[2])) if found else None,
        to_numpy(h), to_numpy(h_fresh), loss2.item(), loss2_fresh.item(), g2_stale,
        {n: np.zeros(tuple(p.shape)) if g is None else to_numpy(g) for n, p, g in zip(names, params, g2_fresh)},
    )


def alternatives(setup: Setup, device="cpu") -> dict[str, Scenario]:
    """Scenario 4: three correct ways to give the trunk g1 + g2, each on a fresh copy of the network."""
    results = {}

    model, x = build(setup, device)
    _, loss1, loss2 = losses(model, x)
    rec = Recorder(model, loss1, loss2)

    def summed():
        with rec.step("(loss1 + loss2).backward()"):
            (loss1 + loss2).backward()

    results["(loss1 + loss2).backward()"] = rec.run(summed)

    model, x = build(setup, device)
    _, loss1, loss2 = losses(model, x)
    rec = Recorder(model, loss1, loss2)

    def together():
        with rec.step("torch.autograd.backward([loss1, loss2])"):
            torch.autograd.backward([loss1, loss2])

    results["torch.autograd.backward([loss1, loss2])"] = rec.run(together)

    model, x = build(setup, device)
    _, loss1, _ = losses(model, x)
    rec = Recorder(model, loss1)

    def recomputed():
        with rec.step("loss1.backward()"):
            loss1.backward()
        with rec.step("_, _, loss2 = losses(model, x)"):
            _, _, loss2 = losses(model, x)  # a new graph: nothing of the freed one is reused
            rec.outputs = (loss1, loss2)
        with rec.step("loss2.backward()"):
            loss2.backward()

    results["loss1.backward(); _, _, loss2 = losses(model, x); loss2.backward()"] = rec.run(recomputed)
    return results


def reference_grads(setup: Setup, device="cpu", lr: float = 0.0) -> tuple[dict, dict]:
    """g1 and g2 for every parameter by torch.func.grad of each head's loss: no .backward, no .grad.

    At the weights θ - lr·g1(θ) that one plain SGD step on loss1 gives (θ itself for lr = 0).
    """
    model, x = build(setup, device)
    params = {n: p.detach() for n, p in model.named_parameters()}

    def head_loss(index: int):
        return lambda p: head_losses(*torch.func.functional_call(model, p, (x.detach(),)))[index]

    if lr:
        g1 = torch.func.grad(head_loss(1))(params)
        params = {n: p - lr * g1[n] for n, p in params.items()}
    return tuple({n: to_numpy(g) for n, g in torch.func.grad(head_loss(k))(params).items()} for k in (1, 2))


def graphs(setup: Setup, device="cpu") -> tuple[DotGraph, DotGraph]:
    """The graph after the forward pass, and after loss1.backward() without retain_graph (freed tensors)."""
    model, x = build(setup, device)
    _, loss1, loss2 = losses(model, x)
    names = {**dict(model.named_parameters()), "x": x}
    before = to_dot({"loss1": loss1, "loss2": loss2}, names=names)
    loss1.backward()
    return before, to_dot({"loss1": loss1, "loss2": loss2}, names=names)



def shared_trunk_trace(setup: Setup, device="cpu") -> BackwardTrace:
    """torch.autograd.backward([loss1, loss2]) traced node by node: the trunk's last node adds both heads' gradients."""
    model, x = build(setup, device)
    _, loss1, loss2 = losses(model, x)
    return trace_backward([loss1, loss2], names={**dict(model.named_parameters()), "x": x},
                          output_names=["loss1", "loss2"])


def freed_trace(setup: Setup, device="cpu") -> BackwardTrace:
    """loss1.backward() without retain_graph, then loss2.backward() traced: it fails at the first node whose saved
    tensors the first backward freed."""
    model, x = build(setup, device)
    _, loss1, loss2 = losses(model, x)
    loss1.backward()
    return trace_backward(loss2, names={**dict(model.named_parameters()), "x": x}, output_names=["loss2"])


IN_PLACE_DEPTH = 2  # a one-Linear trunk on a plain input saves no parameter, and so cannot fail


def in_place_trace(setup: Setup, device="cpu", lr: float = 0.1) -> BackwardTrace:
    """loss1.backward(retain_graph=True), optimizer.step(), then loss2.backward() traced, with a trunk of at least
    IN_PLACE_DEPTH layers: it fails at the node that saved a weight the step changed in place."""
    model, x = build(replace(setup, depth=max(setup.depth, IN_PLACE_DEPTH)), device)
    _, loss1, loss2 = losses(model, x)
    loss1.backward(retain_graph=True)
    torch.optim.SGD(model.parameters(), lr=lr).step()
    return trace_backward(loss2, names={**dict(model.named_parameters()), "x": x}, output_names=["loss2"])


# --- the numbers the page's tables, charts and checks show --------------------------------------

def summed(g1: dict, g2: dict) -> dict:
    """g1 + g2 for every parameter: what .grad should hold after both backwards."""
    return {n: g1[n] + g2[n] for n in g1}


def trunk_norm(grads: dict) -> float:
    """|∇trunk|: the norm of every trunk gradient entry together."""
    return float(np.linalg.norm(trunk_vector(grads)))


def stacked_trunks(grads: list[dict]) -> np.ndarray:
    """The trunk vectors of several gradients, one after the other (one check compares them all)."""
    return np.concatenate([trunk_vector(g) for g in grads])


def retain_check(scenario: Scenario, reference: tuple[dict, dict]) -> tuple[np.ndarray, np.ndarray]:
    """Scenario 1's trunk .grad after each backward, and what torch.func says it should be: g1, then g1 + g2."""
    g1, g2 = reference
    return stacked_trunks([s.grads for s in scenario.steps[1:]]), stacked_trunks([g1, summed(g1, g2)])


def step_check(result: StepBetween, reference: tuple[dict, dict],
               reference_after_step: tuple[dict, dict]) -> tuple[np.ndarray, np.ndarray]:
    """Scenario 3's g2 from the held graph and recomputed, against torch.func's g2 at the old and the stepped weights."""
    return (stacked_trunks([result.g2_stale, result.g2_fresh]),
            stacked_trunks([reference[1], reference_after_step[1]]))


def final_grads(methods: dict[str, Scenario]) -> dict[str, dict]:
    """Each method's .grad after its last line."""
    return {code: scenario.steps[-1].grads for code, scenario in methods.items()}


def alternatives_check(methods: dict[str, Scenario], reference: tuple[dict, dict]) -> tuple[np.ndarray, np.ndarray]:
    """Every correct way's final trunk .grad, against g1 + g2 from torch.func for each."""
    finals = list(final_grads(methods).values())
    return stacked_trunks(finals), np.tile(trunk_vector(summed(*reference)), len(finals))


def alternative_rows(methods: dict[str, Scenario]) -> dict[str, list]:
    """Per method: |∇trunk|, its largest difference from the first method's, and the saved tensors at peak and at the end."""
    finals = final_grads(methods)
    first = trunk_vector(next(iter(finals.values())))
    return {"method": list(finals), "trunk_norm": [trunk_norm(g) for g in finals.values()],
            "diff": [float(np.abs(trunk_vector(g) - first).max()) for g in finals.values()],
            "peak": [max(s.saved_count for s in m.steps) for m in methods.values()],
            "saved_end": [m.steps[-1].saved_count for m in methods.values()]}


def entry_labels(grads: dict) -> list[str]:
    """W₀[i,j] and b₀[i]: the first trunk layer's entries, the layer every depth has."""
    rows, cols = grads["trunk.0.weight"].shape
    return [f"W₀[{i},{j}]" for i in range(rows) for j in range(cols)] + [f"b₀[{i}]" for i in range(rows)]


def first_layer(series: dict[str, dict]) -> dict[str, list]:
    """The first trunk layer's gradient entries as long columns (entry, value, series), one series per gradient."""
    labels = entry_labels(next(iter(series.values())))
    values = [np.concatenate([g["trunk.0.weight"].ravel(), g["trunk.0.bias"].ravel()]) for g in series.values()]
    return {"entry": labels * len(series), "value": np.concatenate(values).tolist(),
            "series": [name for name in series for _ in labels]}


def memory_rows(scenarios: dict[str, Scenario]) -> dict[str, list]:
    """Saved tensors (count and bytes) after every line of each scenario, as long columns."""
    rows = [(label, k, f"{k}. {s.code}", s.saved_count, s.saved_bytes)
            for label, scenario in scenarios.items() for k, s in enumerate(scenario.steps)]
    return {name: [row[i] for row in rows] for i, name in enumerate(("scenario", "step", "line", "count", "bytes"))}
