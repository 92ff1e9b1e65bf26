"""Hessian-vector products by double backward, and the curvature they buy without ever forming H.

A small MLP on a toy 1-D regression batch gives a loss L(θ). H·v comes from differentiating g·v
where g = ∇L was built with create_graph=True; power iteration, Hutchinson's trace estimator and
stochastic Lanczos quadrature need nothing but such products. The full Hessian (torch.func.hessian)
is formed only when it fits the memory budget, as the reference the estimators are compared with.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass, replace
from typing import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from core.checks import PitfallOutcome, run_pitfall
from core.devices import float_dtype, resolve
from core.graph import DotGraph, graph_nodes, to_dot
from core.timing import median_seconds

ACTIVATIONS = {"tanh": torch.tanh, "relu": torch.relu, "gelu": F.gelu, "softplus": F.softplus, "sigmoid": torch.sigmoid}
FULL_HESSIAN_BUDGET_BYTES = 1024**3  # the page forms H only when its estimate fits in this (N ≈ 2,500 at most)
# torch.func.jvp (so jacfwd and hessian) counts its nesting in a module global and keeps forward-AD levels in one
# process-wide list: two threads inside it at once (two sessions, or a rerun overlapping the one it replaced) free
# each other's level. Every forward-mode transform in the process must run under this one lock.
FORWARD_MODE_LOCK = threading.RLock()


@dataclass(frozen=True)
class NetConfig:
    """The network and its toy regression batch."""

    width: int = 16
    depth: int = 2  # hidden layers
    activation: str = "tanh"
    samples: int = 64
    seed: int = 0


def layer_sizes(config: NetConfig) -> list[int]:
    """Units per layer, input to output (1-D in, 1-D out)."""
    return [1] + [config.width] * config.depth + [1]


def parameter_count(config: NetConfig) -> int:
    """N: weights and biases of every layer."""
    sizes = layer_sizes(config)
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


def full_hessian_bytes(config: NetConfig, device: str = "cpu") -> int:
    """Upper bound on the memory torch.func.hessian and eigvalsh need on `device` (measured peaks were 40-100% of it)."""
    itemsize = torch.finfo(float_dtype(resolve(device))).bits // 8
    n = parameter_count(config)
    per_column = config.samples * sum(layer_sizes(config)) * 8  # activations and their tangents, vmapped over N
    return itemsize * n * (3 * n + per_column)


@dataclass
class Problem:
    """Parameters (leaf tensors) and the batch; `loss(params)` is the functional form torch.func needs."""

    config: NetConfig
    params: list[torch.Tensor]
    x: torch.Tensor
    y: torch.Tensor

    def loss(self, params: Sequence[torch.Tensor]) -> torch.Tensor:
        """Mean squared error of the MLP with these parameters."""
        act = ACTIVATIONS[self.config.activation]
        h = self.x
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i + 2 < len(params):
                h = act(h)
        return ((h - self.y) ** 2).mean()

    def loss_fn(self) -> torch.Tensor:
        """L(θ) at the current parameters: the closure `hvp` and the estimators take."""
        return self.loss(self.params)


def make_problem(config: NetConfig, device: str | torch.device = "cpu", dtype: torch.dtype | None = None) -> Problem:
    """Seeded weights (scaled 1/√fan-in) and a noisy sine, drawn on the CPU so every device sees the same numbers."""
    device = resolve(device)
    dtype = dtype or float_dtype(device)
    gen = torch.Generator().manual_seed(config.seed)
    sizes = layer_sizes(config)
    params = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        params.append(torch.randn(a, b, generator=gen, dtype=torch.float64) / math.sqrt(a))
        params.append(0.1 * torch.randn(b, generator=gen, dtype=torch.float64))
    x = torch.linspace(-2, 2, config.samples, dtype=torch.float64).unsqueeze(1)
    y = torch.sin(2 * x) + 0.1 * torch.randn(x.shape, generator=gen, dtype=torch.float64)
    params = [p.to(device, dtype).requires_grad_() for p in params]
    return Problem(config, params, x.to(device, dtype), y.to(device, dtype))


def flatten(tensors: Sequence[torch.Tensor]) -> torch.Tensor:
    """One vector from a list of tensors, keeping their autograd graph (H·v differentiates through it)."""
    return torch.cat([t.reshape(-1) for t in tensors])


def unflatten(flat: torch.Tensor, like: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    """Split a vector back into tensors shaped like `like`."""
    return [part.view_as(t) for part, t in zip(flat.split([t.numel() for t in like]), like)]


# --- H·v, four ways -----------------------------------------------------------------------------

def hvp(loss_fn: Callable[[], torch.Tensor], params: Sequence[torch.Tensor], vector: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    """H·v by double backward: g = ∇L with create_graph=True, then ∇(g·v)."""
    grads = torch.autograd.grad(loss_fn(), params, create_graph=True)
    g_dot_v = flatten(grads) @ flatten(vector)
    return list(torch.autograd.grad(g_dot_v, params, allow_unused=True, materialize_grads=True))


def hvp_operator(loss_fn: Callable[[], torch.Tensor], params: Sequence[torch.Tensor]) -> Callable[[torch.Tensor], torch.Tensor]:
    """Build the gradient graph once and return flat v ↦ flat H·v, reusing it for every product (as PyHessian does)."""
    grad = flatten(torch.autograd.grad(loss_fn(), params, create_graph=True))

    def product(v: torch.Tensor) -> torch.Tensor:
        return flatten(torch.autograd.grad(grad @ v, params, retain_graph=True, allow_unused=True, materialize_grads=True))

    return product


def hvp_forward_over_reverse(problem: Problem, vector: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    """H·v as the directional derivative of the gradient: torch.func.jvp of torch.func.grad."""
    primals = tuple(p.detach() for p in problem.params)
    with FORWARD_MODE_LOCK:
        return list(torch.func.jvp(torch.func.grad(problem.loss), (primals,), (tuple(vector),))[1])


def hvp_functional(problem: Problem, vector: Sequence[torch.Tensor], transpose: bool = False) -> list[torch.Tensor]:
    """torch.autograd.functional.hvp, or vhp (v·H, equal for a symmetric H)."""
    product = torch.autograd.functional.vhp if transpose else torch.autograd.functional.hvp
    primals = tuple(p.detach() for p in problem.params)
    return list(product(lambda *p: problem.loss(p), primals, tuple(vector))[1])


def full_hessian(problem: Problem) -> torch.Tensor:
    """The whole N×N Hessian by torch.func.hessian (forward-over-reverse, vmapped over N directions)."""
    like = [p.detach() for p in problem.params]
    with FORWARD_MODE_LOCK:
        return torch.func.hessian(lambda flat: problem.loss(unflatten(flat, like)))(flatten(like))


def hvp_finite_difference(problem: Problem, vector: Sequence[torch.Tensor], eps: float = 1e-4) -> torch.Tensor:
    """Independent reference: central difference of the float64 CPU gradient along u = v/|v|, times |v|."""
    cpu = lambda t: t.detach().cpu().double()  # float64 everywhere, even where the device lacks it (MPS)
    reference = Problem(problem.config, [cpu(p) for p in problem.params], cpu(problem.x), cpu(problem.y))
    theta, v = flatten(reference.params), cpu(flatten(vector))
    u = v / v.norm()  # a unit step keeps the O(ε²) truncation error independent of |v|
    grad_at = torch.func.grad(lambda flat: reference.loss(unflatten(flat, reference.params)))
    return (grad_at(theta + eps * u) - grad_at(theta - eps * u)) / (2 * eps) * v.norm()


# --- what H·v buys ------------------------------------------------------------------------------

def random_vector(n: int, seed: int, like: torch.Tensor, rademacher: bool = False) -> torch.Tensor:
    """A seeded random vector drawn on the CPU (same numbers on every device)."""
    gen = torch.Generator().manual_seed(seed)
    if rademacher:
        return (torch.randint(0, 2, (n,), generator=gen) * 2 - 1).to(like.device, like.dtype)
    return torch.randn(n, generator=gen, dtype=torch.float64).to(like.device, like.dtype)


@dataclass(frozen=True)
class Eigen:
    """Top-k eigenvalues (largest |λ| first), their eigenvectors, and each one's estimate per iteration."""

    values: list[float]
    vectors: list[torch.Tensor]
    history: list[list[float]]


def power_iteration(product: Callable[[torch.Tensor], torch.Tensor], like: torch.Tensor, k: int, tol: float = 1e-4,
                    max_iter: int = 1000, seed: int = 0) -> Eigen:
    """Power iteration with deflation; stops when the residual |Hv − λv| is at most tol·|λ|."""
    values, vectors, history = [], [], []
    for i in range(k):
        found = torch.stack(vectors) if vectors else like.new_zeros(0, like.numel())
        deflate = lambda w: w - found.T @ (found @ w)  # stay orthogonal to the eigenvectors already found
        v = deflate(random_vector(like.numel(), seed + i, like))
        v = v / v.norm()
        trace = []
        for _ in range(max_iter):
            hv = deflate(product(v))
            value = float(v @ hv)  # Rayleigh quotient
            trace.append(value)
            if float((hv - value * v).norm()) <= tol * abs(value):  # then some eigenvalue is within tol·|λ|
                break
            v = hv / hv.norm()
        values.append(value)
        vectors.append(v)
        history.append(trace)
    return Eigen(values, vectors, history)


def top_eigenvalues(loss_fn: Callable[[], torch.Tensor], params: Sequence[torch.Tensor], k: int, tol: float = 1e-4) -> list[float]:
    """The k eigenvalues of largest magnitude, from H·v products only."""
    return power_iteration(hvp_operator(loss_fn, params), flatten(params).detach(), k, tol).values


@dataclass(frozen=True)
class TraceEstimate:
    """Hutchinson samples zᵀHz and the running mean ± standard error after each."""

    samples: np.ndarray
    running_mean: np.ndarray
    running_se: np.ndarray


def hutchinson(product: Callable[[torch.Tensor], torch.Tensor], like: torch.Tensor, samples: int, seed: int = 0) -> TraceEstimate:
    """tr(H) = E[zᵀHz] for Rademacher z: average `samples` draws."""
    draws = np.array([float(z @ product(z))
                      for z in (random_vector(like.numel(), seed + i, like, rademacher=True) for i in range(samples))])
    count = np.arange(1, samples + 1)
    mean = np.cumsum(draws) / count
    var = np.maximum(np.cumsum(draws**2) / count - mean**2, 0.0) * count / np.maximum(count - 1, 1)
    return TraceEstimate(draws, mean, np.sqrt(var / count))


def lanczos(product: Callable[[torch.Tensor], torch.Tensor], start: torch.Tensor, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Lanczos with full reorthogonalisation: Ritz values of H and their weights (first components squared)."""
    basis = [start / start.norm()]
    alphas, betas = [], []
    w = product(basis[0])
    for j in range(steps):
        alphas.append(float(w @ basis[-1]))
        stack = torch.stack(basis)
        w = w - stack.T @ (stack @ w)  # full reorthogonalisation (twice is enough) keeps the Ritz values clean
        w = w - stack.T @ (stack @ w)
        beta = float(w.norm())
        if j == steps - 1 or beta <= 1e-10 * (max(map(abs, alphas)) or 1.0):  # exhausted the Krylov space
            break
        betas.append(beta)
        basis.append(w / beta)
        w = product(basis[-1]) - beta * basis[-2]
    tri = np.diag(alphas) + np.diag(betas, 1) + np.diag(betas, -1)
    nodes, vectors = np.linalg.eigh(tri)
    return nodes, vectors[0] ** 2


@dataclass(frozen=True)
class Density:
    """Stochastic Lanczos quadrature: Ritz nodes and weights per run, and their Gaussian-smoothed density."""

    nodes: list[np.ndarray]
    weights: list[np.ndarray]
    grid: np.ndarray
    density: np.ndarray
    sigma: float  # width of the Gaussian each node is smoothed with


def spectral_density(product: Callable[[torch.Tensor], torch.Tensor], like: torch.Tensor, steps: int, runs: int,
                     seed: int = 0, points: int = 400, width: float = 0.02) -> Density:
    """Average of `runs` Lanczos quadratures from Rademacher starts; σ is `width` of the spectrum's range."""
    results = [lanczos(product, random_vector(like.numel(), seed + r, like, rademacher=True), steps) for r in range(runs)]
    nodes, weights = [n for n, _ in results], [w for _, w in results]
    low, high = min(n.min() for n in nodes), max(n.max() for n in nodes)
    sigma = width * max(high - low, 1e-12)
    grid = np.linspace(low - 5 * sigma, high + 5 * sigma, points)
    density = smoothed_density(np.concatenate(nodes), np.concatenate(weights) / runs, grid, sigma)
    return Density(nodes, weights, grid, density, sigma)


def smoothed_density(points: np.ndarray, weights: np.ndarray, grid: np.ndarray, sigma: float) -> np.ndarray:
    """Σ wᵢ·N(x; pᵢ, σ²) on the grid: with wᵢ = 1/N over exact eigenvalues, the curve SLQ estimates."""
    bumps = np.exp(-((grid[None, :] - points[:, None]) ** 2) / (2 * sigma**2))
    return weights @ bumps / (sigma * math.sqrt(2 * math.pi))


def loss_slice(problem: Problem, direction: torch.Tensor, alphas: np.ndarray) -> np.ndarray:
    """L(θ + α·d) for each α: the loss along one direction in parameter space."""
    theta = flatten(problem.params).detach()
    with torch.no_grad():
        return np.array([float(problem.loss(unflatten(theta + a * direction, problem.params))) for a in alphas])


# --- what the page shows: plain data, one function per panel -----------------------------------

def fits_budget(config: NetConfig, device: str = "cpu", budget: int = FULL_HESSIAN_BUDGET_BYTES) -> bool:
    """Whether the full Hessian's memory estimate fits the configured budget."""
    return full_hessian_bytes(config, device) <= budget


def _pool(matrix: np.ndarray, cells: int) -> np.ndarray:
    """Block means down to at most cells×cells, so a large Hessian still fits a heatmap."""
    n = matrix.shape[0]
    if n <= cells:
        return matrix
    index = np.arange(n) * cells // n
    sums = np.zeros((cells, cells))
    np.add.at(sums, (index[:, None], index[None, :]), matrix)
    counts = np.bincount(index, minlength=cells)
    return sums / np.outer(counts, counts)


@dataclass(frozen=True)
class HVPReport:
    """H·v for one random v by every method, their times, and the float64 finite-difference reference."""

    n: int
    loss: float
    products: dict[str, np.ndarray]
    seconds: dict[str, float]
    finite_difference: np.ndarray


def hvp_report(config: NetConfig, device: str, seed: int = 0) -> HVPReport:
    """Run double backward, the reused-graph operator, torch.func and autograd.functional (and H·v from full H)."""
    dev = resolve(device)
    problem = make_problem(config, dev)
    flat_v = random_vector(parameter_count(config), seed, problem.params[0])
    vector = unflatten(flat_v, problem.params)
    operator = hvp_operator(problem.loss_fn, problem.params)
    methods = {
        "double backward": lambda: flatten(hvp(problem.loss_fn, problem.params, vector)),
        "double backward, reused graph": lambda: operator(flat_v),
        "torch.func.jvp(grad)": lambda: flatten(hvp_forward_over_reverse(problem, vector)),
        "autograd.functional.hvp": lambda: flatten(hvp_functional(problem, vector)),
        "autograd.functional.vhp": lambda: flatten(hvp_functional(problem, vector, transpose=True)),
    }
    if fits_budget(config, device):
        methods["torch.func.hessian @ v"] = lambda: full_hessian(problem) @ flat_v
    products = {name: fn().detach().cpu().double().numpy() for name, fn in methods.items()}  # also the warm-up
    seconds = {name: median_seconds(fn, 1 if "hessian" in name else 3, dev, warmup=False) for name, fn in methods.items()}
    reference = hvp_finite_difference(problem, vector).cpu().numpy()
    return HVPReport(parameter_count(config), problem.loss_fn().item(), products, seconds, reference)


@dataclass(frozen=True)
class Spectrum:
    """What the full Hessian shows: its eigenvalues, trace, a pooled heatmap, symmetry and exact zeros."""

    eigenvalues: np.ndarray  # ascending
    trace: float
    heatmap: np.ndarray
    asymmetry: float  # max |H − Hᵀ|
    zero_fraction: float  # entries exactly 0.0


def exact_spectrum(config: NetConfig, device: str, cells: int = 64) -> Spectrum:
    """Form H with torch.func.hessian and diagonalise it with eigvalsh (call only when fits_budget)."""
    hessian = full_hessian(make_problem(config, device))
    eigenvalues = torch.linalg.eigvalsh(hessian).cpu().double().numpy()
    h = hessian.cpu().double().numpy()
    return Spectrum(eigenvalues, float(np.trace(h)), _pool(h, cells), float(np.abs(h - h.T).max()), float((h == 0).mean()))


@dataclass(frozen=True)
class EigenReport:
    """Power iteration's eigenvalues and convergence, and the loss along the top eigenvector."""

    values: list[float]
    history: list[list[float]]
    residuals: list[float]  # |Hu − λu| for each eigenvector u found
    converged: list[bool]  # residual within tol·|λ| before max_iter ran out
    alphas: np.ndarray
    slice_loss: np.ndarray
    slice_model: np.ndarray  # L + α g·u + ½ λ α²: the second-order Taylor model along u


def eigen_report(config: NetConfig, device: str, k: int, tol: float, seed: int = 0, max_iter: int = 300) -> EigenReport:
    """Top-k eigenpairs from one reused gradient graph, then a 1-D slice of L along the top eigenvector."""
    problem = make_problem(config, device)
    operator = hvp_operator(problem.loss_fn, problem.params)
    eigen = power_iteration(operator, flatten(problem.params).detach(), k, tol, max_iter, seed)
    residuals = [float((operator(u) - lam * u).norm()) for lam, u in zip(eigen.values, eigen.vectors)]
    converged = [len(h) < max_iter or r <= tol * abs(lam) for h, r, lam in zip(eigen.history, residuals, eigen.values)]
    top = eigen.vectors[0]
    slope = float(flatten(torch.autograd.grad(problem.loss_fn(), problem.params)) @ top)
    alphas = np.linspace(-1.0, 1.0, 41)
    model = problem.loss_fn().item() + slope * alphas + 0.5 * eigen.values[0] * alphas**2
    return EigenReport(eigen.values, eigen.history, residuals, converged, alphas, loss_slice(problem, top, alphas), model)


def trace_report(config: NetConfig, device: str, samples: int, seed: int = 0) -> TraceEstimate:
    """Hutchinson's running estimate of tr(H) on the page's network."""
    problem = make_problem(config, device)
    return hutchinson(hvp_operator(problem.loss_fn, problem.params), flatten(problem.params).detach(), samples, seed)


def density_report(config: NetConfig, device: str, steps: int, runs: int, seed: int = 0) -> Density:
    """Stochastic Lanczos quadrature of the Hessian's eigenvalue density on the page's network."""
    problem = make_problem(config, device)
    return spectral_density(hvp_operator(problem.loss_fn, problem.params), flatten(problem.params).detach(), steps, runs, seed)


def gradient_graph(config: NetConfig) -> DotGraph:
    """The graph that the HVP differentiates: g·v, with g built by a create_graph=True backward."""
    problem = make_problem(config)
    loss = problem.loss_fn()
    forward = graph_nodes(loss)
    grad = flatten(torch.autograd.grad(loss, problem.params, create_graph=True))
    g_dot_v = grad @ torch.ones_like(grad)
    names = {f"{'W' if i % 2 == 0 else 'b'}{i // 2 + 1}": p for i, p in enumerate(problem.params)}
    return to_dot({"g·v": g_dot_v}, names=names, forward_nodes=forward, max_nodes=80, show_saved=False)


def scaling_point(width: int, device: str, with_full: bool) -> dict:
    """Median seconds of one gradient, one HVP and (optionally) the full Hessian for a depth-2 net of this width."""
    dev = resolve(device)
    config = NetConfig(width=width, depth=2)
    problem = make_problem(config, dev)
    vector = unflatten(random_vector(parameter_count(config), 0, problem.params[0]), problem.params)
    row = {"n": parameter_count(config),
           "gradient": median_seconds(lambda: torch.autograd.grad(problem.loss_fn(), problem.params), device=dev),
           "hvp": median_seconds(lambda: hvp(problem.loss_fn, problem.params, vector), device=dev)}
    if with_full:
        row["full Hessian"] = median_seconds(lambda: full_hessian(problem), 1, dev)
    return row


def blog_scalar_hvp(config: NetConfig, device: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The blog's bug run for real: v = rand_like of shape (1,) broadcasts, giving s·H·1; beside the right H·v."""
    problem = make_problem(config, device)
    grads = torch.autograd.grad(problem.loss_fn(), problem.params, create_graph=True)
    gen = torch.Generator().manual_seed(seed)
    scalar = torch.rand(1, generator=gen, dtype=torch.float64).to(problem.params[0])  # shape (1,), not the params' shapes
    wrong = flatten(torch.autograd.grad(sum((g * scalar).sum() for g in grads), problem.params, retain_graph=True))
    vector = unflatten(random_vector(parameter_count(config), seed, problem.params[0]), problem.params)
    right = flatten(torch.autograd.grad(flatten(grads) @ flatten(vector), problem.params))
    return wrong.detach().cpu().double().numpy(), right.detach().cpu().double().numpy()


def hvp_without_create_graph(config: NetConfig, device: str) -> list[torch.Tensor]:
    """The second grad without create_graph=True: g has no grad_fn, so autograd raises."""
    problem = make_problem(config, device)
    grad = flatten(torch.autograd.grad(problem.loss_fn(), problem.params))  # create_graph=False: g is a plain tensor
    return list(torch.autograd.grad(grad @ torch.ones_like(grad), problem.params))


def pitfalls(config: NetConfig, device: str, seed: int = 0) -> tuple[PitfallOutcome, PitfallOutcome]:
    """The blog's scalar 'vector' and the second grad without create_graph=True, both run for real."""
    return (run_pitfall(lambda: blog_scalar_hvp(config, device, seed)),
            run_pitfall(lambda: hvp_without_create_graph(config, device)))


def smooth_and_relu(config: NetConfig) -> tuple[NetConfig, NetConfig]:
    """The network with a smooth activation (tanh in place of ReLU) and the same network with ReLU."""
    smooth = config if config.activation != "relu" else replace(config, activation="tanh")
    return smooth, replace(config, activation="relu")


# --- the numbers the page's tables and charts show, derived from the reports above --------------

def method_differences(report: HVPReport, reference: str = "double backward") -> dict[str, float]:
    """max |Δ| between each method's H·v and the reference method's."""
    return {name: float(np.abs(hv - report.products[reference]).max()) for name, hv in report.products.items()}


def by_magnitude(eigenvalues: np.ndarray, k: int) -> np.ndarray:
    """The k eigenvalues of largest |λ|, largest first: the ones power iteration finds, in its order."""
    return np.asarray(eigenvalues)[np.argsort(-np.abs(eigenvalues), kind="stable")][:k]


def eigen_labels(k: int) -> list[str]:
    """λ1 … λk, the names of the eigenvalues power iteration finds."""
    return [f"λ{i + 1}" for i in range(k)]


def eigen_histories(report: EigenReport) -> dict[str, np.ndarray]:
    """Every eigenvalue's estimate per iteration as long columns (iteration, λ, k): one curve per eigenvalue."""
    lengths = [len(h) for h in report.history]
    return {"iteration": np.concatenate([np.arange(1, n + 1) for n in lengths]),
            "λ": np.concatenate([np.asarray(h, dtype=float) for h in report.history]),
            "k": np.repeat(eigen_labels(len(lengths)), lengths)}


def trace_band(estimate: TraceEstimate) -> dict[str, np.ndarray]:
    """The running mean and the band of ± one standard error around it, per sample count m."""
    mean, se = estimate.running_mean, estimate.running_se
    return {"m": np.arange(1, len(mean) + 1), "mean": mean, "low": mean - se, "high": mean + se}


def standard_errors_away(estimate: TraceEstimate, exact: float) -> float:
    """How many standard errors the final estimate lies from the exact trace."""
    return abs(float(estimate.running_mean[-1]) - exact) / max(float(estimate.running_se[-1]), 1e-300)


def exact_density(eigenvalues: np.ndarray, grid: np.ndarray, sigma: float) -> np.ndarray:
    """The exact eigenvalues smoothed as SLQ smooths its nodes (weight 1/N each): the curve SLQ estimates."""
    return smoothed_density(eigenvalues, np.full(len(eigenvalues), 1 / len(eigenvalues)), grid, sigma)


def eigenvalue_histogram(eigenvalues: np.ndarray, bins: int = 60) -> dict[str, np.ndarray]:
    """A density histogram of the eigenvalues: each bin's start, end and height (the areas sum to 1)."""
    heights, edges = np.histogram(eigenvalues, bins=bins, density=True)
    return {"start": edges[:-1], "end": edges[1:], "p": heights}


def scaling_curves(rows: list[dict]) -> dict[str, list]:
    """The scaling points as long columns (n, what, seconds), leaving out what a size did not time."""
    long = [(row["n"], what, row[what]) for row in rows for what in ("gradient", "hvp", "full Hessian") if what in row]
    return {"n": [n for n, _, _ in long], "what": [w for _, w, _ in long], "seconds": [s for _, _, s in long]}


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """The cosine of the angle between two vectors."""
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
