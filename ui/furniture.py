"""The panels every page shares: code that ran, autograd graph, check badge, pitfall; and the one cache helper."""
from __future__ import annotations

import functools
import pickle
import re
import threading
from typing import Callable

import numpy as np
import streamlit as st

from core import export
from core.checks import Check, PitfallOutcome
from core.expr import source
from core.graph import KINDS, DotGraph
from core.trace import BackwardTrace, GradValue, family
from ui.i18n import CATALOGUE
from ui.state import presenting, slider, t

CACHE_ENTRIES = 64  # per cached function; a shared host keeps at most this many results of each
CACHE_ENTRY_BYTES = 8 * 1024 * 1024  # results bigger than this are returned but not kept
# Graphs at their natural size, scrolled sideways when wider than the column: Streamlit shrinks a graph to fit,
# and the widest ones' text fell to 6-8 px at 1280x720 (its fullscreen button still shows any graph whole).
GRAPH_CSS = ('<style>[data-testid="stGraphVizChart"] { overflow: auto; max-height: 80vh; }'
             '[data-testid="stGraphVizChart"] svg { max-width: none; }</style>')
PRESENT_GRAPH_FONT = 14  # graph text in presentation mode, in points (core.graph draws 10)


def cached(fn: Callable, max_entries: int = CACHE_ENTRIES, max_entry_bytes: int = CACHE_ENTRY_BYTES,
           ttl: int = 3600) -> Callable:
    """A core function cached for every session under its own name, `curve = cached(maml.curve)` at the top of a page:
    st.cache_data with an entry count, a time to live, and a per-entry size cap. The function takes plain configs whose
    fields are exactly what its result depends on (they are the cache key)."""
    oversized = threading.local()  # set on a cache miss whose result is over the cap (sessions are threads)

    @functools.wraps(fn)
    def measured(*args, **kwargs):
        result = fn(*args, **kwargs)  # runs only on a miss, so hits pay nothing for the size check
        oversized.flag = len(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)) > max_entry_bytes
        return result

    cache = st.cache_data(max_entries=max_entries, ttl=ttl, show_spinner=False)(measured)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        oversized.flag = False
        result = cache(*args, **kwargs)
        if oversized.flag:
            cache.clear(*args, **kwargs)
        return result

    wrapper.clear = cache.clear
    return wrapper


def code_panel(case: str, section: str, expanded: bool = False) -> None:
    """Show the source of the core functions behind one section of a page (never a copied string), hidden when
    presenting: core.export lists them, so the page's notebook holds the same code. The page's last panel carries
    the notebook and script downloads."""
    if not presenting():
        with st.expander(t("common.code_title"), expanded=expanded):
            for fn in export.shown(case, section=section):
                st.caption(f"`{fn.__module__}.{fn.__qualname__}`")
                st.code(source(fn), language="python")
    if section == export.CASES[case].buttons:
        export_buttons(case)


export_notebook = cached(export.notebook, max_entries=32)
export_script = cached(export.script, max_entries=32)


def export_params(case: str) -> dict:
    """The page's URL-bound settings as its widgets hold them (a widget not drawn yet: the link's or default value
    is already in session state once drawn), plus the sidebar's seed and device."""
    return {s.key: st.session_state[s.key] for s in export.settings_of(case) if s.key in st.session_state}


def export_buttons(case: str) -> None:
    """Download this view as a notebook and as a `# %%` script, built from the page's current settings."""
    params = export_params(case)
    try:
        notebook, script = export_notebook(case, params), export_script(case, params)
    except export.ExportError as error:
        st.warning(t("export.error", message=str(error)))
        return
    left, right = st.columns(2)
    left.download_button(t("export.notebook"), notebook, file_name=f"{case}.ipynb", mime="application/x-ipynb+json",
                         key=f"export_{case}_ipynb", help=t("export.notebook_help"), on_click="ignore", width="stretch")
    right.download_button(t("export.script"), script, file_name=f"{case}.py", mime="text/x-python",
                          key=f"export_{case}_py", help=t("export.script_help"), on_click="ignore", width="stretch")


def graph_chart(dot: str) -> None:
    """DOT text drawn at its natural size (scrolling when wider than the column), larger when presenting."""
    if presenting():
        dot = re.sub(r"(node \[[^\]]*fontsize=)\d+", rf"\g<1>{PRESENT_GRAPH_FONT}", dot, count=1)
    st.html(GRAPH_CSS)
    st.graphviz_chart(dot, width="content")


def graph_panel(graph: DotGraph, caption: str | None = None) -> None:
    """Render an autograd graph's DOT text, a legend of the node kinds it draws, and a note when it was truncated."""
    graph_chart(graph.dot)
    st.caption(" · ".join(t(f"common.graph_kind_{kind}") for kind in KINDS if kind in graph.kinds))
    if caption:
        st.caption(caption)
    if graph.truncated:
        st.info(t("common.graph_truncated", shown=graph.shown_nodes, total=graph.total_nodes))


def check_badge(check: Check) -> None:
    """Green when the autograd numbers agree with the independent reference, red otherwise; blue when both sides agree
    that nothing is defined, with a note of the entries undefined on both sides or finite on one side only."""
    text = t("common.check_text", reference=check.reference, abs=f"{check.max_abs_diff:.2e}",
             rel=f"{check.max_rel_diff:.2e}", tol=f"{check.tolerance:.0e}", n=check.compared)
    if check.undefined:
        text += t("common.check_undefined_note", n=check.undefined)
    if check.one_sided:
        text += t("common.check_one_sided_note", n=check.one_sided)
    if check.compared == 0 and check.undefined:
        st.info(f"ℹ️ {t('common.check_undefined', reference=check.reference, n=check.undefined)}")
    elif check.compared == 0:
        st.info(t("common.check_nothing", reference=check.reference))
    elif check.passed:
        st.success(f"✅ {t('common.check_pass')} · {text}")
    else:
        st.error(f"❌ {t('common.check_fail')} · {text}")


def pitfall_panel(outcome: PitfallOutcome, title: str, explanation: str, value_text: str | None = None) -> None:
    """Show what PyTorch really did when the wrong version ran: the exception, or the silent value."""
    with st.expander(f"⚠️ {title}", expanded=True):
        if outcome.raised:
            st.markdown(t("common.pitfall_raised"))
            st.code(f"{outcome.exception_type}: {outcome.message}", language="text", wrap_lines=True)
        else:
            st.markdown(t("common.pitfall_silent"))
            st.code(value_text if value_text is not None else repr(outcome.value), language="text", wrap_lines=True)
        st.markdown(explanation)


PLAY_SECONDS = 1.0  # one step per second while playing
SENTENCE_ALIASES = {"reshapealias": "view", "unsafeview": "view", "mv": "mm", "bmm": "mm", "dot": "mm", "rsub": "sub",
                    "permute": "t", "transpose": "t", "silu": "generic"}  # node families that share a sentence


def node_sentence(name: str, kind: str = "function") -> str:
    """One sentence on what a node's backward computes (a generic one for node types the catalogue lacks)."""
    if kind == "input":
        return t("stepper.node_input")
    kind_of = family(name)
    kind_of = "backward" if kind_of.endswith("backward") else SENTENCE_ALIASES.get(kind_of, kind_of)
    return t(f"stepper.node_{kind_of}") if f"stepper.node_{kind_of}" in CATALOGUE else t("stepper.node_generic")


def gradient_text(value: GradValue | None) -> str:
    """A gradient in words: its value when small, else its shape, norm and first entries."""
    if value is None:
        return t("stepper.no_gradient")
    if value.complete:
        return f"`{np.array2string(value.values, precision=6, separator=', ')}`"
    return t("stepper.entries", shape="×".join(map(str, value.shape)), norm=f"{value.norm:.6g}",
             values=f"`{np.array2string(value.values, precision=4, separator=', ')}` …")


def _step_panel(trace: BackwardTrace, index: int) -> None:
    """The current node: what arrived, what it sent where, and one sentence on its backward."""
    step = trace.steps[index]
    node = trace.node(step.node_id)
    st.markdown(t("stepper.position", step=index + 1, total=len(trace.steps), name=step.name))
    st.caption(node_sentence(step.name, node.kind))
    senders = trace.senders(index)
    if len(senders) > 1:
        st.info(t("stepper.summed", n=len(senders)))
    if step.created_by_backward:
        st.caption(t("stepper.created"))
    if step.raised:
        st.error(t("stepper.raised", name=step.name))
        st.code(trace.error, language="text", wrap_lines=True)
        return
    st.markdown(f"**{t('stepper.incoming')}**: " + ", ".join(gradient_text(g) for g in step.grad_outputs))
    if step.captured:
        st.success(t("stepper.captured", leaf=step.leaf))
    elif node.kind == "leaf":
        st.success(t("stepper.wrote_leaf", leaf=step.leaf))
    sent = [(trace.node(to), g) for to, g in trace.receivers(index)]
    if sent:
        st.markdown(f"**{t('stepper.outgoing')}**")
        st.markdown("\n".join(f"- {t('stepper.to_node', name=target.leaf or target.name)}: {gradient_text(g)}"
                               for target, g in sent))
    elif not step.captured and node.kind != "leaf":
        st.caption(t("stepper.none_sent"))


def _step_buttons(key: str, last: int) -> None:
    """Previous, next and play/pause; they move the step slider's value before it is drawn."""
    step_key, play_key = f"{key}_step", f"_{key}_playing"

    def move(by: int) -> None:
        st.session_state[play_key] = False  # stepping by hand pauses
        st.session_state[step_key] = min(max(int(st.session_state.get(step_key, 0)) + by, 0), last)

    def play() -> None:
        st.session_state[play_key] = not st.session_state.get(play_key, False)
        if st.session_state[play_key] and int(st.session_state.get(step_key, 0)) >= last:
            st.session_state[step_key] = 0  # play again from the start

    a, b, c = st.columns(3)
    a.button(t("stepper.previous"), key=f"{key}_prev", on_click=move, args=(-1,), width="stretch")
    b.button(t("stepper.next"), key=f"{key}_next", on_click=move, args=(1,), width="stretch")
    c.button(t("stepper.pause") if st.session_state.get(play_key) else t("stepper.play"), key=f"{key}_play",
             on_click=play, width="stretch")


def backward_stepper(trace: BackwardTrace, key: str) -> None:
    """Step through a recorded backward pass: a step slider, previous/next, play, the graph at that step, and a side
    panel with the running node's gradients and what its backward computes. `key` prefixes the widgets' keys."""
    step_key, play_key = f"{key}_step", f"_{key}_playing"
    if not trace.steps:
        st.error(t("stepper.failed_before"))
        st.code(trace.error, language="text", wrap_lines=True)
        return
    last = len(trace.steps) - 1
    if int(st.session_state.get(step_key, 0)) > last:  # a shorter pass than the one the slider was on
        st.session_state[step_key] = last
    st.caption(t("stepper.intro"))
    playing = bool(st.session_state.get(play_key))
    if last > 0:
        _step_buttons(key, last)  # outside the fragment: play and pause rerun the page, which sets the timer

    @st.fragment(run_every=PLAY_SECONDS if playing else None)
    def stepper() -> None:
        if st.session_state.get(play_key):
            st.session_state[step_key] = min(int(st.session_state.get(step_key, 0)) + 1, last)
        index = slider(step_key, "stepper.step", 0, last, 0) if last > 0 else 0
        graph, panel = st.columns([3, 2])
        with graph:
            picture = trace.dot(index)
            graph_chart(picture.dot)
            st.caption(t("stepper.legend"))
            if picture.truncated:
                st.caption(t("stepper.capped", total=picture.total_nodes, shown=picture.shown_nodes))
        with panel:
            _step_panel(trace, index)
            if index == last and not trace.error:
                st.caption(t("stepper.finished", n=len(trace.steps)))
        if st.session_state.get(play_key) and index >= last:
            st.session_state[play_key] = False
            st.rerun()  # a full run turns the timer off and relabels the button

    stepper()
