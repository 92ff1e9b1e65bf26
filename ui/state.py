"""All shareable state: the sidebar settings and the URL-bound widgets every page uses.

Every widget made here has a key and `bind="query-params"`, so the address bar always holds the
page's full state and a copied link opens the same page with the same values.
"""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from core.devices import DeviceError, available_devices, resolve
from ui.i18n import LANGUAGES, translate

BIND = "query-params"


@dataclass(frozen=True)
class Settings:
    """The sidebar's choices, shared by all pages."""

    device: str
    lang: str
    seed: int


def lang() -> str:
    """The language the user picked (English until the sidebar has run)."""
    value = st.session_state.get("lang", "en")
    return value if value in LANGUAGES else "en"


def t(key: str, **values) -> str:
    """Translate a catalogue key into the user's language."""
    return translate(key, lang(), **values)


def slider(key: str, label: str, min_value, max_value, value, step=None, help: str | None = None, **kwargs):
    """A URL-bound slider; `label` and `help` are catalogue keys."""
    return st.slider(t(label), min_value, max_value, value, step=step, key=key, bind=BIND,
                     help=t(help) if help else None, **kwargs)


def select_slider(key: str, label: str, options, value, format_func=str, help: str | None = None, **kwargs):
    """A URL-bound select slider over fixed options (e.g. learning rates on a log scale)."""
    return st.select_slider(t(label), options=list(options), value=value, key=key, bind=BIND,
                            format_func=format_func, help=t(help) if help else None, **kwargs)


def selectbox(key: str, label: str, options, value=None, format_func=str, help: str | None = None, **kwargs):
    """A URL-bound select box. The URL holds format_func(option), so keep it language-independent."""
    options = list(options)
    index = options.index(value) if value is not None else 0
    return st.selectbox(t(label), options, index=index, key=key, bind=BIND, format_func=format_func,
                        help=t(help) if help else None, **kwargs)


def radio(key: str, label: str, options, value=None, format_func=str, help: str | None = None, **kwargs):
    """A URL-bound radio group."""
    options = list(options)
    index = options.index(value) if value is not None else 0
    return st.radio(t(label), options, index=index, key=key, bind=BIND, format_func=format_func,
                    help=t(help) if help else None, **kwargs)


def text_input(key: str, label: str, value: str, help: str | None = None, **kwargs) -> str:
    """A URL-bound text input."""
    return st.text_input(t(label), value=value, key=key, bind=BIND, help=t(help) if help else None, **kwargs)


def number_input(key: str, label: str, min_value, max_value, value, step=None, help: str | None = None, **kwargs):
    """A URL-bound number input."""
    return st.number_input(t(label), min_value=min_value, max_value=max_value, value=value, step=step, key=key,
                           bind=BIND, help=t(help) if help else None, **kwargs)


def toggle(key: str, label: str, value: bool, help: str | None = None, **kwargs) -> bool:
    """A URL-bound on/off switch."""
    return st.toggle(t(label), value=value, key=key, bind=BIND, help=t(help) if help else None, **kwargs)


def sidebar() -> None:
    """Draw the shared sidebar (language, device, seed); pages read the choices through settings()."""
    with st.sidebar:
        # The URL stores the language's display name; also accept a typed code such as ?lang=ko.
        code = st.query_params.get("lang")
        if code in LANGUAGES and "lang" not in st.session_state:
            st.session_state["lang"] = code
        st.selectbox("Language / 언어", list(LANGUAGES), key="lang", bind=BIND, format_func=LANGUAGES.get)
        devices = {d.name: d.description for d in available_devices()}
        asked = st.query_params.get("device")
        if asked and asked not in devices:
            st.warning(t("common.device_missing", device=asked))
        # Options are torch names (cpu, cuda:0, mps) so a shared link means the same on any machine.
        device = selectbox("device", "common.device", devices, help="common.device_help")
        st.caption(devices[device])
        number_input("seed", "common.seed", 0, 2**31 - 1, 0, step=1, help="common.seed_help")
        st.caption(t("common.sidebar_share"))


def settings() -> Settings:
    """The sidebar's current choices, for pages (the sidebar runs before every page). A device that cannot be
    used stops the page here with one message, so pages never handle a missing device themselves."""
    device = st.session_state.get("device", "cpu")
    try:
        resolve(device)
    except DeviceError:
        st.error(t("common.device_error", device=device))
        st.stop()
    return Settings(device=device, lang=lang(), seed=int(st.session_state.get("seed", 0)))
