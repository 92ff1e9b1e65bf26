"""The shell: home page, shared sidebar (language, device, seed), shareable URLs, devices."""
import pathlib

import pytest
import torch

from core.devices import DeviceError, available_devices, resolve
from core.timing import interleaved_medians, median_seconds

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_cpu_always_and_gpus_only_when_present():
    names = [d.name for d in available_devices()]
    assert names[0] == "cpu"
    assert any(n.startswith("cuda") for n in names) == torch.cuda.is_available()
    assert ("mps" in names) == (hasattr(torch.backends, "mps") and torch.backends.mps.is_available())


def test_resolving_a_missing_device_raises_a_clear_error():
    assert resolve("cpu") == torch.device("cpu")
    if not torch.cuda.is_available():
        with pytest.raises(DeviceError, match="not available"):
            resolve("cuda")


def test_timers_warm_up_once_then_take_the_median_of_the_repeats():
    calls = {"a": 0, "b": 0}

    def count(name):
        def run():
            calls[name] += 1
        return run

    times = interleaved_medians({"a": count("a"), "b": count("b")}, resolve("cpu"), 5)
    assert set(times) == {"a", "b"} and calls == {"a": 6, "b": 6} and all(t >= 0 for t in times.values())
    assert median_seconds(count("a"), 3) >= 0 and calls["a"] == 10
    median_seconds(count("a"), 3, warmup=False)
    assert calls["a"] == 13


def test_no_legacy_pages_folder():
    assert not (ROOT / "pages").exists()


def test_home_page_has_a_card_per_use_case_and_a_live_primer(app_page):
    at = app_page("home")
    assert not at.exception
    assert at.title[0].value == "Autograd Explorer"
    assert "dy/dx by autograd = 5" in at.success[0].value  # x = 1: 2x + 3
    at.slider(key="home_x").set_value(-2.0).run()
    assert "dy/dx by autograd = -1" in at.success[0].value


def test_sidebar_offers_only_this_machines_devices(app_page):
    at = app_page("home")
    assert at.selectbox(key="device").options == [d.name for d in available_devices()]


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA to ask for a missing GPU")
def test_link_asking_for_a_missing_gpu_falls_back_to_cpu_with_a_message(app_page):
    at = app_page("derivatives", {"device": "cuda:0"})
    assert not at.exception
    assert at.selectbox(key="device").value == "cpu"
    assert any("cuda:0" in w.value for w in at.sidebar.warning)


def test_language_choice_persists_across_pages(app_page):
    at = app_page("home", {"lang": "한국어"})
    assert at.selectbox(key="lang").value == "ko"
    at.switch_page("app_pages/derivatives.py").run()
    assert not at.exception
    assert at.title[0].value == "고계 도함수"


def test_language_code_in_a_typed_link_works_too(app_page):
    at = app_page("derivatives", {"lang": "ko"})
    assert not at.exception
    assert at.title[0].value == "고계 도함수"


def test_seed_comes_from_the_link(app_page):
    at = app_page("home", {"seed": "42"})
    assert at.number_input(key="seed").value == 42


def test_bounded_cache_keeps_small_results_and_drops_oversized_ones():
    import numpy as np

    from ui.furniture import bounded_cache

    calls = []

    @bounded_cache(max_entries=4, max_entry_bytes=10_000)
    def make(n: int):
        calls.append(n)
        return np.zeros(n)

    make(10), make(10)
    assert calls == [10]  # the second call was a cache hit
    make(100_000), make(100_000)
    assert calls == [10, 100_000, 100_000]  # 800 kB is over the cap: computed again, not kept


def test_bounded_caches_of_different_functions_do_not_mix():
    from ui.furniture import bounded_cache

    @bounded_cache()
    def double(n: int) -> int:
        return 2 * n

    @bounded_cache()
    def square(n: int) -> int:
        return n * n

    assert (double(5), square(5), double(5)) == (10, 25, 10)
