"""How long exporting a page takes (target: under 0.5 s), against the page's own source lookup alone as a baseline.

Prints, per page, the first export in this process (module syntax trees not yet read), a repeated one, and the
time of inspect.getsource over the page's shown objects (what its code panels already do), with their ratio.
"""
from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from core import export  # noqa: E402
from core.expr import source  # noqa: E402

TARGET_SECONDS = 0.5


def seconds(fn, repeats: int) -> float:
    """Median wall time of fn() over `repeats` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one repeat each")
    repeats = 1 if parser.parse_args().quick else 5
    worst = 0.0
    print(f"{'page':<20}{'first s':>10}{'again s':>10}{'panels s':>10}{'ratio':>8}")
    for case in export.CASES:
        first = seconds(lambda: (export.notebook(case, {}), export.script(case, {})), 1)
        again = seconds(lambda: (export.notebook(case, {}), export.script(case, {})), repeats)
        panels = seconds(lambda: [source(obj) for obj in export.shown(case, {})], repeats)
        worst = max(worst, first, again)
        print(f"{case:<20}{first:>10.3f}{again:>10.3f}{panels:>10.4f}{again / panels:>8.1f}")
    print(f"slowest export (notebook + script): {worst:.3f} s; target under {TARGET_SECONDS} s: "
          f"{'met' if worst < TARGET_SECONDS else 'MISSED'}")


if __name__ == "__main__":
    main()
