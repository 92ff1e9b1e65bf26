"""Page 6: two backwards through one shared trunk: retain_graph, the real errors, and the correct ways."""
import numpy as np
import pandas as pd
import streamlit as st

from core import multi_backward as mb
from core.checks import compare, precision_tolerance
from ui import charts, t
from ui.furniture import backward_stepper, cached, check_badge, code_panel, graph_panel, pitfall_panel
from ui.state import radio, select_slider, settings, slider, toggle

LEARNING_RATES = [0.001, 0.01, 0.03, 0.1, 0.3, 1.0]
TABS = ["multi_backward.tab1", "multi_backward.tab2", "multi_backward.tab3", "multi_backward.tab4", "multi_backward.tab5"]
NONE = "—"
STEPPER_PASSES = {"shared": "torch.autograd.backward([loss1, loss2])", "freed": "loss1.backward(); loss2.backward()",
                  "in_place": "loss1.backward(retain_graph=True); optimizer.step(); loss2.backward()"}
LONG_LABELS = {"orient": "bottom", "columns": 1, "labelLimit": 600}  # legend under the bars: series names are sentences

retain_then_second = cached(mb.retain_then_second)
without_retain = cached(mb.without_retain)
step_between = cached(mb.step_between)
alternatives = cached(mb.alternatives)
reference_grads = cached(mb.reference_grads)
graphs = cached(mb.graphs)
shared_trunk_trace = cached(mb.shared_trunk_trace)
freed_trace = cached(mb.freed_trace)
in_place_trace = cached(mb.in_place_trace)


def tolerance(device: str) -> float:
    """How close autograd's numbers must come to torch.func's in the precision `device` computes in."""
    return precision_tolerance(device, 1e-10, 1e-5)


def controls() -> tuple[mb.Setup, float]:
    """Title, intro and the sliders: the setup every scenario shares, and scenario 3's learning rate."""
    st.title(t("multi_backward.title"))
    st.markdown(t("multi_backward.intro"))
    cols = st.columns([1, 1, 1, 1, 1.4])  # the last holds a toggle with a long label
    with cols[0]:
        x1 = slider("mb_x1", "multi_backward.x1", -2.0, 2.0, 0.5, step=0.1)
    with cols[1]:
        x2 = slider("mb_x2", "multi_backward.x2", -2.0, 2.0, -1.0, step=0.1)
    with cols[2]:
        lr = select_slider("mb_lr", "multi_backward.lr", LEARNING_RATES, 0.1, help="multi_backward.lr_help")
    with cols[3]:
        depth = slider("mb_depth", "multi_backward.depth", 1, 4, 1, help="multi_backward.depth_help")
    with cols[4]:
        input_requires_grad = toggle("mb_xgrad", "multi_backward.xgrad", False, help="multi_backward.xgrad_help")
    return mb.Setup(float(x1), float(x2), int(depth), bool(input_requires_grad), settings().seed), float(lr)


def graph_section(setup: mb.Setup, device: str) -> None:
    """The shared graph after the forward pass, and after a backward without retain_graph freed it."""
    st.subheader(t("multi_backward.graph_title"))
    before, after = st.tabs([t("multi_backward.graph_before"), t("multi_backward.graph_after")])
    forward, freed = graphs(setup, device)
    with before:
        graph_panel(forward, t("multi_backward.graph_caption"))
    with after:
        graph_panel(freed, t("multi_backward.graph_after_caption"))
    code_panel(case="multi_backward", section="graph")


def stepper_section(setup: mb.Setup, lr: float, device: str) -> None:
    """Step through three real backward passes: both heads into the trunk, then the freed and the in-place failures."""
    st.subheader(t("stepper.title"))
    which = radio("mb_pass", "stepper.pass", list(STEPPER_PASSES), "shared", format_func=STEPPER_PASSES.get)
    if which == "shared":
        trace = shared_trunk_trace(setup, device)
        st.caption(t("stepper.mb_shared"))
    elif which == "freed":
        trace = freed_trace(setup, device)
        st.caption(t("stepper.mb_freed"))
    else:
        trace = in_place_trace(setup, device, lr)
        st.caption(t("stepper.mb_in_place", depth=max(setup.depth, mb.IN_PLACE_DEPTH), lr=lr))
    backward_stepper(trace, "mb_bw")


def steps_table(steps) -> None:
    """One row per line: what it accumulated into, what it changed, the trunk's .grad, the memory held."""
    st.dataframe(pd.DataFrame({
        t("multi_backward.col_line"): [s.code for s in steps],
        t("multi_backward.col_result"): [s.error or "✓" for s in steps],
        t("multi_backward.col_accumulated"): [", ".join(s.accumulated) or NONE for s in steps],
        t("multi_backward.col_modified"): [", ".join(s.modified) or NONE for s in steps],
        t("multi_backward.col_trunk_norm"): [mb.trunk_norm(s.grads) for s in steps],
        t("multi_backward.col_saved"): [s.saved_count for s in steps],
        t("multi_backward.col_bytes"): [s.saved_bytes for s in steps],
    }), hide_index=True, width="stretch")


def first_layer_bars(series: dict[str, dict]) -> None:
    """The first trunk layer's gradient as grouped bars and as numbers, one series per step or method."""
    labels, order = mb.entry_labels(next(iter(series.values()))), list(series)
    data = pd.DataFrame(mb.first_layer(series))
    tooltip = [{"field": "series", "type": "nominal"}, {"field": "entry", "type": "nominal"},
               {"field": "value", "type": "quantitative", "format": ".6f"}]
    charts.show(charts.bars(data, "entry", "value", t("multi_backward.axis_entry"), t("multi_backward.axis_grad"),
                            color="series", sort=order, x_sort=labels, grouped=True, tooltip=tooltip, height=300,
                            legend=LONG_LABELS))
    numbers = data.pivot(index="entry", columns="series", values="value").reindex(index=labels, columns=order)
    st.dataframe(numbers.rename_axis(index=t("multi_backward.col_entry"), columns=None), width="stretch")


def step_bars(steps) -> None:
    """The first trunk layer's .grad after every backward line."""
    first_layer_bars({f"{k}. {s.code}": s.grads for k, s in enumerate(steps) if k and "backward" in s.code})


def retain_tab(setup: mb.Setup, device: str) -> None:
    """Scenario 1: retain_graph=True, then the second backward; .grad on the trunk becomes g1 + g2."""
    st.markdown(t("multi_backward.s1_explain"))
    scenario = retain_then_second(setup, device)
    steps_table(scenario.steps)
    step_bars(scenario.steps)
    actual, expected = mb.retain_check(scenario, reference_grads(setup, device))
    check_badge(compare(actual, expected, t("multi_backward.reference"), tolerance(device)))
    st.caption(t("multi_backward.s1_check_note"))
    code_panel(case="multi_backward", section="retain")


def no_retain_tab(setup: mb.Setup, device: str) -> None:
    """Scenario 2: no retain_graph; the second backward meets freed tensors."""
    st.markdown(t("multi_backward.s2_explain"))
    scenario = without_retain(setup, device)
    steps_table(scenario.steps)
    step_bars(scenario.steps)
    pitfall_panel(scenario.outcome, t("multi_backward.s2_title"), t("multi_backward.s2_pitfall"))
    code_panel(case="multi_backward", section="no_retain")


def versions_table(result: mb.StepBetween) -> None:
    """Each parameter's version counter around optimizer.step(), and whether loss2's backward needs it."""
    st.markdown(t("multi_backward.versions_title"))
    st.dataframe(pd.DataFrame({
        t("multi_backward.col_parameter"): [v.name for v in result.versions],
        t("multi_backward.col_needed"): ["✓" if v.saved_for_loss2 else NONE for v in result.versions],
        t("multi_backward.col_before"): [v.before for v in result.versions],
        t("multi_backward.col_after"): [v.after for v in result.versions],
    }), hide_index=True, width="stretch")


def stale_panel(result: mb.StepBetween, setup: mb.Setup, lr: float, device: str) -> None:
    """A one-Linear trunk on a plain input does not raise: the held activations are stale, and so is g2."""
    value = "\n".join([
        f"h    {t('multi_backward.held')}: {np.array2string(result.h_stale.ravel(), precision=6)}",
        f"h    {t('multi_backward.recomputed')}: {np.array2string(result.h_fresh.ravel(), precision=6)}",
        f"loss2 {t('multi_backward.held')}: {result.loss2_stale:.6f}",
        f"loss2 {t('multi_backward.recomputed')}: {result.loss2_fresh:.6f}",
    ])
    pitfall_panel(result.scenario.outcome, t("multi_backward.s3_title"), t("multi_backward.s3_silent"), value)
    first_layer_bars({t("multi_backward.g2_stale"): result.g2_stale, t("multi_backward.g2_fresh"): result.g2_fresh})
    actual, expected = mb.step_check(result, reference_grads(setup, device), reference_grads(setup, device, lr=lr))
    check_badge(compare(actual, expected, t("multi_backward.reference_step"), tolerance(device)))
    st.caption(t("multi_backward.s3_check_note"))


def step_tab(setup: mb.Setup, lr: float, device: str) -> None:
    """Scenario 3: optimizer.step() between the backwards; version counters, or stale activations."""
    st.markdown(t("multi_backward.s3_explain"))
    result = step_between(setup, device, lr=lr)
    steps_table(result.scenario.steps)
    versions_table(result)
    if result.scenario.outcome.raised:
        first = result.culprits[0]
        is_at, expected = result.reported_versions
        explanation = t("multi_backward.s3_raised", names=", ".join(v.name for v in result.culprits),
                        before=first.before, after=first.after, is_at=is_at, expected=expected)
        pitfall_panel(result.scenario.outcome, t("multi_backward.s3_title"), explanation)
    else:
        stale_panel(result, setup, lr, device)
    code_panel(case="multi_backward", section="step")


def alternatives_tab(setup: mb.Setup, device: str) -> None:
    """Scenario 4: three correct ways, compared with each other and with torch.func."""
    st.markdown(t("multi_backward.s4_explain"))
    methods = alternatives(setup, device)
    headers = {"method": t("multi_backward.col_method"), "trunk_norm": t("multi_backward.col_trunk_norm"),
               "diff": t("multi_backward.col_diff"), "peak": t("multi_backward.col_peak"),
               "saved_end": t("multi_backward.col_saved_end")}
    st.dataframe(pd.DataFrame(mb.alternative_rows(methods)).rename(columns=headers), hide_index=True, width="stretch")
    first_layer_bars(mb.final_grads(methods))
    actual, expected = mb.alternatives_check(methods, reference_grads(setup, device))
    check_badge(compare(actual, expected, t("multi_backward.reference"), tolerance(device)))
    st.markdown(t("multi_backward.s4_notes"))
    code_panel(case="multi_backward", section="alternatives")


def memory_tab(setup: mb.Setup, device: str) -> None:
    """Saved tensors held before and after each backward, with and without retain_graph."""
    st.markdown(t("multi_backward.memory_explain"))
    data = pd.DataFrame(mb.memory_rows({"retain_graph=True": retain_then_second(setup, device),
                                        t("multi_backward.without_retain"): without_retain(setup, device)}))
    headers = {"scenario": t("multi_backward.col_scenario"), "line": t("multi_backward.col_line"),
               "count": t("multi_backward.col_saved"), "bytes": t("multi_backward.col_bytes")}
    st.dataframe(data.drop(columns="step").rename(columns=headers), hide_index=True, width="stretch")
    tooltip = [{"field": name, "type": kind} for name, kind in
               (("scenario", "nominal"), ("line", "nominal"), ("count", "quantitative"), ("bytes", "quantitative"))]
    charts.show(charts.bars(data, "step", "bytes", t("multi_backward.axis_step"), t("multi_backward.col_bytes"),
                            color="scenario", sort=list(dict.fromkeys(data["scenario"])), grouped=True, tooltip=tooltip,
                            legend=LONG_LABELS))
    st.markdown(t("multi_backward.memory_notes"))
    code_panel(case="multi_backward", section="memory")


def scenarios_section(setup: mb.Setup, lr: float, device: str) -> None:
    """The four scenarios and the memory view, one tab each."""
    st.subheader(t("multi_backward.scenarios_title"))
    tabs = st.tabs([t(key) for key in TABS])
    with tabs[0]:
        retain_tab(setup, device)
    with tabs[1]:
        no_retain_tab(setup, device)
    with tabs[2]:
        step_tab(setup, lr, device)
    with tabs[3]:
        alternatives_tab(setup, device)
    with tabs[4]:
        memory_tab(setup, device)


def page() -> None:
    """Controls in; the graph, four scenarios and the memory view out."""
    setup, lr = controls()
    device = settings().device
    graph_section(setup, device)
    stepper_section(setup, lr, device)
    scenarios_section(setup, lr, device)


page()
