"""Benchmark of the MAML page's core: batched vs per-task meta-gradient, and the paper's sinusoid targets.

Prints ratios against baselines run in the same process (the per-task loop, first-order MAML, the
pretrained regressor), on one thread. `--quick` is a smoke run with tiny budgets.

    .venv/bin/python bench/bench_maml.py [--quick] [--device cpu] [--seeds 3] [--first-seed 0]
"""
from __future__ import annotations

import argparse
import os
import pathlib
import sys
import time
from dataclasses import replace

import numpy as np
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from core import maml  # noqa: E402
from core.checks import to_numpy  # noqa: E402
from core.devices import resolve  # noqa: E402
from core.timing import interleaved_medians, median_seconds  # noqa: E402
from rerun import verdict  # noqa: E402

QUICK = False  # set by --quick: budgets too small for the targets, so no verdicts are printed


def gradient_speed(config: maml.MetaConfig, repeats: int) -> None:
    """Batched vs per-task-loop meta-gradient: speed ratio and relative difference."""
    device = resolve(config.device)
    model = maml.make_model(config.hidden, config.seed).to(device)
    tasks = maml.sample_tasks(config.meta_batch, config.k_shot, torch.Generator().manual_seed(7), device)
    for order in (True, False):
        c = replace(config, second_order=order)
        batched = median_seconds(lambda: maml.meta_gradient(model, tasks, c, batched=True), repeats, device)
        loop = median_seconds(lambda: maml.meta_gradient(model, tasks, c, batched=False), repeats, device)
        a = to_numpy(maml.meta_gradient(model, tasks, c, batched=True)[1])
        b = to_numpy(maml.meta_gradient(model, tasks, c, batched=False)[1])
        relative = float(np.linalg.norm(a - b) / np.linalg.norm(b))
        name = "second-order" if order else "first-order"
        print(f"{name:13s} meta-gradient: batched {1e3 * batched:6.2f} ms, loop {1e3 * loop:6.2f} ms, "
              f"speed-up {loop / batched:5.1f}x (target >= 5), relative difference {relative:.1e} (target <= 1e-5)  "
              f"{verdict(loop / batched >= 5 and relative <= 1e-5, QUICK)}")


def iteration_speed(config: maml.MetaConfig, iterations: int) -> None:
    """Median time of one full meta-iteration (sampling, meta-gradient, Adam), per method, the methods taking turns."""
    trainers = {method: maml.MetaTrainer(maml.method_config(config, method)) for method in maml.METHODS}
    steps = {method: trainer.train_step for method, trainer in trainers.items()}
    gradient_only = maml.MetaTrainer(maml.method_config(config, "second_order"))  # its model and task stream only
    steps["meta_gradient_only"] = lambda: maml.meta_gradient(gradient_only.model, gradient_only.tasks.next(), gradient_only.config)
    times = interleaved_medians(steps, resolve(config.device), iterations)
    alone = times.pop("meta_gradient_only")
    print("ms per meta-iteration (median): " + ", ".join(f"{m} {1e3 * s:.2f}" for m, s in times.items())
          + f"; second-order / first-order = {times['second_order'] / times['first_order']:.2f}; "
          f"target about 1.3 ms second-order  {verdict(times['second_order'] <= 1.3e-3, QUICK)}")
    print(f"  of which the second-order meta-gradient (sampling, meta-loss, its gradient; no check, no Adam) {1e3 * alone:.2f} ms")
    print(f"  second-order {config.iterations} iterations would take {config.iterations * times['second_order']:.1f} s")


def comparison(config: maml.MetaConfig, seeds: range, eval_tasks: int, marks: tuple[int, int]) -> None:
    """Train the three methods per seed and print held-out MSE at both checkpoint counts, with the targets."""
    # Ten checkpoints up to marks[1] include marks[0] (3,000 of 10,000; 60 of 120 on a quick run).
    runs = {seed: maml.compare_methods(replace(config, seed=seed, iterations=marks[1]), checkpoints=10,
                                       eval_tasks=eval_tasks) for seed in seeds}
    targets = {marks[0]: (0.65, 0.30), marks[1]: (0.45, 0.13)}
    print(f"\nheld-out MSE ({eval_tasks} tasks per seed) after 1 | 10 adaptation steps")
    print(f"{'seed':>4s} {'iteration':>9s} " + " ".join(f"{m:>15s}" for m in maml.METHODS) + "  second vs first-order")
    summary = {mark: {"mse": [], "gain": [], "pretrained": []} for mark in marks}
    for seed, curves in runs.items():
        for mark in marks:
            row = {m: c.mse[c.iterations.index(mark)] for m, c in curves.items() if mark in c.iterations}
            if len(row) < len(maml.METHODS):
                print(f"{seed:4d} {mark:9d} a method stopped early: " + str({m: c.error for m, c in curves.items()}))
                continue
            gain = 1 - row["second_order"][1] / row["first_order"][1]
            summary[mark]["mse"].append(row["second_order"])
            summary[mark]["gain"].append(gain)
            summary[mark]["pretrained"].append(row["pretrained"][1] / row["second_order"][1])
            print(f"{seed:4d} {mark:9d} " + " ".join(f"{v[1]:6.3f} | {v[10]:6.3f}" for v in row.values())
                  + f"  {100 * gain:4.0f}% lower")
    for mark, values in summary.items():
        one_limit, ten_limit = targets[mark]
        mse = torch.tensor(values["mse"])[:, [1, 10]]
        gains = torch.tensor(values["gain"])
        met = int(((mse[:, 0] < one_limit) & (mse[:, 1] < ten_limit)).sum())
        print(f"\nafter {mark} iterations, {len(gains)} seeds:")
        print(f"  second-order MSE 1 | 10 steps: median {mse[:, 0].median():.3f} | {mse[:, 1].median():.3f}, "
              f"range {mse[:, 0].min():.3f}-{mse[:, 0].max():.3f} | {mse[:, 1].min():.3f}-{mse[:, 1].max():.3f}; "
              f"below {one_limit} | {ten_limit} on {met} of {len(gains)} seeds  {verdict(met == len(gains), QUICK)}")
        print(f"  second-order 1-step MSE lower than first-order by {', '.join(f'{100 * g:.0f}%' for g in gains)} "
              f"(mean {100 * gains.mean():.0f}%; target >= 25% on every seed)  {verdict(bool((gains >= 0.25).all()), QUICK)}")
        print(f"  pretrained / second-order 1-step MSE: {', '.join(f'{r:.1f}x' for r in values['pretrained'])}")


def main() -> None:
    """Run every part and print measured values next to their targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny budgets: a smoke run, not the targets")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seeds", type=int, default=3, help="how many training seeds (the targets ask for 3)")
    parser.add_argument("--first-seed", type=int, default=0, help="seeds run from here: fresh ones check the spread")
    args = parser.parse_args()
    global QUICK
    QUICK = args.quick
    torch.set_num_threads(1)
    marks, eval_tasks = ((60, 120), 20) if args.quick else ((3000, 10_000), 300)
    config = maml.MetaConfig(iterations=marks[0], device=args.device, compare_every=0)
    print(f"torch {torch.__version__}, device {args.device}, threads {torch.get_num_threads()}, "
          f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}, {'quick' if args.quick else 'full'} run\n")

    gradient_speed(config, repeats=5 if args.quick else 30)
    iteration_speed(config, iterations=20 if args.quick else 1000)

    start = time.perf_counter()
    comparison(config, range(args.first_seed, args.first_seed + args.seeds), eval_tasks, marks)
    print(f"  ({time.perf_counter() - start:.0f} s for the comparison)")

    diverged = maml.meta_train(maml.MetaConfig(inner_lr=0.05, inner_steps=5, meta_lr=0.1, iterations=200, device=args.device))
    print(f"\ndiverging settings (α 0.05, 5 steps, meta lr 0.1): error {diverged.error!r} after "
          f"{len(diverged.history.loss)} iterations, all losses finite: "
          f"{all(v == v and abs(v) != float('inf') for v in diverged.history.loss)}")
    print(f"\nload average at the end {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
