"""Wall-clock timing of torch work, with the device synchronised so that a GPU's queued kernels are counted."""
from __future__ import annotations

import statistics
import time
from typing import Callable

import torch

from core.devices import synchronize


def median_seconds(fn: Callable[[], object], repeats: int = 5, device: torch.device | None = None,
                   warmup: bool = True) -> float:
    """Median wall time of fn() over `repeats` runs after one warm-up (skip it if fn just ran), the device synchronised."""
    device = device or torch.device("cpu")
    if warmup:
        fn()
    times = []
    for _ in range(repeats):
        synchronize(device)
        start = time.perf_counter()
        fn()
        synchronize(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved_medians(fns: dict[str, Callable[[], object]], device: torch.device, repeats: int) -> dict[str, float]:
    """Median seconds of each fn, timed in turn within every repeat so load spikes on a shared host hit all alike."""
    for fn in fns.values():
        fn()  # warm-up
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            synchronize(device)
            start = time.perf_counter()
            fn()
            synchronize(device)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}
