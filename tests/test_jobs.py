"""The job service with real worker processes: sharing, stop / continue / leave, the memory queue, cleanup, dead workers."""
from __future__ import annotations

import os
import signal
import sys
import time
import types

import pytest

from core import jobs, maml
from core.jobs import JobService
from core.maml import MetaConfig
from core.training import History, MemoryNeed

LONG = MetaConfig(iterations=10_000, compare_every=0)  # the page's longest run: it does not finish within a test


def wait(predicate, timeout: float = 60.0):
    """Poll until predicate() is true."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def step(service: JobService, job_id: str) -> int:
    status = service.status(job_id)
    return status.snapshot.step if status and status.snapshot else 0


@pytest.fixture(scope="module")
def service():
    """One worker process, as on a one-core host."""
    running = JobService(workers=1)
    yield running
    running.close()


@pytest.fixture(autouse=True)
def no_jobs_left(request):
    yield
    if "service" in request.fixturenames:
        request.getfixturevalue("service").clear()


def test_a_job_trains_in_a_worker_to_the_same_weights_as_in_process(service):
    config = MetaConfig(iterations=120, compare_every=50, seed=3)
    job_id = service.submit("a", maml.MetaTrainer, config)
    wait(lambda: service.status(job_id).state == "done")
    snapshot = service.status(job_id).snapshot
    alone = maml.meta_train(config)
    assert snapshot.step == 120 and snapshot.done and snapshot.error is None
    assert [row[2] for row in snapshot.history] == alone.history.loss  # deterministic: the same losses exactly
    assert snapshot.extra["agreement"].iteration == [50, 100]
    for name, value in alone.model.state_dict().items():
        assert (snapshot.weights[name] == value.numpy()).all()


def test_identical_settings_share_one_job_and_other_seeds_do_not(service):
    first = service.submit("a", maml.MetaTrainer, LONG)
    same = service.submit("b", maml.MetaTrainer, MetaConfig(iterations=10_000, compare_every=0))
    other = service.submit("c", maml.MetaTrainer, MetaConfig(iterations=10_000, compare_every=0, seed=1))
    assert first == same != other
    assert service.status(first).watchers == 2 and service.status(other).watchers == 1
    wait(lambda: step(service, first) > 0 and step(service, other) > 0)  # both train, in turns


def test_stop_continue_and_leave(service):
    job_id = service.submit("a", maml.MetaTrainer, LONG)
    wait(lambda: step(service, job_id) > 0)
    service.watch(job_id, "a", running=False)  # returns once the final snapshot is in
    paused = service.status(job_id)
    assert paused.state == "paused" and paused.snapshot.weights is not None
    time.sleep(0.5)
    assert step(service, job_id) == paused.snapshot.step  # nothing trains while paused
    service.watch(job_id, "a", running=True)
    wait(lambda: step(service, job_id) > paused.snapshot.step)
    service.leave(job_id, "a")
    assert service.status(job_id) is None  # nobody watches it: dropped at once


def test_one_watcher_stopping_does_not_stop_the_others(service):
    job_id = service.submit("a", maml.MetaTrainer, LONG)
    service.submit("b", maml.MetaTrainer, LONG)
    wait(lambda: step(service, job_id) > 0)
    service.watch(job_id, "a", running=False)
    before = step(service, job_id)
    wait(lambda: step(service, job_id) > before)
    assert service.status(job_id).state == "running"


def test_a_new_job_starts_within_a_second_beside_twenty_running(service):
    running = [service.submit(f"s{seed}", maml.MetaTrainer, MetaConfig(iterations=10_000, compare_every=0, seed=seed))
               for seed in range(20)]
    wait(lambda: all(step(service, job_id) > 0 for job_id in running))
    started = time.monotonic()
    late = service.submit("late", maml.MetaTrainer, MetaConfig(iterations=10_000, compare_every=0, seed=99))
    wait(lambda: step(service, late) > 0)
    assert time.monotonic() - started < 1.0


def test_divergence_fails_the_job_with_the_trainers_message(service):
    job_id = service.submit("a", maml.MetaTrainer, MetaConfig(inner_lr=0.05, inner_steps=5, meta_lr=0.1, iterations=400))
    wait(lambda: service.status(job_id).state == "failed")
    status = service.status(job_id)
    assert status.message == "maml.diverged" and status.snapshot.step == 81


class Hungry:
    """A trainer that says it needs 600 MB while it lives (and trains nothing)."""

    def __init__(self, config):
        self.step, self.total, self.seconds, self.error, self.done = 0, 10**9, 0.0, None, False

    @staticmethod
    def memory_need(config) -> MemoryNeed:
        return MemoryNeed(held=600 * 2**20, working=0)

    def advance(self, seconds: float) -> None:
        time.sleep(seconds / 10)
        self.step += 1

    def snapshot(self, preview: bool = False, final: bool = False):
        from core.training import snapshot_of

        return snapshot_of(self, History("step"))


def test_jobs_over_the_budget_queue_in_order_and_start_when_memory_frees():
    small = JobService(workers=1, budget_bytes=jobs.WORKER_BASE_BYTES + 1300 * 2**20)  # room for two
    try:
        ids = [small.submit(f"s{i}", Hungry, i) for i in range(4)]
        wait(lambda: all(small.status(j).state == "running" for j in ids[:2]))
        assert [small.status(j).state for j in ids[2:]] == ["queued", "queued"]
        assert [small.status(j).position for j in ids[2:]] == [1, 2]
        assert small.memory_in_use() <= small.budget
        small.leave(ids[0], "s0")
        wait(lambda: small.status(ids[2]).state == "running")
        assert small.status(ids[3]).position == 1
    finally:
        small.close()


def test_a_job_whose_watchers_are_gone_is_freed_and_the_worker_recycled(monkeypatch):
    monkeypatch.setattr(jobs, "GRACE_SECONDS", 0.5)
    tabs = {"gone": True}
    lonely = JobService(workers=1, alive=lambda watcher: tabs[watcher])
    try:
        worker = lonely.workers[0].pid
        job_id = lonely.submit("gone", maml.MetaTrainer, LONG)
        wait(lambda: step(lonely, job_id) > 0)
        time.sleep(jobs.REAP_SECONDS + 1)
        assert lonely.status(job_id) is not None  # an open tab that does not poll keeps its job
        tabs["gone"] = False  # the tab is closed
        wait(lambda: lonely.status(job_id) is None, timeout=jobs.REAP_SECONDS + 5)
        wait(lambda: lonely.workers[0].pid != worker)  # a fresh worker gives the memory back to the OS
        assert lonely.memory_in_use() == jobs.WORKER_BASE_BYTES
    finally:
        lonely.close()


def test_a_killed_worker_says_so_and_start_works_again():
    fragile = JobService(workers=1)
    try:
        job_id = fragile.submit("a", maml.MetaTrainer, LONG)
        wait(lambda: step(fragile, job_id) > 0)
        os.kill(fragile.workers[0].pid, signal.SIGKILL)
        wait(lambda: fragile.status(job_id).state == "lost", timeout=jobs.REAP_SECONDS + 5)
        assert fragile.status(job_id).message == "common.job_worker_lost"
        fragile.leave(job_id, "a")
        again = fragile.submit("a", maml.MetaTrainer, LONG)  # Start: a new job on a new worker
        wait(lambda: step(fragile, again) > 0)
    finally:
        fragile.close()


def test_a_worker_never_runs_the_page_that_started_it(tmp_path, monkeypatch):
    # Streamlit runs a page as sys.modules["__main__"]; spawn would run that file again in the worker.
    marker = tmp_path / "ran"
    page = tmp_path / "page.py"
    page.write_text(f"open({str(marker)!r}, 'w').close()\n")
    script = types.ModuleType("__main__")
    script.__file__, script.__spec__ = str(page), None
    monkeypatch.setitem(sys.modules, "__main__", script)
    started = JobService(workers=1)
    try:
        job_id = started.submit("a", maml.MetaTrainer, LONG)
        wait(lambda: step(started, job_id) > 0)
        assert not marker.exists()
    finally:
        started.close()
