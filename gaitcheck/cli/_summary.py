"""The short human summary of a report, as the CLI prints it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..report import Report

__all__ = ["format_summary"]


def format_summary(report: Report) -> str:
    """The short human summary the CLI prints."""
    d = report.to_dict()
    v, s = d["video"], d["subject"]
    lines = [f"{Path(v['path']).name}: {v['duration_s']:.1f} s, {v['frame_count']} frames at {v['fps']:.1f} fps, "
             f"{v['width']}x{v['height']}",
             f"view: {d['view']}; walker: track {s['track_id']}, found in {s['detection_rate']:.0%} of frames, "
             f"{s['analysable_s']:.1f} s of walking usable", ""]
    la, sl = d["checks"]["look_ahead"], d["checks"]["slouch"]

    def num(x: float | None, fmt: str, unit: str = "") -> str:
        return "unknown" if x is None else format(x, fmt) + unit

    pitch, gaze = la["median_head_pitch_deg"], la.get("median_gaze_distance_m")
    if pitch is None:
        la_nums = "head pitch unknown"
    else:
        where = "at or above the horizon" if gaze is None else f"at the floor {gaze:.1f} m ahead"
        la_nums = f"head pitch {pitch:.0f}° (median, + = down), points {where}"
    sl_nums = (f"trunk lean {num(sl['median_trunk_lean_deg'], '.0f', '°')} (+ = forward), forward head "
               f"{num(sl.get('median_forward_head_rel'), '.2f')} of trunk length")
    rows = [("Look ahead", la, la_nums), ("Slouch", sl, sl_nums)]
    for name, c, nums in rows:
        frac = "" if c["flagged_fraction"] is None else f", flagged {c['flagged_fraction']:.0%} of the time"
        lines.append(f"{name:<11} {c['status'].upper():<8} {nums}{frac}")
        lines.append(f"{'':<20} {c['feedback']}")
    g = d.get("gait")
    if g is not None:
        lines.append(f"{'Gait':<11} {g['status'].upper():<8} {_gait_numbers(g)}")
        lines.append(f"{'':<20} {g['feedback']}")
    notes = list(d["warnings"]) + (list(g.get("notes", [])) if g is not None else [])
    if notes:
        lines += ["", "Notes:"] + [f"  - {w}" for w in notes]
    lines += ["", "This is feedback on how you walk, not a diagnosis."]
    return "\n".join(lines)


def _gait_numbers(g: dict[str, Any]) -> str:
    if g["cadence_spm"] is None:
        return "no steps measured"
    parts = [f"{g['steps']} steps, cadence {g['cadence_spm']:.0f} steps/min"]
    st = g["step_time_s"]
    if st.get("left") is not None and st.get("right") is not None:
        parts.append(f"step time L {st['left']:.2f} s / R {st['right']:.2f} s")
    if g.get("stride_length_m") is not None:
        parts.append(f"stride {g['stride_length_m']:.2f} m")
    elif g.get("stride_length_rel_leg") is not None:
        parts.append(f"stride {g['stride_length_rel_leg']:.2f} leg lengths")
    if g.get("speed_m_s") is not None:
        parts.append(f"speed {g['speed_m_s']:.2f} m/s")
    if g["foot_strike"] != "unknown":
        over = g["overstride"]["median_rel"]
        lands = "" if over is None else f", lands {over:.2f} leg ahead of hip"
        parts.append(f"foot strike {g['foot_strike']}{lands}")
    return "; ".join(parts)
