"""The short human summary of a report, as the CLI prints it."""

from __future__ import annotations

import math
from pathlib import Path

from ..gait import GaitResult
from ..report import Report

__all__ = ["format_summary"]


def _fmt(x: float, fmt: str) -> str:
    """``x`` formatted, never as "-0" (a lean of -0.3 degrees shows as 0)."""
    digits = int(fmt[1:-1]) if fmt.startswith(".") and fmt.endswith("f") else None
    return format(round(x, digits) + 0.0 if digits is not None else x, fmt)


def _num(x: float | None, fmt: str, unit: str = "") -> str:
    return "unknown" if x is None or not math.isfinite(x) else _fmt(x, fmt) + unit


def _cell(x: float | None, fmt: str, unit: str = "") -> str:
    return "-" if x is None or not math.isfinite(x) else _fmt(x, fmt) + unit


def format_summary(report: Report) -> str:
    """The short human summary the CLI prints."""
    v, s = report.video, report.subject
    lines = [f"{Path(v.path).name}: {v.duration_s:.1f} s, {v.frame_count} frames at {v.fps:.1f} fps, "
             f"{v.width}x{v.height}",
             f"view: {report.view}; walker: track {s.track_id}, found in {s.detection_rate:.0%} of frames, "
             f"{s.analysable_s:.1f} s of walking usable", ""]
    la, sl = report.look_ahead, report.slouch
    la_m, sl_m = report.shown_medians("look_ahead"), report.shown_medians("slouch")
    pitch, gaze = la_m.get("median_head_pitch_deg"), la_m.get("median_gaze_distance_m")
    if pitch is None:
        la_nums = "head pitch unknown"
    else:
        where = ("at or above the horizon" if gaze is None or not math.isfinite(gaze)
                 else f"at the floor {gaze:.1f} m ahead")
        la_nums = f"head pitch {pitch:.0f}° (median, + = down), points {where}"
    lean, fwd = sl_m.get("median_trunk_lean_deg"), sl_m.get("median_forward_head_rel")
    sl_nums = ", ".join([
        "trunk lean unknown" if lean is None else f"trunk lean {_num(lean, '.0f', '°')} (+ = forward)",
        "forward head unknown" if fwd is None else f"forward head {_num(fwd, '.2f')} of trunk length"])
    for name, c, nums in (("Look ahead", la, la_nums), ("Slouch", sl, sl_nums)):
        frac = "" if c.flagged_fraction is None else f", flagged {c.flagged_fraction:.0%} of the time"
        lines.append(f"{name:<11} {c.status.upper():<8} {nums}{frac}")
        lines.append(f"{'':<20} {c.feedback}")
        if c.evidence is not None:
            lines.append(f"{'':<20} ({c.evidence.words(judged=c.status != 'unknown')})")
    g = report.gait
    if g is not None:
        lines.append(f"{'Gait':<11} {g.status.upper():<8} {_gait_numbers(g)}")
        lines.append(f"{'':<20} {g.feedback}")
        if g.evidence is not None:
            lines.append(f"{'':<20} ({g.evidence.words(judged=g.status != 'unknown')})")
    if len(report.passes) > 1 or any(len(p.track_ids) > 1 for p in report.passes):
        lines += ["", _pass_table(report)]
    notes = [*report.warnings, *(g.notes if g is not None else ())]
    if notes:
        lines += ["", "Notes:"] + [f"  - {w}" for w in notes]
    lines += ["", "This is feedback on how you walk, not a diagnosis."]
    return "\n".join(lines)


def _gait_numbers(g: GaitResult) -> str:
    if g.cadence_spm is None:
        return f"{g.steps} {'step' if g.steps == 1 else 'steps'} seen, not judged" if g.steps else "no steps measured"
    parts = [f"{g.steps} steps, cadence {g.cadence_spm:.0f} steps/min"]
    left, right = g.step_time_s.get("left"), g.step_time_s.get("right")
    if left is not None and right is not None:
        parts.append(f"step time L {left:.2f} s / R {right:.2f} s")
    sl, sr = g.step_length_by_side_rel_leg.get("left"), g.step_length_by_side_rel_leg.get("right")
    if sl is not None and sr is not None:
        parts.append(f"step length L {sl:.2f} / R {sr:.2f} leg lengths")
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


def _pass_table(report: Report) -> str:
    """The walker's passes, one line each: when, which way, steps, cadence and the posture numbers."""
    rows = [("pass", "time (s)", "direction", "steps", "cadence", "head", "gaze", "trunk", "fwd head", "flagged")]
    for p in report.passes:
        flagged = "/".join("-" if x is None else f"{x:.0%}" for x in (p.look_down_share, p.slouch_share))
        rows.append((str(p.index + 1), f"{p.start_s:.1f}-{p.end_s:.1f}", p.direction or "?", str(p.steps),
                     _cell(p.cadence_spm, ".0f"), _cell(p.median_head_pitch_deg, ".0f", "°"),
                     _cell(p.median_gaze_distance_m, ".1f", " m"), _cell(p.median_trunk_lean_deg, ".0f", "°"),
                     _cell(p.median_forward_head_rel, ".2f"), flagged))
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    lines = ["Passes (flagged: looking down / slouching; unknown numbers: -):"]
    lines += ["  " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)
