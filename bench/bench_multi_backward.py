"""Benchmark page 6: a full page rerun with a warm cache vs a cleared one, as a ratio.

Run: .venv/bin/python bench/bench_multi_backward.py [--quick]
"""
from rerun import page_rerun, repeats_from_args


def main() -> None:
    repeats = repeats_from_args(__doc__)
    print(f"{'trunk depth':<12} {'cached (ms)':>12} {'uncached (ms)':>14} {'ratio':>8}")
    for depth in (1, 4):
        cached, uncached = page_rerun("multi_backward", {"mb_depth": str(depth)}, repeats)
        print(f"{depth:<12} {cached*1e3:12.1f} {uncached*1e3:14.1f} {uncached/cached:7.1f}x")


if __name__ == "__main__":
    main()
