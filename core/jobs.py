"""The job service: live training in worker processes, shared by identical runs, within one memory budget.

A page submits a job (a trainer class from the `core.training` contract, its inputs and config dataclass);
sessions that submit identical jobs watch one run. Worker processes, owned by the server, train their jobs
in turns of a short time slice and publish snapshots; pages only read the latest snapshot. Jobs that do not
fit the host's memory budget wait in a queue; a job nobody watches any more is dropped; a worker whose jobs
have all ended is replaced by a fresh one, which gives its memory back to the OS. No Streamlit here.

Messages between the server and a worker are tuples on `multiprocessing` queues:
to a worker ("add", job_id, trainer_class, config, inputs), ("run", job_id, bool), ("drop", job_id), ("exit",);
from a worker (job_id, state, snapshot, message), state being "running", "paused", "done" or "failed".
"""
from __future__ import annotations

import collections
import hashlib
import multiprocessing
import os
import pickle
import queue
import sys
import threading
import time
import traceback
import types
from dataclasses import dataclass, field
from typing import Callable

from core.training import MemoryNeed, Snapshot

_MAIN_LOCK = threading.Lock()
SLICE_SECONDS = 0.15  # a worker trains one job this long, then turns to the next
STATUS_SECONDS = 0.5  # a running job publishes its progress at most this often
PREVIEW_SECONDS = 1.5  # and its previews at most this often,
PREVIEW_SHARE = 0.1  # and only once it has trained 1 / PREVIEW_SHARE times as long as its last preview took
GRACE_SECONDS = 30.0  # a session that has gone stays a watcher this long (a reload finds its job again)
REAP_SECONDS = 2.0  # how often the service looks for gone watchers and dead workers
WORKER_BASE_BYTES = 300 * 2**20  # an idle worker with torch imported (measured: bench/bench_classroom.py)
MEMORY_ENV, WORKERS_ENV = "AUTOGRAD_JOB_MEMORY_MB", "AUTOGRAD_JOB_WORKERS"
DEFAULT_MEMORY_MB = 2048  # all jobs and their workers together


def default_workers() -> int:
    """One worker per core this process may run on (the server's `taskset` limits it too)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def job_key(trainer_class: type, config, inputs: tuple) -> str:
    """The identity of a run: trainer, settings and inputs (training is deterministic given them)."""
    digest = hashlib.sha256(f"{trainer_class.__module__}.{trainer_class.__qualname__}|{config!r}".encode())
    for item in inputs:
        digest.update(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))  # an uploaded picture is part of it
    return digest.hexdigest()[:20]


@dataclass
class JobStatus:
    """What a page reads about its job."""

    job_id: str
    state: str  # queued, starting, running, paused, done, failed, lost
    snapshot: Snapshot | None
    config: object  # the job's own settings and inputs (the page's may have changed since)
    inputs: tuple
    position: int | None = None  # 1 = next in the queue
    watchers: int = 0
    message: str | None = None  # a catalogue key: why it failed (the trainer's own, or the worker's)
    detail: str = ""  # the exception's text when a trainer raised

    @property
    def running(self) -> bool:
        return self.state in ("queued", "starting", "running")


@dataclass
class Job:
    """The server's record of one job."""

    job_id: str
    trainer_class: type
    config: object
    inputs: tuple
    need: MemoryNeed
    watchers: dict[str, bool] = field(default_factory=dict)  # session -> wants it running
    seen: dict[str, float] = field(default_factory=dict)  # session -> last time it was known to be there
    state: str = "queued"
    worker: Worker | None = None
    snapshot: Snapshot | None = None
    message: str | None = None
    detail: str = ""


# ---------------------------------------------------------------- the worker side


@dataclass
class Slot:
    """A job inside a worker."""

    trainer: object
    running: bool = True
    last_status: float = 0.0
    last_preview: float = 0.0
    preview_cost: float = 0.0
    trained: float = 0.0  # seconds trained since the last preview


def work(inbox, outbox) -> None:
    """A worker's loop: take messages, give each running job a slice in turn, publish snapshots."""
    import torch

    torch.set_num_threads(1)  # one core per worker; the jobs' tensors are small
    slots: dict[str, Slot] = {}
    turns: collections.deque[str] = collections.deque()  # round-robin order; the left end goes next

    def end(job_id: str, state: str, message: str | None = None, final: bool = True) -> None:
        """Publish the job's last snapshot and free it here (its result lives on in the snapshot)."""
        slot = slots.pop(job_id)
        turns.remove(job_id)
        outbox.put((job_id, state, slot.trainer.snapshot(preview=True, final=True) if final else None, message))

    def publish(job_id: str, state: str, preview: bool, final: bool = False) -> None:
        slot = slots[job_id]
        started = time.perf_counter()
        try:
            snapshot = slot.trainer.snapshot(preview=preview, final=final)
        except Exception as error:  # noqa: BLE001 (a broken job fails alone; the worker goes on)
            end(job_id, "failed", f"{type(error).__name__}: {error}", final=False)
            return
        now = time.perf_counter()
        if preview:
            slot.preview_cost, slot.last_preview, slot.trained = now - started, now, 0.0
        slot.last_status = now
        outbox.put((job_id, state, snapshot, None))

    def handle(kind: str, job_id: str = "", *rest) -> None:
        if kind == "add":
            trainer_class, config, inputs = rest
            try:
                slots[job_id] = Slot(trainer_class(*inputs, config))
            except Exception as error:  # noqa: BLE001
                outbox.put((job_id, "failed", None, f"{type(error).__name__}: {error}"))
                return
            turns.appendleft(job_id)  # a new job has the next turn: it starts within one slice
            publish(job_id, "running", preview=True)
            slots[job_id].last_status = 0.0  # and its first slice's progress is published at once
        elif kind == "run" and job_id in slots:
            slots[job_id].running = rest[0]
            if not rest[0]:
                publish(job_id, "paused", preview=True, final=True)
        elif kind == "drop" and job_id in slots:
            slots.pop(job_id)
            turns.remove(job_id)

    while True:
        busy = any(slot.running for slot in slots.values())
        try:
            message = inbox.get_nowait() if busy else inbox.get()  # idle: sleep until told something
        except queue.Empty:
            message = None
        if message is not None:
            if message[0] == "exit":
                return
            handle(*message)
            continue  # take every waiting message before the next slice
        job_id = next(j for j in turns if slots[j].running)
        turns.remove(job_id)
        turns.append(job_id)  # to the back of the line
        slot = slots[job_id]
        started = time.perf_counter()
        try:
            slot.trainer.advance(SLICE_SECONDS)
        except Exception as error:  # noqa: BLE001
            end(job_id, "failed", f"{type(error).__name__}: {error}", final=False)
            continue
        now = time.perf_counter()
        slot.trained += now - started
        if slot.trainer.done or slot.trainer.error:
            end(job_id, "failed" if slot.trainer.error else "done")
        elif now - slot.last_status >= STATUS_SECONDS:
            due = now - slot.last_preview >= PREVIEW_SECONDS and slot.trained * PREVIEW_SHARE >= slot.preview_cost
            publish(job_id, "running", preview=due)


class Worker:
    """A worker process (or, in-process, a thread for tests) and the jobs the server gave it."""

    def __init__(self, outbox, in_process: bool):
        if in_process:
            self.inbox = queue.Queue()
            self.runner = threading.Thread(target=work, args=(self.inbox, outbox), daemon=True, name="job-worker")
        else:
            context = multiprocessing.get_context("spawn")  # never fork a threaded server
            self.inbox = context.Queue()
            self.runner = context.Process(target=work, args=(self.inbox, outbox), daemon=True, name="job-worker")
        self.jobs: set[str] = set()
        self.served = 0
        with _MAIN_LOCK:
            # Streamlit runs each page as sys.modules["__main__"], and spawn re-runs the parent's __main__ file in
            # the child: the worker would run the app. Start it with an empty __main__ instead.
            main = sys.modules["__main__"]
            sys.modules["__main__"] = types.ModuleType("__main__")
            try:
                self.runner.start()
            finally:
                sys.modules["__main__"] = main

    @property
    def pid(self) -> int | None:
        return getattr(self.runner, "pid", None)

    def alive(self) -> bool:
        return self.runner.is_alive()

    def send(self, *message) -> None:
        self.inbox.put(message)

    def stop(self) -> None:
        if self.alive():
            self.send("exit")
            self.runner.join(timeout=5)
        if self.alive() and hasattr(self.runner, "kill"):
            self.runner.kill()


# ---------------------------------------------------------------- the server side


class JobService:
    """Jobs, their watchers, the queue and the workers; every method is safe from any session's thread."""

    def __init__(self, workers: int | None = None, budget_bytes: int | None = None, in_process: bool = False,
                 alive: Callable[[str], bool] | None = None):
        self.slots = workers or default_workers()
        self.budget = budget_bytes if budget_bytes is not None else DEFAULT_MEMORY_MB * 2**20
        self.in_process = in_process
        self.alive = alive  # is this session still open? None: only its polls tell
        self.base = 0 if in_process else WORKER_BASE_BYTES
        self.outbox = queue.Queue() if in_process else multiprocessing.get_context("spawn").Queue()
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)  # notified whenever a worker's message has been taken
        self.jobs: dict[str, Job] = {}
        self.queue: list[str] = []  # job ids waiting for memory, in order
        self.workers: list[Worker] = [Worker(self.outbox, in_process) for _ in range(self.slots)]
        self.closed = False
        self.listener = threading.Thread(target=self._listen, daemon=True, name="job-listener")
        self.listener.start()

    # -- what pages call

    def find(self, trainer_class: type, config, *inputs) -> str | None:
        """The id of a live job with exactly these settings and inputs, if there is one."""
        job_id = job_key(trainer_class, config, inputs)
        with self.lock:
            job = self.jobs.get(job_id)
            return job_id if job is not None and job.state not in ("failed", "lost") else None

    def submit(self, watcher: str, trainer_class: type, config, *inputs) -> str:
        """Watch a run of these settings: an identical live job if one exists, else a new one (queued if need be)."""
        job_id = job_key(trainer_class, config, inputs)
        with self.lock:
            job = self.jobs.get(job_id)
            if job is not None and job.state in ("failed", "lost"):
                self._forget(job)
                job = None
            if job is None:
                job = Job(job_id, trainer_class, config, inputs, trainer_class.memory_need(*inputs, config))
                self.jobs[job_id] = job
                self.queue.append(job_id)
            job.watchers[watcher], job.seen[watcher] = True, time.monotonic()
            self._set_running(job)
            self._admit()
        return job_id

    def watch(self, job_id: str, watcher: str, running: bool, wait: float = 3.0) -> None:
        """Stop (running=False) or continue this watcher's interest; the job trains while anyone wants it.

        A Stop that pauses the job waits (at most `wait` seconds) for its final snapshot, so the page can show it."""
        with self.lock:
            job = self.jobs.get(job_id)
            if job is None or watcher not in job.watchers:
                return
            job.watchers[watcher], job.seen[watcher] = running, time.monotonic()
            self._set_running(job)
            if not any(job.watchers.values()) and job.state in ("starting", "running"):
                self.changed.wait_for(lambda: job.state not in ("starting", "running"), timeout=wait)

    def leave(self, job_id: str, watcher: str) -> None:
        """This watcher is done with the job; a job nobody watches is dropped at once."""
        with self.lock:
            job = self.jobs.get(job_id)
            if job is not None:
                job.watchers.pop(watcher, None)
                job.seen.pop(watcher, None)
                if job.watchers:
                    self._set_running(job)
                else:
                    self._forget(job)

    def status(self, job_id: str, watcher: str | None = None) -> JobStatus | None:
        """The job's state and latest snapshot (None once it is gone); a watcher asking is known to be there."""
        with self.lock:
            job = self.jobs.get(job_id)
            if job is None:
                return None
            if watcher in job.seen:
                job.seen[watcher] = time.monotonic()
            position = self.queue.index(job_id) + 1 if job_id in self.queue else None
            return JobStatus(job_id, job.state, job.snapshot, job.config, job.inputs, position, len(job.watchers),
                             job.message, job.detail)

    def wants_running(self, job_id: str, watcher: str) -> bool:
        """Whether this watcher has the job running (it pressed Start or Continue, not Stop)."""
        with self.lock:
            job = self.jobs.get(job_id)
            return bool(job and job.watchers.get(watcher))

    def memory_in_use(self) -> int:
        """Bytes the admitted jobs and their workers are counted for."""
        with self.lock:
            return sum(self._worker_bytes(worker) for worker in self.workers)

    def close(self) -> None:
        """Stop every worker (tests and server shutdown)."""
        with self.lock:
            self.closed = True
            workers, self.workers = self.workers, []
            self.jobs.clear()
            self.queue.clear()
        for worker in workers:
            worker.stop()

    def clear(self) -> None:
        """Drop every job (tests)."""
        with self.lock:
            for job in list(self.jobs.values()):
                self._forget(job)

    # -- inside

    def _worker_bytes(self, worker: Worker, extra: MemoryNeed | None = None) -> int:
        needs = [self.jobs[j].need for j in worker.jobs if j in self.jobs] + ([extra] if extra else [])
        if not needs:
            return self.base
        return self.base + sum(n.held for n in needs) + max(n.working for n in needs)

    def _admit(self) -> None:
        """Start queued jobs, in order, while they fit the budget on some worker."""
        while self.queue and not self.closed:
            job = self.jobs[self.queue[0]]
            total = self.memory_in_use()
            fits = [(len(w.jobs), i, w) for i, w in enumerate(self.workers) if w.alive() and
                    total - self._worker_bytes(w) + self._worker_bytes(w, job.need) <= self.budget]
            if not fits:
                return
            worker = min(fits, key=lambda item: item[:2])[2]
            self.queue.pop(0)
            job.worker, job.state = worker, "starting"
            worker.jobs.add(job.job_id)
            worker.served += 1
            worker.send("add", job.job_id, job.trainer_class, job.config, job.inputs)
            if not any(job.watchers.values()):
                worker.send("run", job.job_id, False)

    def _set_running(self, job: Job) -> None:
        """Tell the job's worker whether anyone wants it trained."""
        if job.worker is not None and job.state in ("starting", "running", "paused"):
            wanted = any(job.watchers.values())
            job.worker.send("run", job.job_id, wanted)
            if wanted and job.state == "paused":
                job.state = "running"  # the worker takes it up within a slice

    def _forget(self, job: Job) -> None:
        """Drop a job: out of the queue, out of its worker; the memory is free for the next in line."""
        self.jobs.pop(job.job_id, None)
        if job.job_id in self.queue:
            self.queue.remove(job.job_id)
        if job.worker is not None and job.job_id in job.worker.jobs:
            job.worker.send("drop", job.job_id)
            self._release(job.worker, job.job_id)
        self._admit()

    def _release(self, worker: Worker, job_id: str) -> None:
        """A job has left the worker; a worker that has served jobs and holds none is replaced by a fresh one."""
        worker.jobs.discard(job_id)
        if not worker.jobs and worker.served and worker in self.workers and not self.closed:
            self.workers[self.workers.index(worker)] = Worker(self.outbox, self.in_process)
            threading.Thread(target=worker.stop, daemon=True).start()

    def _listen(self) -> None:
        """Take the workers' snapshots; every REAP_SECONDS, drop gone watchers and notice dead workers."""
        reaped = time.monotonic()
        while not self.closed:
            try:
                job_id, state, snapshot, message = self.outbox.get(timeout=0.5)
            except queue.Empty:
                pass
            except (EOFError, OSError):
                return
            else:
                self._take(job_id, state, snapshot, message)
            if time.monotonic() - reaped >= REAP_SECONDS:
                reaped = time.monotonic()
                self._reap()

    def _take(self, job_id: str, state: str, snapshot: Snapshot | None, message: str | None) -> None:
        with self.lock:
            job = self.jobs.get(job_id)
            if job is None:
                return
            if snapshot is not None:
                if snapshot.preview is None and job.snapshot is not None:
                    snapshot.preview = job.snapshot.preview  # the last preview stays until a new one comes
                job.snapshot = snapshot
            job.state = state
            if state == "failed":
                job.message = (snapshot.error if snapshot is not None else None) or "common.job_crashed"
                job.detail = message or ""
            if state in ("done", "failed") and job.worker is not None:
                self._release(job.worker, job_id)
                self._admit()
            self.changed.notify_all()

    def _reap(self) -> None:
        now = time.monotonic()
        with self.lock:
            for job in list(self.jobs.values()):
                gone = False
                for watcher in list(job.watchers):
                    if self.alive is not None and self.alive(watcher):
                        job.seen[watcher] = now
                    elif now - job.seen.get(watcher, 0) > GRACE_SECONDS:
                        job.watchers.pop(watcher)
                        job.seen.pop(watcher, None)
                        gone = True
                if not job.watchers:
                    self._forget(job)
                elif gone:
                    self._set_running(job)
            for index, worker in enumerate(self.workers):
                if not worker.alive():
                    for job_id in list(worker.jobs):
                        job = self.jobs.get(job_id)
                        if job is not None:
                            job.state, job.message, job.worker = "lost", "common.job_worker_lost", None
                    self.workers[index] = Worker(self.outbox, self.in_process)
            self._admit()
