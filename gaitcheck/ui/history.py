"""The therapist view's pieces that are not widgets: a patient's sessions as a table, their trends as
interactive Vega-Lite charts with the thresholds, a stored session's PDF, and an upload link's QR code.

The charts are the trend panels of :mod:`gaitcheck.records.plot` (the same measures, thresholds and
colours as ``gaitcheck history --plot``), drawn by the browser so that they zoom and show values on
hover or tap at phone width.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from ..records.sessions import History, Session
from .charts import _FONT
from .words import NOT_MEASURED

__all__ = ["qr_png", "session_label", "session_pdf", "session_rows", "trend_charts"]

_STATUS_COLORS = {"pass": "#2e7d32", "flag": "#c62828", "unknown": "#9e9e9e"}
_STATUS_WORDS = {"pass": "passed", "flag": "needs attention", "unknown": "not judged"}
_HEIGHT = 190

Spec = dict[str, Any]


def session_label(s: Session, position: int | None = None) -> str:
    """How a session is named in lists: its date, its number and its clip.

    >>> from datetime import UTC
    >>> from gaitcheck.records.sessions import KeyNumbers
    >>> s = Session(id=7, patient="P-1", recorded_at=datetime(2026, 3, 14, 9, 30, tzinfo=UTC),
    ...             recorded_at_source="clip", analysed_at=datetime(2026, 3, 14, tzinfo=UTC), clip_name="walk.mp4",
    ...             clip_sha256=None, note=None, numbers=KeyNumbers(look_ahead="pass", slouch="flag", gait="unknown"),
    ...             thresholds={})
    >>> session_label(s, 2)
    'Visit 2, 14 Mar 2026 (walk.mp4)'
    """
    head = f"Visit {position}, " if position is not None else ""
    clip = f" ({s.clip_name})" if s.clip_name else ""
    return f"{head}{s.recorded_at:%d %b %Y}{clip}"


def _fmt(v: float | None, nd: int, unit: str = "") -> str:
    return NOT_MEASURED if v is None else f"{v:.{nd}f}{unit}"


def session_rows(history: History) -> list[dict[str, str]]:
    """One row per session (oldest first) with its verdicts and key numbers, for a table."""
    rows = []
    for i, s in enumerate(history.sessions, start=1):
        n = s.numbers
        rows.append({"visit": str(i), "recorded": f"{s.recorded_at:%Y-%m-%d}",
                     "look ahead": _STATUS_WORDS.get(n.look_ahead, n.look_ahead),
                     "slouch": _STATUS_WORDS.get(n.slouch, n.slouch), "steps": _STATUS_WORDS.get(n.gait, n.gait),
                     "gaze (m)": _fmt(n.median_gaze_distance_m, 1), "head pitch": _fmt(n.median_head_pitch_deg, 0, "°"),
                     "trunk lean": _fmt(n.median_trunk_lean_deg, 0, "°"),
                     "head forward": _fmt(n.median_forward_head_rel, 2),
                     "cadence": _fmt(n.cadence_spm, 0, "/min"), "note": s.note or ""})
    return rows


def _panel_rows(history: History, panel: Any) -> list[dict[str, Any]]:
    rows = []
    for i, s in enumerate(history.sessions, start=1):
        value = getattr(s.numbers, panel.key)
        status = getattr(s.numbers, panel.check) if panel.check else None
        limit = panel.limit(s) if panel.limit is not None else None
        rows.append({"visit": i, "date": f"{s.recorded_at:%Y-%m-%d}", "value": value, "limit": limit,
                     "target": panel.target, "verdict": _STATUS_WORDS.get(status or "", "—"),
                     "status": status or "none", "note": s.note or ""})
    return rows


def _trend_chart(history: History, panel: Any) -> Spec | None:
    rows = _panel_rows(history, panel)
    if all(r["value"] is None for r in rows):
        return None
    x = {"field": "visit", "type": "ordinal", "title": "visit", "axis": {"labelAngle": 0}}
    tooltip = [{"field": "visit", "type": "ordinal", "title": "visit"},
               {"field": "date", "type": "nominal", "title": "recorded"},
               {"field": "value", "type": "quantitative", "title": panel.title, "format": ".2f"},
               {"field": "verdict", "type": "nominal", "title": "verdict"},
               {"field": "note", "type": "nominal", "title": "note"}]
    y = {"field": "value", "type": "quantitative", "title": None, "scale": {"zero": False}}
    layers: list[Spec] = [
        {"mark": {"type": "line", "color": "#455a64", "strokeWidth": 1.5},
         "transform": [{"filter": "isValid(datum.value)"}], "encoding": {"x": x, "y": y}},
    ]
    if any(r["limit"] is not None for r in rows):
        layers.append({"mark": {"type": "line", "color": "#c62828", "strokeDash": [6, 4], "strokeWidth": 2,
                                "interpolate": "step-after"},
                       "transform": [{"filter": "isValid(datum.limit)"}],
                       "encoding": {"x": x, "y": {"field": "limit", "type": "quantitative"},
                                    "tooltip": [{"field": "limit", "type": "quantitative", "title": "threshold",
                                                 "format": ".2f"}]}})
    if panel.target is not None:
        layers.append({"mark": {"type": "rule", "color": "#2e7d32", "strokeDash": [2, 3]},
                       "encoding": {"y": {"datum": panel.target}}})
    colors = {"domain": [*_STATUS_COLORS, "none"], "range": [*_STATUS_COLORS.values(), "#1565c0"]}
    layers.append({"mark": {"type": "point", "filled": True, "size": 110},
                   "transform": [{"filter": "isValid(datum.value)"}],
                   "encoding": {"x": x, "y": y, "tooltip": tooltip,
                                "color": {"field": "status", "type": "nominal", "scale": colors, "legend": None}}})
    return {"$schema": "https://vega.github.io/schema/vega-lite/v6.json",
            "description": f"{panel.title} at each visit, with the threshold",
            "data": {"values": rows}, "height": _HEIGHT, "width": "container", "layer": layers,
            "config": {"axis": {"labelFontSize": _FONT, "titleFontSize": _FONT}, "view": {"stroke": None}}}


def trend_charts(history: History) -> list[tuple[str, str, Spec]]:
    """The trend charts of a patient's history: (title, what the lines mean, Vega-Lite spec), leaving out
    measures never taken.
    """
    from ..records.plot import PANELS

    out = []
    for panel in PANELS:
        spec = _trend_chart(history, panel)
        if spec is None:
            continue
        words = "Dashed red: the threshold the visit was judged with."
        if panel.target is not None:
            words += f" Dotted green: the {panel.target:g} m look-ahead point."
        if panel.check:
            words += " Points: green passed, red needs attention, grey not judged."
        out.append((panel.title, words, spec))
    return out


def session_pdf(report: Mapping[str, Any], previous: Mapping[str, Any] | None, generated: datetime) -> bytes:
    """A stored session's PDF report (compared with the visit before, when there is one), made in a
    private temporary folder that is deleted after.
    """
    from ..evidence.pdf.report import write_pdf_report
    from ..report import Report

    old = None if previous is None else Report.from_dict(dict(previous))
    with tempfile.TemporaryDirectory(prefix="gaitcheck-") as folder:
        out = Path(folder) / "report.pdf"
        write_pdf_report(Report.from_dict(dict(report)), out, compare_to=old, generated=generated)
        return out.read_bytes()


def qr_png(url: str, scale: int = 6) -> bytes:
    """A QR code of ``url`` as a PNG picture, for the patient to scan with their phone's camera."""
    import segno

    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=scale, border=3)
    return buf.getvalue()
