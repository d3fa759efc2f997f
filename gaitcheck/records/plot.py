"""Trend charts of a patient's history: each key number over the visits, with its threshold.

One panel per measure; one point per session. A posture measure's point is coloured by that
session's verdict of the check it belongs to (green = passed, red = flagged, grey = unknown); gait
measures are blue (the gait verdict weighs several of them, and asymmetry is judged only with
enough steps). A measure that could not be taken is marked "?" on the axis. The threshold each
session was judged with is drawn as a dashed line, the side of it that counts against the walker
shaded.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .._io import atomic_path
from ..compare import LOOK_AHEAD_TARGET_M
from ..errors import GaitcheckError, InputError
from .sessions import History, Session

__all__ = ["PANELS", "Panel", "trend_figure", "write_trend_plot"]

_COLORS = {"pass": "#2e7d32", "flag": "#c62828", "unknown": "#9e9e9e"}
_NEUTRAL = "#1565c0"
_LINE = "#455a64"
_BAND = "#ffcdd2"


def _setting(*keys: str) -> Callable[[Session], float | None]:
    def get(s: Session) -> float | None:
        cur: Any = s.thresholds
        for k in keys:
            cur = cur.get(k) if isinstance(cur, Mapping) else None
        return float(cur) if isinstance(cur, int | float) and not isinstance(cur, bool) else None
    return get


def _pitch_limit(s: Session) -> float | None:
    from ..config import Config
    from ..evidence.marks import look_down_pitch_deg

    try:
        return look_down_pitch_deg(Config.from_dict(dict(s.thresholds)), float(s.thresholds["height_cm"]))
    except (GaitcheckError, KeyError, TypeError, ValueError, ZeroDivisionError):
        return None


@dataclass(frozen=True)
class Panel:
    """One trend chart: a key number, the check that colours its points, its limit and which side is bad."""

    key: str  # a KeyNumbers field
    title: str
    check: str | None  # "look_ahead" or "slouch" (colours the points by that verdict); None = blue
    limit: Callable[[Session], float | None] | None
    bad_below: bool = False  # values under the limit count against the walker (the gaze point)
    target: float | None = None  # a goal line (the 6 m look-ahead point)


PANELS: tuple[Panel, ...] = (
    Panel("median_gaze_distance_m", "Gaze point on the floor (m, median)", "look_ahead",
          _setting("look_ahead", "look_down_distance_m"), bad_below=True, target=LOOK_AHEAD_TARGET_M),
    Panel("median_head_pitch_deg", "Head pitch (°, median, + = down)", "look_ahead", _pitch_limit),
    Panel("median_trunk_lean_deg", "Trunk lean (°, median, + = forward)", "slouch",
          _setting("slouch", "trunk_lean_max_deg")),
    Panel("median_forward_head_rel", "Forward head (x trunk length, median)", "slouch",
          _setting("slouch", "forward_head_max_rel")),
    Panel("cadence_spm", "Cadence (steps/min)", None, None),
    Panel("step_time_asymmetry_pct", "Step-time asymmetry (%)", None, _setting("gait", "asymmetry_max_pct")),
)


def _draw(ax: Axes, panel: Panel, sessions: Sequence[Session]) -> None:
    xs = list(range(1, len(sessions) + 1))
    values = [getattr(s.numbers, panel.key) for s in sessions]
    known = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
    limits = [panel.limit(s) if panel.limit else None for s in sessions]
    finite = [v for _, v in known] + [v for v in limits if v is not None]
    if panel.target is not None:
        finite.append(panel.target)
    lo, hi = (min(finite), max(finite)) if finite else (0.0, 1.0)
    pad = max((hi - lo) * 0.15, abs(hi) * 0.05, 0.5 if panel.key.endswith(("_deg", "_pct", "_spm", "_m")) else 0.05)
    lo, hi = lo - pad, hi + pad
    if any(v is not None for v in limits):
        lx = [x + d for x in xs for d in (-0.5, 0.5)]
        ly = [math.nan if v is None else v for v in limits for _ in (0, 1)]
        ax.plot(lx, ly, ls="--", color=_LINE, lw=1, label="threshold")
        edge = [lo if panel.bad_below else hi] * len(lx)
        ax.fill_between(lx, ly, edge, color=_BAND, alpha=0.6, lw=0)
    if panel.target is not None:
        ax.axhline(panel.target, color=_COLORS["pass"], lw=0.8, ls=":", label=f"{panel.target:g} m target")
    if len(known) > 1:
        ax.plot([x for x, _ in known], [v for _, v in known], color=_LINE, lw=1, zorder=2)
    for x, v, s in zip(xs, values, sessions, strict=True):
        if v is None:
            ax.annotate("?", (x, lo), xytext=(0, 4), textcoords="offset points", ha="center", color=_COLORS["unknown"])
        else:
            color = _COLORS.get(getattr(s.numbers, panel.check), _COLORS["unknown"]) if panel.check else _NEUTRAL
            ax.scatter([x], [v], s=36, color=color, zorder=3, edgecolors="white", linewidths=0.8)
    ax.set_ylim(lo, hi)
    ax.set_xlim(0.5, len(sessions) + 0.5)
    ax.set_title(panel.title, fontsize=9, loc="left")
    ax.grid(axis="y", color="#eeeeee", lw=0.8)
    ax.tick_params(labelsize=8)
    ax.set_xticks(xs, [f"{s.recorded_at:%Y-%m-%d}\n#{s.id}" for s in sessions])
    if any(v is not None for v in limits) or panel.target is not None:
        ax.legend(fontsize=7, loc="best", frameon=False)


def trend_figure(history: History, panels: Sequence[Panel] = PANELS) -> Figure:
    """A matplotlib Figure of the trends (no pyplot; the page can show it with ``st.pyplot``).

    Raises:
        InputError: the patient has no sessions.
    """
    sessions = history.sessions
    if not sessions:
        raise InputError(f"patient {history.patient} has no sessions to plot")
    cols = 2
    rows = math.ceil(len(panels) / cols)
    width = max(9.0, min(16.0, 4.0 + 0.55 * len(sessions) * cols))
    fig = Figure(figsize=(width, 2.4 * rows + 0.8), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax, panel in zip(axes.flat, panels, strict=False):
        _draw(ax, panel, sessions)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    name = f" ({history.display_name})" if history.display_name else ""
    fig.suptitle(f"Patient {history.patient}{name}: {len(sessions)} session{'s' if len(sessions) != 1 else ''}\n"
                 "posture dots: that visit's verdict (green pass, red flagged, grey unknown; ? = not measured); "
                 "shaded = beyond the threshold", fontsize=9)
    return fig


def write_trend_plot(history: History, out: str | os.PathLike[str], dpi: int = 110) -> None:
    """Write :func:`trend_figure` as a PNG file (atomically).

    Raises:
        InputError: the patient has no sessions.
        OSError: the file cannot be written.
    """
    fig = trend_figure(history)
    with atomic_path(out) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi)
