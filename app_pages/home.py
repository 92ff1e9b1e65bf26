"""Home page (placeholder)."""
import streamlit as st

from ui import t


def page() -> None:
    """What the app is."""
    st.title(t("common.app_title"))


page()
