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


def curve_table(expression: str, half_range: float, order: int, device: str = "cpu") -> dict[str, np.ndarray]:
    """The curves over [-half_range, half_range] in long form: x, y (NaN where undefined or infinite), curve (its
    name in PRIMES) and segment, a new number after every undefined point so a chart leaves a gap there."""
    xs, rows = derivative_curves(expression, -half_range, half_range, order, device=device)
    finite = np.isfinite(rows)
    pieces = np.cumsum(~finite, axis=1)
    return {"x": np.tile(xs, len(rows)), "y": np.where(finite, rows, np.nan).ravel(),
            "curve": np.repeat(PRIMES[: len(rows)], len(xs)),
            "segment": (np.arange(len(rows))[:, None] * (len(xs) + 1) + pieces).ravel()}


def y_range(values, tails: float = 2.0, pad: float = 0.1) -> tuple[float, float]:
    """The y interval worth showing: the finite values between the `tails` and 100 - `tails` percentiles, widened by
    `pad` of that span on each side, so the extreme tails of a singular curve (1/x near 0) do not flatten the rest."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    low, high = np.percentile(finite, [tails, 100 - tails]) if finite.size else (-1.0, 1.0)
    margin = pad * (high - low or 1.0)
    return float(low - margin), float(high + margin)


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
    """What a create_graph=True gradient is: not a leaf, with a grad_fn, still differentiable."""

    is_leaf: bool
    requires_grad: bool
    grad_fn: str


def derivative_graph(expression: str, x: float, order: int, max_nodes: int = 60) -> tuple[DotGraph, GradientFacts]:
    """The autograd graph of the order-th derivative, nodes made by the backward passes marked."""
    x_t = torch.tensor(float(x), dtype=torch.float64, requires_grad=True)
    chain = derivative_chain(parse(expression), x_t, order)
    label = "f(x)" if order == 0 else f"f^({order})(x)"
    graph = to_dot({label: chain[-1]}, {"x": x_t}, graph_nodes(chain[0]), max_nodes)
    first = chain[min(order, 1)]
    return graph, GradientFacts(first.is_leaf, first.requires_grad, first.grad_fn.name() if first.grad_fn else "None")


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
