"""Streamlit-side helpers shared by every page: translation, URL-bound widgets, page furniture."""
from ui.state import t  # noqa: F401  (the one function every page uses)
