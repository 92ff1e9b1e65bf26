"""Placeholder until this page is built."""
import streamlit as st

from ui import t


def page() -> None:
    """Say plainly that the page is not built yet."""
    st.title(t("network_gradients.title"))
    st.info(t("common.not_built"))


page()
