"""Higher-order derivatives by repeated torch.autograd.grad(..., create_graph=True), and their references."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import sympy
import torch

from core.checks import PitfallOutcome, run_pitfall
from core.devices import float_dtype, resolve
from core.expr import parse, symbol
from core.graph import DotGraph, graph_nodes, to_dot
from core.trace import BackwardTrace, trace_backward

PRIMES = ("f", "f′", "f″", "f‴", "f⁽⁴⁾", "f⁽⁵⁾", "f⁽⁶⁾")  # the name of each order's curve


def derivative_chain(f, x: torch.Tensor, order: int) -> list[torch.Tensor]:
    """[f(x), f'(x), ..., f^(order)(x)], each the grad of the one before with create_graph=True.

    f acts elementwise, so with grad_outputs=ones a batch of points gets every point's derivative at once.
    """
    chain = [f(x)]
    for _ in range(order):
        current = chain[-1]
        if current.requires_grad:
            (current,) = torch.autograd.grad(current, x, grad_outputs=torch.ones_like(current),
                                             create_graph=True, allow_unused=True)
        else:
            current = None  # a constant: every further derivative is 0
        chain.append(torch.zeros_like(x) if current is None else current)  # None: no longer depends on x
    return chain


def nth_derivatives(expression: str, x: float, order: int, device: str = "cpu") -> list[float]:
    """[f(x), f'(x), ..., f^(order)(x)] by differentiating the previous derivative each time."""
    dev = resolve(device)
    x_t = torch.tensor(float(x), dtype=float_dtype(dev), device=dev, requires_grad=True)
    return [value.item() for value in derivative_chain(parse(expression), x_t, order)]


def derivative_curves(expression: str, low: float, high: float, order: int, points: int = 401,
                      device: str = "cpu") -> tuple[np.ndarray, np.ndarray]:
    """xs and an (order + 1, points) array of f and its derivatives, all points in one batched pass."""
    dev = resolve(device)
    xs = torch.linspace(low, high, points, dtype=float_dtype(dev), device=dev, requires_grad=True)
    rows = [value.detach() for value in derivative_chain(parse(expression), xs, order)]
    return xs.detach().cpu().numpy(), torch.stack(rows).cpu().numpy()


def derivative_table(expression: str, x: float, order: int, device: str = "cpu") -> dict[str, list]:
    """Autograd, sympy and finite-difference values at x side by side, one row per order."""
    return {"order": list(range(order + 1)), "autograd": nth_derivatives(expression, x, order, device),
            "sympy": sympy_derivatives(expression, x, order), "fd": finite_difference_derivatives(expression, x, order)}


def curve_table(expression: str, x: float, half_range: float, order: int, device: str = "cpu") -> dict[str, np.ndarray]:
    """The curves over [x - half_range, x + half_range] in long form: x, y (NaN where undefined or infinite), curve
    (its name in PRIMES) and segment, a new number after every undefined point so a chart leaves a gap there."""
    xs, rows = derivative_curves(expression, x - half_range, x + half_range, order, device=device)
    finite = np.isfinite(rows)
    pieces = np.cumsum(~finite, axis=1)
    return {"x": np.tile(xs, len(rows)), "y": np.where(finite, rows, np.nan).ravel(),
            "curve": np.repeat(PRIMES[: len(rows)], len(xs)),
            "segment": (np.arange(len(rows))[:, None] * (len(xs) + 1) + pieces).ravel()}


def y_range(values, curves=None, spike: float = 100.0, spread: float = 1000.0, pad: float = 0.1) -> tuple[float, float]:
    """The y interval worth showing for curves (`curves` names each value's curve; None: one curve), widened by `pad`
    of its span on each side. A curve's values beyond `spike` times its 75th-percentile |y| are spikes (1/x near 0)
    and are left out; a curve reaching beyond `spread` times the typical curve's reach is cut there, so one
    exploding curve (exp(exp(exp(x)))'s, up to 1e300) does not flatten the others."""
    values = np.asarray(values, dtype=float)
    labels = np.zeros(len(values)) if curves is None else np.asarray(curves)
    lows, highs = [], []
    for label in dict.fromkeys(labels.tolist()):
        curve = values[(labels == label) & np.isfinite(values)]
        if curve.size:
            kept = curve[np.abs(curve) <= spike * np.percentile(np.abs(curve), 75)]
            kept = kept if kept.size else curve[curve == 0]
            lows.append(kept.min()), highs.append(kept.max())
    if not lows:
        low, high = -1.0, 1.0
    else:
        reach = np.maximum(np.abs(lows), np.abs(highs))
        limit = spread * np.median(reach[reach > 0]) if np.any(reach > 0) else 1.0
        low, high = max(min(lows), -limit), min(max(highs), limit)
    margin = pad * (high - low or 1.0)
    return float(low - margin), float(high + margin)


def clipped_curves(data: dict[str, np.ndarray], y_domain: tuple[float, float]) -> list[tuple[str, float, float]]:
    """(curve, lowest, highest finite value) for each curve of a curve_table that leaves `y_domain`."""
    low, high = y_domain
    cut = []
    for name in PRIMES:
        curve = data["y"][(data["curve"] == name) & np.isfinite(data["y"])]
        if curve.size and (curve.min() < low or curve.max() > high):
            cut.append((name, float(curve.min()), float(curve.max())))
    return cut


def sympy_derivatives(expression: str, x: float, order: int) -> list[float]:
    """The exact derivatives from sympy, evaluated at x (NaN where undefined or not real)."""
    expr, sym = parse(expression).sympy_expr, symbol()
    values = []
    for _ in range(order + 1):
        values.append(_real_float(expr.subs(sym, sympy.Rational(repr(float(x))))))
        expr = sympy.diff(expr, sym)
    return values


def _real_float(value: sympy.Expr) -> float:
    """A sympy number as a float; NaN for complex, infinite or undefined values."""
    number = complex(value.evalf(30)) if value.is_finite is not False else math.nan
    if isinstance(number, complex):
        return number.real if abs(number.imag) < 1e-12 * max(1.0, abs(number.real)) else math.nan
    return math.nan


def finite_difference_derivatives(expression: str, x: float, order: int) -> list[float]:
    """Central finite differences of f in float64, with a step chosen per order (error ~ h^2)."""
    f = parse(expression)

    def value(point: float) -> float:
        with torch.no_grad():
            return f(torch.tensor(point, dtype=torch.float64)).item()

    values = [value(x)]
    for k in range(1, order + 1):
        h = (2.2e-16 ** (1.0 / (k + 2))) * max(1.0, abs(x))
        total = sum((-1) ** j * math.comb(k, j) * value(x + (k / 2 - j) * h) for j in range(k + 1))
        values.append(total / h ** k)
    return values


@dataclass(frozen=True)
class GradientFacts:
    """What the first gradient is as a tensor, and which order's autograd graph was drawn."""

    is_leaf: bool
    requires_grad: bool
    grad_fn: str
    drawn_order: int | None  # the highest order up to n that autograd recorded a graph for; None: not even f

    @property
    def constant(self) -> bool:
        """True when f′ came back as a plain constant: no graph recorded it, so it cannot be differentiated again."""
        return not self.requires_grad


def derivative_graph(expression: str, x: float, order: int, max_nodes: int = 60) -> tuple[DotGraph, GradientFacts]:
    """The autograd graph of the highest derivative up to `order` that has one (a constant derivative has none),
    nodes made by the backward passes marked."""
    x_t = torch.tensor(float(x), dtype=torch.float64, requires_grad=True)
    chain = derivative_chain(parse(expression), x_t, order)
    drawn = next((k for k in range(order, -1, -1) if chain[k].grad_fn is not None), None)
    shown = order if drawn is None else drawn
    graph = to_dot({f"{PRIMES[shown]}(x)": chain[shown]}, {"x": x_t}, graph_nodes(chain[0]), max_nodes)
    first = chain[min(order, 1)]
    facts = GradientFacts(first.is_leaf, first.requires_grad, first.grad_fn.name() if first.grad_fn else "None", drawn)
    return graph, facts


def second_derivative_without_create_graph(expression: str, x: float) -> PitfallOutcome:
    """The wrong version: the first grad without create_graph=True, then a second grad of it."""
    f = parse(expression)
    x_t = torch.tensor(float(x), dtype=torch.float64, requires_grad=True)

    def wrong():
        (first,) = torch.autograd.grad(f(x_t), x_t)  # no create_graph: `first` is a plain number
        (second,) = torch.autograd.grad(first, x_t)
        return second.item()

    return run_pitfall(wrong)


def derivative_formula(expression: str) -> tuple[str, str]:
    """f and f′ in LaTeX, f′ as sympy differentiates f (so a page's "by hand" cannot drift from its formula)."""
    expr = parse(expression).sympy_expr
    return sympy.latex(expr), sympy.latex(sympy.diff(expr, symbol()))


def derivative_trace(expression: str, x: float, order: int = 1) -> BackwardTrace | None:
    """The backward pass that turns f^(order-1) into f^(order) at x, traced node by node by the real engine; nodes that
    the earlier create_graph=True passes recorded are marked. None when f^(order-1) is a constant: nothing runs."""
    x_t = torch.tensor(float(x), dtype=torch.float64, requires_grad=True)
    chain = derivative_chain(parse(expression), x_t, order - 1)
    if chain[-1].grad_fn is None:
        return None
    return trace_backward(chain[-1], x_t, create_graph=True, allow_unused=True, names={"x": x_t},
                          forward_nodes=graph_nodes(chain[0]), output_names=[f"{PRIMES[order - 1]}(x)"])
