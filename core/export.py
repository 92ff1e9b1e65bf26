"""A page's exact view as a runnable notebook: its settings, the core code that ran (inspect.getsource), and its numbers.

`CASES` names every exportable page. `notebook(case, params)` builds the `.ipynb` text, `script(case, params)` the
same cells as a `.py` file with `# %%` markers, and `expected(case, params)` computes the notebook's `RESULT` with the
app's own core. The notebook needs no file of this project: the source of every core function, class and constant
the shown code uses is bundled after it, found by walking the syntax of each module (`Bundle`).

Adding a page is one `Case` in `CASES`: its URL path, its URL-bound settings (`Setting`), its code panels (`Panel`)
and one result function below, whose source becomes the notebook's last code cell.
"""
from __future__ import annotations

import ast
import base64
import builtins
import functools
import inspect
import io
import json
import math
import pathlib
import re
import sys
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Callable

import nbformat
import numpy as np
from PIL import Image

from core import derivatives, hessian, images, inr, maml, multi_backward, network_gradients, pinn
from core.derivatives import derivative_curves, derivative_table, second_derivative_without_create_graph
from core.devices import resolve
from core.expr import PARSER_LOCK, ExpressionError, parse, source
from core.images import ImageError, load_image, to_png
from core.inr import FitConfig, INRTrainer
from core.pinn import default_config, problem_error, train
from core.hessian import (NetConfig as HessianNet, eigen_report, exact_spectrum, fits_budget, hvp_report, pitfalls,
                          trace_report, density_report)
from core.maml import MetaConfig, MetaTrainer, held_out_mse
from core.multi_backward import Setup, alternatives, retain_then_second, step_between, without_retain
from core.network_gradients import (NetConfig as GradientNet, PenaltyTrainer, TrainConfig, check_double_backprop,
                                    double_backprop, gradients_at)
from core.timing import median_seconds

EXPORT_MARK = "autograd_explorer"  # cell metadata key: {"role": "imports" | "shown" | "support" | "run" | "chart", ...}
NOTEBOOK_STEPS = 100  # training steps a notebook runs (the page trains for its full slider value)
LONG_TEXT = 200  # a text argument longer than this is set as its own constant above PARAMS
DEVICE_NAME = re.compile(r"^(cpu|mps|cuda(:\d+)?)$")


class ExportError(ValueError):
    """Settings that cannot be exported, with what is wrong in words."""


@dataclass(frozen=True)
class Setting:
    """One URL-bound widget of a page: its query parameter, the result function's argument, default and range."""

    key: str  # the URL query parameter (the widget's key)
    arg: str  # the result function's keyword
    default: Any
    low: float | None = None
    high: float | None = None
    choices: tuple | None = None
    url: Callable[[Any], str] = str  # the text the page's link holds (a select box stores format_func(option))
    applies: Callable[[dict], bool] | None = None  # drawn for these earlier values (e.g. one model's learning rate)
    linked: bool = True  # in the page's link and the settings table (an upload's bytes are neither)
    parse: Callable[[Any], Any] | None = None  # checks a value of no plain widget type, raising ExportError
    describe: Callable[[Any], str] | None = None  # the settings table's text for the value (default: its repr)

    def value(self, given: Any) -> Any:
        """The given value checked against the widget's type and range; ExportError says what is wrong."""
        if self.parse is not None:
            return self.parse(given)
        kind = type(self.default)
        if kind is bool:
            ok = isinstance(given, bool)
        elif kind is int:
            ok = not isinstance(given, bool) and (isinstance(given, int) or (isinstance(given, float) and given.is_integer()))
        elif kind is float:
            ok = not isinstance(given, bool) and isinstance(given, (int, float)) and math.isfinite(given)
        else:
            ok = isinstance(given, str)
        if not ok:
            raise ExportError(f"{self.key}={given!r}: expected a {kind.__name__}")
        given = kind(given)
        if self.choices is not None and given not in self.choices:
            raise ExportError(f"{self.key}={given!r}: expected one of {', '.join(map(repr, self.choices))}")
        if self.low is not None and not self.low <= given <= self.high:
            raise ExportError(f"{self.key}={given!r}: expected a value from {self.low} to {self.high}")
        return given


@dataclass(frozen=True)
class Panel:
    """One code panel of a page: the core functions and classes it shows, and when the page draws it."""

    section: str
    shown: tuple  # functions, classes or methods (a method's class is what the notebook defines)
    when: Callable[[dict], bool] | None = None  # drawn for these resolved values; None: always


@dataclass(frozen=True)
class Case:
    """One page as an export: where it lives, its settings, its code panels and the function that computes RESULT."""

    title: str
    about: str
    path: str  # the page's URL path
    settings: tuple[Setting, ...]
    panels: tuple[Panel, ...]
    result: Callable[..., dict]  # takes the settings' args (plus seed and device), returns plain numbers
    chart: Callable[[dict], None] | None = None  # draws the page's chart from RESULT with matplotlib
    budget: str = ""  # how the notebook shortens the page's work, and how to run the full one
    check: Callable[[dict], None] | None = None  # raises ExportError for values the page itself refuses
    buttons: str = ""  # the section whose code panel carries the download buttons (the page's last)
    prepare: Callable[[dict], dict] | None = None  # the settings' values as the result function's arguments


SHARED = (Setting("seed", "seed", 0, 0, 2**31 - 1), Setting("device", "device", "cpu"))


# ---- result functions: their source is the notebook's run cell; expected() calls them in-process ----

def derivatives_result(expression: str, x: float, order: int, half_range: float, device: str, seed: int) -> dict:
    """The page's table (autograd, sympy, finite differences at x), the curves, and the pitfall's outcome."""
    table = derivative_table(expression, x, order, device)
    xs, curves = derivative_curves(expression, x - half_range, x + half_range, order, device=device)
    pitfall = second_derivative_without_create_graph(expression, x)
    return {"autograd": table["autograd"], "sympy": table["sympy"], "finite_difference": table["fd"],
            "curve_x": xs.tolist(), "curves": curves.tolist(),
            "pitfall_raised": pitfall.raised, "pitfall_error": pitfall.exception_type}


def derivatives_chart(result: dict) -> None:
    """f and its derivatives around x, as the page draws them."""
    import matplotlib.pyplot as plt
    figure, axes = plt.subplots(figsize=(8, 4))
    for order, curve in enumerate(result["curves"]):
        axes.plot(result["curve_x"], curve, label="f" + "′" * order if order < 4 else f"f({order})")
    axes.set_xlabel("x")
    axes.legend()
    plt.show()


def hessian_result(width: int, depth: int, activation: str, k: int, tol: float, samples: int, steps: int, runs: int,
                   scaling: bool, device: str, seed: int) -> dict:
    """N, the loss, H·v against finite differences, the top-k eigenvalues, Hutchinson's trace and the SLQ density."""
    config = HessianNet(width, depth, activation, seed=seed)
    report = hvp_report(config, device, seed=seed)
    eigen = eigen_report(config, device, k, tol, seed=seed, max_iter=300)
    trace = trace_report(config, device, samples, seed=seed)
    density = density_report(config, device, steps, runs, seed=seed)
    blog, no_graph = pitfalls(config, device, seed=seed)
    result = {"n": report.n, "loss": report.loss, "hv_double_backward": report.products["double backward"].tolist(),
              "hv_finite_difference": report.finite_difference.tolist(), "top_eigenvalues": eigen.values,
              "iterations": [len(h) for h in eigen.history], "trace_estimate": float(trace.running_mean[-1]),
              "trace_se": float(trace.running_se[-1]), "density_grid": density.grid.tolist(),
              "density": density.density.tolist(), "blog_raised": blog.raised, "no_graph_error": no_graph.exception_type}
    if fits_budget(config, device):
        exact = exact_spectrum(config, device)
        result["exact_trace"] = exact.trace
        result["exact_top"] = sorted(exact.eigenvalues.tolist(), key=abs, reverse=True)[:k]
    if scaling:  # timings differ from machine to machine: one small point, printed, not part of the check
        print("seconds at width 8:", median_seconds(lambda: hvp_report(HessianNet(8, 2, activation, seed=seed), device), 1))
    return result


def hessian_chart(result: dict) -> None:
    """The Hessian's eigenvalue density by stochastic Lanczos quadrature."""
    import matplotlib.pyplot as plt
    figure, axes = plt.subplots(figsize=(8, 3))
    axes.plot(result["density_grid"], result["density"])
    axes.set_xlabel("eigenvalue")
    axes.set_ylabel("density")
    plt.show()


def multi_backward_result(x1: float, x2: float, lr: float, depth: int, input_requires_grad: bool, device: str,
                          seed: int) -> dict:
    """Which scenario raised which error, and the trunk's summed gradient where it worked."""
    setup = Setup(x1, x2, depth, input_requires_grad, seed)
    scenarios = {"retain_graph": retain_then_second(setup, device), "no_retain": without_retain(setup, device),
                 **alternatives(setup, device)}
    step = step_between(setup, device, lr)
    scenarios["step_between"] = step.scenario
    result = {f"{name}: error": s.outcome.exception_type if s.outcome.raised else None for name, s in scenarios.items()}
    result.update({f"{name}: final grads": {n: g.tolist() for n, g in s.steps[-1].grads.items()}
                   for name, s in scenarios.items()})
    result["step_between: loss2 stale, fresh"] = [step.loss2_stale, step.loss2_fresh]
    return result


def network_gradients_result(x1: float, x2: float, width: int, depth: int, activation: str, resolution: int,
                             penalty: float, lr: float, steps: int, device: str, seed: int) -> dict:
    """f and ∇ₓf at the point, ∇θf, G = Σ(∂f/∂θ)² and its check, and a short penalty training."""
    config = GradientNet(width, depth, activation, seed)
    x = (x1, x2)
    at_point = gradients_at(config, x, device)
    double = double_backprop(config, x, device)
    check = check_double_backprop(config, x, device)
    # The page trains `steps` steps; this notebook trains NOTEBOOK_STEPS of them (set it to `steps` for the full run).
    trainer = PenaltyTrainer(TrainConfig(config, penalty=penalty, lr=lr, steps=min(steps, NOTEBOOK_STEPS), device=device))
    while not trainer.done and trainer.error is None:
        trainer.train_step()
    return {"f": at_point.f, "input_grad": at_point.input_grad.tolist(), "param_grad": at_point.flat.tolist(),
            "G": double.G, "check_passed": check.passed, "trained_steps": trainer.step,
            "loss_plain, loss_penalised": list(trainer.history[-1][1:3]) if trainer.step else None}


def maml_result(inner_lr: float, inner_steps: int, k_shot: int, meta_batch: int, meta_lr: float, iterations: int,
                second_order: bool, device: str, seed: int) -> dict:
    """A short meta-training, then the held-out MSE after 0, 1 and 10 adaptation steps."""
    # The page trains `iterations` meta-iterations; this notebook runs NOTEBOOK_STEPS (set it to `iterations` for all).
    config = MetaConfig(k_shot=k_shot, inner_lr=inner_lr, inner_steps=inner_steps, meta_batch=meta_batch,
                        meta_lr=meta_lr, second_order=second_order, iterations=min(iterations, NOTEBOOK_STEPS),
                        seed=seed, device=device)
    trainer = MetaTrainer(config)
    while not trainer.done and trainer.error is None:
        trainer.train_step()
    curve = held_out_mse(trainer.weights(), k_shot, inner_lr, seed, device, 100)
    mse = curve.mean.tolist()
    return {"trained_iterations": trainer.step, "error": trainer.error, "meta_loss": trainer.history.loss,
            "held_out_mse_after_0_1_10_steps": [mse[s] if s < len(mse) else None for s in (0, 1, 10)]}


def maml_chart(result: dict) -> None:
    """The meta-loss during the short training."""
    import matplotlib.pyplot as plt
    figure, axes = plt.subplots(figsize=(8, 3))
    axes.semilogy(range(1, len(result["meta_loss"]) + 1), result["meta_loss"])
    axes.set_xlabel("iteration")
    axes.set_ylabel("meta-loss")
    plt.show()


def picture_png(pixels: np.ndarray) -> str:
    """A picture in [0, 1] as base64 8-bit PNG text, the form the notebook embeds."""
    return base64.b64encode(to_png(pixels)).decode("ascii")


def png_pixels(text: str) -> np.ndarray:
    """The embedded picture back as floats in [0, 1]: (H, W) gray or (H, W, 3)."""
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(text))), dtype=np.float32) / 255


def inr_result(picture_png: str, model: str, supervision: str, width: int, depth: int, lr: float, batch: int,
               steps: int, target: float, device: str, seed: int) -> dict:
    """A short fit of the page's network to the embedded picture, a fixed number of steps, and its PSNR on the way."""
    pixels = png_pixels(picture_png)
    # The page trains `steps` steps or until the target PSNR; this notebook trains NOTEBOOK_STEPS of them, fixed
    # (set NOTEBOOK_STEPS = steps for the full run).
    config = FitConfig(model=model, width=width, depth=depth, lr=lr, supervision=supervision,
                       steps=min(steps, NOTEBOOK_STEPS), batch_pixels=batch, device=device, seed=seed, target_psnr=target)
    trainer = INRTrainer(pixels, config)
    psnr_curve = []
    while trainer.step < trainer.total:
        loss = trainer.train_step()
        trainer.step += 1
        if trainer.step % 25 == 0 or trainer.step == trainer.total:
            psnr_curve.append([trainer.step, float(trainer.evaluate())])
    return {"picture_shape": list(pixels.shape), "trained_steps": trainer.step, "last_loss": loss,
            "psnr_curve": psnr_curve, "psnr": float(psnr_curve[-1][1]), "reached_target": bool(psnr_curve[-1][1] >= target)}


def inr_chart(result: dict) -> None:
    """PSNR over the short fit's steps."""
    import matplotlib.pyplot as plt
    steps, psnr = zip(*result["psnr_curve"])
    figure, axes = plt.subplots(figsize=(8, 3))
    axes.plot(steps, psnr, marker="o")
    axes.set_xlabel("step")
    axes.set_ylabel("PSNR (dB)")
    plt.show()


def pinn_result(equation: str, lbfgs: bool, device: str, seed: int, **settings) -> dict:
    """A short training of the page's network on its equation; the relative L2 error against the reference, the
    learned ζ of the inverse problem, and the prediction beside the reference where the chart draws them."""
    # The page runs `steps` Adam steps, then `lbfgs_steps` L-BFGS iterations; this notebook cuts each to
    # NOTEBOOK_STEPS (set NOTEBOOK_STEPS = 10_000 for the full run).
    settings |= {"steps": min(settings["steps"], NOTEBOOK_STEPS),
                 "lbfgs_steps": min(settings["lbfgs_steps"], NOTEBOOK_STEPS)}
    config = default_config(equation, **settings, optimizer="adam+lbfgs" if lbfgs else "adam", seed=seed, device=device)
    trainer = train(config)
    points, reference = trainer.reference_at, trainer.reference
    prediction = trainer.predict(points)
    if equation == "burgers":  # u(x) at three times, across the grid's x
        times = np.unique(points[:, 0])
        rows = {f"t = {t:g}": np.isclose(points[:, 0], t) for t in times[[25, 50, 100]]}
        axis, axis_name = points[rows["t = 1"], 1], "x"
    else:
        rows, axis, axis_name = {"u(t)": slice(None)}, points[:, 0], "t"
    result = {"trained_steps": trainer.step, "error": trainer.error,
              "last_loss": trainer.history.loss[-1] if trainer.history.rows else None,
              "relative_l2": trainer.relative_l2(), "axis_name": axis_name, "axis": axis.tolist(),
              "curves": {name: {"reference": reference[at].tolist(), "prediction": prediction[at].tolist()}
                         for name, at in rows.items()}}
    if equation == "oscillator_inverse":
        result["learned_damping"] = trainer.estimate()
    return result


def pinn_chart(result: dict) -> None:
    """The network's prediction against the reference solution."""
    import matplotlib.pyplot as plt
    figure, axes = plt.subplots(figsize=(8, 3))
    for index, (name, curve) in enumerate(result["curves"].items()):
        axes.plot(result["axis"], curve["reference"], color=f"C{index}", label=f"reference, {name}")
        axes.plot(result["axis"], curve["prediction"], "--", color=f"C{index}", label=f"network, {name}")
    axes.set_xlabel(result["axis_name"])
    axes.set_ylabel("u")
    axes.legend()
    plt.show()


def parsed_formula(values: dict) -> None:
    """The page refuses a formula its parser does not accept: so does the export."""
    try:
        parse(values["expression"])
    except ExpressionError as error:
        raise ExportError(f"deriv_expr={values['expression']!r}: {error}") from None


def _g(value: float) -> str:
    """A number as the page's select sliders write it in the link."""
    return f"{value:g}"


ASSETS = pathlib.Path(__file__).resolve().parents[1] / "assets"
# The pages' options, listed once: their widgets draw these and their exports accept these.
INR_SAMPLES = {"astronaut": "astronaut.jpg", "coffee": "coffee.jpg", "camera": "camera.png"}
# Select boxes keep format_func(option) in the link: the pages' names of the models and equations.
INR_MODEL_NAMES = {"spline": "spline grid (C², multi-res)", "siren": "SIREN (ω₀ = 30)", "relu_pe": "ReLU + PE",
                   "relu": "ReLU", "grid": "grid (bilinear, multi-res)"}
PINN_EQUATION_LABELS = {"oscillator": "u″ + 2ζω₀u′ + ω₀²u = 0", "burgers": "uₜ + u·uₓ = ν·uₓₓ",
                        "oscillator_inverse": "ζ = ? · u″ + 2ζω₀u′ + ω₀²u = 0"}
INR_LEARNING_RATES = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2)  # slider stops
INR_BATCHES = (1024, 2048, 4096, 8192, 16384, 32768, 65536)
INR_SIDES = (32, 64, 96, 128, 192, 256, 384, 512)
INR_WIDTHS = (16, 32, 64, 128, 256, 512)
PINN_VISCOSITIES = tuple(k / math.pi for k in (0.01, 0.02, 0.05, 0.1))
PINN_LEARNING_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 1.0)
PINN_COLLOCATION = (0, 64, 128, 256, 512, 1000, 2000, 4000, 8000)
PINN_WIDTHS = (8, 16, 20, 32, 64)
PINN_WEIGHTS = (0.1, 1.0, 10.0, 100.0)
PINN_PROBLEMS = {"pinn.bad_equation": "unknown equation, optimizer or activation",
                 "pinn.no_collocation": "the residual needs at least one collocation point",
                 "pinn.no_observations": "the inverse problem needs at least one observation",
                 "pinn.not_underdamped": "ζ must be between 0 and 1", "pinn.bad_network": "the network cannot train"}


def uploaded_picture(given: Any) -> tuple[str, bytes]:
    """The page's kept upload, (file name, bytes)."""
    if not (isinstance(given, (tuple, list)) and len(given) == 2 and isinstance(given[0], str)
            and isinstance(given[1], bytes)):
        raise ExportError(f"inr_uploaded: expected (file name, bytes), not {type(given).__name__}")
    return given[0], given[1]


def inr_pixels(values: dict) -> np.ndarray:
    """The picture the page trains on: the sample or the upload at working resolution; ExportError says why not."""
    if values["source"] == "upload" and values.get("upload") is None:
        raise ExportError("inr_source='upload': no picture was uploaded")
    return working_picture(values["source"], values["side"], values["gray"], values.get("upload"))


@functools.lru_cache(maxsize=4)
def working_picture(source: str, side: int, gray: bool, upload: tuple[str, bytes] | None) -> np.ndarray:
    """The decoded, resized picture, kept: one export checks, links and embeds it."""
    data = upload[1] if source == "upload" else (ASSETS / INR_SAMPLES[source]).read_bytes()
    try:
        return load_image(data, side, gray).pixels
    except ImageError as error:
        raise ExportError(f"the picture cannot be used ({error.key.partition('.err_')[2]})") from None


def inr_checked(values: dict) -> None:
    """What the page refuses (an unreadable picture, a side or memory beyond the device's budget) the export does."""
    pixels = inr_pixels(values)
    config = inr_config(values)
    try:
        inr.check_settings(config, pixels.shape[0], pixels.shape[1], inr.channels_of(pixels))
    except inr.SettingsError as error:
        raise ExportError(f"these settings are refused ({error.key.partition('.err_')[2]}: {error.values})") from None


def inr_config(values: dict) -> FitConfig:
    """The page's FitConfig for these values."""
    return FitConfig(model=values["model"], width=values["width"], depth=values["depth"], lr=values["lr"],
                     supervision=values["supervision"], steps=values["steps"], batch_pixels=values["batch"],
                     device=values["device"], seed=values["seed"], target_psnr=values["target"])


def inr_arguments(values: dict) -> dict:
    """The picture embedded as PNG text in place of where it came from."""
    kept = {k: v for k, v in values.items() if k not in ("source", "side", "gray", "upload")}
    return {"picture_png": picture_png(inr_pixels(values)), **kept}


def pinn_checked(values: dict) -> None:
    """The settings the page refuses to train, in words."""
    problem = problem_error(default_config(values["equation"], **pinn_fields(values)))
    if problem is not None:
        raise ExportError(PINN_PROBLEMS.get(problem, problem))


def pinn_fields(values: dict) -> dict:
    """The PinnConfig fields among the values (the toggles and the sidebar's left out)."""
    return {k: v for k, v in values.items() if k not in ("equation", "lbfgs", "cost", "device", "seed")}


def pinn_arguments(values: dict) -> dict:
    """The cost toggle only shows timings (machine-dependent): not part of the notebook's run."""
    return {k: v for k, v in values.items() if k != "cost"}


def inr_settings() -> tuple[Setting, ...]:
    """The INR page's widgets; learning rate and batch have one key per model and supervision."""
    per_model = []
    for model in inr.MODELS:
        for supervision in inr.SUPERVISIONS:
            lr, batch = inr.recommended(model, supervision)
            chosen = lambda v, m=model, s=supervision: v["model"] == m and v["supervision"] == s  # noqa: E731
            per_model += [Setting(f"inr_lr_{model}_{supervision}", "lr", lr, choices=INR_LEARNING_RATES,
                                  url=lambda v: f"{v:.0e}", applies=chosen),
                          Setting(f"inr_batch_{model}_{supervision}", "batch", batch, choices=INR_BATCHES, applies=chosen)]
    return (Setting("inr_source", "source", "astronaut", choices=(*INR_SAMPLES, "upload")),
            Setting("inr_side", "side", 128, choices=INR_SIDES),
            Setting("inr_gray", "gray", False, url=lambda v: str(v).lower()),
            Setting("inr_model", "model", "spline", choices=inr.MODELS, url=INR_MODEL_NAMES.get),
            Setting("inr_supervision", "supervision", "pixels", choices=inr.SUPERVISIONS),
            Setting("inr_width", "width", 128, choices=INR_WIDTHS), Setting("inr_depth", "depth", 3, 1, 6),
            *per_model, Setting("inr_steps", "steps", 2000, 100, 10_000), Setting("inr_target", "target", 40.0, 20.0, 50.0),
            Setting("inr_uploaded", "upload", None, linked=False, parse=uploaded_picture,
                    applies=lambda v: v["source"] == "upload",
                    describe=lambda v: f"`{v[0]}`, {len(v[1]):,} bytes (embedded at working resolution below)"))


def pinn_settings() -> tuple[Setting, ...]:
    """The PINN page's widgets: the equation's own, then the network's (Burgers has its own keys and defaults)."""
    oscillator, burgers, inverse = (lambda v: v["equation"] != "burgers", lambda v: v["equation"] == "burgers",  # noqa: E731
                                    lambda v: v["equation"] == "oscillator_inverse")
    network = []
    for prefix, applies, base in (("pinn_", oscillator, default_config("oscillator")),
                                  ("pinn_b_", burgers, default_config("burgers"))):
        network += [
            Setting(prefix + "width", "width", base.width, choices=PINN_WIDTHS, applies=applies),
            Setting(prefix + "depth", "depth", base.depth, 1, 8, applies=applies),
            Setting(prefix + "act", "activation", base.activation, choices=tuple(pinn.ACTIVATIONS), applies=applies),
            Setting(prefix + "features", "features", base.features, 0, 8, applies=applies),
            Setting(prefix + "lr", "learning_rate", base.learning_rate, choices=PINN_LEARNING_RATES, url=_g,
                    applies=applies),
            Setting(prefix + "points", "collocation", base.collocation, choices=PINN_COLLOCATION, applies=applies),
            Setting(prefix + "steps", "steps", base.steps, 0, 10_000, applies=applies),
            Setting(prefix + "lbfgs", "lbfgs", True, url=lambda v: str(v).lower(), applies=applies),
            Setting(prefix + "lbfgs_steps", "lbfgs_steps", base.lbfgs_steps, 0, 10_000, applies=applies),
            Setting(prefix + "w_res", "weight_residual", base.weight_residual, choices=PINN_WEIGHTS, applies=applies),
            Setting(prefix + "w_bc", "weight_boundary", base.weight_boundary, choices=PINN_WEIGHTS, applies=applies),
            Setting(prefix + "w_data", "weight_data", base.weight_data, choices=PINN_WEIGHTS, applies=applies)]
    return (Setting("pinn_eq", "equation", "oscillator", choices=pinn.EQUATIONS, url=PINN_EQUATION_LABELS.get),
            Setting("pinn_nu", "viscosity", PINN_VISCOSITIES[0], choices=PINN_VISCOSITIES,
                    url=lambda v: f"{v * math.pi:.2f}/π", applies=burgers),
            Setting("pinn_zeta", "damping", 0.1, 0.02, 0.5, applies=oscillator),
            Setting("pinn_omega", "frequency", 20.0, 5.0, 30.0, applies=oscillator),
            Setting("pinn_obs", "observations", 20, 0, 50, applies=inverse),
            Setting("pinn_noise", "noise", 0.01, 0.0, 0.05, applies=inverse),
            *network, Setting("pinn_cost", "cost", False, url=lambda v: str(v).lower()))


CASES: dict[str, Case] = {
    "derivatives": Case(
        "Higher-order derivatives", "f, f′ … f⁽ⁿ⁾ of a formula by repeated `torch.autograd.grad(create_graph=True)`, "
        "checked against sympy and finite differences.", "derivatives",
        (Setting("deriv_expr", "expression", "2*x**3"), Setting("deriv_x", "x", -2.0, -5.0, 5.0),
         Setting("deriv_order", "order", 4, 1, 6), Setting("deriv_range", "half_range", 3.0, 1.0, 10.0)),
        (Panel("graph", (derivatives.derivative_chain, derivatives.nth_derivatives, derivatives.derivative_curves)),
         Panel("pitfall", (derivatives.second_derivative_without_create_graph,))),
        derivatives_result, derivatives_chart, check=parsed_formula, buttons="pitfall"),
    "network_gradients": Case(
        "Network gradients & double backprop", "∇ₓf and ∇θf of a small MLP, G = Σ(∂f/∂θ)² differentiated again, "
        "and an input-gradient penalty trained.", "network_gradients",
        (Setting("ng_x1", "x1", 0.5, -2.0, 2.0), Setting("ng_x2", "x2", -0.5, -2.0, 2.0),
         Setting("ng_width", "width", 8, 2, 32), Setting("ng_depth", "depth", 2, 1, 4),
         Setting("ng_act", "activation", "tanh", choices=network_gradients.ACTIVATIONS),
         Setting("ng_res", "resolution", 31, 11, 61), Setting("ng_lambda", "penalty", 0.01, 0.0, 10.0, url=_g),
         Setting("ng_lr", "lr", 0.3, 1e-4, 10.0, url=_g), Setting("ng_steps", "steps", 500, 100, 10_000)),
        (Panel("input", (network_gradients.gradients_at, network_gradients.input_gradient_field)),
         Panel("double", (network_gradients.double_backprop, network_gradients.check_double_backprop)),
         Panel("pitfall", (network_gradients.wrong_no_create_graph, network_gradients.wrong_backward_twice,
                           network_gradients.wrong_first_only)),
         Panel("training", (network_gradients.penalised_loss, network_gradients.PenaltyTrainer.train_step))),
        network_gradients_result, budget=f"The penalty training runs {NOTEBOOK_STEPS} steps here (the page: the "
        "`steps` setting); set `NOTEBOOK_STEPS = steps` in the run cell for the full run.", buttons="training"),
    "maml": Case(
        "MAML meta-learning", "Sinusoid few-shot regression: second-order MAML, the inner step differentiated with "
        "`create_graph=True`.", "maml",
        (Setting("maml_alpha", "inner_lr", 0.01, 0.001, 0.05), Setting("maml_steps", "inner_steps", 1, 1, 5),
         Setting("maml_k", "k_shot", 10, choices=(5, 10, 20)), Setting("maml_batch", "meta_batch", 25, 1, 50),
         Setting("maml_meta_lr", "meta_lr", 1e-3, choices=(1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1), url=_g),
         Setting("maml_iters", "iterations", 3000, 100, 10_000),
         Setting("maml_create_graph", "second_order", True, url=lambda v: str(v).lower())),
        (Panel("code", (maml.Dense, maml.mean_task_loss, maml.adapt, maml.meta_loss, maml.MetaTrainer.train_step,
                        maml.reference_meta_gradient)),
         Panel("pitfall", (maml.meta_gradient_without_create_graph,))),
        maml_result, maml_chart, budget=f"Meta-training runs {NOTEBOOK_STEPS} iterations here (the page: the "
        "`iterations` setting); set `NOTEBOOK_STEPS = iterations` in the run cell for the full run.", buttons="pitfall"),
    "hessian": Case(
        "Hessian-vector products", "H·v by double backward and three other ways, the top eigenvalues by power "
        "iteration, Hutchinson's trace and the spectral density, without forming H.", "hessian",
        (Setting("hess_width", "width", 16, 2, 64), Setting("hess_depth", "depth", 2, 1, 4),
         Setting("hess_act", "activation", "tanh", choices=("tanh", "gelu", "softplus", "sigmoid", "relu")),
         Setting("hess_k", "k", 3, 1, 5), Setting("hess_tol", "tol", 1e-3, choices=(1e-2, 1e-3, 1e-4, 1e-5, 1e-6),
                                                   url=lambda v: f"{v:.0e}"),
         Setting("hess_samples", "samples", 200, 10, 1000), Setting("hess_steps", "steps", 30, 5, 80),
         Setting("hess_runs", "runs", 4, 1, 10),
         Setting("hess_scaling", "scaling", False, url=lambda v: str(v).lower())),
        (Panel("hvp", (hessian.hvp, hessian.hvp_operator, hessian.hvp_forward_over_reverse, hessian.hvp_functional,
                       hessian.hvp_finite_difference)),
         Panel("full", (hessian.full_hessian,),
               lambda v: fits_budget(HessianNet(v["width"], v["depth"], v["activation"]), v["device"])),
         Panel("eigen", (hessian.power_iteration, hessian.eigen_report)),
         Panel("trace", (hessian.hutchinson,)),
         Panel("density", (hessian.lanczos, hessian.spectral_density)),
         Panel("scaling", (hessian.scaling_point, median_seconds), lambda v: v["scaling"]),
         Panel("pitfall", (hessian.blog_scalar_hvp, hessian.hvp_without_create_graph))),
        hessian_result, hessian_chart, budget="The scaling sweep's timings are left out (they depend on the machine).",
        buttons="pitfall"),
    "multi_backward": Case(
        "Multiple backwards", "Two losses through one shared trunk: `retain_graph`, gradients summed on the trunk, "
        "and the in-place error after `optimizer.step()`.", "multi_backward",
        (Setting("mb_x1", "x1", 0.5, -2.0, 2.0), Setting("mb_x2", "x2", -1.0, -2.0, 2.0),
         Setting("mb_lr", "lr", 0.1, 1e-3, 10.0), Setting("mb_depth", "depth", 1, 1, 4),
         Setting("mb_xgrad", "input_requires_grad", False, url=lambda v: str(v).lower())),
        (Panel("graph", (multi_backward.TwoHeads, multi_backward.build, multi_backward.head_losses,
                         multi_backward.losses)),
         Panel("retain", (multi_backward.retain_then_second, multi_backward.Recorder)),
         Panel("no_retain", (multi_backward.without_retain,)),
         Panel("step", (multi_backward.step_between,)),
         Panel("alternatives", (multi_backward.alternatives,)),
         Panel("memory", (multi_backward.held_tensors,))),
        multi_backward_result, buttons="memory"),
    "inr": Case(
        "Neural image (INR)", "A network fitted to a picture's pixels, or to its gradients or Laplacian alone "
        "(derivatives of the network by `torch.autograd.grad(create_graph=True)`). The picture is embedded at "
        "working resolution as 8-bit PNG (the page fits its float pixels, which differ by at most 1/510).", "inr",
        inr_settings(),
        (*(Panel(f"check_{model}", (inr.supervised_quantity, inr.coordinate_gradients, inr.coordinate_laplacian,
                                    *inr.model_code(model), inr.INRTrainer.train_step, inr.derivative_check,
                                    images.sobel, images.integrate_gradients),
                 lambda v, m=model: v["model"] == m) for model in inr.MODELS),
         Panel("pitfall", (inr.gradient_loss_without_create_graph,))),
        inr_result, inr_chart, budget=f"The fit runs {NOTEBOOK_STEPS} steps here, without stopping at the target "
        "(the page: the `steps` setting, or until the target PSNR); set `NOTEBOOK_STEPS = steps` in the run cell for "
        "the full run.", check=inr_checked, buttons="pitfall", prepare=inr_arguments),
    "pinn": Case(
        "Physics-informed networks", "A network u(t) or u(t, x) trained on a differential equation's residual, "
        "its derivatives taken with `torch.autograd.grad(create_graph=True)`; checked against the closed form or "
        "Cole-Hopf, and ζ learned from noisy data in the inverse problem.", "pinn",
        pinn_settings(),
        (Panel("cost", (pinn.nested_grad, pinn.functorch_derivative), lambda v: v["cost"]),
         Panel("code", (pinn.derivative, pinn.oscillator_residual, pinn.burgers_residual, pinn.loss_terms,
                        pinn.PinnTrainer.train_step, pinn.burgers_cole_hopf)),
         Panel("pitfall_graph", (pinn.second_derivative_without_create_graph,)),
         Panel("pitfall_batchnorm", (pinn.batchnorm_derivative, pinn.per_point_finite_difference)),
         Panel("pitfall_copy", (pinn.derivative_of_a_reshaped_copy,))),
        pinn_result, pinn_chart, budget=f"Adam runs at most {NOTEBOOK_STEPS} steps and L-BFGS at most "
        f"{NOTEBOOK_STEPS} iterations here (the page: the `steps` and `lbfgs_steps` settings); set "
        "`NOTEBOOK_STEPS = 10_000` in the run cell for the full run. The cost of higher orders is left out (its "
        "timings depend on the machine).", check=pinn_checked, buttons="pitfall_copy", prepare=pinn_arguments),
}


def case_of(case: str) -> Case:
    """The export of a page by its name; ExportError names the known ones."""
    if case not in CASES:
        raise ExportError(f"unknown page {case!r}: expected one of {', '.join(CASES)}")
    return CASES[case]


def settings_of(case: str) -> tuple[Setting, ...]:
    """The page's URL-bound settings, then the sidebar's seed and device."""
    return case_of(case).settings + SHARED


def resolved(case: str, params: dict) -> dict:
    """The settings' values by argument: each given value checked, missing ones the page's defaults; a setting the
    page does not draw for these values (another model's learning rate) is checked but not used."""
    known = {s.key: s for s in settings_of(case)}
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise ExportError(f"unknown settings for {case}: {', '.join(unknown)} (known: {', '.join(known)})")
    values: dict = {}
    for setting in known.values():
        value = setting.value(params[setting.key]) if setting.key in params else setting.default
        if setting.applies is None or setting.applies(values):
            values[setting.arg] = value
    if not DEVICE_NAME.match(values["device"]):
        raise ExportError(f"device={values['device']!r}: expected cpu, cuda, cuda:N or mps")
    if case_of(case).check is not None:
        case_of(case).check(values)
    return values


def active_settings(case: str, values: dict) -> tuple[Setting, ...]:
    """The settings the page draws for these resolved values (each argument's one setting)."""
    drawn, seen = [], {}
    for setting in settings_of(case):
        if setting.applies is None or setting.applies(seen):
            drawn.append(setting)
            seen[setting.arg] = values[setting.arg]
    return tuple(drawn)


def arguments(case: str, values: dict) -> dict:
    """The result function's arguments for these resolved values."""
    prepare = case_of(case).prepare
    return prepare(values) if prepare is not None else values


def shown(case: str, params: dict | None = None, section: str | None = None) -> list:
    """The functions and classes the page's code panels show for these settings (one panel's with `section`)."""
    values = resolved(case, params or {})
    panels = [p for p in case_of(case).panels if p.when is None or p.when(values)]
    if section is not None:
        panels = [p for p in case_of(case).panels if p.section == section]
        if not panels:
            raise ExportError(f"{case} has no code panel {section!r}")
    return [fn for panel in panels for fn in panel.shown]


def link(case: str, params: dict) -> str:
    """The page's path and query with these settings (defaults included), so the link works on any host."""
    values = resolved(case, params)
    query = {s.key: s.url(values[s.arg]) for s in active_settings(case, values) if s.linked}
    return f"/{case_of(case).path}?{urllib.parse.urlencode(query)}"


def expected(case: str, params: dict) -> dict:
    """The notebook's RESULT, computed in this process by the app's own core."""
    values = resolved(case, params)
    resolve(values["device"])
    return case_of(case).result(**arguments(case, values))


# ---- bundling: the source of what the shown code and the run cell use, found in each module's syntax ----

@dataclass(frozen=True)
class Definition:
    """A top-level statement of a core module that defines `name`, and the names its code loads."""

    module: str
    name: str
    node: ast.stmt
    loads: frozenset


@functools.lru_cache(maxsize=None)
def module_syntax(module: str) -> tuple[dict, dict]:
    """A core module's top-level definitions {name: Definition} and imports {name: (from module or None, imported
    name, statement text)}, from its syntax tree."""
    with PARSER_LOCK:
        tree = ast.parse(inspect.getsource(sys.modules[module]))
    definitions, imports = {}, {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            definitions[node.name] = Definition(module, node.name, node, loaded_names(node))
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:  # NAME = … or A, B = …; an item or attribute assignment defines nothing new
                for name in target.elts if isinstance(target, ast.Tuple) else [target]:
                    if isinstance(name, ast.Name):
                        definitions[name.id] = Definition(module, name.id, node, loaded_names(node.value or node))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                text = f"import {alias.name}" + (f" as {alias.asname}" if alias.asname else "")
                imports[bound] = (None, alias.name if alias.asname else bound, text)
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            for alias in node.names:
                bound = alias.asname or alias.name
                text = f"from {node.module} import {alias.name}" + (f" as {alias.asname}" if alias.asname else "")
                imports[bound] = (node.module, alias.name, text)
    return definitions, imports


def loaded_names(node: ast.AST) -> frozenset:
    """Every name a piece of code loads, annotations left out (they are never evaluated: `from __future__`)."""
    names = set()

    def visit(item: ast.AST) -> None:
        for name, child in ast.iter_fields(item):
            if name in ("annotation", "returns"):
                continue
            for part in child if isinstance(child, list) else [child]:
                if isinstance(part, ast.AST):
                    if isinstance(part, ast.Name) and isinstance(part.ctx, ast.Load):
                        names.add(part.id)
                    visit(part)

    visit(node)
    return frozenset(names)


@dataclass
class Bundle:
    """Definitions in dependency order and the import lines they need, gathered from the roots' loaded names."""

    definitions: list[Definition] = field(default_factory=list)
    imports: dict[str, str] = field(default_factory=dict)  # bound name -> import statement
    aliases: dict[str, str] = field(default_factory=dict)  # a name core code imports under another -> the original

    def add(self, module: str, name: str, trail: tuple = ()) -> None:
        """Bundle `module.name` after everything it loads."""
        if any(d.module == module and d.name == name for d in self.definitions) or (module, name) in trail:
            return
        definitions, _ = module_syntax(module)
        definition = definitions[name]
        clash = next((d for d in self.definitions if d.name == name), None)
        if clash is not None or name in self.imports:
            raise ExportError(f"{name} is defined in both {module} and {clash.module if clash else 'an import'}")
        self.needs(module, definition.loads - {name}, trail + ((module, name),))
        if not any(d.module == module and d.name == name for d in self.definitions):
            self.definitions.append(definition)

    def needs(self, module: str, names, trail: tuple = ()) -> None:
        """Bundle what `names`, loaded by code of `module`, refer to: its definitions, core imports, other imports."""
        definitions, imports = module_syntax(module)
        for name in sorted(names):
            if name in definitions:
                self.add(module, name, trail)
            elif name in imports:
                source_module, imported, text = imports[name]
                if source_module is not None and source_module.split(".")[0] == "core":
                    self.add(source_module, imported, trail)
                    if imported != name:
                        self.aliases[name] = imported
                elif source_module is None and imported.split(".")[0] == "core":
                    raise ExportError(f"{module} uses the module {imported} as {name}: import its names instead")
                else:
                    self.imports.setdefault(name, text)
            elif not hasattr(builtins, name):
                pass  # a local variable, parameter or comprehension target of the code


def owner(obj) -> tuple[str, str]:
    """(module, top-level name) defining a shown function or class; a method's is its class."""
    return obj.__module__, obj.__qualname__.split(".")[0]


def dotted(obj) -> str:
    """The shown object's full name, as the code panel's caption writes it."""
    return f"{obj.__module__}.{obj.__qualname__}"


def definition_source(definition: Definition) -> str:
    """The statement's source: inspect.getsource for a function or class (as the code panel shows it)."""
    if isinstance(definition.node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return top_level_source(definition.module, definition.name)
    lines = module_lines(definition.module)
    return "".join(lines[definition.node.lineno - 1:definition.node.end_lineno]).rstrip()


@functools.lru_cache(maxsize=None)
def top_level_source(module: str, name: str) -> str:
    """inspect.getsource of a module's function or class, kept: for a class it parses the whole module each time."""
    return source(getattr(sys.modules[module], name)).rstrip()


@functools.lru_cache(maxsize=None)
def module_lines(module: str) -> tuple[str, ...]:
    """A core module's source lines (a constant's statement is cut from them)."""
    return tuple(inspect.getsource(sys.modules[module]).splitlines(keepends=True))


# ---- the notebook ----

def cells(case: str, params: dict) -> list:
    """The notebook's cells: about, imports, shown and supporting code, the run cell, and the chart."""
    spec, values = case_of(case), resolved(case, params)
    panel_objects = shown(case, params)
    bundle = Bundle()
    for obj in panel_objects:
        bundle.add(*owner(obj))
    for fn in (spec.result, spec.chart) if spec.chart else (spec.result,):
        with PARSER_LOCK:
            tree = ast.parse(inspect.getsource(fn))
        bundle.needs(__name__, loaded_names(tree) - {fn.__name__, "NOTEBOOK_STEPS"})
    shown_by = {}
    for obj in panel_objects:
        shown_by.setdefault(owner(obj), []).append(dotted(obj))
    result = [nbformat.v4.new_markdown_cell(about(case, values, params), metadata={EXPORT_MARK: {"role": "about"}})]
    imports = ["from __future__ import annotations", *sorted(set(bundle.imports.values()) - {""}, key=import_order)]
    result.append(code_cell("\n".join(imports), "imports"))
    support = []
    for definition in bundle.definitions:
        key = (definition.module, definition.name)
        if key in shown_by:
            if support:
                result.append(code_cell("\n\n\n".join(support), "support"))
                support = []
            result.append(code_cell(f"# {definition.module}\n" + definition_source(definition), "shown",
                                    shown=shown_by[key]))
        else:
            support.append(f"# {definition.module}\n" + definition_source(definition))
    if support:
        result.append(code_cell("\n\n\n".join(support), "support"))
    result.append(code_cell(run_cell(spec, arguments(case, values), bundle.aliases), "run"))
    if spec.chart is not None:
        result.append(code_cell(source(spec.chart).rstrip() + f"\n\n\n{spec.chart.__name__}(RESULT)", "chart"))
    for index, cell in enumerate(result):  # ids by position: the same view gives the same file
        cell.id = f"cell-{index}"
    return result


def import_order(text: str) -> tuple:
    """Standard library first, then the rest, each alphabetically (as the project sorts its imports)."""
    top = text.split()[1].split(".")[0]
    return (top not in sys.stdlib_module_names, text)


def code_cell(text: str, role: str, **mark) -> nbformat.NotebookNode:
    """A code cell marked with its role (and the shown objects it defines) for tests and readers."""
    return nbformat.v4.new_code_cell(text, metadata={EXPORT_MARK: {"role": role, **mark}})


def about(case: str, values: dict, params: dict) -> str:
    """The Markdown cell: title, what the page shows, the settings as a table, the link back, and the budget."""
    spec = case_of(case)
    rows = "\n".join(f"| `{s.key}` | {s.describe(values[s.arg]) if s.describe else f'`{values[s.arg]!r}`'} |"
                     for s in active_settings(case, values))
    budget = f"\n\n**Shortened:** {spec.budget}" if spec.budget else ""
    return (f"# {spec.title}\n\n{spec.about}\n\n| setting | value |\n|---|---|\n{rows}\n\n"
            f"Open this view in Autograd Explorer: [{link(case, params)}]({link(case, params)}) (on the app's host).\n\n"
            f"The code cells are the page's own core code, as it ran; the last code cells set the parameters, "
            f"run them and print `RESULT`.{budget}")


def run_cell(spec: Case, values: dict, aliases: dict) -> str:
    """The parameters (a long text, such as an embedded picture, as its own constant), the result function, its
    call, the printed numbers, and RESULT last."""
    renamed = "".join(f"{name} = {original}\n" for name, original in aliases.items())
    constants = {name: value for name, value in values.items() if isinstance(value, str) and len(value) > LONG_TEXT}
    embedded = "".join(f"{name.upper()} = {value!r}\n" for name, value in constants.items())
    arguments = ",\n    ".join(f"{name}={name.upper() if name in constants else repr(value)}"
                              for name, value in values.items())
    budget = f"NOTEBOOK_STEPS = {NOTEBOOK_STEPS}  # training steps here; the full run: the page's setting\n" \
        if "NOTEBOOK_STEPS" in inspect.getsource(spec.result) else ""
    return (f"{renamed}{embedded}{budget}PARAMS = dict(\n    {arguments},\n)\n\n\n{source(spec.result).rstrip()}\n\n\n"
            f"result = {spec.result.__name__}(**PARAMS)\nfor name, value in result.items():\n"
            f"    print(f\"{{name}}: {{value}}\"[:300])\nRESULT = result")


def notebook(case: str, params: dict) -> str:
    """The `.ipynb` text of the page's view with these settings (missing ones: the page's defaults)."""
    nb = nbformat.v4.new_notebook(cells=cells(case, params), metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})
    return nbformat.writes(nb)


def script(case: str, params: dict) -> str:
    """The same cells as a Python script with `# %%` cell markers (Markdown cells as comments)."""
    parts = []
    for cell in cells(case, params):
        if cell.cell_type == "markdown":
            parts.append("# %% [markdown]\n" + "\n".join(f"# {line}".rstrip() for line in cell.source.splitlines()))
        else:
            parts.append("# %%\n" + cell.source)
    return "\n\n".join(parts) + "\n"


def shown_cells(text: str) -> list[str]:
    """The shown objects' names, in order, from a notebook's text (what a test compares with the code panels)."""
    nb = nbformat.reads(text, as_version=4)
    return [name for cell in nb.cells for name in cell.metadata.get(EXPORT_MARK, {}).get("shown", [])]


def result_json(result: dict) -> str:
    """RESULT as JSON (NaN kept), the form a test reads back from a kernel."""
    return json.dumps(result, allow_nan=True)
