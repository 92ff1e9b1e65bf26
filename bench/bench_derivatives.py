"""Benchmark page 1: cached vs uncached page rerun, and batched chart evaluation vs a per-point loop.

Run: .venv/bin/python bench/bench_derivatives.py [--quick]
Each line prints a ratio of two timings measured in this same process.
"""
from __future__ import annotations

import torch

from rerun import median_seconds, page_rerun, repeats_from_args
from core import derivatives

CASES = [("page default", "2*x**3", -2.0, 4), ("6th order", "sin(x)*exp(x)/(1 + x**2)", 0.7, 6)]


def chart_evaluation(expression: str, order: int, points: int, repeats: int) -> tuple[float, float]:
    """Median seconds of the batched curves vs one nth_derivatives call per point."""
    batched = median_seconds(lambda: derivatives.derivative_curves(expression, -3, 3, order, points), repeats)
    xs = torch.linspace(-3, 3, points, dtype=torch.float64).tolist()
    loop = median_seconds(lambda: [derivatives.nth_derivatives(expression, x, order) for x in xs], max(1, repeats // 3))
    return batched, loop


def main() -> None:
    repeats = repeats_from_args(__doc__)
    print(f"{'case':<14} {'measure':<34} {'fast (ms)':>10} {'slow (ms)':>10} {'ratio':>8}")
    for name, expression, x, order in CASES:
        query = {"deriv_expr": expression, "deriv_x": str(x), "deriv_order": str(order)}
        cached, uncached = page_rerun("derivatives", query, repeats)
        print(f"{name:<14} {'page rerun: cached vs uncached':<34} {cached*1e3:10.1f} {uncached*1e3:10.1f} {uncached/cached:7.1f}x")
        batched, loop = chart_evaluation(expression, order, 401, repeats)
        print(f"{name:<14} {'401-point chart: batched vs loop':<34} {batched*1e3:10.1f} {loop*1e3:10.1f} {loop/batched:7.1f}x")


if __name__ == "__main__":
    main()
