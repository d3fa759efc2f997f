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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError

__all__ = ["Change", "Comparison", "compare_reports", "format_comparison", "load_report"]

LOOK_AHEAD_TARGET_M = 6.0  # the 20 ft look-ahead point; farther than this is as good as this

Report = Mapping[str, Any]


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


def _path(*keys: str) -> Callable[[Report], Any]:
    def get(d: Report) -> Any:
        cur: Any = d
        for k in keys:
            if not isinstance(cur, Mapping):
                return None
            cur = cur.get(k)
        return cur
    return get


def _gaze(d: Report) -> Any:
    la = _path("checks", "look_ahead")(d) or {}
    g = la.get("median_gaze_distance_m")
    if g is None and isinstance(la.get("median_head_pitch_deg"), int | float):
        return math.inf  # the head points at or above the horizon
    return g


_LA, _SL = ("checks", "look_ahead"), ("checks", "slouch")
MEASURES: tuple[_Measure, ...] = (
    _Measure("Head pitch (median, + = down)", _path(*_LA, "median_head_pitch_deg"), "°", 0, abs, 2.0),
    _Measure("Gaze point on the floor (median)", _gaze, " m", 1, lambda v: -min(v, LOOK_AHEAD_TARGET_M), 0.3),
    _Measure("Time looking down", _path(*_LA, "flagged_fraction"), "%", 0, float, 0.05),
    _Measure("Trunk lean (median, + = forward)", _path(*_SL, "median_trunk_lean_deg"), "°", 0, abs, 2.0),
    _Measure("Forward head (x trunk length)", _path(*_SL, "median_forward_head_rel"), "", 2, abs, 0.02),
    _Measure("Time slouching", _path(*_SL, "flagged_fraction"), "%", 0, float, 0.05),
    _Measure("Cadence (steps/min)", _path("gait", "cadence_spm"), "", 0, None, 3.0),
    _Measure("Step time, left", _path("gait", "step_time_s", "left"), " s", 2, None, 0.02),
    _Measure("Step time, right", _path("gait", "step_time_s", "right"), " s", 2, None, 0.02),
    _Measure("Step-time asymmetry (%)", _path("gait", "step_time_asymmetry_pct"), "", 1, float, 2.0),
    _Measure("Stride length", _path("gait", "stride_length_m"), " m", 2, None, 0.05),
    _Measure("Stride length (x leg length)", _path("gait", "stride_length_rel_leg"), "", 2, None, 0.05),
    _Measure("Walking speed", _path("gait", "speed_m_s"), " m/s", 2, None, 0.05),
    _Measure("Overstride (median, x leg length)", _path("gait", "overstride", "median_rel"), "", 2, float, 0.02),
)

VERDICTS: tuple[tuple[str, Callable[[Report], Any]], ...] = (
    ("Look ahead", _path("checks", "look_ahead", "status")),
    ("Slouch", _path("checks", "slouch", "status")),
    ("Gait", _path("gait", "status")),
    ("Overstride", _path("gait", "overstride", "status")),
    ("Foot strike", _path("gait", "foot_strike")),
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


def _verdict_text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, Mapping):
        v = v.get("pattern", v.get("status", v.get("type")))
    return None if v is None else str(v)


def _verdict_change(label: str, get: Callable[[Report], Any], old: Report, new: Report) -> Change | None:
    a, b = _verdict_text(get(old)), _verdict_text(get(new))
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


def _name(d: Report) -> str:
    path = _path("video", "path")(d)
    return Path(str(path)).name if path else "(unnamed clip)"


def compare_reports(old: Report, new: Report) -> Comparison:
    """Compare two report dicts (``Report.to_dict()`` or a loaded JSON report): old session, then new.

    >>> a = {"video": {"path": "a.mp4"}, "checks": {"look_ahead": {"status": "flag", "flagged_fraction": 0.8},
    ...      "slouch": {"status": "pass", "flagged_fraction": 0.0}}}
    >>> b = {"video": {"path": "b.mp4"}, "checks": {"look_ahead": {"status": "pass", "flagged_fraction": 0.1},
    ...      "slouch": {"status": "pass", "flagged_fraction": 0.02}}}
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


def load_report(path: str | os.PathLike[str]) -> dict[str, Any]:
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
    if data["schema_version"] != 1:
        raise InputError(f"{p.name} has report schema_version {data['schema_version']!r}; this gaitcheck reads 1")
    checks = data.get("checks")
    ok = isinstance(checks, dict) and all(isinstance(checks.get(k), dict) and "status" in checks[k]
                                          for k in ("look_ahead", "slouch"))
    if not ok or not isinstance(data.get("video"), dict):
        raise InputError(f"{p.name} is not a complete gaitcheck report (its checks or video are missing)")
    return data
