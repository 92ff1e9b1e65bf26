"""Benchmark page 6: a full page rerun with a warm cache vs a cleared one, as a ratio.

Run: .venv/bin/python bench/bench_multi_backward.py [--quick]
"""
import argparse

import torch

from rerun import page_rerun


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, for a smoke run")
    args = parser.parse_args()
    torch.set_num_threads(1)
    repeats = 3 if args.quick else 9
    print(f"{'trunk depth':<12} {'cached (ms)':>12} {'uncached (ms)':>14} {'ratio':>8}")
    for depth in (1, 4):
        cached, uncached = page_rerun("multi_backward", {"mb_depth": str(depth)}, repeats)
        print(f"{depth:<12} {cached*1e3:12.1f} {uncached*1e3:14.1f} {uncached/cached:7.1f}x")


if __name__ == "__main__":
    main()
