"""Which devices this machine offers, and turning a device name into a torch.device."""
from __future__ import annotations

from dataclasses import dataclass

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
