"""Driving a page's live training through AppTest: jobs train in the background, so tests wait for them."""
from __future__ import annotations

import time
from typing import Callable

from core.jobs import JobStatus
from ui.live import current


def job(at, key: str) -> JobStatus | None:
    """The status of the AppTest session's job under `key` (what the page draws)."""
    return current(key, at.session_state)


def run_until(at, done: Callable[[], bool], timeout: float = 120.0, pause: float = 0.1):
    """Rerun the page (its live fragment refreshes once per run) until `done()` holds, then once more, so the
    page has drawn that state (the job may have moved on while the last run was drawing)."""
    deadline = time.monotonic() + timeout
    while True:
        at.run()
        if done():
            return at.run()
        assert time.monotonic() < deadline, "the page's job did not get there in time"
        time.sleep(pause)


def steps(at, key: str) -> int:
    """The step of the snapshot the page last drew (0 before any)."""
    status = job(at, key)
    return status.snapshot.step if status is not None and status.snapshot is not None else 0


def start(at, key: str, at_least: int = 1, timeout: float = 120.0):
    """Press Start and rerun until the job has trained `at_least` steps (or ended)."""
    at.button(key=f"{key}_start").click().run()
    return run_until(at, lambda: steps(at, key) >= at_least or not job(at, key).running, timeout)


def stop(at, key: str):
    """Press Stop (unless the job has ended already) and rerun until its final snapshot has come."""
    if job(at, key).running:
        at.button(key=f"{key}_stop").click().run()
    return run_until(at, lambda: job(at, key).state in ("paused", "done", "failed"))
