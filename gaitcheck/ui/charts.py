"""Interactive Vega-Lite charts of a report for the page: the measures over time and the steps.

Each chart shows one measure with its threshold as a dashed line and the flagged episodes shaded;
pointing at (or tapping) the line shows the values, and clicking a point selects that frame (the
``moment`` selection, which the page reads back). The charts are plain Vega-Lite specs (dicts) built
from the report's JSON contract, for ``st.vega_lite_chart``: no widget here, and no Altair objects,
whose validation would cost seconds on every rerun. Vega renders them in the browser from the
JavaScript Streamlit serves itself: nothing is fetched.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

from ..config import Config
from ..errors import GaitcheckError
from ..evidence.marks import flagged_spans, look_down_pitch_deg
from .words import M_TO_FT, forward_head_cm

__all__ = ["FLAG_COLOR", "MOMENT", "ChartSpec", "chart_rows", "chart_specs", "measure_chart", "steps_chart",
           "steps_rows"]

MOMENT = "moment"  # the name of the click selection the page reads
FLAG_COLOR = "#c62828"
SIDE_COLORS = {"left": "#00838f", "right": "#ef6c00"}
_HEIGHT = 210  # pixels, axes and legend included: four charts fit on two phone screens
_FONT = 13


@dataclass(frozen=True)
class ChartSpec:
    """One measure over time.

    Attributes:
        field: the column of :func:`chart_rows` plotted.
        title: the chart's heading on the page.
        y_title: the y axis title (with the unit).
        color: the line's colour.
        limit: the threshold (None: none drawn).
        limit_words: what the dashed line means, for the caption under the chart.
        flag: the frame flag whose episodes are shaded ("look_down" or "slouch").
        floor_span: the y axis spans at least this much.
    """

    field: str
    title: str
    y_title: str
    color: str
    limit: float | None
    limit_words: str
    flag: str
    floor_span: float


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) else None


def _height_cm(d: Mapping[str, Any]) -> float:
    return _num(d.get("height_cm")) or 170.0


def chart_specs(d: Mapping[str, Any]) -> list[ChartSpec]:
    """The three measure charts of a report dict, with its thresholds (head pitch, trunk lean, forward head)."""
    cfg = d.get("settings") or {}
    height = _height_cm(d)
    try:
        pitch_lim: float | None = look_down_pitch_deg(Config.from_dict(cfg), height)
    except (GaitcheckError, KeyError, TypeError, ValueError, ZeroDivisionError):
        pitch_lim = None
    near = _num((cfg.get("look_ahead") or {}).get("look_down_distance_m"))
    sl = cfg.get("slouch") or {}
    lean, fwd = _num(sl.get("trunk_lean_max_deg")), _num(sl.get("forward_head_max_rel"))
    fwd_cm = None if fwd is None else forward_head_cm(fwd, height)
    near_words = "" if near is None else f" (the gaze then lands nearer than {near:g} m, {near * M_TO_FT:.0f} ft)"
    return [
        ChartSpec("head_pitch_deg", "Head: how far it tilts down", "head down (°)", "#0277bd", pitch_lim,
                  ("" if pitch_lim is None else f"Dashed line: looking down beyond {pitch_lim:.0f}°{near_words}."),
                  "look_down", 30.0),
        ChartSpec("trunk_lean_deg", "Trunk: lean forward (+) or back (-)", "trunk lean (°)", "#e65100", lean,
                  "" if lean is None else f"Dashed line: slouching beyond {lean:g}° forward.", "slouch", 20.0),
        ChartSpec("forward_head_cm", "Head ahead of the shoulders", "head forward (cm)", "#6a1b9a", fwd_cm,
                  "" if fwd_cm is None else f"Dashed line: slouching beyond about {fwd_cm:.0f} cm "
                  f"({fwd:g} trunk lengths).", "slouch", 20.0),
    ]


def _gaze_words(row: Mapping[str, Any]) -> str:
    g = _num(row.get("gaze_distance_m"))
    if g is None:
        return "" if _num(row.get("head_pitch_deg")) is None else "horizon or above"
    return f"{g:.1f} m ({g * M_TO_FT:.0f} ft)"


def chart_rows(d: Mapping[str, Any], max_points: int = 1200) -> list[dict[str, Any]]:
    """The per-frame values the charts plot (every frame, or evenly spaced ones up to ``max_points``).

    >>> d = {"frames": [{"frame": i, "t_s": i / 10, "forward_head_rel": 0.2} for i in range(5)]}
    >>> [r["frame"] for r in chart_rows(d, max_points=3)], chart_rows(d)[0]["forward_head_cm"]
    ([0, 2, 4], 9.8)
    """
    frames: Sequence[Mapping[str, Any]] = d.get("frames") or []
    step = max(1, math.ceil(len(frames) / max_points))
    height = _height_cm(d)
    out = []
    for row in frames[::step]:
        fwd = _num(row.get("forward_head_rel"))
        flags = [w for k, w in (("look_down", "looking down"), ("slouch", "slouching")) if row.get(k)]
        out.append({"frame": int(row["frame"]), "t_s": round(float(row["t_s"]), 3),
                    "head_pitch_deg": _num(row.get("head_pitch_deg")),
                    "trunk_lean_deg": _num(row.get("trunk_lean_deg")),
                    "forward_head_rel": fwd,
                    "forward_head_cm": None if fwd is None else round(forward_head_cm(fwd, height), 1),
                    "gaze": _gaze_words(row), "flagged": ", ".join(flags) or "no"})
    return out


def _domain(values: Sequence[float], limit: float | None, floor_span: float) -> tuple[float, float]:
    """A y range holding most values, zero and the threshold (a few wild frames do not squash the rest)."""
    lo, hi = (np.percentile(values, [2, 98]) if len(values) else (0.0, 0.0))
    lo, hi = min(0.0, float(lo)), max(0.0, float(hi), limit if limit is not None else -math.inf)
    pad = 0.1 * max(hi - lo, floor_span)
    lo, hi = lo - pad, hi + pad
    if hi - lo < floor_span:
        hi = lo + floor_span
    return round(lo, 2), round(hi, 2)


Spec = dict[str, Any]


def _x(duration_s: float) -> Spec:
    return {"field": "t_s", "type": "quantitative", "title": "time in the clip (s)",
            "scale": {"domain": [0, round(duration_s, 2)], "nice": False}, "axis": {"tickMinStep": 0.5}}


def _y(field: str, title: str | None, lo: float, hi: float) -> Spec:
    return {"field": field, "type": "quantitative", "title": title,
            "scale": {"domain": [lo, hi], "clamp": True, "nice": False}}


def _duration(d: Mapping[str, Any]) -> float:
    frames = d.get("frames") or []
    return _num((d.get("video") or {}).get("duration_s")) or (float(frames[-1]["t_s"]) if frames else 1.0)


def _moment_layer(moment_t: float | None, duration: float) -> list[Spec]:
    if moment_t is None:
        return []
    return [{"data": {"values": [{"t_s": round(moment_t, 3)}]}, "mark": {"type": "rule", "color": "#263238",
             "strokeWidth": 2}, "encoding": {"x": _x(duration)}}]


def _chart(rows: Sequence[Mapping[str, Any]], layers: list[Spec], alt_text: str) -> Spec:
    return {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "description": alt_text,
            "data": {"values": [dict(r) for r in rows]}, "height": _HEIGHT, "width": "container",
            "layer": layers, "config": {"axis": {"labelFontSize": _FONT, "titleFontSize": _FONT},
                                         "legend": {"labelFontSize": _FONT, "titleFontSize": _FONT},
                                         "view": {"stroke": None}}}


def _pick_param() -> Spec:
    return {"name": MOMENT, "select": {"type": "point", "on": "click", "nearest": True, "fields": ["frame"]}}


def measure_chart(d: Mapping[str, Any], spec: ChartSpec, rows: Sequence[Mapping[str, Any]] | None = None,
                  moment_t: float | None = None) -> Spec | None:
    """The Vega-Lite chart of ``spec`` for report dict ``d`` (None when the measure was never measured).

    Args:
        d: the report dict.
        spec: from :func:`chart_specs`.
        rows: from :func:`chart_rows` (made here when None).
        moment_t: the time of the frame shown beside the chart, drawn as a solid line.
    """
    rows = chart_rows(d) if rows is None else rows
    values = [float(r[spec.field]) for r in rows if r[spec.field] is not None]
    if not values:
        return None
    duration = _duration(d)
    frames = d.get("frames") or []
    spans = flagged_spans([float(f["t_s"]) for f in frames], [bool(f.get(spec.flag)) for f in frames], duration)
    lo, hi = _domain(values, spec.limit, spec.floor_span)
    x, y = _x(duration), _y(spec.field, spec.y_title, lo, hi)
    tooltip = [{"field": "t_s", "type": "quantitative", "title": "time (s)", "format": ".2f"},
               {"field": spec.field, "type": "quantitative", "title": spec.y_title, "format": ".1f"}]
    if spec.field == "head_pitch_deg":
        tooltip.append({"field": "gaze", "type": "nominal", "title": "gaze lands"})
    if spec.field == "forward_head_cm":
        tooltip.append({"field": "forward_head_rel", "type": "quantitative", "title": "share of trunk length",
                        "format": ".2f"})
    tooltip.append({"field": "flagged", "type": "nominal", "title": "flagged"})
    layers: list[Spec] = []
    if spans:
        layers.append({"data": {"values": [{"start": round(a, 3), "end": round(b, 3)} for a, b in spans]},
                       "mark": {"type": "rect", "color": FLAG_COLOR, "opacity": 0.14},
                       "encoding": {"x": {**x, "field": "start"}, "x2": {"field": "end"}}})
    rules = [({"y": 0.0}, {"type": "rule", "color": "#9e9e9e", "strokeWidth": 1})]
    if spec.limit is not None:
        rules.append(({"y": round(spec.limit, 3)}, {"type": "rule", "color": FLAG_COLOR, "strokeDash": [6, 4],
                                                     "strokeWidth": 1.5}))
    for value, mark in rules:
        layers.append({"data": {"values": [value]}, "mark": mark, "encoding": {"y": _y("y", None, lo, hi)}})
    layers.append({"mark": {"type": "line", "color": spec.color, "strokeWidth": 2}, "encoding": {"x": x, "y": y}})
    hover = {"name": "hover", "select": {"type": "point", "on": "pointerover", "nearest": True, "fields": ["frame"],
                                         "clear": "pointerout"}}
    layers.append({"params": [hover, _pick_param()], "mark": {"type": "circle", "color": spec.color, "size": 90},
                   "encoding": {"x": x, "y": y, "tooltip": tooltip,
                                "opacity": {"condition": {"param": "hover", "empty": False, "value": 1},
                                            "value": 0}}})
    layers += _moment_layer(moment_t, duration)
    return _chart(rows, layers, f"{spec.title} over time")


def steps_rows(d: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each foot landing after another within ``gait.max_step_s``: when, which foot, the step's time.

    >>> g = {"events": [{"frame": f, "t_s": f / 10, "foot": s, "type": "initial_contact"}
    ...                 for f, s in ((0, "left"), (6, "right"), (11, "left"), (40, "right"))]}
    >>> [(r["foot"], r["step_s"]) for r in steps_rows({"gait": g})]
    [('right', 0.6), ('left', 0.5)]
    """
    g = d.get("gait") or {}
    limit = _num(((d.get("settings") or {}).get("gait") or {}).get("max_step_s")) or 1.5
    contacts = sorted((e for e in g.get("events") or [] if e.get("type") == "initial_contact"),
                      key=lambda e: e["t_s"])
    out = []
    for a, b in pairwise(contacts):
        dt = float(b["t_s"]) - float(a["t_s"])
        if 0 < dt <= limit:
            out.append({"frame": int(b["frame"]), "t_s": round(float(b["t_s"]), 3), "foot": b["foot"],
                        "step_s": round(dt, 3)})
    return out


def steps_chart(d: Mapping[str, Any], moment_t: float | None = None) -> Spec | None:
    """Step timing per side: each step's time at its landing, coloured by the foot that lands, with each
    side's median step time (the report's ``step_time_s``) as a dashed line; None without steps.
    """
    rows = steps_rows(d)
    if not rows:
        return None
    duration = _duration(d)
    medians = (d.get("gait") or {}).get("step_time_s") or {}
    color = {"field": "foot", "type": "nominal", "title": "foot landing",
             "scale": {"domain": list(SIDE_COLORS), "range": list(SIDE_COLORS.values())},
             "legend": {"orient": "top", "direction": "horizontal", "title": None}}
    steps = [r["step_s"] for r in rows]
    lo, hi = round(max(0.0, min(steps) - 0.15), 2), round(max(steps) + 0.15, 2)
    layers: list[Spec] = []
    lines = [{"foot": k, "median_s": round(float(v), 3)} for k, v in medians.items() if _num(v) is not None]
    if lines:
        layers.append({"data": {"values": lines}, "mark": {"type": "rule", "strokeDash": [6, 4], "strokeWidth": 1.5},
                       "encoding": {"y": _y("median_s", None, lo, hi), "color": color}})
    tooltip = [{"field": "t_s", "type": "quantitative", "title": "time (s)", "format": ".2f"},
               {"field": "foot", "type": "nominal", "title": "foot landing"},
               {"field": "step_s", "type": "quantitative", "title": "step time (s)", "format": ".2f"}]
    layers.append({"params": [_pick_param()], "mark": {"type": "point", "filled": True, "size": 110},
                   "encoding": {"x": _x(duration), "y": _y("step_s", "step time (s)", lo, hi), "color": color,
                                "shape": {"field": "foot", "type": "nominal", "legend": None}, "tooltip": tooltip}})
    layers += _moment_layer(moment_t, duration)
    return _chart(rows, layers, "Step times by the foot that lands")
