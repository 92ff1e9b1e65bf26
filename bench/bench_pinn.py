"""Benchmark of the PINN page's core: the issue's accuracy targets within a time budget, on one thread.

Each equation trains its page defaults for the target's budget of training time and prints the error reached,
when the target was first met, and ratios against baselines run in the same process: the oscillator without
Fourier features (same budget), and one PINN step against one plain regression step on the same network and
points (the price of the residual's double backward). Then the live page's costs: a preview snapshot in the
worker, and what drawing a run adds to a page rerun (the server's time for one live refresh, an upper bound).
`--quick` is a smoke run with tiny budgets: no verdicts are printed.

    .venv/bin/python bench/bench_pinn.py [--quick] [--only oscillator,burgers,oscillator_inverse,page]
"""
from __future__ import annotations

import argparse
import os
import pathlib
import pickle
import sys
import time
from dataclasses import replace

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from core import pinn  # noqa: E402
from core.timing import median_seconds  # noqa: E402
from rerun import verdict  # noqa: E402

QUICK = False  # set by --quick
TARGETS = {"oscillator": (1e-2, 30.0), "burgers": (2e-2, 180.0), "oscillator_inverse": (0.05, 60.0)}
CHECK_EVERY = {"oscillator": 1.0, "burgers": 5.0, "oscillator_inverse": 1.0}  # seconds of training between evaluations
REFRESH_BUDGET = 0.03  # s of server CPU per watcher and refresh: 1.5% of a core at one refresh every 2 s


def run(config: pinn.PinnConfig, budget: float, measure) -> tuple[pinn.PinnTrainer, float | None, float]:
    """Train for `budget` seconds of training time; the trainer, when `measure(trainer)` first met its target
    (None if never) and the last measurement."""
    trainer, met, next_check = pinn.PinnTrainer(config), None, 0.0
    value = measure(trainer)[0]
    while not trainer.done and trainer.error is None and trainer.seconds < budget:
        trainer.train_step()
        if trainer.seconds >= next_check or trainer.done:
            next_check = trainer.seconds + CHECK_EVERY[config.equation] * (0.2 if QUICK else 1)
            value, hit = measure(trainer)
            if hit and met is None:
                met = trainer.seconds
    return trainer, met, measure(trainer)[0]


def step_cost(config: pinn.PinnConfig, repeats: int = 20) -> tuple[float, float]:
    """Seconds of one PINN Adam step, and of one plain regression step (u against the reference, no derivatives)."""
    trainer = pinn.PinnTrainer(config)
    points = trainer.problem.collocation.detach()
    target = torch.zeros(len(points), 1)
    plain_step = lambda: (trainer.adam.zero_grad(), ((trainer.model(points) - target) ** 2).mean().backward())
    return median_seconds(trainer.adam_step, repeats), median_seconds(plain_step, repeats)


def forward_problem(equation: str) -> None:
    """The oscillator or Burgers: relative L2 within the budget."""
    target, budget = TARGETS[equation]
    budget = budget / 30 if QUICK else budget
    config = pinn.default_config(equation)
    trainer, met, l2 = run(config, budget, lambda tr: (tr.relative_l2(), tr.relative_l2() <= target))
    when = f"first met at {met:.1f} s" if met is not None else "not met"
    print(f"{equation}: relative L2 {l2:.2e} after {trainer.seconds:.1f} s ({trainer.step} steps; {when}); "
          f"target <= {target:.0e} within {budget:.0f} s  {verdict(met is not None, QUICK)}", flush=True)
    if equation == "oscillator":
        plain, _, plain_l2 = run(replace(config, features=0), budget, lambda tr: (tr.relative_l2(), False))
        print(f"  baseline without Fourier features, same budget: relative L2 {plain_l2:.2e} ({plain.step} steps): "
              f"{plain_l2 / l2:.0f}x the error", flush=True)
    pinn_step, plain_step = step_cost(config)
    print(f"  one Adam step {1e3 * pinn_step:.2f} ms = {pinn_step / plain_step:.1f}x a plain regression step "
          f"({1e3 * plain_step:.2f} ms, same network and points)", flush=True)


def inverse_problem() -> None:
    """The inverse oscillator: ζ within 5% within the budget, from 20 observations with 1% noise."""
    tolerance, budget = TARGETS["oscillator_inverse"]
    budget = budget / 30 if QUICK else budget
    config = pinn.default_config("oscillator_inverse")
    off = lambda tr: abs(tr.estimate() - config.damping) / config.damping
    trainer, met, last = run(config, budget, lambda tr: (off(tr), off(tr) <= tolerance))
    when = f"first within at {met:.1f} s" if met is not None else "never within"
    print(f"oscillator_inverse: ζ = {trainer.estimate():.4f} (truth {config.damping}, {100 * last:.1f}% off) after "
          f"{trainer.seconds:.1f} s ({trainer.step} steps; {when}); target within {100 * tolerance:.0f}% "
          f"within {budget:.0f} s, at the end too  {verdict(met is not None and last <= tolerance, QUICK)}", flush=True)


def page_costs() -> None:
    """A preview snapshot's cost and size (worker side), and a page rerun with a finished run (server side)."""
    for equation in ("oscillator", "burgers"):
        trainer = pinn.PinnTrainer(pinn.default_config(equation))
        trainer.advance(0.5)
        seconds = median_seconds(lambda: trainer.snapshot(preview=True), 5)
        size = len(pickle.dumps(trainer.snapshot(preview=True)))
        print(f"{equation}: preview snapshot {1e3 * seconds:.1f} ms, {size / 1024:.0f} KiB", flush=True)
    os.environ.setdefault("AUTOGRAD_JOB_WORKERS", "0")  # in-process: the rerun's own time, no worker in between
    for query in ({"pinn_steps": "200", "pinn_lbfgs": "false"},
                  {"pinn_eq": "uₜ + u·uₓ = ν·uₓₓ", "pinn_b_steps": "100", "pinn_b_lbfgs": "false"}):
        at = finished_page(query)
        with_run = median_seconds(at.run, 3 if QUICK else 7)
        at.button(key="pinn_live_reset").click().run()
        without = median_seconds(at.run, 3 if QUICK else 7)
        panel = with_run - without
        name = "Burgers" if "pinn_eq" in query else "oscillator"
        print(f"page rerun, warm cache, {name}: {1e3 * with_run:.0f} ms with a finished run drawn, {1e3 * without:.0f} ms "
              f"without: the run's panel and check cost {1e3 * panel:.0f} ms per refresh (budget {1e3 * REFRESH_BUDGET:.0f} "
              f"ms)  {verdict(panel <= REFRESH_BUDGET, QUICK)}", flush=True)


def finished_page(query: dict):
    """The page in AppTest after its run of these settings has trained to the end."""
    from streamlit.logger import set_log_level
    from streamlit.testing.v1 import AppTest

    from ui.live import current

    set_log_level("error")
    at = AppTest.from_file(str(pathlib.Path(__file__).resolve().parents[1] / "streamlit_app.py"), default_timeout=300)
    at.switch_page("app_pages/pinn.py")
    at.query_params.update(query)
    at.run()
    at.button(key="pinn_live_start").click().run()
    while current("pinn_live", at.session_state).state != "done":
        time.sleep(0.2)
        at.run()
    at.run()
    assert not at.exception, at.exception
    return at


def main() -> None:
    global QUICK
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny budgets: a smoke run, not the targets")
    parser.add_argument("--only", default="oscillator,oscillator_inverse,burgers,page", help="comma-separated parts")
    args = parser.parse_args()
    QUICK = args.quick
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, 1 thread, load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}, "
          f"{'quick' if QUICK else 'full'} run\n", flush=True)
    parts = args.only.split(",")
    for equation in ("oscillator", "burgers"):
        if equation in parts:
            forward_problem(equation)
    if "oscillator_inverse" in parts:
        inverse_problem()
    if "page" in parts:
        page_costs()


if __name__ == "__main__":
    main()
