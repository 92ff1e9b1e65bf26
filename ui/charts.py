"""Charts for the live panels, as plain Vega-Lite specs: they redraw every refresh, and building them with
Altair costs its schema validation each time (measured in bench/bench_classroom.py --redraw)."""
from __future__ import annotations

import pandas as pd
import streamlit as st


def line(frame: pd.DataFrame, x: str, y: str, x_title: str, y_title: str | None, color: str | None = None,
         log: bool = False, height: int = 260, rules: pd.DataFrame | None = None, points: bool = False) -> None:
    """A line chart of y against x, optionally one line per `color` value, on a log y axis, with a dot at
    every value (a curve of a few evaluations, or of one, stays visible), with horizontal dashed rules (a
    frame of `y` and `what`)."""
    encoding = {"x": {"field": x, "type": "quantitative", "title": x_title},
                "y": {"field": y, "type": "quantitative", "title": y_title,
                      "scale": {"type": "log"} if log else {"zero": False}}}
    if color:
        encoding["color"] = {"field": color, "type": "nominal", "title": None}
    layers = [{"mark": {"type": "line", "point": points}, "encoding": encoding}]
    data = frame.assign(layer="line")
    if rules is not None and len(rules):
        layers.append({"mark": {"type": "rule", "strokeDash": [5, 4]}, "transform": [{"filter": "datum.layer == 'rule'"}],
                       "encoding": {"y": {"field": "rule_y", "type": "quantitative"},
                                    "color": {"field": "what", "type": "nominal", "title": None}}})
        layers[0]["transform"] = [{"filter": "datum.layer == 'line'"}]
        data = pd.concat([data, rules.rename(columns={"y": "rule_y"}).assign(layer="rule")], ignore_index=True)
    st.vega_lite_chart(data, {"height": height, "layer": layers}, width="stretch")


def heatmap(values, axis, title: str, scheme: str, points: pd.DataFrame, extent: float,
            domain: list[float] | None = None, height: int = 300) -> None:
    """A square grid of values over the input plane (cell (i, j) at (axis[j], axis[i])), with labelled data
    points (columns x1, x2, label) on top."""
    import numpy as np

    half = (axis[1] - axis[0]) / 2
    x1, x2 = np.meshgrid(axis, axis)
    cells = pd.DataFrame({"x1": x1.ravel() - half, "x1_end": x1.ravel() + half, "x2": x2.ravel() - half,
                          "x2_end": x2.ravel() + half, "value": values.ravel(), "layer": "cell"})
    scale = {"domain": [-extent, extent], "nice": False}
    color = {"field": "value", "type": "quantitative", "title": title, "scale": {"scheme": scheme} | (
        {"domain": domain} if domain else {})}
    spec = {"height": height, "config": {"axis": {"grid": False}}, "layer": [
        {"mark": "rect", "transform": [{"filter": "datum.layer == 'cell'"}], "encoding": {
            "x": {"field": "x1", "type": "quantitative", "title": "x₁", "scale": scale}, "x2": {"field": "x1_end"},
            "y": {"field": "x2", "type": "quantitative", "title": "x₂", "scale": scale}, "y2": {"field": "x2_end"},
            "color": color}},
        {"mark": {"type": "point", "filled": True, "size": 30, "stroke": "black", "strokeWidth": 0.5},
         "transform": [{"filter": "datum.layer == 'point'"}], "encoding": {
             "x": {"field": "x1", "type": "quantitative"}, "y": {"field": "x2", "type": "quantitative"},
             "fill": {"field": "label", "type": "nominal", "scale": {"range": ["#1f77b4", "#ff7f0e"]}, "legend": None},
             "shape": {"field": "label", "type": "nominal", "legend": None}}}]}
    st.vega_lite_chart(pd.concat([cells, points.assign(layer="point")], ignore_index=True), spec, width="stretch")
