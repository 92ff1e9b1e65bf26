"""Which devices this machine offers, and turning a device name into a torch.device."""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Callable

import torch


class DeviceError(ValueError):
    """A device was asked for that this machine does not have."""


@dataclass(frozen=True)
class DeviceInfo:
    """One selectable device: its torch name and a human description."""

    name: str
    description: str


def available_devices() -> list[DeviceInfo]:
    """CPU always; CUDA and Apple MPS only when torch reports them usable."""
    devices = [DeviceInfo("cpu", "CPU")]
    if torch.cuda.is_available():
        for index in range(torch.cuda.device_count()):
            devices.append(DeviceInfo(f"cuda:{index}", torch.cuda.get_device_name(index)))
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        devices.append(DeviceInfo("mps", "Apple MPS"))
    return devices


def resolve(name: str | torch.device | None) -> torch.device:
    """Return the torch.device for `name`, raising DeviceError if it is not here."""
    if name is None:
        return torch.device("cpu")
    device = torch.device(name)
    if device.type == "cuda" and device.index is None:
        device = torch.device("cuda", 0)
    if str(device) not in {d.name for d in available_devices()}:
        raise DeviceError(f"device {str(device)!r} is not available on this machine")
    return device


def float_dtype(device: torch.device) -> torch.dtype:
    """float64 where the device supports it (CPU, CUDA), else float32 (MPS)."""
    return torch.float32 if device.type == "mps" else torch.float64


def synchronize(device: torch.device) -> None:
    """Wait for queued kernels, so that timings on a GPU measure the work itself."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


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
