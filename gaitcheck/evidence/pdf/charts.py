"""The PDF report's timeline charts (matplotlib Axes, no pyplot).

A measure over the clip, its threshold band, the flagged episodes shaded and the key moments marked.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from numpy.typing import NDArray

from ...report import Report
from ..marks import flagged_spans, look_down_pitch_deg

__all__ = ["HEAD_COLOR", "TRUNK_COLOR", "Timeline", "clip_duration_s", "draw_timeline", "timeline_specs"]

HEAD_COLOR = "#0277bd"
TRUNK_COLOR = "#e65100"
FWD_COLOR = "#6a1b9a"
FLAG_COLOR = "#c62828"


@dataclass(frozen=True, eq=False)
class Timeline:
    """One chart: a per-frame measure, the limit beyond which it counts against the walker, its flags."""

    key: str  # the frame field, e.g. "head_pitch_deg"
    values: NDArray[np.float64]  # (T,) the measure, NaN where unknown
    flags: NDArray[np.bool_]  # (T,) the flag shaded on this chart (looking down, or slouching)
    ylabel: str
    color: str
    limit: float | None  # the band starts here and extends upwards
    band_label: str
    flag_label: str
    floor_span: float  # the y-axis spans at least this much
    clamp: tuple[float, float]  # ... and at most this (values beyond are drawn at the edge)
    unseen: str = "the body part"  # what must be seen from the side for the measure (said where it never was)


def _flags(flagged: NDArray[np.bool_] | None, n: int) -> NDArray[np.bool_]:
    return np.zeros(n, bool) if flagged is None else np.asarray(flagged, bool)


def timeline_specs(report: Report) -> list[Timeline]:
    """The three timelines of a report (head pitch, trunk lean, forward head) with its thresholds."""
    cfg, f = report.settings, report.frames
    n = len(f)
    look, slouch = _flags(report.look_ahead.flagged, n), _flags(report.slouch.flagged, n)
    near = cfg.look_ahead.look_down_distance_m
    lean, fwd = cfg.slouch.trunk_lean_max_deg, cfg.slouch.forward_head_max_rel
    return [
        Timeline("head_pitch_deg", f.head_pitch_deg, look, "head pitch (°)", HEAD_COLOR,
                 look_down_pitch_deg(cfg, report.height_cm), f"gaze point nearer than {near:g} m", "looking down",
                 30.0, (-40, 70), "the head"),
        Timeline("trunk_lean_deg", f.trunk_lean_deg, slouch, "trunk lean (°)", TRUNK_COLOR, lean,
                 f"leaning more than {lean:g}°", "slouching", 20.0, (-35, 50), "the trunk"),
        Timeline("forward_head_rel", f.forward_head_rel, slouch, "forward head", FWD_COLOR, fwd,
                 f"more than {fwd:g}", "slouching", 0.4, (-0.4, 0.9), "the head and trunk"),
    ]


def clip_duration_s(report: Report) -> float:
    """The clip's duration (the last frame's time if unknown, then 1 s)."""
    d = report.video.duration_s
    if math.isfinite(d) and d > 0:
        return float(d)
    t = report.frames.t_s
    return float(t[-1]) if len(t) and t[-1] > 0 else 1.0


def draw_timeline(ax: Axes, t: NDArray[np.float64], spec: Timeline, duration_s: float, *,
                  marks: Sequence[tuple[float, str]] = (), xlabel: bool = False, letters: bool = False) -> None:
    """Draw ``spec`` over the frame times ``t`` on ``ax``.

    Args:
        ax: the Axes to draw on.
        t: (T,) the frames' times (s).
        spec: what to plot.
        duration_s: the x-axis end.
        marks: (time, letter) of the key moments, drawn as dotted lines.
        xlabel: label the time axis (for the bottom chart).
        letters: write the key moments' letters above the chart (for the top chart).
    """
    y = spec.values
    flags = spec.flags
    finite = y[np.isfinite(y)]
    lim = spec.limit if spec.limit is not None and math.isfinite(spec.limit) else None
    # a robust range: a few frames of nonsense where the walker leaves the frame must not squash the rest
    p_lo, p_hi = (np.percentile(finite, [2, 98]) if finite.size else (0.0, 0.0))
    span = spec.floor_span
    lo = min(0.0, float(p_lo)) - 0.12 * span
    hi = max(float(p_hi), 0.5 * span, (lim + 0.3 * span) if lim is not None else -math.inf) + 0.12 * span
    hi = max(hi, lo + span)
    lo, hi = max(lo, spec.clamp[0]), min(hi, spec.clamp[1])
    ax.set_xlim(0, max(duration_s, 1e-3))
    ax.set_ylim(lo, hi)
    spans = flagged_spans(t, flags, duration_s)
    for a, b in spans:
        ax.axvspan(a, b, color=FLAG_COLOR, alpha=0.16, lw=0)
    if lim is not None:
        ax.axhspan(lim, hi, color=FLAG_COLOR, alpha=0.06, lw=0)
        ax.axhline(lim, color=FLAG_COLOR, lw=0.8, ls="--")
        ax.text(0.995, lim, spec.band_label, transform=ax.get_yaxis_transform(), ha="right", va="bottom",
                fontsize=6.5, color=FLAG_COLOR, parse_math=False, zorder=5,
                bbox={"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75})
    ax.axhline(0, color="#9e9e9e", lw=0.6)
    ax.plot(t, np.clip(y, lo, hi), color=spec.color, lw=1.3)
    for tm, letter in marks:
        ax.axvline(tm, color="#455a64", lw=0.7, ls=":")
        if letters:
            ax.text(tm, 1.02, letter, transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=7,
                    weight="bold", color="#455a64", parse_math=False)
    ax.set_ylabel(spec.ylabel, fontsize=7.5, parse_math=False)
    ax.tick_params(labelsize=7, length=2.5)
    ax.grid(True, axis="y", color="#e0e0e0", lw=0.5)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if xlabel:
        ax.set_xlabel("time in the clip (s)", fontsize=7.5)
    else:
        ax.tick_params(labelbottom=False)
    if spans:
        ax.text(0.005, 0.97, spec.flag_label, transform=ax.transAxes, ha="left", va="top", fontsize=6.5,
                color=FLAG_COLOR, parse_math=False)
    if not finite.size:
        # never "needs a side view" alone: a side clip with the head out of the picture has no head pitch either
        ax.text(0.5, 0.5, f"not measured ({spec.unseen} not seen from the side)", transform=ax.transAxes,
                ha="center", va="center", fontsize=8, color="#757575", parse_math=False,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.9, "pad": 1.5})
