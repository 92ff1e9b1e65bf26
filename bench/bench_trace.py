"""Benchmark the backward stepper's tracing: trace_backward against the plain torch.autograd.grad on the same graph.

Run: .venv/bin/python bench/bench_trace.py [--quick]
Target: tracing costs at most 3x the plain pass on graphs of up to 500 nodes. Every run, plain or traced, gets a
graph of its own, built fresh: torch keeps a node's (emptied) Python hook list after its hooks are removed, which
slows any later pass through that graph, so a plain pass timed on a traced graph would flatter the ratio. Then each
page that has a stepper: its cached rerun, and the same rerun with the stepper left out (ui.furniture.backward_stepper
replaced by a no-op).
"""
import statistics
import time

import torch
from rerun import page_rerun, repeats_from_args, verdict

from core.trace import trace_backward

TARGET = 3.0


def chain(nodes: int, size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A graph of about `nodes` nodes: sin, mul and add in turn on a vector of `size` entries, summed."""
    x = torch.linspace(-1, 1, size, dtype=torch.float64, requires_grad=True)
    y = x
    for k in range(nodes - 2):
        y = torch.sin(y) if k % 3 == 0 else y * 1.01 if k % 3 == 1 else y + x
    return y.sum(), x


def mlp(layers: int, width: int) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """An MLP's output for one point, its graph about 6 nodes per layer, and its parameters."""
    generator = torch.Generator().manual_seed(0)
    params, h = [], torch.randn(1, width, dtype=torch.float64, generator=generator)
    for _ in range(layers):
        w = torch.randn(width, width, dtype=torch.float64, generator=generator, requires_grad=True)
        b = torch.zeros(width, dtype=torch.float64, requires_grad=True)
        h = torch.tanh(h @ w + b)
        params += [w, b]
    return h.sum(), params


def fresh_graph_ratio(build, repeats: int) -> tuple[float, float, float]:
    """Median seconds of torch.autograd.grad and of trace_backward, each run on a graph of its own fresh from
    `build`, and the median of their ratio within each repeat (the two timed back to back, so a slow spell on a
    shared host hits both)."""
    times = {"plain": [], "traced": []}
    run = {"plain": torch.autograd.grad, "traced": trace_backward}
    for repeat in range(repeats + 1):
        for name in ("plain", "traced") if repeat % 2 else ("traced", "plain"):
            out, inputs = build()
            start = time.perf_counter()
            run[name](out, inputs)
            if repeat:  # the first round warms up
                times[name].append(time.perf_counter() - start)
    ratios = [traced / plain for plain, traced in zip(times["plain"], times["traced"])]
    return statistics.median(times["plain"]), statistics.median(times["traced"]), statistics.median(ratios)


def main() -> None:
    repeats = repeats_from_args(__doc__)
    quick = repeats < 9
    print(f"{'graph':<28} {'nodes':>6} {'plain (ms)':>11} {'traced (ms)':>12} {'ratio':>7}")
    worst = 0.0
    cases = [("chain, scalar", lambda n=n: chain(n, 1)) for n in (50, 200, 500)]
    cases += [("chain, 256 entries", lambda n=n: chain(n, 256)) for n in (50, 500)]
    cases += [("MLP width 16", lambda n=n: mlp(n, 16)) for n in (8, 80)]
    for label, build in cases:
        nodes = len(trace_backward(*build()).nodes)
        plain, traced, ratio = fresh_graph_ratio(build, repeats * 10)
        if nodes <= 500:
            worst = max(worst, ratio)
        print(f"{label:<28} {nodes:6d} {plain*1e3:11.3f} {traced*1e3:12.3f} {ratio:6.2f}x")
    print(f"worst ratio up to 500 nodes: {worst:.2f}x (target <= {TARGET:g}x) {verdict(worst <= TARGET, quick)}")
    page_reruns(repeats)


PAGES = [("home", {"home_pass": "d²y/dx²"}), ("derivatives", {"deriv_pass": "f″"}),
         ("network_gradients", {"ng_pass": "∇θG"}), ("multi_backward", {"mb_pass": "freed"})]


def page_reruns(repeats: int) -> None:
    """Cached page reruns with the stepper, and without it, in the same process: each timed twice, in turn, and the
    faster kept (a page's first AppTests in a process run slow, whichever goes first)."""
    import ui.furniture

    print(f"\n{'page (cached rerun)':<28} {'no stepper (ms)':>16} {'stepper (ms)':>13} {'ratio':>7}")
    steppers = {"without": lambda trace, key: None, "with": ui.furniture.backward_stepper}
    for page, query in PAGES:
        best = {}
        for name in ("without", "with", "without", "with"):
            ui.furniture.backward_stepper = steppers[name]  # the pages import it on every run
            best[name] = min(best.get(name, float("inf")), page_rerun(page, query, repeats)[0])
        ui.furniture.backward_stepper = steppers["with"]
        print(f"{page:<28} {best['without']*1e3:16.1f} {best['with']*1e3:13.1f} {best['with']/best['without']:6.2f}x")


if __name__ == "__main__":
    main()
