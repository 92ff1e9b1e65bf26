"""Gradients of a small MLP with respect to its input and its weights, double backprop, and an
input-gradient penalty trained live.

Everything returns numpy arrays or dataclasses; references (torch.func, float64 finite differences)
always run on a float64 CPU copy of the same network, so they are independent of the device.
"""
from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call, grad, jacrev, vmap
from torch.nn.utils import parameters_to_vector, skip_init

from core.checks import Check, PitfallOutcome, compare, precision_tolerance, run_pitfall, to_numpy
from core.devices import float_dtype, resolve
from core.graph import DotGraph, graph_nodes, to_dot
from core.trace import BackwardTrace, trace_backward
from core.training import History, MemoryNeed, Snapshot, snapshot_of, state_arrays

ACTIVATIONS = ("relu", "tanh", "softplus", "sine")
CPU = torch.device("cpu")


@dataclass(frozen=True)
class NetConfig:
    """Architecture and initialisation of the MLP f: R² → R."""

    width: int = 16
    depth: int = 2  # hidden layers
    activation: str = "tanh"
    seed: int = 0


class Sine(nn.Module):
    """sin(x) as a layer."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sin(x)


def make_activation(name: str) -> nn.Module:
    """The activation layer called `name`."""
    return {"relu": nn.ReLU, "tanh": nn.Tanh, "softplus": nn.Softplus, "sine": Sine}[name]()


def linear(fan_in: int, fan_out: int, generator: torch.Generator) -> nn.Linear:
    """nn.Linear with PyTorch's default U(±1/√fan_in) init, drawn in float64 from `generator` (never the global RNG:
    sessions are threads building nets at the same time, and their results are cached for everyone)."""
    layer = skip_init(nn.Linear, fan_in, fan_out, dtype=torch.float64)
    bound = 1 / math.sqrt(fan_in)
    with torch.no_grad():
        layer.weight.uniform_(-bound, bound, generator=generator)
        layer.bias.uniform_(-bound, bound, generator=generator)
    return layer


def make_mlp(config: NetConfig, device: torch.device) -> nn.Sequential:
    """The MLP, initialised on the CPU from the seed (same weights on every device), then moved."""
    generator = torch.Generator().manual_seed(config.seed)
    layers, width_in = [], 2
    for _ in range(config.depth):
        layers += [linear(width_in, config.width, generator), make_activation(config.activation)]
        width_in = config.width
    layers.append(linear(width_in, 1, generator))
    return nn.Sequential(*layers).to(device=device, dtype=float_dtype(device))


def parameter_labels(config: NetConfig) -> list[str]:
    """W1, b1, W2, b2, … in the order of net.parameters()."""
    return [f"{kind}{layer}" for layer in range(1, config.depth + 2) for kind in ("W", "b")]


def _point(x: tuple[float, float], device: torch.device, requires_grad: bool = False) -> torch.Tensor:
    return torch.tensor(x, dtype=float_dtype(device), device=device, requires_grad=requires_grad)


# ---------------------------------------------------------------- ∇ₓf, one point and a whole field


@dataclass(frozen=True)
class Field:
    """f and ∇ₓf on a square grid of input points."""

    x1: np.ndarray  # (n,) grid coordinates, shared by both axes
    f: np.ndarray  # (n, n), f[i, j] at (x1[j], x1[i])
    grad: np.ndarray  # (n, n, 2)


def grid(extent: float, resolution: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """The axis values and the (resolution², 2) points of a square grid, rows along x2."""
    axis = torch.linspace(-extent, extent, resolution, dtype=float_dtype(device), device=device)
    x2, x1 = torch.meshgrid(axis, axis, indexing="ij")
    return axis, torch.stack([x1.reshape(-1), x2.reshape(-1)], dim=1)


def input_gradient_field(config: NetConfig, device: str = "cpu", extent: float = 2.0, resolution: int = 31) -> Field:
    """f and ∇ₓf on every grid point in one batched backward pass."""
    device = resolve(device)
    net = make_mlp(config, device)
    axis, points = grid(extent, resolution, device)
    points.requires_grad_(True)
    f = net(points).squeeze(-1)
    # Rows do not interact, so the gradient of the sum is every point's own gradient.
    (grad_x,) = torch.autograd.grad(f, points, grad_outputs=torch.ones_like(f))
    n = resolution
    return Field(to_numpy(axis), to_numpy(f).reshape(n, n), to_numpy(grad_x).reshape(n, n, 2))


@dataclass(frozen=True)
class Arrows:
    """∇ₓf on every few grid points, for drawing as arrows."""

    x1: np.ndarray  # (m,) positions
    x2: np.ndarray
    df_dx1: np.ndarray  # (m,) the gradient there
    df_dx2: np.ndarray
    heading: np.ndarray  # (m,) degrees clockwise from "up" (+x₂), the direction of ∇ₓf
    relative: np.ndarray  # (m,) |∇ₓf| over the largest one shown, in [0, 1]


def field_arrows(field: Field, per_side: int = 13) -> Arrows:
    """About `per_side` × `per_side` evenly spaced points of the field, with the gradient's heading and length."""
    every = max(1, len(field.x1) // per_side)
    axis = field.x1[::every]
    x1, x2 = np.meshgrid(axis, axis)
    grad = field.grad[::every, ::every]
    magnitude = np.hypot(grad[..., 0], grad[..., 1])
    heading = 90 - np.degrees(np.arctan2(grad[..., 1], grad[..., 0]))
    return Arrows(x1.ravel(), x2.ravel(), grad[..., 0].ravel(), grad[..., 1].ravel(), heading.ravel(),
                  (magnitude / max(float(magnitude.max()), 1e-12)).ravel())


@dataclass(frozen=True)
class PointGradients:
    """f(x), ∇ₓf and ∇θf at one input point."""

    f: float
    input_grad: np.ndarray  # (2,)
    labels: list[str]  # W1, b1, …
    param_grads: list[np.ndarray]  # one array per parameter, in its own shape
    flat: np.ndarray  # all of ∇θf as one vector (parameters_to_vector)

    def owners(self) -> list[str]:
        """For each entry of `flat`, the label of the parameter it belongs to."""
        return [label for label, g in zip(self.labels, self.param_grads) for _ in range(g.size)]


def gradients_at(config: NetConfig, x: tuple[float, float], device: str = "cpu") -> PointGradients:
    """∇ₓf and ∇θf for every parameter, from one backward pass."""
    device = resolve(device)
    net = make_mlp(config, device)
    point = _point(x, device, requires_grad=True)
    f = net(point).squeeze()
    params = list(net.parameters())
    input_grad, *param_grads = torch.autograd.grad(f, [point, *params])
    flat = parameters_to_vector(param_grads)  # the one list of all parameters' gradients
    return PointGradients(float(f.detach()), to_numpy(input_grad), parameter_labels(config),
                          [to_numpy(g) for g in param_grads], to_numpy(flat))


# ---------------------------------------------------------------- double backprop


@dataclass(frozen=True)
class DoubleBackprop:
    """G = Σ(∂f/∂θ)², its gradient, and each layer's own part ∇θℓ ‖∂f/∂θℓ‖²."""

    G: float
    labels: list[str]
    grad_G: list[np.ndarray]  # ∂G/∂θ, per parameter
    own: list[np.ndarray]  # ∂Gℓ/∂θℓ with Gℓ = ‖∂f/∂θℓ‖², per parameter


def double_backprop(config: NetConfig, x: tuple[float, float], device: str = "cpu") -> DoubleBackprop:
    """∇θG via a create_graph=True backward, and each parameter's own block of it."""
    device = resolve(device)
    net = make_mlp(config, device)
    f = net(_point(x, device)).squeeze()
    params = list(net.parameters())
    grads = torch.autograd.grad(f, params, create_graph=True)  # keeps ∂f/∂θ differentiable
    own = []
    for g, p in zip(grads, params):
        part = g.pow(2).sum()
        # The last bias's gradient is the constant 1: nothing to differentiate.
        own.append(torch.autograd.grad(part, p, retain_graph=True, materialize_grads=True)[0]
                   if part.requires_grad else torch.zeros_like(p))
    G = sum(g.pow(2).sum() for g in grads)
    grad_G = torch.autograd.grad(G, params, materialize_grads=True)  # G does not involve the last bias: zeros
    return DoubleBackprop(float(G.detach()), parameter_labels(config), [to_numpy(g) for g in grad_G],
                          [to_numpy(o) for o in own])


def layer_blocks(labels: list[str], grads: list[np.ndarray]) -> list[tuple[str, np.ndarray]]:
    """One (label, matrix) per layer: its weight (out × in) with the bias as an extra last column, one colour scale."""
    return [(f"{w_label} | {b_label}", np.hstack([weight, bias.reshape(-1, 1)]))
            for w_label, weight, b_label, bias in zip(labels[::2], grads[::2], labels[1::2], grads[1::2])]


@dataclass(frozen=True)
class LargestEntry:
    """How large ∂G/∂θ and the parameter's own block ∂Gℓ/∂θℓ are, for one parameter."""

    label: str
    shape: tuple[int, ...]
    grad_G: float  # max |∂G/∂θ|
    own: float  # max |∂Gℓ/∂θℓ|


def largest_entries(result: DoubleBackprop) -> list[LargestEntry]:
    """Per parameter, the largest magnitude in ∂G/∂θ and in its own block."""
    return [LargestEntry(label, g.shape, float(np.abs(g).max()), float(np.abs(o).max()))
            for label, g, o in zip(result.labels, result.grad_G, result.own)]


@dataclass(frozen=True)
class FirstLayerRow:
    """How large the first layer's part of ∇θG is for one activation."""

    activation: str
    full: float  # max |∂G/∂W1|
    own: float  # max |∂G1/∂W1|, G1 = ‖∂f/∂W1‖²


def first_layer_by_activation(config: NetConfig, x: tuple[float, float], device: str = "cpu") -> list[FirstLayerRow]:
    """The same net and point with each activation: which first-layer numbers vanish."""
    rows = []
    for activation in ACTIVATIONS:
        result = double_backprop(replace(config, activation=activation), x, device)
        rows.append(FirstLayerRow(activation, float(np.abs(result.grad_G[0]).max()),
                                  float(np.abs(result.own[0]).max())))
    return rows


def autograd_graph(config: NetConfig, x: tuple[float, float], device: str = "cpu") -> DotGraph:
    """The graph behind f and G; nodes made by the create_graph=True backward are marked."""
    device = resolve(device)
    net = make_mlp(config, device)
    point = _point(x, device)
    f = net(point).squeeze()
    params = list(net.parameters())
    forward = graph_nodes(f)
    grads = torch.autograd.grad(f, params, create_graph=True)
    G = sum(g.pow(2).sum() for g in grads)
    names = dict(zip(parameter_labels(config), params))
    return to_dot({"f": f, "G": G}, names=names, forward_nodes=forward, max_nodes=70)


def gradient_trace(config: NetConfig, x: tuple[float, float], device: str = "cpu") -> BackwardTrace:
    """The backward pass of gradients_at (∇ₓf and ∇θf in one torch.autograd.grad), traced node by node."""
    device = resolve(device)
    net = make_mlp(config, device)
    point = _point(x, device, requires_grad=True)
    f = net(point).squeeze()
    params = list(net.parameters())
    names = {"x": point, **dict(zip(parameter_labels(config), params))}
    return trace_backward(f, [point, *params], names=names, output_names=["f"])


def double_backprop_trace(config: NetConfig, x: tuple[float, float], device: str = "cpu") -> BackwardTrace:
    """The backward pass of G = Σ(∂f/∂θ)² to θ, traced node by node; the nodes the create_graph=True pass that made
    ∂f/∂θ recorded are marked (the last bias does not reach G: its gradient is None)."""
    device = resolve(device)
    net = make_mlp(config, device)
    f = net(_point(x, device)).squeeze()
    params = list(net.parameters())
    forward = graph_nodes(f)
    grads = torch.autograd.grad(f, params, create_graph=True)
    G = sum(g.pow(2).sum() for g in grads)
    return trace_backward(G, params, allow_unused=True, names=dict(zip(parameter_labels(config), params)),
                          forward_nodes=forward, output_names=["G"])


# ---------------------------------------------------------------- checks against independent references


def _reference(config: NetConfig):
    """A float64 CPU copy of the net and its parameters as a dict, for torch.func."""
    net = make_mlp(config, CPU)
    return net, {name: p.detach() for name, p in net.named_parameters()}


def _of_parameters(config: NetConfig, x: tuple[float, float]):
    """f(θ) of the float64 CPU copy at x, with θ one flat vector, and the net's own θ."""
    net, params = _reference(config)
    point = torch.tensor(x, dtype=torch.float64)
    sizes = [p.numel() for p in params.values()]

    def f(flat: torch.Tensor) -> torch.Tensor:
        pieces = torch.split(flat, sizes)
        return functional_call(net, {n: v.view_as(p) for (n, p), v in zip(params.items(), pieces)}, (point,)).squeeze()

    return f, parameters_to_vector(params.values()), sizes


def check_input_gradients(config: NetConfig, x: tuple[float, float], device: str = "cpu", extent: float = 2.0,
                          resolution: int = 31, h: float = 1e-6) -> tuple[Check, Check]:
    """∇ₓf at the point and on the whole field vs torch.func (vmap of jacrev) and float64 central differences."""
    ours = input_gradient_field(config, device, extent, resolution).grad.reshape(-1, 2)
    ours = np.concatenate([gradients_at(config, x, device).input_grad[None], ours])
    net, params = _reference(config)
    _, points = grid(extent, resolution, CPU)
    points = torch.cat([torch.tensor([x], dtype=torch.float64), points])

    def f(point: torch.Tensor) -> torch.Tensor:
        return functional_call(net, params, (point,)).squeeze()

    exact = vmap(jacrev(f))(points)
    with torch.no_grad():
        steps = h * torch.eye(2, dtype=torch.float64)
        fd = torch.stack([(net(points + e) - net(points - e)).squeeze(-1) / (2 * h) for e in steps], dim=1)
    tol = precision_tolerance(device, 1e-6, 1e-3)
    return (compare(ours, exact, "torch.func.jacrev", tol),
            compare(ours, fd, "float64 central differences", max(tol, 1e-6)))


def check_parameter_gradients(config: NetConfig, x: tuple[float, float], device: str = "cpu",
                              h: float = 1e-6, chunk: int = 512) -> tuple[Check, Check]:
    """∇θf vs torch.func.jacrev over the parameters, and float64 central differences per parameter."""
    ours = gradients_at(config, x, device).flat
    f, theta, _ = _of_parameters(config, x)
    exact = jacrev(f)(theta)
    fd, n = [], theta.numel()
    with torch.no_grad():
        for start in range(0, n, chunk):  # a batch of one-coordinate steps at a time, through vmap
            index = torch.arange(start, min(start + chunk, n))
            steps = torch.zeros(len(index), n, dtype=torch.float64)
            steps[torch.arange(len(index)), index] = h
            fd.append((vmap(f)(theta + steps) - vmap(f)(theta - steps)) / (2 * h))
    tol = precision_tolerance(device, 1e-6, 1e-3)
    return (compare(ours, exact, "torch.func.jacrev", tol),
            compare(ours, torch.cat(fd), "float64 central differences", max(tol, 1e-6)))


def check_double_backprop(config: NetConfig, x: tuple[float, float], device: str = "cpu", h: float = 1e-6) -> Check:
    """∇θG and each own block vs central differences of the first-order gradient (as gradgradcheck does).

    ∇θG = 2 H g with H the Hessian of f and g = ∇θf, so it is 2 × the derivative of ∇θf along g.
    """
    ours = double_backprop(config, x, device)
    f, theta, sizes = _of_parameters(config, x)
    grad_f = grad(f)

    def along(direction: torch.Tensor) -> torch.Tensor:
        """2 H v by central differences of ∇θf, with the step scaled to v's length."""
        norm = float(direction.norm())
        if norm == 0.0:
            return torch.zeros_like(theta)
        unit = direction / norm
        return norm * (grad_f(theta + h * unit) - grad_f(theta - h * unit)) / h

    g = grad_f(theta)
    blocks = torch.split(g, sizes)
    reference = [along(g)]
    for i in range(len(blocks)):
        only = torch.cat([b if j == i else torch.zeros_like(b) for j, b in enumerate(blocks)])
        reference.append(torch.split(along(only), sizes)[i])
    values = [np.concatenate([a.ravel() for a in ours.grad_G])] + [o.ravel() for o in ours.own]
    return compare(np.concatenate(values), torch.cat(reference), "central differences of ∇θf (float64)",
                   max(precision_tolerance(device, 1e-6, 1e-3), 1e-5))


# ---------------------------------------------------------------- the wrong versions, run for real


def wrong_no_create_graph(config: NetConfig, x: tuple[float, float], device: str = "cpu") -> np.ndarray:
    """∇θG without create_graph=True: the first gradients are plain numbers, so G has no graph."""
    device = resolve(device)
    net = make_mlp(config, device)
    f = net(_point(x, device)).squeeze()
    params = list(net.parameters())
    grads = torch.autograd.grad(f, params)  # create_graph=False (the default)
    G = sum(g.pow(2).sum() for g in grads)
    return to_numpy(torch.autograd.grad(G, params[0])[0])


@dataclass(frozen=True)
class Accumulation:
    """W1.grad[0] after each step of the backward-twice demo."""

    once: np.ndarray
    twice: np.ndarray
    none_after_zero_grad: bool
    after_zero_grad: np.ndarray


def wrong_backward_twice(config: NetConfig, x: tuple[float, float], device: str = "cpu") -> Accumulation:
    """Two forward+backward passes without zero_grad: .grad holds the sum of both."""
    device = resolve(device)
    net = make_mlp(config, device)
    point = _point(x, device)
    weight = net[0].weight
    net(point).squeeze().backward()
    once = to_numpy(weight.grad[0])
    net(point).squeeze().backward()  # adds to .grad, it does not overwrite it
    twice = to_numpy(weight.grad[0])
    net.zero_grad()  # sets .grad to None (set_to_none=True by default)
    none_after = weight.grad is None
    net(point).squeeze().backward()
    return Accumulation(once, twice, none_after, to_numpy(weight.grad[0]))


def wrong_first_only(config: NetConfig, x: tuple[float, float], device: str = "cpu") -> tuple[tuple, int]:
    """The blog's `[0]`: only the first layer's weight gradient, not one list of all parameters."""
    device = resolve(device)
    net = make_mlp(config, device)
    f = net(_point(x, device)).squeeze()
    first = torch.autograd.grad(f, list(net.parameters()))[0]
    return tuple(first.shape), sum(p.numel() for p in net.parameters())


def pitfalls(config: NetConfig, x: tuple[float, float], device: str = "cpu") -> tuple[PitfallOutcome, ...]:
    """The three wrong versions, run for real: no create_graph, backward twice, and the blog's `[0]`."""
    return tuple(run_pitfall(lambda wrong=wrong: wrong(config, x, device))
                 for wrong in (wrong_no_create_graph, wrong_backward_twice, wrong_first_only))


# ---------------------------------------------------------------- input-gradient penalty, trained live


@dataclass(frozen=True)
class TrainConfig:
    """The toy classification task and the two training runs (with and without the penalty)."""

    net: NetConfig = NetConfig()
    penalty: float = 0.01  # λ in loss + λ·mean‖∇ₓf‖²
    lr: float = 0.3
    steps: int = 400
    points: int = 200
    noise: float = 0.15
    device: str = "cpu"


def make_moons(points: int, noise: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaving half circles with Gaussian noise, centred on the origin, labels 0/1."""
    generator = torch.Generator().manual_seed(seed)
    half = points // 2
    angle = torch.rand(points, generator=generator, dtype=torch.float64) * math.pi
    upper = torch.stack([torch.cos(angle[:half]), torch.sin(angle[:half])], 1)
    lower = torch.stack([1 - torch.cos(angle[half:]), 0.5 - torch.sin(angle[half:])], 1)
    X = torch.cat([upper, lower]) - torch.tensor([0.5, 0.25], dtype=torch.float64)
    X = X + noise * torch.randn(X.shape, generator=generator, dtype=torch.float64)
    y = torch.cat([torch.zeros(half), torch.ones(points - half)]).double()
    return X, y


def penalised_loss(net: nn.Module, X: torch.Tensor, y: torch.Tensor,
                   penalty: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Cross-entropy + λ·mean‖∇ₓf‖², and the mean gradient norm; the penalty needs create_graph=True."""
    X = X.detach().requires_grad_(True)
    logits = net(X).squeeze(-1)
    # retain_graph: the loss still backpropagates through this forward pass afterwards.
    (grad_x,) = torch.autograd.grad(logits.sum(), X, create_graph=penalty > 0, retain_graph=True)
    squared = grad_x.pow(2).sum(1)
    loss = F.binary_cross_entropy_with_logits(logits, y)
    if penalty > 0:
        loss = loss + penalty * squared.mean()
    return loss, squared.detach().sqrt().mean()


@dataclass(frozen=True)
class TrainView:
    """What the page draws: both nets' decision surfaces and gradient-norm maps, the data, the history."""

    x1: np.ndarray  # (n,) grid axis
    probability: tuple[np.ndarray, np.ndarray]  # (plain, penalised), each (n, n)
    grad_norm: tuple[np.ndarray, np.ndarray]  # ‖∇ₓf‖ of the logit, each (n, n)
    data: np.ndarray  # (points, 2)
    labels: np.ndarray  # (points,)
    accuracy: tuple[float, float]

    def finite(self) -> bool:
        """Whether both nets' maps are finite numbers (a diverged net has nothing meaningful to draw)."""
        return all(np.all(np.isfinite(a)) for a in (*self.probability, *self.grad_norm))

    def grad_norm_top(self) -> float:
        """The largest ‖∇ₓf‖ of both maps: one colour scale for both runs."""
        return max(float(self.grad_norm[0].max()), float(self.grad_norm[1].max()), 1e-12)


RUNS = ("plain", "penalised")  # the two training runs, in the order of PenaltyTrainer.nets
# step, then each run's loss, then each run's mean ‖∇ₓf‖ on the data: the order train_step appends them in.
HISTORY_COLUMNS = ("step", *(f"loss_{run}" for run in RUNS), *(f"norm_{run}" for run in RUNS))


@dataclass(frozen=True)
class RunNumbers:
    """One run's latest loss and mean ‖∇ₓf‖ on the data (NaN before the first step)."""

    loss: float
    norm: float


def latest_numbers(history: History) -> dict[str, RunNumbers]:
    """Each run's numbers after the latest step, by run name."""
    def last(column: str) -> float:
        values = getattr(history, column)
        return values[-1] if values else math.nan

    return {run: RunNumbers(last(f"loss_{run}"), last(f"norm_{run}")) for run in RUNS}


def norm_curves(history: History) -> dict[str, list]:
    """Mean ‖∇ₓf‖ against step for both runs, one row per (step, run): columns step, run, norm."""
    steps = history.step
    return {"step": steps * len(RUNS), "run": [run for run in RUNS for _ in steps],
            "norm": [value for run in RUNS for value in getattr(history, f"norm_{run}")]}


class PenaltyTrainer:
    """Trains the same initial net twice on the same data, with and without the input-gradient penalty."""

    def __init__(self, config: TrainConfig):
        self.config = config
        self.device = resolve(config.device)
        dtype = float_dtype(self.device)
        X, y = make_moons(config.points, config.noise, config.net.seed)
        self.X, self.y = X.to(self.device, dtype), y.to(self.device, dtype)
        plain = make_mlp(config.net, self.device)
        self.nets = (plain, copy.deepcopy(plain))  # identical initial weights
        self.penalties = (0.0, config.penalty)
        self.optimizers = [torch.optim.SGD(net.parameters(), lr=config.lr) for net in self.nets]
        self.step, self.total, self.done, self.error, self.seconds = 0, config.steps, False, None, 0.0
        self.history = History(*HISTORY_COLUMNS)

    @staticmethod
    def memory_need(config: TrainConfig) -> MemoryNeed:
        """Two small nets, their data and history: measured ~5 MB a job with twenty 3,000-step jobs in one worker."""
        return MemoryNeed(held=6 * 2**20 + 100 * config.steps, working=4 * 2**20 + 64 * config.points * config.net.width)

    def train_step(self) -> None:
        """One full-batch gradient step for both nets; stops with an error on a non-finite loss."""
        results = [penalised_loss(net, self.X, self.y, penalty) for net, penalty in zip(self.nets, self.penalties)]
        if not all(torch.isfinite(loss) for loss, _ in results):
            self.error = "common.train_diverged"
            return
        for (loss, _), optimizer in zip(results, self.optimizers):
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        self.step += 1
        self.history.append(self.step, *(float(loss.detach()) for loss, _ in results), *(float(n) for _, n in results))
        self.done = self.step >= self.total

    def advance(self, seconds: float) -> None:
        """Train for about `seconds`, or until done or diverged."""
        start = time.perf_counter()
        while not self.done and self.error is None and time.perf_counter() - start < seconds:
            self.train_step()
        self.seconds += time.perf_counter() - start

    def snapshot(self, preview: bool = False, final: bool = False) -> Snapshot:
        """Progress and losses; the preview is both nets' view (surfaces and gradient-norm maps)."""
        return snapshot_of(self, self.history, {"view": self.view()} if preview or final else None,
                           {f"{i}.{name}": w for i, net in enumerate(self.nets) for name, w in state_arrays(net).items()}
                           if final else None)

    def view(self, extent: float = 2.0, resolution: int = 41) -> TrainView:
        """Both nets evaluated on a grid, plus the data and history."""
        axis, points = grid(extent, resolution, self.device)
        probability, grad_norm, accuracy = [], [], []
        for net in self.nets:
            points = points.detach().requires_grad_(True)
            logits = net(points).squeeze(-1)
            (grad_x,) = torch.autograd.grad(logits.sum(), points)
            probability.append(to_numpy(torch.sigmoid(logits)).reshape(resolution, resolution))
            grad_norm.append(to_numpy(grad_x.norm(dim=1)).reshape(resolution, resolution))
            with torch.no_grad():
                accuracy.append(float(((net(self.X).squeeze(-1) > 0).to(self.y.dtype) == self.y).double().mean()))
        return TrainView(to_numpy(axis), tuple(probability), tuple(grad_norm), to_numpy(self.X), to_numpy(self.y),
                         tuple(accuracy))
