"""Benchmark of the MAML page's core: batched vs per-task meta-gradient, and the paper's sinusoid targets.

Prints ratios against baselines run in the same process (the per-task loop, first-order MAML, the
pretrained regressor), on one thread. `--quick` is a smoke run with tiny budgets.

    .venv/bin/python bench/bench_maml.py [--quick] [--device cpu]
"""
from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import sys
import time
from dataclasses import replace

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from core import maml  # noqa: E402
from core.devices import median_seconds, resolve  # noqa: E402

SEEDS = (0, 1, 2)
QUICK = False  # set by --quick: budgets too small for the targets, so no verdicts are printed


def verdict(passed: bool) -> str:
    """PASS or MISS against a target; nothing on a quick run."""
    return "" if QUICK else ("PASS" if passed else "MISS")


def gradient_speed(config: maml.MetaConfig, repeats: int) -> None:
    """Batched vs per-task-loop meta-gradient: speed ratio and relative difference."""
    device = resolve(config.device)
    model = maml.make_model(config.hidden, config.seed).to(device)
    tasks = maml.sample_tasks(config.meta_batch, config.k_shot, torch.Generator().manual_seed(7), device)
    for order in (True, False):
        c = replace(config, second_order=order)
        batched = median_seconds(lambda: maml.meta_gradient(model, tasks, c, batched=True), repeats, device)
        loop = median_seconds(lambda: maml.meta_gradient(model, tasks, c, batched=False), repeats, device)
        a = maml.flat(maml.meta_gradient(model, tasks, c, batched=True)[1])
        b = maml.flat(maml.meta_gradient(model, tasks, c, batched=False)[1])
        relative = ((a - b).norm() / b.norm()).item()
        name = "second-order" if order else "first-order"
        print(f"{name:13s} meta-gradient: batched {1e3 * batched:6.2f} ms, loop {1e3 * loop:6.2f} ms, "
              f"speed-up {loop / batched:5.1f}x (target >= 5), relative difference {relative:.1e} (target <= 1e-5)  "
              f"{verdict(loop / batched >= 5 and relative <= 1e-5)}")


def iteration_speed(config: maml.MetaConfig, iterations: int) -> None:
    """Median time of one full meta-iteration (meta-gradient + Adam), per method."""
    times = {}
    for method in maml.METHODS:
        trainer = maml.MetaTrainer(maml.method_config(config, method))
        trainer.advance(0.2)  # warm-up
        start = len(trainer.history.seconds)
        for _ in range(iterations):
            trainer.train_step()
        seconds = trainer.history.seconds
        times[method] = statistics.median(b - a for a, b in zip(seconds[start - 1:], seconds[start:]))
    print("ms per meta-iteration (median): " + ", ".join(f"{m} {1e3 * s:.2f}" for m, s in times.items())
          + f"; second-order / first-order = {times['second_order'] / times['first_order']:.2f}")
    print(f"  second-order {config.iterations} iterations would take {config.iterations * times['second_order']:.1f} s")


def comparison(config: maml.MetaConfig, eval_tasks: int, checkpoints: int) -> dict:
    """MSE vs iterations and vs seconds for the three methods and every seed, printed as tables."""
    runs = {}
    for seed in SEEDS:
        runs[seed] = maml.compare_methods(replace(config, seed=seed), checkpoints=checkpoints, eval_tasks=eval_tasks)
        print(f"\nseed {seed}: held-out MSE ({eval_tasks} tasks) after 1 | 10 adaptation steps")
        print(f"{'iteration':>9s} " + " ".join(f"{m:>28s}" for m in maml.METHODS))
        curves = runs[seed]
        for i, iteration in enumerate(curves["second_order"].iterations):
            cells = [f"{c.mse[i][1]:6.3f} | {c.mse[i][10]:6.3f} @ {c.seconds[i]:6.2f} s" for c in curves.values()]
            print(f"{iteration:9d} " + " ".join(f"{cell:>28s}" for cell in cells))
    return runs


def main() -> None:
    """Run every part and print measured values next to their targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny budgets: a smoke run, not the targets")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    global QUICK
    QUICK = args.quick
    torch.set_num_threads(1)
    short, long, eval_tasks = (60, 120, 20) if args.quick else (3000, 10_000, 300)
    config = maml.MetaConfig(iterations=short, device=args.device, compare_every=0)
    print(f"torch {torch.__version__}, device {args.device}, threads {torch.get_num_threads()}, "
          f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}, {'quick' if args.quick else 'full'} run\n")

    gradient_speed(config, repeats=5 if args.quick else 30)
    iteration_speed(config, iterations=20 if args.quick else 300)

    runs = comparison(config, eval_tasks, checkpoints=6)
    print(f"\nafter {short} iterations, mean over seeds {SEEDS}: held-out MSE after 1 | 10 steps (± std over seeds)")
    final = {m: torch.tensor([[runs[s][m].final_mean[1], runs[s][m].final_mean[10]] for s in SEEDS]) for m in maml.METHODS}
    for method, values in final.items():
        mean, std = values.mean(0), values.std(0)
        print(f"  {method:13s} {mean[0]:.3f} ± {std[0]:.3f} | {mean[1]:.3f} ± {std[1]:.3f}")
    so, fo, pre = (final[m][:, 0] for m in maml.METHODS)
    gain = 1 - so / fo
    print(f"  second-order 1-step MSE lower than first-order by {', '.join(f'{100 * g:.0f}%' for g in gain)} "
          f"(target >= 25% on every seed)  {verdict(bool((gain >= 0.25).all()))}")
    print(f"  pretrained / second-order 1-step MSE: {', '.join(f'{r:.1f}x' for r in pre / so)}")
    one, ten = final["second_order"][0]  # seed 0 is the paper's setting as MetaConfig() gives it
    print(f"  seed 0 second-order: 1 step {one:.3f} (target < 0.65), 10 steps {ten:.3f} (target < 0.30)  "
          f"{verdict(one < 0.65 and ten < 0.30)}")

    start = time.perf_counter()
    result = maml.meta_train(replace(config, iterations=long))
    mse = maml.adaptation_mse(result.model, maml.held_out_tasks(eval_tasks, config.k_shot, 0, args.device), config.inner_lr).mean(0)
    print(f"\nsecond-order, {long} iterations ({result.history.seconds[-1]:.1f} s training, "
          f"{time.perf_counter() - start:.1f} s wall): 1 step {mse[1]:.3f} (target < 0.45), 10 steps {mse[10]:.3f} "
          f"(target < 0.13)  {verdict(mse[1] < 0.45 and mse[10] < 0.13)}")

    diverged = maml.meta_train(maml.MetaConfig(inner_lr=0.05, inner_steps=5, meta_lr=0.1, iterations=200, device=args.device))
    print(f"diverging settings (α 0.05, 5 steps, meta lr 0.1): error {diverged.error!r} after "
          f"{len(diverged.history.loss)} iterations, all losses finite: "
          f"{all(v == v and abs(v) != float('inf') for v in diverged.history.loss)}")
    print(f"\nload average at the end {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
