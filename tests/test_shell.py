"""The shell: home page, shared sidebar (language, device, seed), shareable URLs, devices."""
import pathlib

import pytest
import torch

from core.devices import DeviceError, available_devices, resolve
from core.timing import interleaved_medians, median_seconds
from ui.furniture import PRESENT_GRAPH_FONT

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
    assert any("`device=cuda:0` → `device=cpu`" in w.value for w in at.main.warning)


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


def test_cache_keeps_small_results_and_drops_oversized_ones():
    import numpy as np

    from ui.furniture import cached

    calls = []

    def zeros(n: int):
        calls.append(n)
        return np.zeros(n)

    make = cached(zeros, max_entries=4, max_entry_bytes=10_000)

    make(10), make(10)
    assert calls == [10]  # the second call was a cache hit
    make(100_000), make(100_000)
    assert calls == [10, 100_000, 100_000]  # 800 kB is over the cap: computed again, not kept


def test_caches_of_different_functions_do_not_mix():
    from ui.furniture import cached

    def twice(n: int) -> int:
        return 2 * n

    def squared(n: int) -> int:
        return n * n

    double, square = cached(twice), cached(squared)
    assert (double(5), square(5), double(5)) == (10, 25, 10)


@pytest.mark.parametrize("query, key, asked, used", [
    ({"deriv_order": "999"}, "deriv_order", "999", "4"),  # the default
    ({"deriv_order": "2.5"}, "deriv_order", "2.5", "2"),
    ({"deriv_x": "abc"}, "deriv_x", "abc", None),
    ({"seed": "-1"}, "seed", "-1", "0"),
    ({"lang": "fr"}, "lang", "fr", "en"),
])
def test_a_link_value_the_page_cannot_use_is_named_in_one_notice(app_page, query, key, asked, used):
    at = app_page("derivatives", query)
    assert not at.exception
    [notice] = [w.value for w in at.main.warning if "`" in w.value]
    assert f"`{key}={asked}` →" in notice
    if used is not None:
        assert f"→ `{key}={used}`" in notice
    at.button(key="link_replaced_ok").click().run()
    assert not [w for w in at.main.warning if f"`{key}=" in w.value]


def test_good_link_values_raise_no_notice_and_later_changes_neither(app_page):
    at = app_page("derivatives", {"deriv_order": "4", "seed": "3"})
    assert not [w for w in at.main.warning if "→" in w.value]
    at.slider(key="deriv_order").set_value(5).run()
    assert not [w for w in at.main.warning if "→" in w.value]


def test_language_is_stored_as_a_short_code(app_page):
    at = app_page("derivatives", {"lang": "한국어"})  # the form older links stored
    assert at.title[0].value == "고계 도함수"
    assert at.query_params["lang"] == ["ko"] or at.query_params["lang"] == "ko"
    at.selectbox(key="lang").set_value("en").run()
    assert "lang" not in at.query_params


def test_reset_page_clears_the_pages_values_and_keeps_the_sidebars(app_page):
    at = app_page("derivatives", {"deriv_order": "5", "deriv_expr": "cos(x)", "seed": "7", "lang": "ko"})
    assert at.slider(key="deriv_order").value == 5
    at.button(key="reset_page").click().run()
    assert not at.exception
    assert at.slider(key="deriv_order").value == 4 and at.text_input(key="deriv_expr").value != "cos(x)"
    assert at.number_input(key="seed").value == 7 and at.title[0].value == "고계 도함수"


def test_presentation_mode_hides_code_and_enlarges_graph_text(app_page):
    plain = app_page("derivatives")
    shown = app_page("derivatives", {"present": "true"})
    assert not shown.exception
    code_title = plain.expander[0].label if plain.expander else None
    assert any(e.label == code_title for e in plain.expander)
    assert len(shown.expander) < len(plain.expander)
    assert f"fontsize={PRESENT_GRAPH_FONT}" in shown.get("graphviz_chart")[0].proto.spec
    assert f"fontsize={PRESENT_GRAPH_FONT}" not in plain.get("graphviz_chart")[0].proto.spec
    assert '"labelFontSize": 16' in shown.get("vega_lite_chart")[0].proto.spec
    assert '"labelFontSize": 16' not in plain.get("vega_lite_chart")[0].proto.spec


def test_charts_drop_values_they_cannot_draw_and_keep_one_axis_title():
    import numpy as np
    import pandas as pd

    from ui import charts

    frame = pd.DataFrame({"step": [0, 1, 2, 3], "loss": [1.0, 0.5, np.inf, np.nan]})
    curve = charts.line(frame, "step", "loss", "step", "loss", log=True)
    assert curve.data["loss"].tolist() == [1.0, 0.5]  # a diverged run's curve stops where it diverged
    zero = charts.line(pd.DataFrame({"s": [0, 1], "v": [0.0, 2.0]}), "s", "v", log=True)
    assert zero.data["v"].tolist() == [2.0]  # nothing at or below 0 on a log axis
    layered = curve + charts.dots(frame, "step", "loss")
    spec = layered.spec()
    assert [layer["encoding"]["y"]["title"] for layer in spec["layer"]] == ["loss", "loss"]
    assert sorted(set(layered.data["layer"])) == [0, 1]
    assert spec["layer"][1]["transform"][0] == {"filter": "datum.layer == 1"}


def test_graph_legend_names_every_colour_the_graph_draws_and_no_other(app_page):
    at = app_page("network_gradients")  # f and G share a trunk: branch and shared tints, and create_graph nodes
    legends = [c.value for c in at.caption if c.value.startswith("yellow: output")]
    assert any("lilac" in text and "teal" in text and "red" in text for text in legends), legends
    at = app_page("home")  # one output, no create_graph backward
    [legend] = [c.value for c in at.caption if c.value.startswith("yellow: output")]
    assert "red" not in legend and "lilac" not in legend
