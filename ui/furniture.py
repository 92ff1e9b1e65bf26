"""The panels every page shares: code that ran, autograd graph, check badge, pitfall; and the one cache helper."""
from __future__ import annotations

import functools
import pickle
import re
import threading
from typing import Callable

import streamlit as st

from core.checks import Check, PitfallOutcome
from core.expr import source
from core.graph import KINDS, DotGraph
from ui.state import presenting, t

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


def code_panel(*functions: Callable, expanded: bool = False) -> None:
    """Show the source of the core functions that produced the result (never a copied string); hidden when presenting."""
    if presenting():
        return
    with st.expander(t("common.code_title"), expanded=expanded):
        for fn in functions:
            st.caption(f"`{fn.__module__}.{fn.__qualname__}`")
            st.code(source(fn), language="python")


def graph_panel(graph: DotGraph, caption: str | None = None) -> None:
    """Render an autograd graph's DOT text, a legend of the node kinds it draws, and a note when it was truncated."""
    dot = re.sub(r"(node \[[^\]]*fontsize=)\d+", rf"\g<1>{PRESENT_GRAPH_FONT}", graph.dot, count=1) if presenting() else graph.dot
    st.html(GRAPH_CSS)
    st.graphviz_chart(dot, width="content")
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
