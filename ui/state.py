"""All shareable state: the sidebar settings and the URL-bound widgets every page uses.

Every widget made here has a key and `bind="query-params"`, so the address bar always holds the
page's full state and a copied link opens the same page with the same values.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass

import streamlit as st

from core.devices import DeviceError, available_devices, resolve
from ui.i18n import LANGUAGES, translate

BIND = "query-params"
SHARED = ("lang", "device", "seed", "present")  # the sidebar's URL values, kept when a page is reset
REPLACED = "_replaced_link_values"  # session state: {key: (value in the link, value used)} to tell the user
DEFAULTS = "_widget_defaults"  # session state: {key: default value} of every URL-bound widget drawn so far


@dataclass(frozen=True)
class Settings:
    """The sidebar's choices, shared by all pages."""

    device: str
    lang: str
    seed: int


def lang() -> str:
    """The language the user picked; before the sidebar has run, the link's (English without one)."""
    value = st.session_state.get("lang") or linked_language()
    return value if value in LANGUAGES else "en"


def linked_language() -> str | None:
    """The link's language as a code: ?lang=ko, or the display name older links stored (?lang=한국어)."""
    asked = st.query_params.get("lang")
    return asked if asked in LANGUAGES else next((c for c, name in LANGUAGES.items() if name == asked), None)


def t(key: str, **values) -> str:
    """Translate a catalogue key into the user's language."""
    return translate(key, lang(), **values)


def _same(asked: str, value, format_func=str) -> bool:
    """Whether a link's text means the widget's value (Streamlit drops a default value from the link)."""
    if isinstance(value, bool):
        return asked.lower() == str(value).lower()
    if isinstance(value, (int, float)):
        try:
            return float(asked) == float(value)
        except ValueError:
            return False
    return asked in (str(value), str(format_func(value)))


def _bound(key: str, default, make, format_func=str):
    """Make a URL-bound widget, noting a link value it could not use: Streamlit then quietly falls back to the
    default (out of range, not a number) or rounds it (2.5 steps), and the notice says so."""
    st.session_state.setdefault(DEFAULTS, {})[key] = default
    asked = st.query_params.get(key) if key not in st.session_state else None  # None: the value is the session's
    value = make()
    now = st.query_params.get(key)
    if asked is not None and now != asked and not (now is None and _same(asked, value, format_func)):
        st.session_state.setdefault(REPLACED, {})[key] = (asked, now if now is not None else str(format_func(value)))
    return value


def slider(key: str, label: str, min_value, max_value, value, step=None, help: str | None = None, **kwargs):
    """A URL-bound slider; `label` and `help` are catalogue keys. Once the session holds its value (set by a
    button such as the stepper's next), the default is not passed again: Streamlit warns about both."""
    shown = value if key not in st.session_state else None
    return _bound(key, value, lambda: st.slider(t(label), min_value, max_value, shown, step=step, key=key, bind=BIND,
                                         help=t(help) if help else None, **kwargs))


def select_slider(key: str, label: str, options, value, format_func=str, help: str | None = None, **kwargs):
    """A URL-bound select slider over fixed options (e.g. learning rates on a log scale)."""
    return _bound(key, value, lambda: st.select_slider(t(label), options=list(options), value=value, key=key, bind=BIND,
                                                       format_func=format_func, help=t(help) if help else None, **kwargs),
                  format_func)


def selectbox(key: str, label: str, options, value=None, format_func=str, help: str | None = None, **kwargs):
    """A URL-bound select box. The URL holds format_func(option), so keep it language-independent."""
    options = list(options)
    index = options.index(value) if value is not None else 0
    return _bound(key, options[index], lambda: st.selectbox(t(label), options, index=index, key=key, bind=BIND,
                                                            format_func=format_func, help=t(help) if help else None,
                                                            **kwargs), format_func)


def radio(key: str, label: str, options, value=None, format_func=str, help: str | None = None, **kwargs):
    """A URL-bound radio group."""
    options = list(options)
    index = options.index(value) if value is not None else 0
    return _bound(key, options[index], lambda: st.radio(t(label), options, index=index, key=key, bind=BIND,
                                                        format_func=format_func, help=t(help) if help else None,
                                                        **kwargs), format_func)


def text_input(key: str, label: str, value: str, help: str | None = None, **kwargs) -> str:
    """A URL-bound text input."""
    return _bound(key, value, lambda: st.text_input(t(label), value=value, key=key, bind=BIND, help=t(help) if help else None,
                                             **kwargs))


def number_input(key: str, label: str, min_value, max_value, value, step=None, help: str | None = None, **kwargs):
    """A URL-bound number input."""
    return _bound(key, value, lambda: st.number_input(t(label), min_value=min_value, max_value=max_value, value=value, step=step,
                                               key=key, bind=BIND, help=t(help) if help else None, **kwargs))


def toggle(key: str, label: str, value: bool, help: str | None = None, **kwargs) -> bool:
    """A URL-bound on/off switch."""
    return _bound(key, value, lambda: st.toggle(t(label), value=value, key=key, bind=BIND, help=t(help) if help else None,
                                         **kwargs))


def language() -> None:
    """The language picker. The URL holds the short code (lang=ko); the display names older links stored are
    accepted too."""
    asked = st.query_params.get("lang")
    if "lang" not in st.session_state:
        code = linked_language()
        st.session_state["lang"] = code or "en"
        if asked is not None and code is None:
            st.session_state.setdefault(REPLACED, {})["lang"] = (asked, "en")
    st.selectbox("Language / 언어", list(LANGUAGES), key="lang", format_func=LANGUAGES.get)
    if st.session_state["lang"] == "en":
        st.query_params.pop("lang", None)
    else:
        st.query_params["lang"] = st.session_state["lang"]


def reset_page() -> None:
    """Put every widget whose value is in the link back to its default (the sidebar's stay); a bound widget at its
    default leaves the link."""
    defaults = st.session_state.get(DEFAULTS, {})
    for key in [key for key in st.query_params if key not in SHARED and key in defaults]:
        st.session_state[key] = defaults[key]


def sidebar(pages: list) -> None:
    """Draw the shared sidebar (the pages, language, device, seed, presentation mode, reset); pages read the choices
    through settings()."""
    with st.sidebar:
        for page in pages:
            st.page_link(page)
        st.divider()
        language()
        devices = {d.name: d.description for d in available_devices()}
        # Options are torch names (cpu, cuda:0, mps) so a shared link means the same on any machine.
        device = selectbox("device", "common.device", devices, help="common.device_help")
        st.caption(devices[device])
        number_input("seed", "common.seed", 0, 2**31 - 1, 0, step=1, help="common.seed_help")
        toggle("present", "common.present", False, help="common.present_help")
        st.button(t("common.reset_page"), key="reset_page", help=t("common.reset_page_help"), on_click=reset_page,
                  width="stretch")
        st.caption(t("common.sidebar_share"))


def presenting() -> bool:
    """Presentation mode (a projector): code panels hidden, larger text in graphs and charts."""
    if "present" in st.session_state:
        return bool(st.session_state["present"])
    return st.query_params.get("present", "").lower() == "true"  # before the sidebar has read the link


@contextlib.contextmanager
def link_notice():
    """Around the page's run: above it, one notice listing the link values that were replaced, and by what."""
    notice = st.container()
    yield
    replaced = st.session_state.get(REPLACED)
    if replaced:
        with notice:
            lines = "\n".join(f"- `{key}={asked}` → `{key}={used}`" for key, (asked, used) in replaced.items())
            st.warning(t("common.link_replaced") + "\n" + lines)
            st.button(t("common.link_replaced_ok"), key="link_replaced_ok", on_click=lambda: st.session_state.pop(REPLACED))


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
