"""MAML on the sinusoid few-shot regression of Finn et al. (2017): tasks, meta-gradients, training, evaluation.

Fast weights are name -> tensor dicts fed to `torch.func.functional_call`. The tasks of a meta-batch
run batched (one weight per task, batched matmuls); `meta_loss_loop` is the readable per-task reference.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, fields, replace
from typing import Callable

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.func import functional_call
from torch.overrides import TorchFunctionMode

from core.checks import PitfallOutcome, run_pitfall, to_numpy
from core.devices import resolve, synchronize
from core.graph import DotGraph, graph_nodes, to_dot
from core.training import History, MemoryNeed, Snapshot, snapshot_of, state_arrays

AMPLITUDE = (0.1, 5.0)
PHASE = (0.0, math.pi)
X_RANGE = (-5.0, 5.0)
EVAL_POINTS = 100  # query points per held-out task when measuring MSE
SHOWN_STEPS = (0, 1, 5, 10)  # adaptation steps whose curves the page draws


@dataclass(frozen=True)
class MetaSetup:
    """What every run and measurement of one setting shares: the tasks, the inner loop, the network, seed and device."""

    k_shot: int = 10  # support points per task (and as many query points)
    inner_lr: float = 0.01  # α, the inner SGD step size
    inner_steps: int = 1
    meta_batch: int = 25  # tasks per meta-iteration
    hidden: int = 40
    seed: int = 0
    device: str = "cpu"


@dataclass(frozen=True)
class MetaConfig(MetaSetup):
    """One MAML run: its setup and how it trains; the defaults are the paper's sinusoid setting."""

    meta_lr: float = 1e-3  # Adam on the meta-parameters
    second_order: bool = True  # create_graph=True in the inner step; False gives first-order MAML
    iterations: int = 3000
    baseline: bool = False  # instead of MAML, pretrain one regressor on all tasks (no inner step)
    compare_every: int = 50  # iterations between second- vs first-order meta-gradient comparisons (0: never)

    @property
    def setup(self) -> MetaSetup:
        """The setup alone: the cache key of what does not depend on how the run trains."""
        return MetaSetup(**{f.name: getattr(self, f.name) for f in fields(MetaSetup)})


@dataclass
class Tasks:
    """A batch of sinusoid tasks y = A·sin(x − φ): parameters (T,) and points (T, K, 1)."""

    amplitude: torch.Tensor
    phase: torch.Tensor
    x_support: torch.Tensor
    y_support: torch.Tensor
    x_query: torch.Tensor
    y_query: torch.Tensor

    def rows(self, which: slice) -> Tasks:
        """Some of the tasks (views, no copy)."""
        return Tasks(*(getattr(self, name)[which] for name in self.__dataclass_fields__))


@dataclass
class MetaResult:
    """A trained meta-initialisation and its history."""

    model: nn.Module
    history: History  # iteration, seconds (cumulative training time, comparisons excluded), loss (query, adapted)
    agreement: History  # iteration, cosine and |g2 − g1| / |g2| of second- vs first-order meta-gradients
    error: str | None = None  # a catalogue key when training stopped early (e.g. diverged)


class Dense(nn.Module):
    """A fully connected layer stored as the MAML authors' code stores it: x @ weight + bias, weight (in, out), bias (1, out).

    It also takes one weight per task, weight (T, in, out), bias (T, 1, out), input (T, N, in): one batched matmul
    for all tasks. In this layout x @ weight needs no transposed view of the per-task weights, and the bias
    broadcasts over points as it is.
    """

    def __init__(self, n_in: int, n_out: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_in, n_out))
        self.bias = nn.Parameter(torch.zeros(1, n_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (torch.addmm if self.weight.dim() == 2 else torch.baddbmm)(self.bias, x, self.weight)


def make_model(hidden: int = 40, seed: int | None = None) -> nn.Sequential:
    """The paper's 1 → hidden → hidden → 1 ReLU regressor, initialised from its own generator (seed None: a random one)."""
    model = nn.Sequential(Dense(1, hidden), nn.ReLU(), Dense(hidden, hidden), nn.ReLU(), Dense(hidden, 1))
    # Drawn without touching the global RNG that other sessions of a shared server use.
    generator = torch.Generator().manual_seed(seed) if seed is not None else None
    first, *after_relu = model[::2]
    with torch.no_grad():
        # First layer: w ~ U(±1) (PyTorch's default for one input) and b = −5w², so unit i is relu(w·(x − 5w)): it
        # bends at x = 5w, the bends spread uniformly over the input range [−5, 5], and each unit is off at x = 0
        # and grows towards one edge. With zero biases every bend would sit at x = 0.
        first.weight.uniform_(-1, 1, generator=generator)
        first.bias.copy_(-X_RANGE[1] * first.weight ** 2)
        for layer in after_relu:  # He (Kaiming) uniform for layers fed by a ReLU; biases zero as in the authors' code
            bound = math.sqrt(6 / layer.weight.shape[0])
            layer.weight.uniform_(-bound, bound, generator=generator)
    # Spread bends and He weights adapt better than zero biases and PyTorch's defaults (bench/bench_maml.py).
    return model


def sample_tasks(n: int, k_shot: int, generator: torch.Generator, device="cpu", k_query: int | None = None,
                 dtype=torch.float32) -> Tasks:
    """n random tasks with k_shot support and k_query (default k_shot) query points each."""
    k_query = k_query or k_shot
    # One float64 draw on the CPU (the same tasks on any device), then one copy to the device: per-call overhead
    # is a measurable part of a meta-iteration this small.
    u = torch.rand(n, 2 + k_shot + k_query, generator=generator, dtype=torch.float64)
    amplitude = AMPLITUDE[0] + (AMPLITUDE[1] - AMPLITUDE[0]) * u[:, :1]
    phase = PHASE[0] + (PHASE[1] - PHASE[0]) * u[:, 1:2]
    x = X_RANGE[0] + (X_RANGE[1] - X_RANGE[0]) * u[:, 2:]
    packed = torch.cat([amplitude, phase, x, amplitude * torch.sin(x - phase)], dim=1).to(device=device, dtype=dtype)
    points = lambda start, count: packed[:, start:start + count, None]  # (n, count, 1)
    y = 2 + k_shot + k_query  # where the targets start
    return Tasks(packed[:, 0], packed[:, 1], points(2, k_shot), points(y, k_shot),
                 points(2 + k_shot, k_query), points(y + k_shot, k_query))


class TaskStream:
    """A training run's meta-batches, drawn `chunk` at a time: the same tasks as one `sample_tasks` call per
    meta-batch (one generator, one stream), but one draw and one device copy per chunk, not per iteration."""

    def __init__(self, n: int, k_shot: int, generator: torch.Generator, device="cpu", chunk: int = 100):
        self.n, self.k_shot, self.generator, self.device, self.chunk = n, k_shot, generator, device, chunk
        self.drawn: Tasks | None = None
        self.used = chunk  # meta-batches of `drawn` already handed out

    def next(self) -> Tasks:
        """The next meta-batch of n tasks."""
        if self.used == self.chunk:
            self.drawn = sample_tasks(self.n * self.chunk, self.k_shot, self.generator, self.device)
            self.used = 0
        rows = slice(self.used * self.n, (self.used + 1) * self.n)
        self.used += 1
        return self.drawn.rows(rows)


def batched_forward(model: nn.Module, fast: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """Each task's points (T, N, 1) through its own fast weights (each tensor has a leading task axis)."""
    return functional_call(model, fast, (x,), tie_weights=False)  # no tied weights here; skipping the check saves ~20%


def task_losses(model: nn.Module, fast: dict[str, torch.Tensor], x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean squared error of each task, shape (T,)."""
    return ((batched_forward(model, fast, x) - y) ** 2).mean(dim=(1, 2))


def mean_task_loss(model: nn.Module, fast: dict[str, torch.Tensor], x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """task_losses(...).mean() in one op (every task has as many points): fewer nodes for the double backward."""
    return F.mse_loss(batched_forward(model, fast, x), y)


def per_task(params: dict[str, torch.Tensor], n: int) -> dict[str, torch.Tensor]:
    """The shared parameters seen as n tasks' fast weights (a view: no copy, gradients flow back)."""
    return {name: p.expand(n, *p.shape) for name, p in params.items()}


def adapt(model: nn.Module, fast: dict[str, torch.Tensor], x_support: torch.Tensor, y_support: torch.Tensor,
          inner_lr: float, steps: int, create_graph: bool) -> dict[str, torch.Tensor]:
    """Inner loop for all tasks at once: `steps` SGD steps of each task's fast weights on its support set."""
    for _ in range(steps):
        # Tasks are independent, so the gradient of the mean loss is each task's own gradient divided by T.
        loss = mean_task_loss(model, fast, x_support, y_support)
        grads = torch.autograd.grad(loss, list(fast.values()), create_graph=create_graph)
        fast = {name: w - (inner_lr * len(x_support)) * g for (name, w), g in zip(fast.items(), grads)}
    return fast


def meta_loss(model: nn.Module, params: dict[str, torch.Tensor], tasks: Tasks, config: MetaConfig) -> torch.Tensor:
    """Mean query loss after adapting to each support set: what MAML minimises (batched over tasks)."""
    steps = 0 if config.baseline else config.inner_steps
    fast = per_task(params, tasks.x_support.shape[0])
    fast = adapt(model, fast, tasks.x_support, tasks.y_support, config.inner_lr, steps, config.second_order)
    return mean_task_loss(model, fast, tasks.x_query, tasks.y_query)  # the query set, not the support set again


def meta_loss_loop(model: nn.Module, params: dict[str, torch.Tensor], tasks: Tasks, config: MetaConfig) -> torch.Tensor:
    """The same meta-loss one task at a time: the readable reference for the batched version."""
    losses = []
    for x_s, y_s, x_q, y_q in zip(tasks.x_support, tasks.y_support, tasks.x_query, tasks.y_query):
        fast = dict(params)
        for _ in range(0 if config.baseline else config.inner_steps):
            loss = ((functional_call(model, fast, (x_s,)) - y_s) ** 2).mean()
            grads = torch.autograd.grad(loss, list(fast.values()), create_graph=config.second_order)
            fast = {name: w - config.inner_lr * g for (name, w), g in zip(fast.items(), grads)}
        losses.append(((functional_call(model, fast, (x_q,)) - y_q) ** 2).mean())
    return torch.stack(losses).mean()


def meta_gradient(model: nn.Module, tasks: Tasks, config: MetaConfig, batched: bool = True) -> tuple[float, list[torch.Tensor]]:
    """The meta-loss and its gradient with respect to the model's (initial) parameters."""
    params = dict(model.named_parameters())
    loss = (meta_loss if batched else meta_loss_loop)(model, params, tasks, config)
    return loss.item(), list(torch.autograd.grad(loss, list(params.values())))


def meta_gradient_without_create_graph(model: nn.Module, tasks: Tasks, config: MetaConfig) -> list[torch.Tensor]:
    """The pitfall: MAML's inner step with create_graph=True forgotten. No error: it silently is first-order MAML."""
    params = dict(model.named_parameters())
    fast = per_task(params, tasks.x_support.shape[0])
    for _ in range(config.inner_steps):
        loss = task_losses(model, fast, tasks.x_support, tasks.y_support).sum()
        grads = torch.autograd.grad(loss, list(fast.values()))  # create_graph=True forgotten
        fast = {name: w - config.inner_lr * g for (name, w), g in zip(fast.items(), grads)}
    loss = task_losses(model, fast, tasks.x_query, tasks.y_query).mean()
    return list(torch.autograd.grad(loss, list(params.values())))


def create_graph_pitfall(model: nn.Module, tasks: Tasks, config: MetaConfig) -> PitfallOutcome:
    """Run the forgotten-create_graph version for real and measure it against first- and second-order MAML."""
    outcome = run_pitfall(lambda: to_numpy(meta_gradient_without_create_graph(model, tasks, config)))
    if outcome.raised:
        return outcome
    first = to_numpy(meta_gradient(model, tasks, replace(config, second_order=False))[1])
    second = to_numpy(meta_gradient(model, tasks, replace(config, second_order=True))[1])
    return replace(outcome, details={"vs_first_abs": float(np.abs(outcome.value - first).max()),
                                     "vs_second_rel": float(np.linalg.norm(outcome.value - second) / np.linalg.norm(second))})


def reference_meta_gradient(model: nn.Module, tasks: Tasks, config: MetaConfig) -> list[torch.Tensor]:
    """The meta-gradient again with torch.func transforms in float64: independent of autograd.grad(create_graph)."""
    params = {name: p.detach().double() for name, p in model.named_parameters()}
    model64 = make_model(config.hidden).double()

    def loss_of(weights, x, y):
        return ((functional_call(model64, weights, (x,)) - y) ** 2).mean()

    def task_meta_loss(weights, x_s, y_s, x_q, y_q):
        for _ in range(config.inner_steps):
            grads = torch.func.grad(loss_of)(weights, x_s, y_s)
            if not config.second_order:
                grads = {name: g.detach() for name, g in grads.items()}
            weights = {name: w - config.inner_lr * grads[name] for name, w in weights.items()}
        return loss_of(weights, x_q, y_q)

    def batch_meta_loss(weights):
        points = [v.double() for v in (tasks.x_support, tasks.y_support, tasks.x_query, tasks.y_query)]
        return torch.stack([task_meta_loss(weights, *task) for task in zip(*points)]).mean()

    grads = torch.func.grad(batch_meta_loss)(params)
    return [grads[name] for name in params]


def gradient_agreement(model: nn.Module, tasks: Tasks, config: MetaConfig) -> tuple[float, float]:
    """Cosine and relative norm |g2 − g1| / |g2| between second- and first-order meta-gradients on the same tasks."""
    second = to_numpy(meta_gradient(model, tasks, replace(config, second_order=True))[1])
    first = to_numpy(meta_gradient(model, tasks, replace(config, second_order=False))[1])
    norm = max(float(np.linalg.norm(second)), 1e-300)
    cosine = float(second @ first) / max(norm * float(np.linalg.norm(first)), 1e-300)
    return cosine, float(np.linalg.norm(second - first)) / norm


class MetaTrainer:
    """Resumable meta-training: `advance(seconds)` runs meta-iterations; the model stays on the trainer."""

    def __init__(self, config: MetaConfig):
        self.config = config
        self.device = resolve(config.device)
        self.model = make_model(config.hidden, config.seed).to(self.device)
        self.params = dict(self.model.named_parameters())  # the same tensors for the whole run: Adam updates them in place
        # The fused kernel is several times faster than the default for this many small tensors.
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=config.meta_lr,
                                          fused=self.device.type in ("cpu", "cuda"))
        self.tasks = TaskStream(config.meta_batch, config.k_shot, torch.Generator().manual_seed(config.seed), self.device)
        self.history = History("iteration", "seconds", "loss")  # loss: mean query loss after adaptation
        self.agreement = History("iteration", "cosine", "relative_norm")  # every compare_every iterations
        self.step = 0
        self.total = config.iterations
        self.seconds = 0.0  # training time, comparisons excluded
        self.error: str | None = None

    @staticmethod
    def memory_need(config: MetaConfig) -> MemoryNeed:
        """Measured: ~5 MB a job with twenty 3,000-iteration jobs in one worker; the history grows by ~100 bytes a row."""
        return MemoryNeed(held=6 * 2**20 + 120 * config.iterations, working=8 * 2**20)

    @property
    def done(self) -> bool:
        """True once every meta-iteration has run."""
        return self.step >= self.total

    def train_step(self) -> None:
        """One meta-iteration: sample a meta-batch, backpropagate the meta-loss, one Adam step."""
        config = self.config
        synchronize(self.device)
        start = time.perf_counter()
        tasks = self.tasks.next()
        loss = meta_loss(self.model, self.params, tasks, config)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        value = loss.item()
        gradient_sum = sum(p.grad.sum() for p in self.model.parameters()).item()  # NaN or inf if any gradient is
        if not (math.isfinite(value) and math.isfinite(gradient_sum)):  # diverging: stop before the weights turn NaN
            self.error = "maml.diverged"
            return
        self.optimizer.step()
        synchronize(self.device)
        self.seconds += time.perf_counter() - start
        self.step += 1
        self.history.append(self.step, self.seconds, value)
        if config.compare_every and not config.baseline and self.step % config.compare_every == 0:
            self.agreement.append(self.step, *gradient_agreement(self.model, tasks, config))

    def advance(self, seconds: float) -> None:
        """Train for about `seconds` of wall time, or until done or diverged."""
        deadline = time.perf_counter() + seconds
        while not self.done and self.error is None and time.perf_counter() < deadline:
            self.train_step()

    def weights(self) -> dict[str, np.ndarray]:
        """The meta-parameters as plain numpy arrays (hashable for caching, safe to share)."""
        return state_arrays(self.model)

    def snapshot(self, preview: bool = False, final: bool = False) -> Snapshot:
        """Progress and the loss curve; the weights when final (the page evaluates them on held-out tasks)."""
        return snapshot_of(self, self.history, weights=self.weights() if final else None, agreement=self.agreement)


def meta_train(config: MetaConfig, progress: Callable[[int], bool | None] | None = None) -> MetaResult:
    """Meta-train to `config.iterations`; `progress(step)` is called after each iteration and may return False to stop."""
    trainer = MetaTrainer(config)
    while not trainer.done and trainer.error is None:
        trainer.train_step()
        if progress is not None and progress(trainer.step) is False:
            break
    return MetaResult(trainer.model, trainer.history, trainer.agreement, trainer.error)


def initial_weights(hidden: int, seed: int) -> dict[str, np.ndarray]:
    """The weights a run of this network and seed starts from, as `MetaTrainer.weights()` gives them."""
    return state_arrays(make_model(hidden, seed))


def model_from_weights(weights: dict[str, np.ndarray], device="cpu") -> nn.Sequential:
    """Rebuild a regressor from `MetaTrainer.weights()`."""
    model = make_model(weights["0.weight"].shape[1])
    model.load_state_dict({name: torch.from_numpy(w) for name, w in weights.items()})
    return model.to(resolve(device))


def held_out_tasks(n: int, k_shot: int, seed: int, device="cpu") -> Tasks:
    """n test tasks from their own random stream (never seen in training), EVAL_POINTS query points each."""
    return sample_tasks(n, k_shot, torch.Generator().manual_seed(10**9 + seed), device, k_query=EVAL_POINTS)


def sgd_path(model: nn.Module, tasks: Tasks, inner_lr: float, steps: int):
    """Each task's fast weights after 0, 1, …, steps plain SGD steps on its support set (evaluation, no meta-graph)."""
    fast = per_task({name: p.detach() for name, p in model.named_parameters()}, tasks.x_support.shape[0])
    yield fast
    for _ in range(steps):
        fast = {name: w.detach().requires_grad_() for name, w in fast.items()}
        fast = adapt(model, fast, tasks.x_support, tasks.y_support, inner_lr, 1, create_graph=False)
        yield fast


def adaptation_mse(model: nn.Module, tasks: Tasks, inner_lr: float, steps: int = 10) -> np.ndarray:
    """Query MSE of each task after 0..steps SGD steps on its support set: shape (T, steps + 1)."""
    mse = []
    for fast in sgd_path(model, tasks, inner_lr, steps):
        with torch.no_grad():  # only here: the path's own SGD steps need autograd
            mse.append(task_losses(model, fast, tasks.x_query, tasks.y_query))
    return torch.stack(mse, dim=1).cpu().numpy()


def adapted_curves(model: nn.Module, tasks: Tasks, inner_lr: float, shown=SHOWN_STEPS, points: int = 200):
    """The first task's prediction over x ∈ [−5, 5] after each number of SGD steps in `shown`: (grid, {steps: y})."""
    grid = torch.linspace(*X_RANGE, points, device=tasks.x_support.device, dtype=tasks.x_support.dtype)
    first = tasks.rows(slice(0, 1))
    curves = {}
    for step, fast in enumerate(sgd_path(model, first, inner_lr, max(shown))):
        if step in shown:
            with torch.no_grad():
                curves[step] = batched_forward(model, fast, grid.reshape(1, -1, 1))[0, :, 0].cpu().numpy()
    return grid.cpu().numpy(), curves


def mean_and_sem(mse: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean over tasks of an adaptation_mse array, and its standard error (zero for a single task)."""
    with np.errstate(over="ignore", invalid="ignore"):  # a diverged step's inf or NaN stays so: see finite_steps
        sem = mse.std(0, ddof=1) / math.sqrt(mse.shape[0]) if mse.shape[0] > 1 else np.zeros(mse.shape[1])
    return mse.mean(0), sem


def finite_steps(*values) -> int:
    """How many adaptation steps, from step 0, are finite in every array given: SGD with a large α can blow up."""
    finite = np.logical_and.reduce([np.isfinite(np.asarray(v, dtype=float)) for v in values])
    return len(finite) if finite.all() else int(np.argmin(finite))


@dataclass(frozen=True)
class AdaptationCurve:
    """Held-out MSE over tasks after 0, 1, … SGD steps, kept up to the first step where it is not finite."""

    mean: np.ndarray  # per step, the finite steps only
    sem: np.ndarray  # its standard error
    diverged_at: int | None = None  # the first step whose mean or standard error is not finite; None if none is

    @property
    def steps(self) -> np.ndarray:
        """The adaptation steps shown: 0, 1, … up to the last finite one."""
        return np.arange(len(self.mean))


def adaptation_curve(mse: np.ndarray) -> AdaptationCurve:
    """An adaptation_mse array (tasks × steps) as its mean and standard error, cut where SGD blew up."""
    mean, sem = mean_and_sem(mse)
    finite = finite_steps(mean, sem)
    return AdaptationCurve(mean[:finite], sem[:finite], finite if finite < len(mean) else None)


def held_out_mse(weights: dict[str, np.ndarray], k_shot: int, inner_lr: float, seed: int, device: str,
                 tasks: int = 100, steps: int = 10) -> AdaptationCurve:
    """The model's held-out MSE after 0..steps SGD steps, over `tasks` held-out tasks."""
    held_out = held_out_tasks(tasks, k_shot, seed, device)
    return adaptation_curve(adaptation_mse(model_from_weights(weights, device), held_out, inner_lr, steps))


@dataclass(frozen=True)
class AdaptedTask:
    """One held-out task: its sinusoid, its support points, and the model's prediction after each shown step count."""

    amplitude: float
    phase: float
    x: np.ndarray  # a grid over X_RANGE
    truth: np.ndarray  # the task's sinusoid on the grid
    curves: dict[int, np.ndarray]  # steps -> prediction on the grid, for the finite predictions only
    x_support: np.ndarray
    y_support: np.ndarray
    diverged_at: int | None = None  # the fewest shown steps whose prediction is not finite; None if all are


def adapted_task(weights: dict[str, np.ndarray], k_shot: int, inner_lr: float, task: int, device: str,
                 shown=SHOWN_STEPS) -> AdaptedTask:
    """Held-out task number `task` and the model's curves after each number of SGD steps in `shown`."""
    tasks = held_out_tasks(1, k_shot, seed=task, device=device)
    grid, curves = adapted_curves(model_from_weights(weights, device), tasks, inner_lr, shown)
    amplitude, phase = float(tasks.amplitude[0]), float(tasks.phase[0])
    diverged = [steps for steps, curve in curves.items() if not np.isfinite(curve).all()]
    return AdaptedTask(amplitude, phase, grid, amplitude * np.sin(grid - phase),
                       {steps: curve for steps, curve in curves.items() if steps not in diverged},
                       tasks.x_support[0, :, 0].cpu().numpy(), tasks.y_support[0, :, 0].cpu().numpy(),
                       min(diverged) if diverged else None)


@dataclass(frozen=True)
class Checkpoints:
    """One method's held-out MSE after a given number of adaptation steps, at the checkpoints where it is finite."""

    iterations: np.ndarray
    seconds: np.ndarray  # training time at each checkpoint
    mse: np.ndarray
    dropped: int  # checkpoints left out because the MSE was not finite


@dataclass
class MethodCurve:
    """Held-out MSE of one training method at checkpoints, and its final adaptation curve."""

    iterations: list[int]
    seconds: list[float]  # training time at each checkpoint
    mse: list[list[float]]  # per checkpoint: mean MSE after 0..adapt_steps adaptation steps
    final: AdaptationCurve  # at the last checkpoint, over tasks
    error: str | None = None  # a catalogue key when training stopped early (e.g. diverged)

    def after(self, steps: int) -> Checkpoints:
        """The MSE after `steps` adaptation steps at every checkpoint where it is finite."""
        mse = np.array([row[steps] for row in self.mse], dtype=float)
        finite = np.isfinite(mse)
        return Checkpoints(np.array(self.iterations)[finite], np.array(self.seconds)[finite], mse[finite],
                           int((~finite).sum()))

    def adapt_diverged(self, steps: int) -> bool:
        """Whether adapting blew up on held-out tasks: in the final curve, or after `steps` steps at a checkpoint."""
        return self.final.diverged_at is not None or self.after(steps).dropped > 0


METHODS = ("second_order", "first_order", "pretrained")


def method_config(config: MetaConfig, method: str) -> MetaConfig:
    """The config of one compared method: second-order MAML, first-order MAML, or the pretrained baseline."""
    return replace(config, second_order=method == "second_order", baseline=method == "pretrained", compare_every=0)


def method_curve(setup: MetaSetup, meta_lr: float, iterations: int, method: str, checkpoints: int = 10,
                 eval_tasks: int = 100, adapt_steps: int = 10) -> MethodCurve:
    """Train one method for `iterations` and measure held-out MSE at evenly spaced checkpoints."""
    tasks = held_out_tasks(eval_tasks, setup.k_shot, setup.seed, resolve(setup.device))  # the same for every method
    marks = sorted({round(iterations * (i + 1) / checkpoints) for i in range(checkpoints)})
    trainer = MetaTrainer(method_config(MetaConfig(**asdict(setup), meta_lr=meta_lr, iterations=iterations), method))
    per_task = adaptation_mse(trainer.model, tasks, setup.inner_lr, adapt_steps)
    reached, seconds, mse = [0], [0.0], [per_task.mean(0).tolist()]
    for mark in marks:
        while trainer.step < mark and trainer.error is None:
            trainer.train_step()
        if trainer.error is not None:
            break
        per_task = adaptation_mse(trainer.model, tasks, setup.inner_lr, adapt_steps)
        reached.append(trainer.step)
        seconds.append(trainer.seconds)
        mse.append(per_task.mean(0).tolist())
    if trainer.step != reached[-1]:  # stopped by divergence after the last checkpoint: the model has moved
        per_task = adaptation_mse(trainer.model, tasks, setup.inner_lr, adapt_steps)
    return MethodCurve(reached, seconds, mse, adaptation_curve(per_task), trainer.error)


def compare_methods(config: MetaConfig, checkpoints: int = 10, eval_tasks: int = 100,
                    adapt_steps: int = 10) -> dict[str, MethodCurve]:
    """Every method's curve: second-order MAML, first-order MAML and the pretrained baseline."""
    return {method: method_curve(config.setup, config.meta_lr, config.iterations, method, checkpoints, eval_tasks,
                                 adapt_steps) for method in METHODS}


@dataclass(frozen=True)
class Lesson:
    """On one held-out meta-batch: the meta-gradient, its torch.func reference, and the forgotten-create_graph run."""

    gradient: np.ndarray  # float64, all parameters flattened
    reference: np.ndarray
    pitfall: PitfallOutcome


def lesson(weights: dict[str, np.ndarray], setup: MetaSetup, second_order: bool) -> Lesson:
    """The meta-gradient of these weights against its reference, and the pitfall, on a meta-batch never trained on."""
    config = MetaConfig(**asdict(setup), second_order=second_order)
    model = model_from_weights(weights, setup.device)
    tasks = sample_tasks(setup.meta_batch, setup.k_shot, torch.Generator().manual_seed(10**9 + setup.seed), setup.device)
    return Lesson(to_numpy(meta_gradient(model, tasks, config)[1]), to_numpy(reference_meta_gradient(model, tasks, config)),
                  create_graph_pitfall(model, tasks, config))


class InnerBackwards(TorchFunctionMode):
    """Collects the autograd nodes that every `torch.autograd.grad` call inside it made (none without create_graph):
    the graph can then show `adapt` itself, the inner step that training runs, with its backward's nodes marked."""

    def __init__(self):
        super().__init__()
        self.created: set = set()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        result = func(*args, **(kwargs or {}))
        if func is torch.autograd.grad:
            outputs = args[0] if args else kwargs["outputs"]
            outputs = (outputs,) if isinstance(outputs, torch.Tensor) else tuple(outputs)
            self.created |= graph_nodes(*(g for g in result if g is not None)) - graph_nodes(*outputs)
        return result


def meta_graph(second_order: bool, seed: int, max_nodes: int = 90) -> tuple[DotGraph, int]:
    """The autograd graph of one task's meta-loss after one inner step of `adapt` (the default setup), and how many
    of its nodes the inner create_graph backward made."""
    setup = MetaSetup(seed=seed)
    model = make_model(setup.hidden, seed)
    params = dict(model.named_parameters())
    tasks = sample_tasks(1, setup.k_shot, torch.Generator().manual_seed(seed))
    with InnerBackwards() as inner:
        fast = adapt(model, per_task(params, 1), tasks.x_support, tasks.y_support, setup.inner_lr, setup.inner_steps,
                     create_graph=second_order)
    query_loss = mean_task_loss(model, fast, tasks.x_query, tasks.y_query)
    graph = to_dot({"meta-loss": query_loss}, names=params, forward_nodes=graph_nodes(query_loss) - inner.created,
                   max_nodes=max_nodes, show_saved=False)
    return graph, len(inner.created & graph_nodes(query_loss))
