"""Compare two sessions: what changed between two gaitcheck reports (pure, on the JSON contract).

Each measure is judged *better*, *worse* or *same* (within a small tolerance) by a stated rule:
head pitch and trunk lean are better nearer 0° (level head, upright trunk), forward head nearer
0 (ear over the shoulder), the gaze point better farther ahead up to the 6 m look-ahead target,
flagged time and step-time asymmetry better lower. Gait numbers with no better direction
(cadence, step time, stride length) are only said to go up or down ("changed"). A verdict that
goes from flag to pass is better, pass to flag worse; anything involving unknown cannot be judged.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError
from .gait import GaitResult
from .report import Report

__all__ = ["Change", "Comparison", "compare_reports", "format_comparison", "load_report"]

LOOK_AHEAD_TARGET_M = 6.0  # the 20 ft look-ahead point; farther than this is as good as this



@dataclass(frozen=True)
class Change:
    """One line of a comparison.

    Attributes:
        label: what is compared, in words.
        old, new: the two values as shown ("-" when unknown).
        delta: the change as shown (new - old; "" when it cannot be computed).
        direction: "better", "worse", "same", "changed" (no better direction) or "n/a" (unknown).
    """

    label: str
    old: str
    new: str
    delta: str
    direction: str


@dataclass(frozen=True)
class Comparison:
    """Two sessions compared: clip names, verdict changes and measure changes."""

    old_name: str
    new_name: str
    verdicts: tuple[Change, ...]
    measures: tuple[Change, ...]

    def count(self, direction: str) -> int:
        """How many verdicts and measures went that way."""
        return sum(c.direction == direction for c in (*self.verdicts, *self.measures))


@dataclass(frozen=True)
class _Measure:
    label: str
    get: Callable[[Report], Any]
    unit: str  # shown after the value ("%" values are fractions shown x 100)
    nd: int  # decimals shown
    score: Callable[[float], float] | None  # lower score = better; None = no better direction
    tol: float  # changes of the score (or of the value) within this are "same"

    def show(self, v: float) -> str:
        if math.isinf(v):
            return "horizon"
        return f"{self._shown(v):.{self.nd}f}{self.unit}"

    def delta(self, a: float, b: float) -> str:
        if math.isinf(a) or math.isinf(b):
            return ""
        unit = " pts" if self.unit == "%" else self.unit
        return f"{self._shown(b) - self._shown(a):+.{self.nd}f}{unit}"

    def _shown(self, v: float) -> float:
        return round(v * (100 if self.unit == "%" else 1), self.nd)


def _median(check: str, key: str) -> Callable[[Report], float | None]:
    return lambda r: r.shown_medians(check).get(key)


def _flagged(check: str) -> Callable[[Report], float | None]:
    return lambda r: r.checks[check].flagged_fraction


def _gait(get: Callable[[GaitResult], Any]) -> Callable[[Report], Any]:
    return lambda r: None if r.gait is None else get(r.gait)


def _gaze(r: Report) -> float | None:
    m = r.shown_medians("look_ahead")
    g = m.get("median_gaze_distance_m")
    if (g is None or not math.isfinite(g)) and m.get("median_head_pitch_deg") is not None:
        return math.inf  # the head points at or above the horizon
    return g


MEASURES: tuple[_Measure, ...] = (
    _Measure("Head pitch (median, + = down)", _median("look_ahead", "median_head_pitch_deg"), "°", 0, abs, 2.0),
    _Measure("Gaze point on the floor (median)", _gaze, " m", 1, lambda v: -min(v, LOOK_AHEAD_TARGET_M), 0.3),
    _Measure("Time looking down", _flagged("look_ahead"), "%", 0, float, 0.05),
    _Measure("Trunk lean (median, + = forward)", _median("slouch", "median_trunk_lean_deg"), "°", 0, abs, 2.0),
    _Measure("Forward head (x trunk length)", _median("slouch", "median_forward_head_rel"), "", 2, abs, 0.02),
    _Measure("Time slouching", _flagged("slouch"), "%", 0, float, 0.05),
    _Measure("Cadence (steps/min)", _gait(lambda g: g.cadence_spm), "", 0, None, 3.0),
    _Measure("Step time, left", _gait(lambda g: g.step_time_s.get("left")), " s", 2, None, 0.02),
    _Measure("Step time, right", _gait(lambda g: g.step_time_s.get("right")), " s", 2, None, 0.02),
    _Measure("Step-time asymmetry (%)", _gait(lambda g: g.step_time_asymmetry_pct), "", 1, float, 2.0),
    _Measure("Stride length", _gait(lambda g: g.stride_length_m), " m", 2, None, 0.05),
    _Measure("Stride length (x leg length)", _gait(lambda g: g.stride_length_rel_leg), "", 2, None, 0.05),
    _Measure("Walking speed", _gait(lambda g: g.speed_m_s), " m/s", 2, None, 0.05),
    _Measure("Overstride (median, x leg length)", _gait(lambda g: g.overstride.median_rel), "", 2, float, 0.02),
)

VERDICTS: tuple[tuple[str, Callable[[Report], str | None]], ...] = (
    ("Look ahead", lambda r: r.look_ahead.status),
    ("Slouch", lambda r: r.slouch.status),
    ("Gait", _gait(lambda g: g.status)),
    ("Overstride", _gait(lambda g: g.overstride.status)),
    ("Foot strike", _gait(lambda g: g.foot_strike.pattern)),
)
_RANK = {"pass": 0, "flag": 1}


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float) or math.isnan(v):
        return None
    return float(v)


def _measure_change(m: _Measure, old: Report, new: Report) -> Change | None:
    a, b = _number(m.get(old)), _number(m.get(new))
    if a is None and b is None:
        return None
    show = [("-" if v is None else m.show(v)) for v in (a, b)]
    if a is None or b is None:
        return Change(m.label, show[0], show[1], "", "n/a")
    delta = m.delta(a, b)
    if m.score is None:
        d = b - a
        direction = "same" if abs(d) <= m.tol else "changed"
        if direction == "changed":
            delta += " (higher)" if d > 0 else " (lower)"
    else:
        d = m.score(b) - m.score(a)
        direction = "same" if abs(d) <= m.tol or math.isnan(d) else "better" if d < 0 else "worse"
    return Change(m.label, show[0], show[1], delta, direction)


def _verdict_change(label: str, get: Callable[[Report], str | None], old: Report, new: Report) -> Change | None:
    a, b = get(old), get(new)
    if a is None and b is None:
        return None
    shown = [v if v is not None else "-" for v in (a, b)]
    if a == b:
        return Change(label, shown[0], shown[1], "", "same")
    if a in _RANK and b in _RANK:
        direction = "better" if _RANK[b] < _RANK[a] else "worse"
        return Change(label, shown[0], shown[1], f"{shown[0]} -> {shown[1]}", direction)
    direction = "changed" if label == "Foot strike" and a is not None and b is not None else "n/a"
    return Change(label, shown[0], shown[1], f"{shown[0]} -> {shown[1]}", direction)


def _name(r: Report) -> str:
    return Path(r.video.path).name if r.video.path else "(unnamed clip)"


def compare_reports(old: Report, new: Report) -> Comparison:
    """Compare two reports (from :func:`gaitcheck.analyze` or :func:`load_report`): old session, then new.

    >>> def report(name, la, sl):
    ...     checks = {"look_ahead": {"status": la[0], "flagged_fraction": la[1]},
    ...               "slouch": {"status": sl[0], "flagged_fraction": sl[1]}}
    ...     return Report.from_dict({"schema_version": 1, "video": {"path": name}, "checks": checks})
    >>> a, b = report("a.mp4", ("flag", 0.8), ("pass", 0.0)), report("b.mp4", ("pass", 0.1), ("pass", 0.02))
    >>> c = compare_reports(a, b)
    >>> [(x.label, x.direction) for x in c.verdicts]
    [('Look ahead', 'better'), ('Slouch', 'same')]
    >>> [(x.label, x.old, x.new, x.direction) for x in c.measures]
    [('Time looking down', '80%', '10%', 'better'), ('Time slouching', '0%', '2%', 'same')]
    """
    verdicts = [_verdict_change(label, get, old, new) for label, get in VERDICTS]
    measures = [_measure_change(m, old, new) for m in MEASURES]
    return Comparison(_name(old), _name(new), tuple(v for v in verdicts if v is not None),
                      tuple(m for m in measures if m is not None))


def format_comparison(c: Comparison) -> str:
    """The comparison as plain text (what ``gaitcheck compare`` prints)."""
    rows = [*c.verdicts, *c.measures]
    w = max([len(r.label) for r in rows] + [8])
    wo = max([len(r.old) for r in rows] + [3])
    wn = max([len(r.new) for r in rows] + [3])
    wd = max([len(r.delta) for r in c.measures] + [6])
    lines = [f"Old: {c.old_name}", f"New: {c.new_name}", "", f"{'Verdicts':<{w}}  {'old':<{wo}}  {'new':<{wn}}"]
    lines += [f"{r.label:<{w}}  {r.old:<{wo}}  {r.new:<{wn}}  {r.direction}" for r in c.verdicts]
    lines += ["", f"{'Measures':<{w}}  {'old':<{wo}}  {'new':<{wn}}  {'change':<{wd}}"]
    lines += [f"{r.label:<{w}}  {r.old:<{wo}}  {r.new:<{wn}}  {r.delta:<{wd}}  {r.direction}" for r in c.measures]
    lines += ["", f"{c.count('better')} better, {c.count('worse')} worse, {c.count('same')} about the same "
              "(within 2°, 0.3 m, 5 points of flagged time or 0.02 trunk lengths)."]
    return "\n".join(line.rstrip() for line in lines)


def load_report(path: str | os.PathLike[str]) -> Report:
    """Read a gaitcheck JSON report (``gaitcheck analyze --json``) and check that it is one.

    Raises:
        InputError: the file cannot be read, is not JSON, or is not a gaitcheck report.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"report file not found: {p}") from None
    except IsADirectoryError:
        raise InputError(f"{p} is a folder, not a report file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read report {p}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{p.name} is not a JSON file (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(data, dict) or "schema_version" not in data:
        raise InputError(f"{p.name} is not a gaitcheck report (no schema_version); make one with "
                         "gaitcheck analyze VIDEO --json REPORT.json")
    try:
        return Report.from_dict(data)
    except InputError as exc:
        raise InputError(f"{p.name}: {exc}") from None
