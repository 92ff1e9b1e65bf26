"""Physics-informed networks: a network u(t) or u(t, x) whose loss is a differential equation's residual.

The residual is built from ∂u/∂t, ∂u/∂x and ∂²u/∂x² taken with `torch.autograd.grad(..., create_graph=True)`,
so training backpropagates through a gradient (double backprop into the weights). Every equation has a
reference computed without any network: the oscillator's closed form, Burgers' Cole-Hopf solution by
quadrature in log-space. The inverse problem learns the oscillator's damping ratio ζ next to the weights.
"""
from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import nn

from core.checks import PitfallOutcome, run_pitfall
from core.devices import resolve, synchronize
from core.graph import DotGraph, graph_nodes, to_dot
from core.hessian import FORWARD_MODE_LOCK
from core.timing import median_seconds
from core.training import History, MemoryNeed, Snapshot, snapshot_of

EQUATIONS = ("oscillator", "burgers", "oscillator_inverse")
ACTIVATIONS = {"tanh": torch.tanh, "sin": torch.sin, "softplus": nn.functional.softplus}
OPTIMIZERS = ("adam", "adam+lbfgs")
GRID_T, GRID_X = 101, 201  # Burgers' evaluation grid (t × x)
GRID_ODE = 501  # the oscillator's evaluation points
SHOWN_EVERY = 4  # Burgers' heat maps draw every 4th grid point each way (26 × 51 cells: four maps redrawn each refresh)
LBFGS_ITERATIONS = 5  # L-BFGS iterations per optimizer call: one call re-evaluates the loss once, so not 1
DIVERGED = "pinn.diverged"
DIVERGE_FACTOR = 1e3  # a loss this many times its first value has diverged


@dataclass(frozen=True)
class PinnConfig:
    """One PINN run: the equation and its parameters, the network, the loss and how it trains."""

    equation: str = "oscillator"  # one of EQUATIONS
    damping: float = 0.1  # ζ in u'' + 2ζω₀u' + ω₀²u = 0 (the truth the inverse problem must find)
    frequency: float = 20.0  # ω₀
    viscosity: float = 0.01 / math.pi  # ν of Burgers' equation
    observations: int = 20  # noisy samples of u for the inverse problem
    noise: float = 0.01  # their standard deviation (u(0) = 1)
    width: int = 32
    depth: int = 3  # hidden layers
    activation: str = "tanh"
    features: int = 4  # Fourier features of t per input (0: the raw scaled input): frequencies up to ω₀
    learning_rate: float = 3e-3  # Adam
    collocation: int = 256  # residual points (Burgers: in the (t, x) square)
    weight_residual: float = 1.0
    weight_boundary: float = 10.0  # initial and boundary conditions
    weight_data: float = 10.0  # the inverse problem's observations
    optimizer: str = "adam+lbfgs"  # one of OPTIMIZERS
    steps: int = 2000  # Adam steps
    lbfgs_steps: int = 500  # L-BFGS iterations after Adam (with "adam+lbfgs")
    seed: int = 0
    device: str = "cpu"


BURGERS = dict(features=0, width=20, depth=8, learning_rate=1e-3, collocation=4000, steps=1000, lbfgs_steps=4000,
               weight_boundary=10.0)  # the paper's 8 × 20 network and L-BFGS, fewer points to fit one CPU core


def default_config(equation: str, **changes) -> PinnConfig:
    """The page's and the benchmark's defaults for one equation."""
    base = BURGERS if equation == "burgers" else {}
    return PinnConfig(equation=equation, **(base | changes))


def problem_error(config: PinnConfig) -> str | None:
    """A catalogue key saying why these settings cannot train, or None."""
    if config.equation not in EQUATIONS or config.optimizer not in OPTIMIZERS or config.activation not in ACTIVATIONS:
        return "pinn.bad_equation"
    if config.collocation < 1:
        return "pinn.no_collocation"
    if config.equation == "oscillator_inverse" and config.observations < 1:
        return "pinn.no_observations"
    if config.equation != "burgers" and not 0 < config.damping < 1:
        return "pinn.not_underdamped"
    if not (config.learning_rate > 0 and config.width > 0 and config.depth > 0 and config.frequency > 0):
        return "pinn.bad_network"
    return None


# References, without any network.

def oscillator_solution(t: np.ndarray, damping: float, frequency: float) -> np.ndarray:
    """The closed form of u'' + 2ζω₀u' + ω₀²u = 0, u(0) = 1, u'(0) = 0, underdamped (ζ < 1)."""
    damped = frequency * math.sqrt(1 - damping ** 2)
    decay = damping * frequency
    t = np.asarray(t, dtype=np.float64)
    return np.exp(-decay * t) * (np.cos(damped * t) + decay / damped * np.sin(damped * t))


def oscillator_solve_ivp(t: np.ndarray, damping: float, frequency: float) -> np.ndarray:
    """The same oscillator integrated numerically by scipy (a second, independent reference)."""
    from scipy.integrate import solve_ivp

    rhs = lambda _, y: [y[1], -2 * damping * frequency * y[1] - frequency ** 2 * y[0]]
    t = np.asarray(t, dtype=np.float64)
    solution = solve_ivp(rhs, (0.0, float(t.max())), [1.0, 0.0], t_eval=t, method="DOP853", rtol=1e-11, atol=1e-12)
    return solution.y[0]


def burgers_cole_hopf(t: np.ndarray, x: np.ndarray, viscosity: float, nodes: int = 801) -> np.ndarray:
    """Burgers' u(t, x) for u(0, x) = −sin(πx) by the Cole-Hopf formula, u = −∫sin(πy)·K / ∫K with
    log K = −cos(πy)/(2πν) − (x − y)²/(4νt), integrated in log-space (a trapezoid over ±12 heat-kernel widths)."""
    t, x = np.broadcast_arrays(np.asarray(t, dtype=np.float64), np.asarray(x, dtype=np.float64))
    out = -np.sin(np.pi * x)  # t = 0
    later = t > 0
    tl, xl = t[later], x[later]
    s = np.linspace(-12.0, 12.0, nodes)[None, :]
    values = np.empty(len(tl))
    for start in range(0, len(tl), 1024):  # in chunks: a (points × nodes) array of all points would be ~100 MB
        part = slice(start, start + 1024)
        y = xl[part, None] + np.sqrt(2 * viscosity * tl[part, None]) * s  # the heat kernel's own variable
        log_k = -np.cos(np.pi * y) / (2 * np.pi * viscosity) - s ** 2 / 2
        weight = np.exp(log_k - log_k.max(axis=1, keepdims=True))  # log-space: exp(50) and worse never formed
        values[part] = -np.trapezoid(np.sin(np.pi * y) * weight, axis=1) / np.trapezoid(weight, axis=1)
    out[later] = values
    return out


def burgers_finite_difference(t_end: float, x: np.ndarray, viscosity: float) -> np.ndarray:
    """Burgers' u(t_end, x) by a fine finite-difference method of lines (conservative central flux, scipy's
    stiff solver): a check of the Cole-Hopf quadrature; x must be an even grid over [−1, 1]."""
    from scipy.integrate import solve_ivp

    dx = x[1] - x[0]

    def rhs(_, u):
        full = np.concatenate([[0.0], u, [0.0]])
        flux = full ** 2 / 2
        return (-(flux[2:] - flux[:-2]) / (2 * dx) + viscosity * (full[2:] - 2 * full[1:-1] + full[:-2]) / dx ** 2)

    inner = x[1:-1]
    solution = solve_ivp(rhs, (0.0, t_end), -np.sin(np.pi * inner), method="BDF", rtol=1e-8, atol=1e-10)
    return np.concatenate([[0.0], solution.y[:, -1], [0.0]])


@functools.lru_cache(maxsize=4)
def burgers_grid(viscosity: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The evaluation grid (t, x axes) and the Cole-Hopf solution on it, shape (GRID_T, GRID_X)."""
    t, x = np.linspace(0, 1, GRID_T), np.linspace(-1, 1, GRID_X)
    return t, x, burgers_cole_hopf(t[:, None], x[None, :], viscosity)


def reference_points(config: PinnConfig) -> tuple[np.ndarray, np.ndarray]:
    """Where the error is measured, (N, 1) or (N, 2) of (t, x), and the reference u there."""
    if config.equation == "burgers":
        t, x, u = burgers_grid(config.viscosity)
        tt, xx = np.meshgrid(t, x, indexing="ij")
        return np.stack([tt.ravel(), xx.ravel()], axis=1), u.ravel()
    t = np.linspace(0, 1, GRID_ODE)
    return t[:, None], oscillator_solution(t, config.damping, config.frequency)


# The network and its derivatives.

class Network(nn.Module):
    """An MLP u(t) or u(t, x): inputs scaled to [−1, 1], optionally Fourier features of t, `depth` hidden layers."""

    def __init__(self, inputs: int, config: PinnConfig, generator: torch.Generator, norm: bool = False):
        super().__init__()
        self.activation = ACTIVATIONS[config.activation]
        # sin(kπ(t+1)/2·…) spreads frequencies up to about ω₀ over [0, 1]: without them a tanh net takes thousands
        # of steps to find the oscillator's three periods (the spectral bias of plain inputs).
        top = max(config.frequency, math.pi) if inputs == 1 else math.pi
        self.register_buffer("frequencies", torch.linspace(1.0, top, config.features) if config.features else
                             torch.zeros(0))
        first = inputs + 2 * config.features
        sizes = [first] + [config.width] * config.depth + [1]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.norm = nn.BatchNorm1d(config.width) if norm else None  # only for the pitfall: it couples the points
        with torch.no_grad():
            for layer in self.layers:  # Glorot normal, zero biases, from the run's own generator
                layer.weight.normal_(0, math.sqrt(2 / sum(layer.weight.shape)), generator=generator)
                layer.bias.zero_()

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        scaled = torch.cat([2 * points[:, :1] - 1, points[:, 1:]], dim=1)  # t ∈ [0, 1] → [−1, 1]; x is already
        if len(self.frequencies):
            angle = points[:, :1] * self.frequencies
            scaled = torch.cat([scaled, torch.sin(angle), torch.cos(angle)], dim=1)
        h = scaled
        for index, layer in enumerate(self.layers[:-1]):
            h = layer(h)
            if index == 0 and self.norm is not None:
                h = self.norm(h)
            h = self.activation(h)
        return self.layers[-1](h)


def derivative(u: torch.Tensor, wrt: torch.Tensor) -> torch.Tensor:
    """∂u/∂wrt at every point: one backward with a ones vector, valid because each u depends on its own point only;
    create_graph=True so that the derivative can be differentiated again (and trained through)."""
    return torch.autograd.grad(u, wrt, torch.ones_like(u), create_graph=True)[0]


def oscillator_residual(model: nn.Module, t: torch.Tensor, damping, frequency: float) -> tuple[torch.Tensor, ...]:
    """u, u′ and the residual (u″ + 2ζω₀u′ + ω₀²u)/ω₀² at points t (N, 1) that require grad."""
    u = model(t)
    u_t = derivative(u, t)
    u_tt = derivative(u_t, t)
    return u, u_t, u_tt / frequency ** 2 + 2 * damping * u_t / frequency + u


def burgers_residual(model: nn.Module, points: torch.Tensor, viscosity: float) -> tuple[torch.Tensor, torch.Tensor]:
    """u and the residual u_t + u·u_x − ν·u_xx at points (N, 2) of (t, x) that require grad."""
    u = model(points)
    grads = derivative(u, points)
    u_t, u_x = grads[:, :1], grads[:, 1:]
    u_xx = derivative(u_x, points)[:, 1:]
    return u, u_t + u * u_x - viscosity * u_xx


# Training.

@dataclass
class Problem:
    """The fixed points of one run: collocation, initial/boundary points and values, observations."""

    collocation: torch.Tensor  # (N, 1) or (N, 2), requires grad
    boundary: torch.Tensor  # Burgers: initial and boundary points (M, 2); the oscillator: t = 0
    boundary_u: torch.Tensor
    observed_t: torch.Tensor | None = None  # inverse problem: (K, 1)
    observed_u: torch.Tensor | None = None


def make_problem(config: PinnConfig, generator: torch.Generator, device: torch.device) -> Problem:
    """Collocation points drawn once (L-BFGS needs a fixed loss) from the run's generator, plus the conditions."""
    n = config.collocation
    to = lambda a: torch.as_tensor(a, dtype=torch.float32).to(device)
    if config.equation == "burgers":
        points = torch.rand(n, 2, generator=generator) * torch.tensor([1.0, 2.0]) - torch.tensor([0.0, 1.0])
        edge = max(n // 20, 50)
        x0 = torch.rand(edge, generator=generator) * 2 - 1
        tb = torch.rand(edge, generator=generator)
        side = torch.where(torch.rand(edge, generator=generator) < 0.5, -1.0, 1.0)
        boundary = torch.cat([torch.stack([torch.zeros(edge), x0], 1), torch.stack([tb, side], 1)])
        values = torch.cat([-torch.sin(math.pi * x0), torch.zeros(edge)])[:, None]
        return Problem(to(points).requires_grad_(), to(boundary), to(values))
    t = (torch.arange(n) + torch.rand(n, generator=generator)) / n  # stratified over [0, 1]
    problem = Problem(to(t[:, None]).requires_grad_(), to(torch.zeros(1, 1)).requires_grad_(), to(torch.ones(1, 1)))
    if config.equation == "oscillator_inverse":
        observed = torch.sort(torch.rand(config.observations, generator=generator, dtype=torch.float64)).values
        clean = oscillator_solution(observed.numpy(), config.damping, config.frequency)
        noisy = clean + config.noise * torch.randn(config.observations, generator=generator, dtype=torch.float64).numpy()
        problem.observed_t, problem.observed_u = to(observed[:, None]), to(noisy[:, None])
    return problem


def loss_terms(model: nn.Module, problem: Problem, config: PinnConfig, damping) -> dict[str, torch.Tensor]:
    """Each weighted loss term of the equation: residual, initial/boundary conditions, observations."""
    if config.equation == "burgers":
        _, residual = burgers_residual(model, problem.collocation, config.viscosity)
        boundary = ((model(problem.boundary) - problem.boundary_u) ** 2).mean()
        return {"residual": (residual ** 2).mean(), "boundary": boundary}
    _, _, residual = oscillator_residual(model, problem.collocation, damping, config.frequency)
    terms = {"residual": (residual ** 2).mean()}
    if config.equation == "oscillator_inverse":  # the initial state is not given: the observations are
        terms["data"] = ((model(problem.observed_t) - problem.observed_u) ** 2).mean()
    else:
        u0 = model(problem.boundary)
        terms["boundary"] = ((u0 - 1) ** 2).sum() + ((derivative(u0, problem.boundary) / config.frequency) ** 2).sum()
    return terms


WEIGHTS = {"residual": "weight_residual", "boundary": "weight_boundary", "data": "weight_data"}


class PinnTrainer:
    """Adam, then optionally L-BFGS, on the weighted residual and condition losses, in resumable slices."""

    def __init__(self, config: PinnConfig):
        self.config = config
        self.device = resolve(config.device)
        generator = torch.Generator().manual_seed(config.seed)
        self.model = Network(2 if config.equation == "burgers" else 1, config, generator).to(self.device)
        self.problem = make_problem(config, generator, self.device)
        self.inverse = config.equation == "oscillator_inverse"
        # ζ = sigmoid(raw) stays in (0, 1), the underdamped range; it starts at 0.5, far from the truth.
        self.raw_damping = nn.Parameter(torch.zeros((), device=self.device)) if self.inverse else None
        parameters = list(self.model.parameters()) + ([self.raw_damping] if self.inverse else [])
        self.parameters = parameters
        self.adam = torch.optim.Adam(parameters, lr=config.learning_rate)
        self.lbfgs = None
        self.lbfgs_total = config.lbfgs_steps if config.optimizer == "adam+lbfgs" else 0
        self.step, self.total, self.seconds = 0, config.steps + self.lbfgs_total, 0.0
        self.error: str | None = problem_error(config)
        self.terms = ["residual", "data" if self.inverse else "boundary"]
        self.history = History("step", "seconds", "loss", *self.terms, "damping")
        self.reference_at, self.reference = reference_points(config)

    @staticmethod
    def memory_need(config: PinnConfig) -> MemoryNeed:
        """Measured: ~1 MB held, ~54 MB working for Burgers' defaults (the double backward's graph, ~25 floats per
        hidden unit and point); the history grows by ~100 bytes a row."""
        units = config.collocation * config.width * config.depth
        return MemoryNeed(held=4 * 2**20 + 100 * (config.steps + config.lbfgs_steps), working=4 * 2**20 + 100 * units)

    @property
    def done(self) -> bool:
        """True once every Adam step and L-BFGS iteration has run."""
        return self.step >= self.total

    def damping(self) -> torch.Tensor | float:
        """ζ as the residual uses it: the trainable estimate in the inverse problem, the given value otherwise."""
        return torch.sigmoid(self.raw_damping) if self.inverse else self.config.damping

    def weighted_loss(self) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """The total loss and its terms (unweighted)."""
        terms = loss_terms(self.model, self.problem, self.config, self.damping())
        return sum(getattr(self.config, WEIGHTS[name]) * value for name, value in terms.items()), terms

    def adam_step(self) -> tuple[torch.Tensor, dict]:
        """One Adam step."""
        loss, terms = self.weighted_loss()
        self.adam.zero_grad(set_to_none=True)
        loss.backward()
        self.adam.step()
        return loss, terms

    def lbfgs_step(self, iterations: int) -> tuple[torch.Tensor, dict]:
        """`iterations` L-BFGS iterations (strong Wolfe line search); its state carries over between calls."""
        if self.lbfgs is None:
            self.lbfgs = torch.optim.LBFGS(self.parameters, lr=1.0, max_iter=iterations, history_size=50,
                                           tolerance_grad=0.0, tolerance_change=0.0, line_search_fn="strong_wolfe")
        self.lbfgs.param_groups[0]["max_iter"] = iterations
        self.lbfgs.param_groups[0]["max_eval"] = iterations * 5 // 4 + 1
        last = {}

        def closure():
            self.lbfgs.zero_grad(set_to_none=True)
            loss, last["terms"] = self.weighted_loss()
            loss.backward()
            return loss

        loss = self.lbfgs.step(closure)
        return loss, last["terms"]

    def train_step(self) -> None:
        """One Adam step, or a few L-BFGS iterations once Adam is done; stops on a loss that is not finite."""
        synchronize(self.device)
        start = time.perf_counter()
        if self.step < self.config.steps:
            loss, terms, advanced = *self.adam_step(), 1
        else:
            advanced = min(LBFGS_ITERATIONS, self.total - self.step)
            loss, terms = self.lbfgs_step(advanced)
        values = [loss.item()] + [terms[name].item() for name in self.terms]
        started = self.history.rows[0][2] if self.history.rows else math.inf
        if (not all(math.isfinite(v) for v in values) or not all(torch.isfinite(p).all() for p in self.parameters)
                or values[0] > DIVERGE_FACTOR * started):  # Adam's bounded steps rarely reach NaN: they wander off
            self.error = DIVERGED
            return
        synchronize(self.device)
        self.seconds += time.perf_counter() - start
        self.step += advanced
        self.history.append(self.step, self.seconds, *values, self.estimate())

    def advance(self, seconds: float) -> None:
        """Train for about `seconds` of wall time, or until done or diverged."""
        deadline = time.perf_counter() + seconds
        while not self.done and self.error is None and time.perf_counter() < deadline:
            self.train_step()

    def predict(self, points: np.ndarray) -> np.ndarray:
        """u at points: (N, 1) of t for the oscillator, (N, 2) of (t, x) for Burgers; shape (N,)."""
        with torch.no_grad():
            tensor = torch.as_tensor(np.asarray(points, dtype=np.float32)).to(self.device)
            return self.model(tensor)[:, 0].double().cpu().numpy()

    def relative_l2(self) -> float:
        """‖u − reference‖ / ‖reference‖ over the evaluation grid."""
        return relative_l2(self.predict(self.reference_at), self.reference)

    def estimate(self) -> float:
        """The learned ζ (the inverse problem), or the given one."""
        return float(self.damping().detach()) if self.inverse else self.config.damping

    def residual_map(self) -> np.ndarray:
        """|residual| where the page draws it: Burgers' thinned grid (as the heat maps), the oscillator's points."""
        at = self.reference_at
        if self.config.equation == "burgers":  # thinned first: the double backward on every grid point costs 4×
            at = at.reshape(GRID_T, GRID_X, 2)[::SHOWN_EVERY, ::SHOWN_EVERY].reshape(-1, 2)
        points = torch.as_tensor(at, dtype=torch.float32).to(self.device).requires_grad_()
        if self.config.equation == "burgers":
            shape = len(range(0, GRID_T, SHOWN_EVERY)), len(range(0, GRID_X, SHOWN_EVERY))
            residual = burgers_residual(self.model, points, self.config.viscosity)[1].reshape(shape)
        else:
            residual = oscillator_residual(self.model, points, self.damping(), self.config.frequency)[2][:, 0]
        return residual.detach().abs().double().cpu().numpy()

    def snapshot(self, preview: bool = False, final: bool = False) -> Snapshot:
        """Progress and the loss terms; with a preview or when final, the prediction, its error and the residual on
        the grid (Burgers' thinned to every SHOWN_EVERY-th point: what a heat map can draw each refresh)."""
        views = None
        if preview or final:
            prediction, residual = self.predict(self.reference_at), self.residual_map()
            views = {"relative_l2": relative_l2(prediction, self.reference), "damping": self.estimate()}
            if self.config.equation == "burgers":
                shown = lambda a: a.reshape(GRID_T, GRID_X)[::SHOWN_EVERY, ::SHOWN_EVERY].astype(np.float32)
                views |= {"prediction": shown(prediction), "error": shown(prediction - self.reference),
                          "residual": residual.astype(np.float32)}
            else:
                views |= {"prediction": prediction, "residual": residual}
            if self.inverse:
                views |= {"observed_t": self.problem.observed_t[:, 0].cpu().numpy(),
                          "observed_u": self.problem.observed_u[:, 0].cpu().numpy()}
        return snapshot_of(self, self.history, preview=views)


def relative_l2(values: np.ndarray, reference: np.ndarray) -> float:
    """‖values − reference‖₂ / ‖reference‖₂."""
    return float(np.linalg.norm(np.asarray(values) - reference) / np.linalg.norm(reference))


def train(config: PinnConfig, seconds: float | None = None) -> PinnTrainer:
    """Train to the end (or for `seconds` of training time); the trained trainer."""
    trainer = PinnTrainer(config)
    while not trainer.done and trainer.error is None and (seconds is None or trainer.seconds < seconds):
        trainer.train_step()
    return trainer


def burgers_reference_view(viscosity: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The t and x axes and the Cole-Hopf solution, thinned as the trainer's heat maps are."""
    t, x, u = burgers_grid(viscosity)
    return t[::SHOWN_EVERY], x[::SHOWN_EVERY], u[::SHOWN_EVERY, ::SHOWN_EVERY]


def shown_reference(config: PinnConfig) -> np.ndarray:
    """The reference where a snapshot's preview shows the prediction (Burgers' thinned grid)."""
    return burgers_reference_view(config.viscosity)[2] if config.equation == "burgers" else reference_points(config)[1]


# What the page shows around training: the residual's graph, the cost of higher orders, the pitfalls.

def small_network(config: PinnConfig, seed: int) -> Network:
    """A fresh network of this config's shape (for graphs, cost and pitfalls: no training needed)."""
    return Network(2 if config.equation == "burgers" else 1, config, torch.Generator().manual_seed(seed))


def residual_graph(config: PinnConfig, seed: int, points: int = 4, max_nodes: int = 140) -> tuple[DotGraph, int, int]:
    """The autograd graph of the residual at a few points, nodes made by the create_graph=True backwards marked,
    with the numbers of nodes in u's forward graph and in the residual's."""
    model = small_network(config, seed)
    if config.equation == "burgers":
        at = torch.rand(points, 2, generator=torch.Generator().manual_seed(seed)).requires_grad_()
        u, residual = burgers_residual(model, at, config.viscosity)
    else:
        at = torch.rand(points, 1, generator=torch.Generator().manual_seed(seed)).requires_grad_()
        u, _, residual = oscillator_residual(model, at, config.damping, config.frequency)
    forward = graph_nodes(u)
    names = {"t, x" if config.equation == "burgers" else "t": at} | dict(model.named_parameters())
    graph = to_dot({"residual": residual}, names=names, forward_nodes=forward, max_nodes=max_nodes, show_saved=False)
    return graph, len(forward), len(graph_nodes(residual))


def nested_grad(model: nn.Module, x: torch.Tensor, order: int) -> torch.Tensor:
    """dⁿu/dxⁿ at every point by `order` nested autograd.grad calls, each with create_graph=True."""
    value = model(x)
    for _ in range(order):
        value = derivative(value, x)
    return value


def functorch_derivative(model: nn.Module, x: torch.Tensor, order: int) -> torch.Tensor:
    """dⁿu/dxⁿ at every point by torch.func: jacfwd nested `order` times (hessian = jacfwd(jacrev) for n = 2)
    of the scalar map x ↦ u, under vmap over the points."""
    scalar = lambda point: model(point.reshape(1, 1)).reshape(())
    fn = scalar
    if order == 2:
        fn = torch.func.hessian(scalar)
    else:
        for _ in range(order):
            fn = torch.func.jacfwd(fn)
    with FORWARD_MODE_LOCK:  # forward-mode levels are process-wide: overlapping reruns must not interleave them
        return torch.func.vmap(fn)(x[:, 0])[:, None]


@dataclass(frozen=True)
class OrderCost:
    """The time and graph size of dⁿu/dxⁿ for each n, by nested autograd.grad and by torch.func."""

    orders: list[int]
    grad_ms: list[float]
    func_ms: list[float]
    grad_nodes: list[int]  # autograd nodes behind the result (what training would backpropagate through)
    func_nodes: list[int]
    max_difference: float  # the largest |nested grad − torch.func| over all orders, relative to max(|value|, 1)


def order_cost(config: PinnConfig, seed: int, points: int = 64, max_order: int = 6, repeats: int = 1) -> OrderCost:
    """Measure dⁿu/dxⁿ, n = 1…max_order, both ways on one network of the config's shape (its t input)."""
    model = small_network(replace(config, equation="oscillator"), seed)
    x = torch.linspace(0, 1, points)[:, None].requires_grad_()
    orders = list(range(1, max_order + 1))
    grad_ms, func_ms, grad_nodes, func_nodes, differences = [], [], [], [], [0.0]
    for order in orders:
        by_grad, by_func = nested_grad(model, x, order), functorch_derivative(model, x, order)
        grad_nodes.append(len(graph_nodes(by_grad)))
        func_nodes.append(len(graph_nodes(by_func)))
        grad_ms.append(1e3 * median_seconds(lambda: nested_grad(model, x, order), repeats, warmup=False))
        func_ms.append(1e3 * median_seconds(lambda: functorch_derivative(model, x, order), repeats, warmup=False))
        differences.append(float(((by_grad - by_func).detach().abs() / by_grad.detach().abs().clamp(min=1)).max()))
    return OrderCost(orders, grad_ms, func_ms, grad_nodes, func_nodes, max(differences))


def second_derivative_without_create_graph(model: nn.Module, t: torch.Tensor) -> torch.Tensor:
    """The wrong version: u_t taken without create_graph=True, then differentiated again for u_tt."""
    u = model(t)
    u_t = torch.autograd.grad(u, t, torch.ones_like(u))[0]  # no create_graph: u_t has no graph of its own
    return torch.autograd.grad(u_t, t, torch.ones_like(u_t))[0]


def batchnorm_derivative(model: nn.Module, t: torch.Tensor) -> torch.Tensor:
    """The ones-vector trick on a network with BatchNorm (training mode): Σⱼ ∂uⱼ/∂tᵢ, not ∂uᵢ/∂tᵢ."""
    u = model(t)
    return torch.autograd.grad(u, t, torch.ones_like(u))[0]


def per_point_finite_difference(model: nn.Module, t: torch.Tensor, h: float = 1e-5) -> torch.Tensor:
    """∂uᵢ/∂tᵢ by moving point i alone and watching uᵢ (the whole batch passes each time: BatchNorm sees it)."""
    columns = []
    with torch.no_grad():
        for i in range(len(t)):
            step = torch.zeros_like(t)
            step[i] = h
            columns.append((model(t + step)[i] - model(t - step)[i]) / (2 * h))
    return torch.stack(columns)


def derivative_of_a_reshaped_copy(model: nn.Module, points: torch.Tensor) -> torch.Tensor:
    """The wrong version: requires_grad_ on a reshaped copy of the points, while the network is fed the points."""
    t = points.reshape(-1, 1).requires_grad_()  # a new tensor: the graph below never sees it
    u = model(points.reshape(-1, 1).requires_grad_())
    return torch.autograd.grad(u, t, torch.ones_like(u))[0]


@dataclass(frozen=True)
class Pitfalls:
    """The three wrong versions, run for real."""

    no_create_graph: PitfallOutcome
    batchnorm: PitfallOutcome  # silent: details hold the error against per-point finite differences
    reshaped_copy: PitfallOutcome


def pitfalls(config: PinnConfig, seed: int, points: int = 16) -> Pitfalls:
    """Run each wrong version on a fresh network of the config's shape (its t input), in float64."""
    oscillator = replace(config, equation="oscillator")
    generator = torch.Generator().manual_seed(seed)
    t = torch.rand(points, 1, generator=generator, dtype=torch.float64)
    model = small_network(oscillator, seed).double()
    normed = Network(1, oscillator, torch.Generator().manual_seed(seed), norm=True).double().train()

    def batchnorm() -> float:
        trick = batchnorm_derivative(normed, t.clone().requires_grad_())
        return float((trick - per_point_finite_difference(normed, t)).abs().max())

    silent = run_pitfall(batchnorm)
    plain = float((batchnorm_derivative(model, t.clone().requires_grad_()) - per_point_finite_difference(model, t))
                  .abs().max())
    batch_outcome = PitfallOutcome(silent.raised, silent.exception_type, silent.message, silent.value,
                                   {"with_batchnorm": silent.value, "without_batchnorm": plain})
    return Pitfalls(run_pitfall(lambda: second_derivative_without_create_graph(model, t.clone().requires_grad_())),
                    batch_outcome, run_pitfall(lambda: derivative_of_a_reshaped_copy(model, t[:, 0].clone())))
