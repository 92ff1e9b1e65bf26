"""Every chart the pages draw, as plain Vega-Lite: builders return a `Chart`, `a + b` layers two, `show` draws one.

Plain specs, not Altair: live panels redraw every refresh and Altair's schema validation costs tens of ms a
chart each time (bench/bench_classroom.py). All layers read one data frame (its `layer` column says whose row
it is), so between refreshes a live chart's spec stays the same and the browser only swaps the data.
Colours: the theme's (light or dark) for axes and text, `category10` for categories, `redblue` (diverging,
centred on 0) and `viridis` for heat maps, one accent for a reference or a chosen point. Divergence is handled
here once: rows whose plotted values are not finite (or not positive, on a log axis) are dropped, so a curve
stops where it diverged; the page says why in words.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import streamlit as st

from ui.state import presenting

CATEGORY = "category10"
ACCENT = "#C1121F"  # a reference value, a chosen point
MUTED = "#888888"  # a guide: the current x, a histogram behind a curve


@dataclass
class Chart:
    """Vega-Lite layers over one frame whose integer `layer` column is the index of the layer each row feeds."""

    layers: list[dict]
    data: pd.DataFrame
    height: int | dict = 260  # pixels, or {"step": n} pixels per row of an ordinal axis
    width: int | dict | None = None  # the same across; None fills the column
    config: dict = field(default_factory=dict)

    def __add__(self, other: "Chart") -> "Chart":
        moved = other.data.assign(layer=other.data["layer"] + len(self.layers))
        height = max(self.height, other.height) if isinstance(self.height, int) and isinstance(other.height, int) \
            else next(h for h in (self.height, other.height) if isinstance(h, dict))  # a step size wins
        return Chart(self.layers + other.layers, pd.concat([self.data, moved], ignore_index=True), height,
                     self.width or other.width, self.config | other.config)

    def spec(self) -> dict:
        """The Vega-Lite spec (without data): each layer keeps only its own rows."""
        layers = [layer | {"transform": [{"filter": f"datum.layer == {i}"}] + layer.get("transform", [])}
                  for i, layer in enumerate(self.layers)]
        for channel in ("x", "y"):  # one axis title: the first layer's that has one (a later untitled layer would blank it)
            used = [layer["encoding"][channel] for layer in layers if channel in layer.get("encoding", {})]
            title = next((c["title"] for c in used if c.get("title") is not None), None)
            if title is not None:
                for layer in layers:
                    if channel in layer.get("encoding", {}):
                        layer["encoding"] = layer["encoding"] | {channel: layer["encoding"][channel] | {"title": title}}
        config = merged(LEGIBLE, PRESENTING if presenting() else {}, self.config)
        return {"height": self.height, "layer": layers, "config": config} | ({"width": self.width} if self.width else {})


# Legends and axis titles are never cut ("exact eigenvalues, sam…"), and tick labels stay readable on a projector.
LEGIBLE = {"legend": {"labelLimit": 0, "titleLimit": 0}, "axis": {"titleLimit": 0, "labelFontSize": 12, "titleFontSize": 13}}
PRESENTING = {"axis": {"labelFontSize": 16, "titleFontSize": 18}, "legend": {"labelFontSize": 16, "titleFontSize": 16}}


def merged(*configs: dict) -> dict:
    """Vega-Lite configs merged part by part (axis, legend, …), later ones winning."""
    out: dict = {}
    for config in configs:
        for part, values in config.items():
            out[part] = out.get(part, {}) | values
    return out


def show(chart: Chart) -> None:
    """Draw a chart at its width, or across the column."""
    st.vega_lite_chart(chart.data, chart.spec(), width="content" if chart.width else "stretch")


def quantitative(name: str, title: str | None = None, log: bool = False, domain: list | None = None,
                 zero: bool = False, **encoding) -> dict:
    """A quantitative channel, on a log scale or a fixed domain if asked."""
    scale = {"type": "log"} if log else {"zero": zero}
    if domain is not None:
        scale |= {"domain": [float(v) for v in domain], "nice": False}
    return {"field": name, "type": "quantitative", "title": title, "scale": scale} | encoding


def category(name: str, title: str | None = None, sort: list | None = None, colors: list[str] | None = None,
             **encoding) -> dict:
    """A nominal channel in the category colours (or the given ones), in `sort` order."""
    scale = {"scheme": CATEGORY} if colors is None else {"domain": list(sort or []), "range": colors}
    return {"field": name, "type": "nominal", "title": title, "scale": scale} | (
        {"sort": list(sort)} if sort is not None else {}) | encoding


def layer(frame: pd.DataFrame, mark: dict | str, encoding: dict, height: int = 260, plotted: tuple = (),
          logs: tuple = ()) -> Chart:
    """One layer of any mark; rows whose `plotted` columns are not finite (or, for `logs`, not positive) are dropped."""
    keep = np.ones(len(frame), dtype=bool)
    for column in plotted:
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        keep &= np.isfinite(values) & ((values > 0) if column in logs else True)
    return Chart([{"mark": mark, "encoding": encoding}], frame[keep].assign(layer=0), height)


def line(frame: pd.DataFrame, x: str, y: str, x_title: str | None = None, y_title: str | None = None,
         color: str | None = None, sort: list | None = None, colors: list[str] | None = None, log: bool = False,
         x_log: bool = False, points: bool = False, dash: bool = False, dashed: bool = False,
         y_domain: list | None = None, detail: str | None = None, tooltip: list | None = None, height: int = 260,
         color_title: str | None = None) -> Chart:
    """y against x, one line per `color` value (told apart by dashes too with `dash`; all dashed with `dashed`), on
    log axes if asked, a dot at every value with `points` (a curve of one value stays visible), clipped to `y_domain`."""
    encoding = {"x": quantitative(x, x_title, log=x_log), "y": quantitative(y, y_title, log=log, domain=y_domain)}
    if color:
        encoding["color"] = category(color, color_title, sort=sort, colors=colors)
        if dash:
            encoding["strokeDash"] = {"field": color, "type": "nominal", "title": None, "sort": sort}
    if detail:
        encoding["detail"] = {"field": detail, "type": "nominal"}
    if tooltip:
        encoding["tooltip"] = tooltip
    mark = {"type": "line", "point": points, "clip": y_domain is not None} | ({"strokeDash": [5, 4]} if dashed else {})
    return layer(frame, mark, encoding, height, plotted=(x, y), logs=tuple(c for c, on in ((y, log), (x, x_log)) if on))


def dots(frame: pd.DataFrame, x: str, y: str, color: str | None = None, sort: list | None = None,
         fill: str | None = None, size: int = 60, y_domain: list | None = None, tooltip: list | None = None) -> Chart:
    """Filled dots: in the category colours by `color`, or all in `fill` (the theme's if neither)."""
    encoding = {"x": quantitative(x), "y": quantitative(y, domain=y_domain)}
    if color:
        encoding["color"] = category(color, sort=sort)
    if tooltip:
        encoding["tooltip"] = tooltip
    mark = {"type": "point", "filled": True, "size": size, "clip": y_domain is not None} | ({"color": fill} if fill else {})
    return layer(frame, mark, encoding, plotted=(x, y))


def rules(frame: pd.DataFrame, y: str | None = None, x: str | None = None, color: str | None = None,
          sort: list | None = None, fill: str = MUTED) -> Chart:
    """Dashed horizontal rules at each `y` (or vertical ones at each `x`), coloured by `color` or all in `fill`."""
    at = y or x
    encoding = {"y" if y else "x": quantitative(at)}
    if color:
        encoding["color"] = category(color, sort=sort)
    mark = {"type": "rule", "strokeDash": [5, 4]} | ({} if color else {"color": fill})
    return layer(frame, mark, encoding, plotted=(at,))


def band(frame: pd.DataFrame, x: str, low: str, high: str, x_title: str | None = None, y_title: str | None = None,
         height: int = 260) -> Chart:
    """A shaded band from `low` to `high` along x (± one standard error, say)."""
    encoding = {"x": quantitative(x, x_title), "y": quantitative(low, y_title), "y2": {"field": high}}
    return layer(frame, {"type": "area", "opacity": 0.25}, encoding, height, plotted=(x, low, high))


def error_bars(frame: pd.DataFrame, x: str, y: str, low: str, high: str, x_title: str | None, y_title: str | None,
               color: str | None = None, sort: list | None = None, height: int = 300) -> Chart:
    """y against x with a dot per value and a bar from `low` to `high` at each, one series per `color` value."""
    curve = line(frame, x, y, x_title, y_title, color=color, sort=sort, points=True, height=height)
    curve.layers[0]["encoding"]["x"]["axis"] = {"tickMinStep": 1}
    encoding = {"x": quantitative(x), "y": quantitative(low), "y2": {"field": high}}
    if color:
        encoding["color"] = category(color, sort=sort)
    return curve + layer(frame, "errorbar", encoding, plotted=(x, low, high))


def bars(frame: pd.DataFrame, x: str, y: str, x_title: str | None, y_title: str | None, color: str | None = None,
         sort: list | None = None, x_sort: list | None = None, grouped: bool = False, ordinal: bool = True,
         tooltip: list | None = None, legend: dict | None = None, height: int = 260) -> Chart:
    """Bars of y at each x (categories, or a quantitative x with `ordinal=False`); with `grouped`, one bar per
    `color` value side by side. `legend` places the colour legend (e.g. below, for long labels: it then counts in
    the height)."""
    x_channel = ({"field": x, "type": "ordinal", "title": x_title, "axis": {"labelAngle": 0}}
                 | ({"sort": list(x_sort)} if x_sort is not None else {})) if ordinal else quantitative(x, x_title)
    encoding = {"x": x_channel, "y": quantitative(y, y_title, zero=True)}
    if color:
        encoding["color"] = category(color, sort=sort, **({"legend": legend} if legend else {}))
        if grouped:
            encoding["xOffset"] = {"field": color, "type": "nominal", "sort": sort}
    if tooltip:
        encoding["tooltip"] = tooltip
    return layer(frame, "bar", encoding, height, plotted=(y,))


def heatmap(values: np.ndarray, axis: np.ndarray, title: str, scheme: str = "viridis", extent: float | None = None,
            domain: list[float] | None = None, height: int = 300) -> Chart:
    """A square grid of values over a plane: cell (i, j) centred at (axis[j], axis[i]), axes x₁ and x₂."""
    half = (axis[1] - axis[0]) / 2
    x1, x2 = np.meshgrid(axis, axis)
    cells = pd.DataFrame({"x1": x1.ravel() - half, "x1_end": x1.ravel() + half, "x2": x2.ravel() - half,
                          "x2_end": x2.ravel() + half, "value": np.asarray(values, dtype=float).ravel()})
    bounds = [-extent, extent] if extent else [float(axis[0] - half), float(axis[-1] + half)]
    color = {"field": "value", "type": "quantitative", "title": title, "scale": {"scheme": scheme} | (
        {"domain": [float(v) for v in domain]} if domain else {})}
    encoding = {"x": quantitative("x1", "x₁", domain=bounds), "x2": {"field": "x1_end"},
                "y": quantitative("x2", "x₂", domain=bounds), "y2": {"field": "x2_end"}, "color": color}
    chart = layer(cells, "rect", encoding, height, plotted=("value",))
    chart.config = {"axis": {"grid": False}}
    return chart


def matrix(values: np.ndarray, title: str | None, cell: int = 10, row_labels: bool = False,
           tooltip_format: str = ".3e") -> Chart:
    """A matrix as coloured cells (row i, column j), diverging red-blue centred on 0, `cell` pixels each."""
    values = np.atleast_2d(np.asarray(values, dtype=float))
    rows, columns = np.indices(values.shape)
    frame = pd.DataFrame({"row": rows.ravel(), "col": columns.ravel(), "value": values.ravel()})
    bound = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 1.0
    encoding = {"x": {"field": "col", "type": "ordinal", "axis": None},
                "y": {"field": "row", "type": "ordinal", "axis": {"labelFontSize": 11, "title": None} if row_labels else None},
                "color": {"field": "value", "type": "quantitative", "title": title,
                          "scale": {"scheme": "redblue", "domain": [-(bound or 1.0), bound or 1.0], "reverse": True}},
                "tooltip": [{"field": "row", "type": "ordinal"}, {"field": "col", "type": "ordinal"},
                            {"field": "value", "type": "quantitative", "format": tooltip_format}]}
    chart = layer(frame, "rect", encoding, plotted=("value",))
    chart.height, chart.width = {"step": cell}, {"step": cell}
    return chart


def grid_heatmap(values: np.ndarray, x_axis: np.ndarray, y_axis: np.ndarray, x_title: str, y_title: str,
                 title: str, scheme: str = "viridis", domain: list[float] | None = None, height: int = 260) -> Chart:
    """values[i, j] as a cell centred at (x_axis[j], y_axis[i]) on an even grid of any shape (e.g. u(t, x))."""
    half_x, half_y = (x_axis[1] - x_axis[0]) / 2, (y_axis[1] - y_axis[0]) / 2
    xs, ys = np.meshgrid(x_axis, y_axis)
    cells = pd.DataFrame({"x": xs.ravel() - half_x, "x_end": xs.ravel() + half_x, "y": ys.ravel() - half_y,
                          "y_end": ys.ravel() + half_y, "value": np.asarray(values, dtype=float).ravel()})
    color = {"field": "value", "type": "quantitative", "title": title, "scale": {"scheme": scheme} | (
        {"domain": [float(v) for v in domain]} if domain else {})}
    encoding = {"x": quantitative("x", x_title, domain=[x_axis[0] - half_x, x_axis[-1] + half_x]), "x2": {"field": "x_end"},
                "y": quantitative("y", y_title, domain=[y_axis[0] - half_y, y_axis[-1] + half_y]), "y2": {"field": "y_end"},
                "color": color}
    chart = layer(cells, "rect", encoding, height, plotted=("value",))
    chart.config = {"axis": {"grid": False}}
    return chart
