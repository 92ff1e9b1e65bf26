"""Benchmark page 4's targets as ratios against baselines timed in the same process.

HVP vs one gradient at N ≈ 100k; HVP and power iteration vs the full Hessian (+ eigvalsh) at N ≈ 4k;
the full-Hessian memory estimate vs the measured peak. Run: .venv/bin/python bench/bench_hessian.py [--quick]
"""
from __future__ import annotations

import argparse
import pathlib
import sys
import threading
import time
from dataclasses import dataclass

import psutil
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from core import hessian as hs  # noqa: E402
from core.devices import resolve  # noqa: E402
from core.timing import interleaved_medians, median_seconds  # noqa: E402


@dataclass(frozen=True)
class BenchConfig:
    """Network sizes and repeats; --quick shrinks both for a smoke run."""

    large: hs.NetConfig = hs.NetConfig(width=224, depth=3)  # N = 101,473
    medium: hs.NetConfig = hs.NetConfig(width=44, depth=3)  # N = 4,093
    repeats: int = 21
    hessian_repeats: int = 3
    power_tol: float = 1e-4


QUICK = BenchConfig(large=hs.NetConfig(width=64, depth=3), medium=hs.NetConfig(width=16, depth=3), repeats=5, hessian_repeats=1)


def peak_bytes(fn, device: torch.device):
    """fn()'s result and the memory it took at its peak: the CUDA allocator's count, else sampled resident memory.

    On the CPU, ru_maxrss would not do: it keeps the peak of the earlier, larger runs of this process.
    """
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
        before = torch.cuda.memory_allocated(device)
        result = fn()
        return result, torch.cuda.max_memory_allocated(device) - before
    process = psutil.Process()
    before = process.memory_info().rss
    peak, running = [before], threading.Event()
    running.set()

    def sample() -> None:
        while running.is_set():
            peak[0] = max(peak[0], process.memory_info().rss)
            time.sleep(0.005)

    watcher = threading.Thread(target=sample)
    watcher.start()
    try:
        result = fn()
    finally:
        running.clear()
        watcher.join()
    return result, max(peak[0], process.memory_info().rss) - before


def row(name: str, value: str, target: str, ok: bool | None) -> None:
    """One line of the markdown table."""
    print(f"| {name} | {value} | {target} | {'—' if ok is None else ('yes' if ok else 'NO')} |")


def main() -> None:
    """Time everything, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats (smoke run)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cfg = QUICK if args.quick else BenchConfig()
    device = resolve(args.device)
    timed = lambda ok: None if args.quick else ok  # the speed targets are defined at the full sizes only

    # HVP vs gradient at the large size: fresh double backward, and with the gradient graph reused.
    problem = hs.make_problem(cfg.large, device)
    n_large = hs.parameter_count(cfg.large)
    flat_v = hs.random_vector(n_large, 0, problem.params[0])
    vector = hs.unflatten(flat_v, problem.params)
    operator = hs.hvp_operator(problem.loss_fn, problem.params)
    large = interleaved_medians({
        "gradient": lambda: torch.autograd.grad(problem.loss_fn(), problem.params),
        "hvp": lambda: hs.hvp(problem.loss_fn, problem.params, vector),
        "reused": lambda: operator(flat_v),
        "jvp": lambda: hs.hvp_forward_over_reverse(problem, vector)}, device, cfg.repeats)
    t_grad, t_hvp, t_reused, t_jvp = large["gradient"], large["hvp"], large["reused"], large["jvp"]

    # Full Hessian and eigvalsh vs HVP and power iteration at the medium size.
    problem = hs.make_problem(cfg.medium, device)
    n_medium = hs.parameter_count(cfg.medium)
    vector = hs.unflatten(hs.random_vector(n_medium, 0, problem.params[0]), problem.params)
    t_hvp_medium = median_seconds(lambda: hs.hvp(problem.loss_fn, problem.params, vector), cfg.repeats, device)
    hs.full_hessian(hs.make_problem(hs.NetConfig(4, cfg.medium.depth), device))  # warm torch.func before the peak
    eigenvalues, peak = peak_bytes(lambda: torch.linalg.eigvalsh(hs.full_hessian(problem)), device)
    t_full = median_seconds(lambda: hs.full_hessian(problem), cfg.hessian_repeats, device)
    t_full_eig = median_seconds(lambda: torch.linalg.eigvalsh(hs.full_hessian(problem)), cfg.hessian_repeats, device)
    t_power = median_seconds(lambda: hs.top_eigenvalues(problem.loss_fn, problem.params, 1, cfg.power_tol), cfg.repeats, device)
    top = hs.top_eigenvalues(problem.loss_fn, problem.params, 1, cfg.power_tol)[0]
    exact = float(eigenvalues[eigenvalues.abs().argmax()])
    estimate = hs.full_hessian_bytes(cfg.medium)

    print(f"device {device}, {args.threads} thread(s){', QUICK' if args.quick else ''}; medians of {cfg.repeats} "
          f"(full Hessian: {cfg.hessian_repeats}); float64\n")
    print("| measure | value | target | met |\n|---|---|---|---|")
    row(f"N = {n_large:,}: gradient", f"{1e3 * t_grad:.2f} ms", "baseline", None)
    row(f"N = {n_large:,}: HVP, double backward / gradient", f"{t_hvp / t_grad:.2f}× ({1e3 * t_hvp:.2f} ms)", "≤ 3×",
        timed(t_hvp <= 3 * t_grad))
    row(f"N = {n_large:,}: HVP, gradient graph reused / gradient", f"{t_reused / t_grad:.2f}× ({1e3 * t_reused:.2f} ms)", "—", None)
    row(f"N = {n_large:,}: HVP, torch.func jvp(grad) / gradient", f"{t_jvp / t_grad:.2f}× ({1e3 * t_jvp:.2f} ms)", "—", None)
    row(f"N = {n_medium:,}: full Hessian / HVP", f"{t_full / t_hvp_medium:,.0f}× ({t_full:.2f} s vs {1e3 * t_hvp_medium:.2f} ms)",
        "> 1,000×", timed(t_full > 1000 * t_hvp_medium))
    row(f"N = {n_medium:,}: (Hessian + eigvalsh) / power iteration (tol {cfg.power_tol:g})",
        f"{t_full_eig / t_power:,.0f}× ({t_full_eig:.2f} s vs {1e3 * t_power:.1f} ms)", "> 100×", timed(t_full_eig > 100 * t_power))
    row(f"N = {n_medium:,}: top eigenvalue, power iteration vs eigvalsh",
        f"{top:.6f} vs {exact:.6f}, rel {abs(top - exact) / abs(exact):.1e}",
        "≤ 1e-3 rel", abs(top - exact) <= 1e-3 * abs(exact))
    row(f"N = {n_medium:,}: full Hessian + eigvalsh peak memory",
        f"{peak / 2**20:,.0f} MiB measured, {estimate / 2**20:,.0f} MiB estimated",
        "estimate ≥ peak", estimate >= peak)
    row(f"N = {n_medium:,}: page refuses the full Hessian", f"budget {hs.FULL_HESSIAN_BUDGET_BYTES / 2**20:,.0f} MiB, "
        f"{'refused' if not hs.fits_budget(cfg.medium, str(device)) else 'allowed'}", "refused above budget",
        hs.fits_budget(cfg.medium, str(device)) == (estimate <= hs.FULL_HESSIAN_BUDGET_BYTES))


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"\n(total {time.perf_counter() - start:.0f} s)")
