"""Benchmarks for page 2: the batched input-gradient field vs a per-point loop, and the page rerun
with a warm cache vs after clearing it. Prints ratios against the baseline run in the same process.

    .venv/bin/python bench/bench_network_gradients.py [--quick] [--device cuda:0]
"""
from __future__ import annotations

import argparse
import pathlib
import sys

import torch

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core import network_gradients as ng  # noqa: E402
from core.devices import resolve  # noqa: E402
from core.timing import median_seconds  # noqa: E402
from rerun import page_rerun  # noqa: E402


def per_point_field(net: torch.nn.Module, points: torch.Tensor) -> torch.Tensor:
    """The baseline: one forward and one backward per grid point."""
    grads = []
    for p in points:
        p = p.detach().requires_grad_(True)
        (g,) = torch.autograd.grad(net(p).squeeze(), p)
        grads.append(g)
    return torch.stack(grads)


def batched_field(net: torch.nn.Module, points: torch.Tensor) -> torch.Tensor:
    """What the page does: every point's gradient from one backward pass."""
    points = points.detach().requires_grad_(True)
    f = net(points).squeeze(-1)
    return torch.autograd.grad(f, points, grad_outputs=torch.ones_like(f))[0]


def bench_field(device: torch.device, resolutions: list[int], repeats: int) -> None:
    """Loop vs batched ∇ₓf over the grid, for each resolution."""
    net = ng.make_mlp(ng.NetConfig(width=16, depth=2, activation="tanh"), device)
    print(f"input-gradient field on {device} (MLP 2-16-16-1, tanh), median of {repeats}:")
    for n in resolutions:
        _, points = ng.grid(2.0, n, device)
        assert torch.allclose(per_point_field(net, points), batched_field(net, points), atol=1e-12)
        loop = median_seconds(lambda: per_point_field(net, points), repeats, device)
        batched = median_seconds(lambda: batched_field(net, points), repeats, device)
        print(f"  {n}x{n} = {n * n:5d} points: loop {loop * 1e3:9.2f} ms, batched {batched * 1e3:7.3f} ms, "
              f"batched is {loop / batched:7.1f}x faster")


PAGE_SETTINGS = {"default": {}, "largest": {"ng_width": "32", "ng_depth": "4", "ng_res": "61"}}


def bench_page(settings: list[str], repeats: int) -> None:
    """AppTest rerun of the page with a warm cache vs after st.cache_data.clear()."""
    print(f"page rerun (AppTest, CPU), median of {repeats}:")
    for name in settings:
        warm_s, cold_s = page_rerun("network_gradients", PAGE_SETTINGS[name], repeats)
        print(f"  {name:8s} settings: cold cache {cold_s:.2f} s, warm cache {warm_s:.2f} s, "
              f"warm is {cold_s / warm_s:.1f}x faster")


def main() -> None:
    """Parse the flags and run both benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run: one small grid, few repeats")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--no-page", action="store_true", help="skip the AppTest rerun (e.g. without streamlit)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    device = resolve(args.device)
    bench_field(device, [11] if args.quick else [11, 31, 61], 3 if args.quick else 7)
    if not args.no_page:
        bench_page(["default"] if args.quick else ["default", "largest"], 2 if args.quick else 5)


if __name__ == "__main__":
    main()
