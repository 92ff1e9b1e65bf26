"""Streamlit-side helpers shared by every page: translation, URL-bound widgets, page furniture."""
import torch

from ui.state import t  # noqa: F401  (the one function every page uses)

# Tensors here are tiny and many sessions share a host's few cores: one intra-op thread each avoids oversubscription.
torch.set_num_threads(1)
