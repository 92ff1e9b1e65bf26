"""Page 6: two backwards through one shared trunk: retain_graph, the real errors, and the correct ways."""
import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from core import multi_backward as mb
from core.checks import compare, precision_tolerance
from core.devices import DeviceError
from ui import t
from ui.furniture import bounded_cache, check_badge, code_panel, graph_panel, pitfall_panel
from ui.state import select_slider, settings, slider, toggle

LEARNING_RATES = [0.001, 0.01, 0.03, 0.1, 0.3, 1.0]


@bounded_cache()
def run_all(x1: float, x2: float, lr: float, depth: int, input_requires_grad: bool, seed: int, device: str) -> dict:
    """Every scenario, the two graphs and the torch.func references for one position of the controls."""
    setup = mb.Setup(x1, x2, lr, depth, input_requires_grad, seed)
    return {
        "retain": mb.retain_then_second(setup, device),
        "no_retain": mb.without_retain(setup, device),
        "step": mb.step_between(setup, device),
        "alternatives": mb.alternatives(setup, device),
        "graphs": mb.graphs(setup, device),
        "reference": mb.reference_grads(setup, device),
        "reference_after_step": mb.reference_grads(setup, device, after_step=True),
    }


def entry_labels(grads: dict) -> list[str]:
    """W₀[i,j] and b₀[i]: the first trunk layer's entries, the layer every depth has."""
    rows, cols = grads["trunk.0.weight"].shape
    return [f"W₀[{i},{j}]" for i in range(rows) for j in range(cols)] + [f"b₀[{i}]" for i in range(rows)]


def first_layer(grads: dict) -> np.ndarray:
    """The first trunk layer's gradient entries, in the order of entry_labels."""
    return np.concatenate([grads["trunk.0.weight"].ravel(), grads["trunk.0.bias"].ravel()])


def steps_table(steps) -> None:
    """One row per line: what it accumulated into, what it changed, the trunk's .grad, the memory held."""
    none = "—"
    st.dataframe(pd.DataFrame({
        t("multi_backward.col_line"): [s.code for s in steps],
        t("multi_backward.col_result"): [s.error or "✓" for s in steps],
        t("multi_backward.col_accumulated"): [", ".join(s.accumulated) or none for s in steps],
        t("multi_backward.col_modified"): [", ".join(s.modified) or none for s in steps],
        t("multi_backward.col_trunk_norm"): [float(np.linalg.norm(mb.trunk_vector(s.grads))) for s in steps],
        t("multi_backward.col_saved"): [s.saved_count for s in steps],
        t("multi_backward.col_bytes"): [s.saved_bytes for s in steps],
    }), hide_index=True, width="stretch")


def bars(series: dict[str, dict]) -> None:
    """The first trunk layer's gradient as grouped bars and as numbers, one series per step or method."""
    labels = entry_labels(next(iter(series.values())))
    data = pd.concat([pd.DataFrame({"entry": labels, "value": first_layer(g), "series": name})
                      for name, g in series.items()], ignore_index=True)
    order = list(series)
    st.altair_chart(alt.Chart(data).mark_bar().encode(
        x=alt.X("entry:N", sort=labels, title=t("multi_backward.axis_entry")),
        xOffset=alt.XOffset("series:N", sort=order),
        y=alt.Y("value:Q", title=t("multi_backward.axis_grad")),
        color=alt.Color("series:N", sort=order, title=None, legend=alt.Legend(orient="bottom", columns=1, labelLimit=400)),
        tooltip=["series", "entry", alt.Tooltip("value:Q", format=".6f")],
    ).properties(height=300), width="stretch")
    numbers = data.pivot(index="entry", columns="series", values="value").reindex(index=labels, columns=order)
    st.dataframe(numbers.rename_axis(index=t("multi_backward.col_entry"), columns=None), width="stretch")


def step_bars(steps) -> None:
    """The first trunk layer's .grad after every backward line."""
    bars({f"{k}. {s.code}": s.grads for k, s in enumerate(steps) if k and "backward" in s.code})


def retain_tab(result: dict, device: str) -> None:
    """Scenario 1: retain_graph=True, then the second backward; .grad on the trunk becomes g1 + g2."""
    st.markdown(t("multi_backward.s1_explain"))
    scenario = result["retain"]
    steps_table(scenario.steps)
    step_bars(scenario.steps)
    g1, g2 = result["reference"]
    expected = [g1, {n: g1[n] + g2[n] for n in g1}]
    check_badge(compare(np.concatenate([mb.trunk_vector(s.grads) for s in scenario.steps[1:]]),
                        np.concatenate([mb.trunk_vector(g) for g in expected]),
                        t("multi_backward.reference"), precision_tolerance(device, 1e-10, 1e-5)))
    st.caption(t("multi_backward.s1_check_note"))
    code_panel(mb.retain_then_second, mb.Recorder)


def no_retain_tab(result: dict) -> None:
    """Scenario 2: no retain_graph; the second backward meets freed tensors."""
    st.markdown(t("multi_backward.s2_explain"))
    scenario = result["no_retain"]
    steps_table(scenario.steps)
    step_bars(scenario.steps)
    pitfall_panel(scenario.outcome, t("multi_backward.s2_title"), t("multi_backward.s2_pitfall"))
    code_panel(mb.without_retain)


def step_tab(result: dict, device: str) -> None:
    """Scenario 3: optimizer.step() between the backwards; version counters, or stale activations."""
    st.markdown(t("multi_backward.s3_explain"))
    outcome = result["step"]
    steps_table(outcome.scenario.steps)
    st.markdown(t("multi_backward.versions_title"))
    st.dataframe(pd.DataFrame({
        t("multi_backward.col_parameter"): [v.name for v in outcome.versions],
        t("multi_backward.col_needed"): ["✓" if v.saved_for_loss2 else "—" for v in outcome.versions],
        t("multi_backward.col_before"): [v.before for v in outcome.versions],
        t("multi_backward.col_after"): [v.after for v in outcome.versions],
    }), hide_index=True, width="stretch")
    culprits = [v for v in outcome.versions if v.saved_for_loss2 and v.after != v.before]
    if outcome.scenario.outcome.raised:
        is_at, expected = outcome.message_versions or (culprits[0].after, culprits[0].before)
        explanation = t("multi_backward.s3_raised", names=", ".join(v.name for v in culprits),
                        before=culprits[0].before, after=culprits[0].after, is_at=is_at, expected=expected)
        pitfall_panel(outcome.scenario.outcome, t("multi_backward.s3_title"), explanation)
    else:
        value = "\n".join([
            f"h    {t('multi_backward.held')}: {np.array2string(outcome.h_stale.ravel(), precision=6)}",
            f"h    {t('multi_backward.recomputed')}: {np.array2string(outcome.h_fresh.ravel(), precision=6)}",
            f"loss2 {t('multi_backward.held')}: {outcome.loss2_stale:.6f}",
            f"loss2 {t('multi_backward.recomputed')}: {outcome.loss2_fresh:.6f}",
        ])
        pitfall_panel(outcome.scenario.outcome, t("multi_backward.s3_title"), t("multi_backward.s3_silent"), value)
        bars({t("multi_backward.g2_stale"): outcome.g2_stale, t("multi_backward.g2_fresh"): outcome.g2_fresh})
        old, new = result["reference"][1], result["reference_after_step"][1]
        check_badge(compare(np.concatenate([mb.trunk_vector(outcome.g2_stale), mb.trunk_vector(outcome.g2_fresh)]),
                            np.concatenate([mb.trunk_vector(old), mb.trunk_vector(new)]),
                            t("multi_backward.reference_step"), precision_tolerance(device, 1e-10, 1e-5)))
        st.caption(t("multi_backward.s3_check_note"))
    code_panel(mb.step_between)


def alternatives_tab(result: dict, device: str) -> None:
    """Scenario 4: three correct ways, compared with each other and with torch.func."""
    st.markdown(t("multi_backward.s4_explain"))
    methods = result["alternatives"]
    finals = {code: s.steps[-1].grads for code, s in methods.items()}
    first = mb.trunk_vector(next(iter(finals.values())))
    st.dataframe(pd.DataFrame({
        t("multi_backward.col_method"): list(finals),
        t("multi_backward.col_trunk_norm"): [float(np.linalg.norm(mb.trunk_vector(g))) for g in finals.values()],
        t("multi_backward.col_diff"): [float(np.abs(mb.trunk_vector(g) - first).max()) for g in finals.values()],
        t("multi_backward.col_peak"): [max(s.saved_count for s in m.steps) for m in methods.values()],
        t("multi_backward.col_saved_end"): [m.steps[-1].saved_count for m in methods.values()],
    }), hide_index=True, width="stretch")
    bars(finals)
    g1, g2 = result["reference"]
    reference = mb.trunk_vector({n: g1[n] + g2[n] for n in g1})
    check_badge(compare(np.concatenate([mb.trunk_vector(g) for g in finals.values()]),
                        np.tile(reference, len(finals)), t("multi_backward.reference"), precision_tolerance(device, 1e-10, 1e-5)))
    st.markdown(t("multi_backward.s4_notes"))
    code_panel(mb.alternatives)


def memory_tab(result: dict) -> None:
    """Saved tensors held before and after each backward, with and without retain_graph."""
    st.markdown(t("multi_backward.memory_explain"))
    rows = []
    for key, label in (("retain", "retain_graph=True"), ("no_retain", t("multi_backward.without_retain"))):
        for k, s in enumerate(result[key].steps):
            rows.append({"scenario": label, "step": k, "line": f"{k}. {s.code}", "count": s.saved_count, "bytes": s.saved_bytes})
    data = pd.DataFrame(rows)
    headers = {"scenario": t("multi_backward.col_scenario"), "line": t("multi_backward.col_line"),
               "count": t("multi_backward.col_saved"), "bytes": t("multi_backward.col_bytes")}
    st.dataframe(data.drop(columns="step").rename(columns=headers), hide_index=True, width="stretch")
    st.altair_chart(alt.Chart(data).mark_bar().encode(
        x=alt.X("step:O", title=t("multi_backward.axis_step"), axis=alt.Axis(labelAngle=0)),
        xOffset="scenario:N",
        y=alt.Y("bytes:Q", title=t("multi_backward.col_bytes")),
        color=alt.Color("scenario:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["scenario", "line", "count", "bytes"],
    ).properties(height=260), width="stretch")
    st.markdown(t("multi_backward.memory_notes"))
    code_panel(mb.held_tensors)


def page() -> None:
    """Controls in; the graph, four scenarios and the memory view out."""
    st.title(t("multi_backward.title"))
    st.markdown(t("multi_backward.intro"))
    cols = st.columns(5)
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
    device = settings().device
    try:
        result = run_all(float(x1), float(x2), float(lr), int(depth), bool(input_requires_grad), settings().seed, device)
    except DeviceError:
        st.error(t("multi_backward.device_error", device=device))
        return

    st.subheader(t("multi_backward.graph_title"))
    before, after = st.tabs([t("multi_backward.graph_before"), t("multi_backward.graph_after")])
    with before:
        graph_panel(result["graphs"][0], t("multi_backward.graph_caption"))
    with after:
        graph_panel(result["graphs"][1], t("multi_backward.graph_after_caption"))
    code_panel(mb.TwoHeads, mb.build, mb.head_losses, mb.losses)

    st.subheader(t("multi_backward.scenarios_title"))
    tabs = st.tabs([t(f"multi_backward.tab{k}") for k in range(1, 6)])
    with tabs[0]:
        retain_tab(result, device)
    with tabs[1]:
        no_retain_tab(result)
    with tabs[2]:
        step_tab(result, device)
    with tabs[3]:
        alternatives_tab(result, device)
    with tabs[4]:
        memory_tab(result)


page()
