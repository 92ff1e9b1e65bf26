"""Charts for the live panels, as plain Vega-Lite specs: they redraw every refresh, and building them with
Altair costs its schema validation each time (measured in bench/bench_classroom.py --redraw)."""
from __future__ import annotations

import pandas as pd
import streamlit as st


def line(frame: pd.DataFrame, x: str, y: str, x_title: str, y_title: str | None, color: str | None = None,
         log: bool = False, height: int = 260, rules: pd.DataFrame | None = None) -> None:
    """A line chart of y against x, optionally one line per `color` value, on a log y axis, with
    horizontal dashed rules (a frame of `y` and `what`)."""
    encoding = {"x": {"field": x, "type": "quantitative", "title": x_title},
                "y": {"field": y, "type": "quantitative", "title": y_title,
                      "scale": {"type": "log"} if log else {"zero": False}}}
    if color:
        encoding["color"] = {"field": color, "type": "nominal", "title": None}
    layers = [{"mark": {"type": "line"}, "encoding": encoding}]
    data = frame.assign(layer="line")
    if rules is not None and len(rules):
        layers.append({"mark": {"type": "rule", "strokeDash": [5, 4]}, "transform": [{"filter": "datum.layer == 'rule'"}],
                       "encoding": {"y": {"field": "rule_y", "type": "quantitative"},
                                    "color": {"field": "what", "type": "nominal", "title": None}}})
        layers[0]["transform"] = [{"filter": "datum.layer == 'line'"}]
        data = pd.concat([data, rules.rename(columns={"y": "rule_y"}).assign(layer="rule")], ignore_index=True)
    st.vega_lite_chart(data, {"height": height, "layer": layers}, width="stretch")
