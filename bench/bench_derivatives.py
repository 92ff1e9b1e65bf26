"""Benchmark page 1: cached vs uncached page rerun, and batched chart evaluation vs a per-point loop.

Run: .venv/bin/python bench/bench_derivatives.py [--quick]
Each line prints a ratio of two timings measured in this same process.
"""
from __future__ import annotations

import argparse
import logging
import pathlib
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
import torch  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from core import derivatives  # noqa: E402

CASES = [("page default", "2*x**3", -2.0, 4), ("6th order", "sin(x)*exp(x)/(1 + x**2)", 0.7, 6)]


def median_seconds(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def page_rerun(expression: str, x: float, order: int, repeats: int) -> tuple[float, float]:
    """Median seconds of a full page rerun with a warm cache, and with the cache cleared first."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.switch_page("app_pages/derivatives.py")
    at.query_params.update(deriv_expr=expression, deriv_x=str(x), deriv_order=str(order))
    at.run()
    assert not at.exception, at.exception
    cached = median_seconds(at.run, repeats)

    def uncached():
        st.cache_data.clear()
        at.run()

    return cached, median_seconds(uncached, repeats)


def chart_evaluation(expression: str, order: int, points: int, repeats: int) -> tuple[float, float]:
    """Median seconds of the batched curves vs one nth_derivatives call per point."""
    batched = median_seconds(lambda: derivatives.derivative_curves(expression, -3, 3, order, points), repeats)
    xs = torch.linspace(-3, 3, points, dtype=torch.float64).tolist()
    loop = median_seconds(lambda: [derivatives.nth_derivatives(expression, x, order) for x in xs], max(1, repeats // 3))
    return batched, loop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, for a smoke run")
    args = parser.parse_args()
    torch.set_num_threads(1)
    logging.getLogger("streamlit").setLevel(logging.ERROR)  # AppTest outside a server logs per run
    repeats = 3 if args.quick else 9
    print(f"{'case':<14} {'measure':<34} {'fast (ms)':>10} {'slow (ms)':>10} {'ratio':>8}")
    for name, expression, x, order in CASES:
        cached, uncached = page_rerun(expression, x, order, repeats)
        print(f"{name:<14} {'page rerun: cached vs uncached':<34} {cached*1e3:10.1f} {uncached*1e3:10.1f} {uncached/cached:7.1f}x")
        batched, loop = chart_evaluation(expression, order, 401, repeats)
        print(f"{name:<14} {'401-point chart: batched vs loop':<34} {batched*1e3:10.1f} {loop*1e3:10.1f} {loop/batched:7.1f}x")


if __name__ == "__main__":
    main()
