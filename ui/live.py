"""Live training in a page: start / stop / continue, progress, and the model kept per session.

A trainer is any object with `advance(seconds)` (run steps for about that long), `step`, `total`,
`done` and `error` (a catalogue key, or None). It lives in st.session_state, so each browser
session has its own model, other widgets' reruns keep it, and it is freed with the session.
"""
from __future__ import annotations

from typing import Callable, Protocol

import streamlit as st

from ui.state import t


class Trainer(Protocol):
    step: int
    total: int
    done: bool
    error: str | None

    def advance(self, seconds: float) -> None: ...


def live_training(key: str, make_trainer: Callable[[], Trainer], render: Callable[[Trainer], None],
                  settings_signature: object = None, chunk_seconds: float = 0.4, every: float = 0.6) -> Trainer | None:
    """Buttons, progress bar and a self-refreshing fragment that trains `chunk_seconds` per refresh.

    `settings_signature` identifies the settings the trainer was made with; when they change the
    page says so and Start makes a fresh trainer, while the old one stays shown until then.
    """
    state = st.session_state.setdefault(key, {"trainer": None, "running": False, "signature": None})
    start, stop, resume, reset = st.columns(4)
    if start.button(t("common.train_start"), key=f"{key}_start", type="primary", width="stretch"):
        state.update(trainer=make_trainer(), running=True, signature=settings_signature)
    if stop.button(t("common.train_stop"), key=f"{key}_stop", width="stretch", disabled=not state["running"]):
        state["running"] = False
    can_resume = state["trainer"] is not None and not state["trainer"].done and state["trainer"].error is None
    if resume.button(t("common.train_continue"), key=f"{key}_continue", width="stretch",
                     disabled=state["running"] or not can_resume):
        state["running"] = True
    if reset.button(t("common.train_reset"), key=f"{key}_reset", width="stretch"):
        state.update(trainer=None, running=False, signature=None)
    if state["trainer"] is not None and state["signature"] != settings_signature:
        st.info(t("common.train_settings_changed"))

    @st.fragment(run_every=every if state["running"] else None)
    def panel() -> None:
        trainer = state["trainer"]
        if trainer is None:
            st.caption(t("common.train_idle"))
            return
        if state["running"]:
            trainer.advance(chunk_seconds)
            if trainer.done or trainer.error:
                state["running"] = False
        st.progress(min(trainer.step / max(trainer.total, 1), 1.0),
                    text=t("common.train_progress", step=trainer.step, total=trainer.total))
        if trainer.error:
            st.error(t(trainer.error))
        render(trainer)
        if not state["running"] and st.session_state.get(f"{key}_was_running"):
            st.session_state[f"{key}_was_running"] = False
            st.rerun()  # a full rerun turns the fragment's timer off and refreshes the buttons
        st.session_state[f"{key}_was_running"] = state["running"]

    panel()
    return state["trainer"]
