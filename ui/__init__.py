"""Streamlit-side helpers shared by every page: translation, URL-bound widgets, page furniture."""
import torch

from ui.state import t  # noqa: F401  (the one function every page uses)

# The app's tensors are tiny and a shared host has about one CPU for many sessions: a single
# intra-op thread per computation avoids oversubscription (measured: 2 threads trained 30-100x fewer steps).
torch.set_num_threads(1)
