"""Shared benchmark helpers: the --quick flag and its verdicts, and a page rerun with a warm vs a cleared cache."""
from __future__ import annotations

import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.timing import median_seconds  # noqa: E402


def repeats_from_args(description: str) -> int:
    """Parse --quick, use one torch thread (as the app does), and return how many times to time each thing."""
    import argparse

    import torch

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, for a smoke run")
    torch.set_num_threads(1)
    return 3 if parser.parse_args().quick else 9


def verdict(passed: bool, quick: bool) -> str:
    """PASS or MISS against a target; nothing on a quick run, whose budgets are too small for the targets."""
    return "" if quick else ("PASS" if passed else "MISS")


def page_rerun(page: str, query: dict, repeats: int) -> tuple[float, float]:
    """Median seconds of a full AppTest rerun of a page with a warm cache, and with it cleared first."""
    import streamlit as st
    from streamlit.logger import set_log_level
    from streamlit.testing.v1 import AppTest

    set_log_level("error")  # AppTest outside a server logs a line per cached call
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300)
    at.switch_page(f"app_pages/{page}.py")
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    cached = median_seconds(at.run, repeats)

    def uncached():
        st.cache_data.clear()
        at.run()

    return cached, median_seconds(uncached, repeats)
