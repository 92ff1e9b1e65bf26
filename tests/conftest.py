"""Shared test fixtures: one thread for torch (CI has 2 cores), and an AppTest factory for pages."""
from __future__ import annotations

import os
import pathlib

import pytest
import torch

ROOT = pathlib.Path(__file__).resolve().parents[1]
torch.set_num_threads(1)
os.environ.setdefault("AUTOGRAD_JOB_WORKERS", "0")  # AppTest pages train in-process (the browser tests use real workers)


@pytest.fixture
def app_page():
    """Return a function that runs the whole app on one page, optionally from a query string."""
    from streamlit.testing.v1 import AppTest

    def run(page: str, query: dict | None = None, timeout: float = 120):
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=timeout)
        at.switch_page(f"app_pages/{page}.py")
        for key, value in (query or {}).items():
            at.query_params[key] = value
        return at.run()

    yield run
    from ui.live import service

    service().clear()  # no test's jobs train on behind the next test
