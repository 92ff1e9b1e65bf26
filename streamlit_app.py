"""Autograd Explorer: page config, the shared sidebar, and the navigation over the pages."""
import streamlit as st

from ui import t
from ui.live import restarted_notice
from ui.state import link_notice, presenting, sidebar

# Each st.Page title becomes the tab title; presentation mode folds the sidebar away.
st.set_page_config(page_icon="∂", layout="wide", initial_sidebar_state="collapsed" if presenting() else "auto")
pages = [
    st.Page("app_pages/home.py", title=t("home.title"), icon="🏠", url_path="index", default=True),  # served at /
    st.Page("app_pages/derivatives.py", title=t("derivatives.title"), icon="📈", url_path="derivatives"),
    st.Page("app_pages/network_gradients.py", title=t("network_gradients.nav"), icon="🧠", url_path="network_gradients"),
    st.Page("app_pages/maml.py", title=t("maml.title"), icon="🎯", url_path="maml"),
    st.Page("app_pages/hessian.py", title=t("hessian.title"), icon="🌀", url_path="hessian"),
    st.Page("app_pages/inr.py", title=t("inr.title"), icon="🖼️", url_path="inr"),
    st.Page("app_pages/multi_backward.py", title=t("multi_backward.title"), icon="🔀", url_path="multi_backward"),
    st.Page("app_pages/pinn.py", title=t("pinn.title"), icon="🌊", url_path="pinn"),
]
# The home page also answers at its own name (/home); the sidebar lists each page once.
navigation = st.navigation([*pages, st.Page("app_pages/home.py", title=t("home.title"), url_path="home")], position="hidden")
sidebar(pages)
restarted_notice()
with link_notice():
    navigation.run()
