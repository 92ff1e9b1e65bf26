"""Live training in a page: the one page-side way to start, stop, continue, reset and watch a job.

Training runs in the job service's worker processes (`core.jobs`), not in the script: a page submits its
trainer class, config and inputs, and a fragment that refreshes every few seconds draws the latest
snapshot. Sessions with identical settings watch one run. The session keeps only its job's id, so a
language switch or another widget keeps the model, and a reload can find the run again while it lives.
"""
from __future__ import annotations

import atexit
import os
import threading
import uuid
from typing import Callable

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.jobs import DEFAULT_MEMORY_MB, MEMORY_ENV, WORKERS_ENV, JobService, JobStatus, default_workers, job_key
from ui.state import lang, t

REFRESH_SECONDS = 2.0  # a watching session redraws this often (measured cost: bench/bench_classroom.py)
_service: JobService | None = None
_service_lock = threading.Lock()


def session_alive(watcher: str) -> bool:
    """Whether a watcher's browser session is still connected (False outside a real server, e.g. in AppTest)."""
    from streamlit import runtime

    return runtime.exists() and runtime.get_instance().is_active_session(watcher.split("/")[0])


def service() -> JobService:
    """The server's one job service, started on first use ($AUTOGRAD_JOB_WORKERS=0: in-process, for AppTest)."""
    global _service
    with _service_lock:
        if _service is None:
            workers = int(os.environ.get(WORKERS_ENV, default_workers()))
            budget = int(os.environ.get(MEMORY_ENV, DEFAULT_MEMORY_MB)) * 2**20
            _service = JobService(max(workers, 1), budget, in_process=workers == 0, alive=session_alive)
            atexit.register(_service.close)
        return _service


def session_id() -> str:
    """This browser session's watcher id: Streamlit's session id (AppTest gives every session the same one),
    and a token of this session's state."""
    if "_watcher" not in st.session_state:
        st.session_state["_watcher"] = f"{get_script_run_ctx().session_id}/{uuid.uuid4().hex[:8]}"
    return st.session_state["_watcher"]


def previous_session(protocols: str) -> str | None:
    """The server session id a reconnecting browser names in its websocket's Sec-WebSocket-Protocol header
    ("streamlit, <xsrf token>, <previous session id>"), or None on a first connection."""
    entries = [entry.strip() for entry in protocols.split(",")]
    return entries[2] if len(entries) > 2 and entries[2] else None


def moved_here() -> bool:
    """Whether this session replaced one this server does not know (it restarted, or the load balancer moved the
    browser off a replica that died): whatever that session held (its run, its upload) is gone."""
    if "_moved_here" not in st.session_state:  # decided on the session's first run, from its websocket's headers
        previous = previous_session(st.context.headers.get("Sec-WebSocket-Protocol", ""))
        st.session_state["_moved_here"] = previous is not None and previous != get_script_run_ctx().session_id
    return st.session_state["_moved_here"]


def restarted_notice() -> None:
    """Say once, above the page, that the server restarted and training must be started again, until dismissed."""
    if moved_here() and not st.session_state.get("_moved_seen"):
        st.warning(t("common.server_restarted"))
        st.button(t("common.server_restarted_ok"), key="_moved_ok",
                  on_click=lambda: st.session_state.update(_moved_seen=True))


def current(key: str, session_state=None) -> JobStatus | None:
    """The status of this session's job under `key` (or that of another session's state: tests), or None."""
    state = st.session_state if session_state is None else session_state
    job_id = state[key]["job"] if key in state else None
    return service().status(job_id, session_id() if session_state is None else None) if job_id else None


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd … in English; 1번째 … in Korean."""
    if lang() == "ko":
        return f"{n}번째"
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def live_training(key: str, trainer_class: type, config, *inputs, render: Callable[[JobStatus], None],
                  every: float = REFRESH_SECONDS) -> JobStatus | None:
    """Start / Stop / Continue / Reset buttons and a self-refreshing panel drawing the job's snapshot.

    `render(status)` draws the job's snapshot (status.config is the job's own config). Returns the status
    of this session's job (None before Start); its snapshot has the weights once the job is paused,
    finished or failed. A change of settings is shown, and Start trains the new ones.
    """
    jobs, me = service(), session_id()
    state = st.session_state.setdefault(key, {"job": None})
    wanted = job_key(trainer_class, config, inputs)

    # Callbacks run before the script does, so every button below is drawn knowing what was just pressed.
    def start() -> None:
        st.session_state["_moved_seen"] = True  # the restart notice has done its job
        if state["job"]:
            jobs.leave(state["job"], me)
        state["job"] = jobs.submit(me, trainer_class, config, *inputs)

    def reset() -> None:
        if state["job"]:
            jobs.leave(state["job"], me)
        state["job"] = None

    status = jobs.status(state["job"], me) if state["job"] else None  # the callbacks above have already run
    gone = state["job"] is not None and status is None
    if gone:
        state["job"] = None
    mine = status is not None and jobs.wants_running(status.job_id, me)
    resumable = status is not None and status.state in ("running", "paused", "starting") and not mine
    columns = st.columns(4)
    columns[0].button(t("common.train_start"), key=f"{key}_start", type="primary", width="stretch", on_click=start)
    columns[1].button(t("common.train_stop"), key=f"{key}_stop", width="stretch", disabled=not (mine and status.running),
                      on_click=lambda: jobs.watch(state["job"], me, running=False))
    columns[2].button(t("common.train_continue"), key=f"{key}_continue", width="stretch", disabled=not resumable,
                      on_click=lambda: jobs.watch(state["job"], me, running=True))
    columns[3].button(t("common.train_reset"), key=f"{key}_reset", width="stretch", on_click=reset)
    if gone:
        st.warning(t("common.job_gone"))
    if state["job"] is None:
        found_id = jobs.find(trainer_class, config, *inputs)
        found = jobs.status(found_id) if found_id else None
        if found is not None and found.snapshot is not None:
            st.info(t("common.job_found", step=found.snapshot.step, total=found.snapshot.total))
    elif state["job"] != wanted:
        st.info(t("common.train_settings_changed"))
    job_id = state["job"]
    watching = mine and status.running

    @st.fragment(run_every=every if watching else None)
    def panel() -> None:
        if job_id is None:
            st.caption(t("common.train_idle"))
            return
        status = jobs.status(job_id, me)
        if status is None:
            st.rerun()  # the job ended on the server: the full run says so and resets the buttons
        draw(status, render)
        if watching and not (status.running and jobs.wants_running(job_id, me)):
            st.rerun()  # finished, failed or stopped elsewhere: a full run turns the timer off, refreshes the buttons

    panel()
    return jobs.status(job_id, me) if job_id else None  # the latest, which the panel has just drawn


def draw(status: JobStatus, render: Callable[[JobStatus], None]) -> None:
    """Progress, the job's state in words, and the page's own drawing of its snapshot."""
    snapshot = status.snapshot
    step, total = (snapshot.step, snapshot.total) if snapshot else (0, 1)
    st.progress(min(step / max(total, 1), 1.0), text=t("common.train_progress", step=step, total=total))
    if status.state == "queued":
        st.info(t("common.job_queued", position=ordinal(status.position or 1)))
    elif status.state == "starting":
        st.caption(t("common.job_starting"))
    if status.watchers > 1:
        st.caption(t("common.job_shared", n=status.watchers))
    if status.message:
        st.error(t(status.message))
        if status.detail:
            st.code(status.detail.strip().splitlines()[0], language="text", wrap_lines=True)
    if snapshot is not None:
        render(status)
