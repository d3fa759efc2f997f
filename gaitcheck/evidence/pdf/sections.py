"""The PDF report's later sections: key moments, gait numbers, the comparison, notes, thresholds.

Each draws itself on a :class:`gaitcheck.evidence.pdf.layout.PageFlow` from the report dict (pure: no I/O).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ...compare import Comparison
from ...config import Config
from ...gait import GaitResult
from ...report import Pass, Report
from ..keyframes import KeyFrame
from .layout import LEADING, MUTED, Cell, PageFlow, wrap

__all__ = [
    "DENSITIES",
    "DIRECTION_COLOR",
    "Density",
    "comparison",
    "gait",
    "key_moments",
    "note_lines",
    "notes",
    "notes_height",
    "num",
    "passes",
    "thresholds",
]

DIRECTION_COLOR = {"better": "#2e7d32", "worse": "#c62828"}


@dataclass(frozen=True)
class Density:
    """How much goes on a page: the first that fits the report in two pages is used."""

    chart_in: float  # timeline chart height (shrinks down to chart_min_in to stay on page 1)
    chart_min_in: float
    table_pt: float
    per_row: int  # key moments per row
    max_frames: int
    notes: int
    pad: float  # table cell padding (inches)
    gait_settings: bool = True  # list the gait thresholds too (else point to the JSON report)
    settings: bool = True  # list the thresholds at all (else one line pointing to the JSON report)


DENSITIES = (Density(0.85, 0.7, 8.4, 3, 6, 8, 0.05), Density(0.75, 0.62, 7.7, 4, 4, 5, 0.035),
             Density(0.7, 0.6, 7.4, 3, 3, 3, 0.025), Density(0.65, 0.55, 7.2, 3, 3, 2, 0.02, False),
             Density(0.6, 0.5, 7.0, 3, 3, 2, 0.02, False, False))


def num(v: Any, fmt: str, unit: str = "", none: str = "-") -> str:
    """A number formatted with its unit, or ``none`` when it is not a number.

    >>> num(2.04, ".1f", " m"), num(None, ".1f")
    ('2.0 m', '-')
    """
    if not isinstance(v, int | float) or isinstance(v, bool):
        return none
    if fmt.startswith(".") and fmt.endswith("f") and fmt[1:-1].isdigit():
        v = round(v, int(fmt[1:-1])) + 0.0  # never "-0"
    return f"{format(v, fmt)}{unit}"


def key_moments(flow: PageFlow, keys: Sequence[KeyFrame], images: Sequence[NDArray[np.uint8]],
                 dn: Density) -> None:
    """The key moments: the annotated frames with their captions."""
    if not keys or len(images) != len(keys):
        return
    flow.heading("Key moments")
    flow.paragraph("Blue: head line (ear to eye) and pitch; orange: trunk line (hip to shoulder) and lean; green: "
                   "line of sight to the gaze point on the floor; red frame: flagged.", 8, color=MUTED, after=0.08)
    captions = [[f"{k.label}  {k.t_s:.1f} s  {k.title}", k.detail] for k in keys]
    portrait = images[0].shape[0] > images[0].shape[1]
    flow.pictures(images, captions, per_row=dn.per_row + 1 if portrait else dn.per_row)


def gait(flow: PageFlow, gait: GaitResult, dn: Density) -> None:
    """The gait section: verdict, numbers and the foot-strike summary."""
    items: list[tuple[str, str]] = []
    reason = f" ({gait.reason})" if gait.reason else ""
    items.append(("Gait check", f"{gait.status.upper()}{reason}"))
    for label, value, fmt, unit in (("Steps", gait.steps, "d", ""), ("Cadence", gait.cadence_spm, ".0f", " steps/min"),
                                    ("Asymmetry", gait.step_time_asymmetry_pct, ".1f", "% (step time)"),
                                    ("Stride length", gait.stride_length_m, ".2f", " m"),
                                    ("Stride / leg", gait.stride_length_rel_leg, ".2f", " leg lengths"),
                                    ("Speed", gait.speed_m_s, ".2f", " m/s")):
        if value is not None:
            items.append((label, num(value, fmt, unit)))
    st = gait.step_time_s
    if any(v is not None for v in st.values()):
        items.append(("Step time", f"L {num(st.get('left'), '.2f', ' s')}, R {num(st.get('right'), '.2f', ' s')}"))
    items.append(("Foot strike", gait.foot_strike.pattern))
    over = gait.overstride
    items.append(("Overstride", f"{over.status.upper()}, {num(over.median_rel, '.2f', ' leg ahead of hip')}"))
    flow.heading("Gait")
    w = flow.width
    third = (len(items) + 2) // 3
    cols = [items[i * third:(i + 1) * third] for i in range(3)]
    rows = [[x for col in cols for x in ((Cell(col[r][0], MUTED), col[r][1]) if r < len(col) else ("", ""))]
            for r in range(third)]
    flow.table(rows, [0.13 * w, 0.2 * w] * 3, header=False, size=dn.table_pt, pad=dn.pad)
    if over.feedback:
        flow.paragraph(f"Overstride: {over.feedback}", 8.5, after=0.06)


def passes(flow: PageFlow, passes: Sequence[Pass], dn: Density) -> None:
    """The walker's passes, when there is more than one (or one made of several tracked people)."""
    if len(passes) < 2 and not any(len(p.track_ids) > 1 for p in passes):
        return
    flow.heading("Passes of the walker")
    rows: list[list[str | Cell]] = [["Pass", "Time", "Direction", "Steps", "Cadence", "Head", "Gaze", "Trunk",
                                     "Fwd head", "Flagged"]]
    for p in passes:
        flagged = " / ".join("-" if x is None else f"{x:.0%}" for x in (p.look_down_share, p.slouch_share))
        rows.append([str(p.index + 1), f"{p.start_s:.1f}-{p.end_s:.1f} s", p.direction or "-", str(p.steps),
                     num(p.cadence_spm, ".0f"), num(p.median_head_pitch_deg, ".0f", "°"),
                     num(p.median_gaze_distance_m, ".1f", " m"), num(p.median_trunk_lean_deg, ".0f", "°"),
                     num(p.median_forward_head_rel, ".2f"), flagged])
    w = flow.width
    flow.table(rows, [0.05 * w, 0.12 * w, 0.17 * w, 0.07 * w, 0.11 * w, 0.08 * w, 0.09 * w, 0.08 * w, 0.1 * w,
                      0.13 * w], size=dn.table_pt, pad=dn.pad)
    flow.paragraph("Flagged: share of the pass judged looking down / slouching. Head + = down; trunk + = forward; "
                   "forward head in trunk lengths.", 7.5, color=MUTED, after=0.05)


def comparison(flow: PageFlow, c: Comparison, dn: Density) -> None:
    """The comparison with an earlier report, one row per verdict or measure."""
    flow.heading("Compared with the earlier session")
    flow.paragraph(f"Earlier: {c.old_name}    Now: {c.new_name}", 8.5, after=0.03)
    flow.paragraph("Better = nearer a level head, a gaze point 6 m ahead, an upright trunk, less flagged time; "
                   "within 2°, 0.3 m, 5 points or 0.02 trunk lengths = same.", 7.5, color=MUTED, after=0.05)
    rows: list[list[str | Cell]] = [["Verdict or measure", "Earlier", "Now", "Change", ""]]
    for ch in (*c.verdicts, *c.measures):
        rows.append([ch.label, ch.old, ch.new, ch.delta,
                     Cell(ch.direction, DIRECTION_COLOR.get(ch.direction, MUTED), "bold")])
    w = flow.width
    flow.table(rows, [0.36 * w, 0.15 * w, 0.15 * w, 0.2 * w, 0.14 * w], size=dn.table_pt, pad=dn.pad)


def note_lines(r: Report, dn: Density) -> list[str]:
    """The notes shown at this density (warnings of the report, most important first)."""
    notes = [*r.warnings, *(r.gait.notes if r.gait is not None else ())]
    return [f"- {n}" for n in notes[: dn.notes]]


def notes_height(flow: PageFlow, notes: Sequence[str], size: float = 8.0) -> float:
    """Height in inches the notes take at ``size`` points."""
    if not notes:
        return 0.0
    return 0.5 + sum(len(wrap(n, flow.width, size)) * size / 72 * LEADING + 0.03 for n in notes)


def notes(flow: PageFlow, r: Report, dn: Density, *, fit_only: bool = False) -> bool:
    """The report's warnings (and gait notes); with ``fit_only``, only if they fit on this page.

    Returns whether the notes are done (drawn, or there are none).
    """
    notes = note_lines(r, dn)
    if not notes:
        return True
    size = 8.0
    if fit_only and notes_height(flow, notes, size) > flow.room():
        return False
    flow.heading("Notes", keep_in=min(1.0, notes_height(flow, notes, size) - 0.45))
    for n in notes:
        flow.paragraph(n, size, after=0.03)
    return True


def thresholds(flow: PageFlow, settings: Config, dn: Density) -> None:
    """The thresholds used, by ``gaitcheck.toml`` section (or one line pointing to the JSON)."""
    if not dn.settings:
        flow.paragraph("Thresholds used: as listed under settings in the JSON report (all provisional and "
                       "configurable in gaitcheck.toml).", 7.0, color=MUTED, after=0.03)
        return
    cfg = settings.to_dict()
    lines = []
    for sec in ("look_ahead", "slouch", "body", "gait", "limits"):
        values = cfg[sec]
        if sec == "gait" and not dn.gait_settings:
            lines.append("[gait]  as listed under settings.gait in the JSON report")
            continue
        items = [f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}" for k, v in values.items()
                 if isinstance(v, int | float | str) and not isinstance(v, bool)
                 and (sec != "limits" or k == "min_analysable_s")]
        if items:
            lines.append(f"[{sec}]  " + ",  ".join(items))
    if not lines:
        return
    flow.heading("Thresholds used", keep_in=0.5, note="gaitcheck.toml sections and keys; all provisional and "
                 "configurable")
    for line in lines:
        flow.paragraph(line, 7.0, after=0.03)
