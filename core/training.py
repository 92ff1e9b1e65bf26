"""The trainer contract every live-training page shares: the protocol, one history type, and snapshots.

A trainer is built from its inputs, if any (e.g. a picture), and a plain config dataclass, trains in
`advance(seconds)` slices, and describes itself in a `snapshot()` of plain data: what a page draws,
small enough to send from a worker process to the server many times a second.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

CHART_POINTS = 400  # a snapshot's history is thinned to about this many rows (charts draw no more)


class History:
    """Rows of numbers under named columns, one row per step or evaluation; `history.loss` is a column."""

    def __init__(self, *columns: str, rows: list[tuple[float, ...]] | None = None):
        self.columns = columns
        self.rows: list[tuple[float, ...]] = rows if rows is not None else []

    def append(self, *values: float) -> None:
        """Add one row (as many values as columns)."""
        self.rows.append(tuple(values))

    def __getattr__(self, name: str) -> list[float]:
        if name in self.__dict__.get("columns", ()):
            return [row[self.columns.index(name)] for row in self.rows]
        raise AttributeError(name)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index):
        return self.rows[index]

    def __iter__(self):
        return iter(self.rows)

    def thinned(self, points: int = CHART_POINTS) -> History:
        """Every n-th row and always the last one: a copy small enough to send and draw."""
        every = max(1, len(self.rows) // points)
        rows = self.rows[::every]
        if self.rows and rows[-1] is not self.rows[-1]:
            rows = rows + [self.rows[-1]]
        return History(*self.columns, rows=list(rows))


@dataclass(frozen=True)
class MemoryNeed:
    """What a job needs: `held` for as long as it lives, `working` only while its slice runs."""

    held: int
    working: int


@dataclass
class Snapshot:
    """What a page may draw of a trainer: plain numbers, arrays and bytes, no tensors or models."""

    step: int
    total: int
    seconds: float  # training time so far
    done: bool
    error: str | None  # a catalogue key when training stopped early (e.g. diverged)
    history: History  # thinned
    preview: dict[str, Any] | None = None  # the trainer's pictures and views, when asked for
    weights: dict[str, np.ndarray] | None = None  # the model's state, when asked for
    extra: dict[str, History] = field(default_factory=dict)  # other histories (e.g. MAML's gradient comparison)


class Trainer(Protocol):
    """Resumable training: built from (*inputs, config), trained in slices, seen through snapshots."""

    step: int
    total: int
    seconds: float
    error: str | None

    @property
    def done(self) -> bool: ...

    def advance(self, seconds: float) -> None:
        """Train for about `seconds` of wall time, or until done or failed."""

    def snapshot(self, preview: bool = False, final: bool = False) -> Snapshot:
        """The trainer's state as plain data; previews (pictures) and final results (weights, the heavy
        measurements) cost more, so only when asked."""

    @staticmethod
    def memory_need(*inputs_and_config) -> MemoryNeed:
        """The bytes one job of this config holds while it lives, and those its training step works in."""


def snapshot_of(trainer, history: History, preview: dict | None = None, weights: dict | None = None,
                **extra: History) -> Snapshot:
    """The common fields of a trainer's snapshot, with its history thinned."""
    return Snapshot(trainer.step, trainer.total, trainer.seconds, trainer.done, trainer.error, history.thinned(),
                    preview, weights, {name: h.thinned() for name, h in extra.items()})


def state_arrays(module) -> dict[str, np.ndarray]:
    """A torch module's parameters and buffers as numpy arrays (a copy: safe to send and to cache on)."""
    return {name: value.detach().cpu().numpy().copy() for name, value in module.state_dict().items()}
