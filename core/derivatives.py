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


def nth_derivatives(expression: str, x: float, order: int, device: str = "cpu") -> list[float]:
    """[f(x), f'(x), ..., f^(order)(x)] by differentiating the previous derivative each time."""
    f = parse(expression)
    dev = resolve(device)
    x_t = torch.tensor(float(x), dtype=float_dtype(dev), device=dev, requires_grad=True)
    current = f(x_t)
    values = [current.item()]
    for _ in range(order):
        if not current.requires_grad:  # a constant: every further derivative is 0
            values.append(0.0)
            continue
        (current,) = torch.autograd.grad(current, x_t, create_graph=True, allow_unused=True)
        if current is None:  # the derivative no longer depends on x at all
            current = torch.zeros((), dtype=x_t.dtype, device=dev)
        values.append(current.item())
    return values


def derivative_curves(expression: str, low: float, high: float, order: int, points: int = 401,
                      device: str = "cpu") -> tuple[np.ndarray, np.ndarray]:
    """xs and an (order + 1, points) array of f and its derivatives, all points in one batched pass.

    f acts elementwise, so its Jacobian is diagonal and grad with grad_outputs=ones gives
    every point's derivative at once.
    """
    f = parse(expression)
    dev = resolve(device)
    xs = torch.linspace(low, high, points, dtype=float_dtype(dev), device=dev, requires_grad=True)
    current = f(xs)
    rows = [current.detach()]
    for _ in range(order):
        if not current.requires_grad:  # constant from here on: the rest are 0
            current = torch.zeros_like(xs)
        else:
            (current,) = torch.autograd.grad(current, xs, grad_outputs=torch.ones_like(current),
                                             create_graph=True, allow_unused=True)
            current = torch.zeros_like(xs) if current is None else current
        rows.append(current.detach())
    return xs.detach().cpu().numpy(), torch.stack(rows).cpu().numpy()


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
    f = parse(expression)
    x_t = torch.tensor(float(x), dtype=torch.float64, requires_grad=True)
    current = f(x_t)
    forward = graph_nodes(current)
    gradients = []
    for _ in range(order):
        if current.requires_grad:
            (current,) = torch.autograd.grad(current, x_t, create_graph=True, allow_unused=True)
        if current is None or not current.requires_grad:  # constant from here on: nothing to record
            current = torch.zeros((), dtype=x_t.dtype) if current is None or gradients else current.detach()
        gradients.append(current)
    label = "f(x)" if order == 0 else f"f^({order})(x)"
    graph = to_dot({label: current}, {"x": x_t}, forward, max_nodes)
    first = gradients[0] if gradients else current
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
