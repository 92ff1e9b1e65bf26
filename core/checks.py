"""Comparing autograd results with an independent reference, and running pitfalls for real."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import torch

from core.devices import float_dtype, resolve


@dataclass(frozen=True)
class Check:
    """The largest difference between autograd numbers and a reference, and the verdict."""

    reference: str  # what the numbers were compared with, e.g. "sympy (exact)"
    max_abs_diff: float
    max_rel_diff: float
    tolerance: float
    compared: int  # how many numbers were compared (finite on at least one side)
    undefined: int = 0  # entries undefined or infinite on both sides: they agree there is no number, so not compared
    one_sided: int = 0  # entries finite on one side only: a difference (counted in `compared`, infinitely far apart)

    @property
    def passed(self) -> bool:
        """True when every number is within tolerance, relative to max(|reference|, 1)."""
        return self.compared > 0 and self.max_rel_diff <= self.tolerance


def compare(values: Any, reference: Any, reference_name: str, tolerance: float) -> Check:
    """Compare two equally shaped collections of numbers; entries non-finite on both sides are counted, not compared."""
    a = np.asarray(to_numpy(values), dtype=np.float64).ravel()
    b = np.asarray(to_numpy(reference), dtype=np.float64).ravel()
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    finite_a, finite_b = np.isfinite(a), np.isfinite(b)
    undefined, one_sided = int(np.sum(~finite_a & ~finite_b)), int(np.sum(finite_a != finite_b))
    both = finite_a & finite_b
    compared = int(both.sum()) + one_sided
    if compared == 0:
        return Check(reference_name, math.nan, math.nan, tolerance, 0, undefined)
    if one_sided:
        return Check(reference_name, math.inf, math.inf, tolerance, compared, undefined, one_sided)
    diff = np.abs(a[both] - b[both])
    scale = np.maximum(np.abs(b[both]), 1.0)  # relative for large numbers, absolute near zero
    return Check(reference_name, float(diff.max()), float((diff / scale).max()), tolerance, compared, undefined)


def precision_tolerance(device: str | torch.device, float64: float, float32: float) -> float:
    """The tolerance for the precision `device` computes in: float64 everywhere but MPS, which has only float32."""
    return float64 if float_dtype(resolve(device)) == torch.float64 else float32


def to_numpy(values: Any) -> Any:
    """A tensor, or a list of tensors (concatenated), as a float64 numpy array of its own; other values as they are."""
    if isinstance(values, torch.Tensor):
        return values.detach().cpu().double().numpy().copy()  # a copy: later in-place updates (.grad) must not show
    if isinstance(values, (list, tuple)) and values and isinstance(values[0], torch.Tensor):
        return np.concatenate([v.detach().cpu().double().numpy().ravel() for v in values])
    return values


@dataclass(frozen=True)
class PitfallOutcome:
    """What PyTorch really did when the wrong version ran: an exception, or a value."""

    raised: bool
    exception_type: str = ""  # e.g. "RuntimeError"
    message: str = ""  # the exception's own message, unedited
    value: Any = None  # what the wrong version returned when it did not raise
    details: dict = field(default_factory=dict)  # extra numbers a page wants to show


def run_pitfall(wrong: Callable[[], Any]) -> PitfallOutcome:
    """Run `wrong()` and record the real exception or the value it silently returned."""
    try:
        value = wrong()
    except Exception as exc:  # the point is to show any real PyTorch error
        return PitfallOutcome(True, type(exc).__name__, str(exc))
    return PitfallOutcome(False, value=value)
