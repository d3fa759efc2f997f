"""The short human summary of a report, as the CLI prints it."""

from __future__ import annotations

import math
from pathlib import Path

from ..gait import GaitResult
from ..report import Report

__all__ = ["format_summary"]


def _num(x: float | None, fmt: str, unit: str = "") -> str:
    return "unknown" if x is None or not math.isfinite(x) else format(x, fmt) + unit


def format_summary(report: Report) -> str:
    """The short human summary the CLI prints."""
    v, s = report.video, report.subject
    lines = [f"{Path(v.path).name}: {v.duration_s:.1f} s, {v.frame_count} frames at {v.fps:.1f} fps, "
             f"{v.width}x{v.height}",
             f"view: {report.view}; walker: track {s.track_id}, found in {s.detection_rate:.0%} of frames, "
             f"{s.analysable_s:.1f} s of walking usable", ""]
    la, sl = report.look_ahead, report.slouch
    pitch, gaze = la.medians.get("median_head_pitch_deg"), la.medians.get("median_gaze_distance_m")
    if pitch is None:
        la_nums = "head pitch unknown"
    else:
        where = ("at or above the horizon" if gaze is None or not math.isfinite(gaze)
                 else f"at the floor {gaze:.1f} m ahead")
        la_nums = f"head pitch {pitch:.0f}° (median, + = down), points {where}"
    sl_nums = (f"trunk lean {_num(sl.medians.get('median_trunk_lean_deg'), '.0f', '°')} (+ = forward), forward head "
               f"{_num(sl.medians.get('median_forward_head_rel'), '.2f')} of trunk length")
    for name, c, nums in (("Look ahead", la, la_nums), ("Slouch", sl, sl_nums)):
        frac = "" if c.flagged_fraction is None else f", flagged {c.flagged_fraction:.0%} of the time"
        lines.append(f"{name:<11} {c.status.upper():<8} {nums}{frac}")
        lines.append(f"{'':<20} {c.feedback}")
    g = report.gait
    if g is not None:
        lines.append(f"{'Gait':<11} {g.status.upper():<8} {_gait_numbers(g)}")
        lines.append(f"{'':<20} {g.feedback}")
    notes = [*report.warnings, *(g.notes if g is not None else ())]
    if notes:
        lines += ["", "Notes:"] + [f"  - {w}" for w in notes]
    lines += ["", "This is feedback on how you walk, not a diagnosis."]
    return "\n".join(lines)


def _gait_numbers(g: GaitResult) -> str:
    if g.cadence_spm is None:
        return "no steps measured"
    parts = [f"{g.steps} steps, cadence {g.cadence_spm:.0f} steps/min"]
    left, right = g.step_time_s.get("left"), g.step_time_s.get("right")
    if left is not None and right is not None:
        parts.append(f"step time L {left:.2f} s / R {right:.2f} s")
    if g.stride_length_m is not None:
        parts.append(f"stride {g.stride_length_m:.2f} m")
    elif g.stride_length_rel_leg is not None:
        parts.append(f"stride {g.stride_length_rel_leg:.2f} leg lengths")
    if g.speed_m_s is not None:
        parts.append(f"speed {g.speed_m_s:.2f} m/s")
    if g.foot_strike.pattern != "unknown":
        over = g.overstride.median_rel
        lands = "" if over is None else f", lands {over:.2f} leg ahead of hip"
        parts.append(f"foot strike {g.foot_strike.pattern}{lands}")
    return "; ".join(parts)
