"""The PDF report a therapist can file: one to two A4 pages made with matplotlib.

Page 1: the clip's facts, the verdicts with their feedback, the key numbers against their
thresholds, and the head-pitch, trunk-lean and forward-head timelines (threshold bands, flagged
episodes shaded). Then: key moments with the overlays, the gait numbers (when the report has a
``gait`` section), the comparison with an earlier session (when given), notes, and the thresholds
used. Every page ends with the software version and model, and "This is feedback, not a diagnosis."

:func:`render_pages` is pure (report in, figures out); :func:`write_pdf_report` adds the I/O.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from numpy.typing import NDArray

from ..._io import atomic_path
from ...compare import Comparison, compare_reports
from ...report import Report
from ...verdicts import Check, Evidence
from ..keyframes import KeyFrame, choose_key_frames, fewer_key_frames, key_frame_images
from ..marks import look_down_pitch_deg
from . import sections as sec
from .charts import clip_duration_s, draw_timeline, timeline_specs
from .layout import MUTED, Cell, PageFlow
from .sections import DENSITIES, Density, num

__all__ = ["DISCLAIMER", "render_pages", "write_pdf_report"]

DISCLAIMER = "This is feedback, not a diagnosis."
STATUS_COLOR = {"pass": "#2e7d32", "flag": "#c62828", "unknown": "#757575"}


# ---- page 1 -------------------------------------------------------------------------------------

def _title(flow: PageFlow, r: Report, generated: datetime) -> None:
    name = Path(r.video.path or "clip").name
    flow.put(flow.left, flow.y, "Walking posture report", 18, weight="bold")
    flow.put(flow.left + flow.width, flow.y + 0.02, f"{name}\n{generated:%d %B %Y}", 8.5, color=MUTED, ha="right",
             linespacing=1.35)
    flow.y += 0.42
    flow.put(flow.left, flow.y, "Looking ahead and walking tall, from a video of one walk (gaitcheck)", 9,
             color=MUTED)
    flow.y += 0.22


def _facts(flow: PageFlow, r: Report, generated: datetime, dn: Density) -> None:
    v, s = r.video, r.subject
    tilt = r.camera_tilt_deg
    height = num(r.height_cm, ".0f", " cm") + (" (given)" if r.height_given else " (assumed)")
    rows = [
        ("Clip", Path(v.path or "-").name, "Analysed", f"{generated:%Y-%m-%d %H:%M}"),
        ("Duration", f"{num(v.duration_s, '.1f', ' s')}, {v.frame_count} frames at {num(v.fps, '.1f')} fps, "
         f"{v.width} x {v.height}", "View", r.view),
        ("Walker found in", f"{num(s.detection_rate, '.0%')} of the frames", "Usable walking",
         f"{num(s.analysable_s, '.1f', ' s')} seen from the side"),
        ("Body height", height, "Camera tilt", "assumed level" if tilt is None else f"{tilt:.1f}°, corrected"),
    ]
    flow.heading("The clip")
    w = flow.width
    flow.table([[Cell(a, MUTED), b, Cell(c, MUTED), e] for a, b, c, e in rows],
               [0.16 * w, 0.42 * w, 0.16 * w, 0.26 * w], header=False, zebra=False, size=8.2, pad=dn.pad)


def _verdict(flow: PageFlow, name: str, status: str, text: str) -> None:
    size = 9.0
    flow.ensure(0.5)
    color = STATUS_COLOR.get(status, STATUS_COLOR["unknown"])
    flow.put(flow.left + 0.02, flow.y + 0.015, f" {status.upper()} ", 8, color="white", weight="bold",
             family="DejaVu Sans Mono", bbox={"boxstyle": "round,pad=0.25", "fc": color, "ec": "none"})
    flow.put(flow.left + 0.95, flow.y, name, size + 0.5, weight="bold")
    flow.y += (size + 0.5) / 72 * 1.4
    flow.paragraph(text, size, indent=0.95, after=0.1)


def _rests_on(status: str, ev: Evidence | None) -> str:
    """What a verdict rests on, in brackets ("judged on 6.2 s of walking, 2 passes"; unknown: what was seen)."""
    return "" if ev is None else f" ({ev.words(judged=status != 'unknown')}.)"


def _verdicts(flow: PageFlow, r: Report) -> None:
    flow.heading("Verdicts")
    for name, c in (("Look ahead", r.look_ahead), ("Slouch", r.slouch)):
        _verdict(flow, name, c.status, c.feedback + _rests_on(c.status, c.evidence))
    if r.gait is not None:
        g = r.gait
        _verdict(flow, "Gait", g.status, (g.feedback or g.reason or "") + _rests_on(g.status, g.evidence))


def _beyond(value: float | None, limit: float, above: bool = True) -> Cell:
    if value is None or not math.isfinite(value):
        return Cell("-", MUTED)
    over = value > limit if above else value < limit
    return Cell("beyond" if over else "within", STATUS_COLOR["flag" if over else "pass"])


def _numbers(flow: PageFlow, r: Report, dn: Density) -> None:
    la, sl, cfg = r.look_ahead, r.slouch, r.settings
    cla, csl = cfg.look_ahead, cfg.slouch
    plim = look_down_pitch_deg(cfg, r.height_cm)
    near, release = cla.look_down_distance_m, cla.release_distance_m
    la_m, sl_m = r.shown_medians("look_ahead"), r.shown_medians("slouch")
    pitch, gaze = la_m.get("median_head_pitch_deg"), la_m.get("median_gaze_distance_m")
    horizon = gaze is None or not math.isfinite(gaze)
    gaze_text = ("horizon" if pitch is not None else "-") if horizon else num(gaze, ".1f", " m")
    if not horizon:
        gaze_result = _beyond(gaze, near, above=False)
    else:
        gaze_result = Cell("within", STATUS_COLOR["pass"]) if pitch is not None else Cell("-", MUTED)

    def frac(c: Check, limit: float, min_s: float) -> list[str | Cell]:
        return [num(c.flagged_fraction, ".0%"), f"flag from {limit:.0%} of usable time; episodes {min_s:g} s+",
                Cell(c.status.upper(), STATUS_COLOR.get(c.status, MUTED), "bold")]

    lean, fwd = sl_m.get("median_trunk_lean_deg"), sl_m.get("median_forward_head_rel")
    rows: list[list[str | Cell]] = [
        ["Measure", "This walk", "Threshold", "Result"],
        ["Gaze point on the floor (median)", gaze_text,
         f"looking down: nearer than {near:g} m (ends beyond {release:g} m)", gaze_result],
        ["Head pitch (median, + = down)", num(pitch, ".0f", "°"), f"{plim:.1f}° down = gaze point at {near:g} m",
         _beyond(pitch, plim)],
        ["Time looking down", *frac(la, cla.flag_fraction, cla.min_episode_s)],
        ["Trunk lean (median, + = forward)", num(lean, ".0f", "°"), f"more than {csl.trunk_lean_max_deg:g}° forward",
         _beyond(lean, csl.trunk_lean_max_deg)],
        ["Forward head (median)", num(fwd, ".2f"),
         f"ear more than {csl.forward_head_max_rel:g} trunk lengths ahead of shoulder",
         _beyond(fwd, csl.forward_head_max_rel)],
        ["Time slouching", *frac(sl, csl.flag_fraction, csl.min_episode_s)],
    ]
    flow.heading("Key numbers and their thresholds")
    w = flow.width
    flow.table(rows, [0.31 * w, 0.11 * w, 0.45 * w, 0.13 * w], pad=dn.pad)


def _timelines(flow: PageFlow, r: Report, keys: Sequence[KeyFrame], dn: Density, reserve: float = 0.0) -> None:
    """The three charts, as tall as ``dn`` allows, leaving ``reserve`` inches below them if they can."""
    specs = timeline_specs(r)
    duration = clip_duration_s(r)
    marks = [(k.t_s, k.label) for k in keys]
    overhead = 0.45 + 0.45 + 0.16 + 3 * 0.08 + 0.35  # heading, note, gaps, time axis
    height = min(dn.chart_in, (flow.room() - overhead - reserve) / 3)
    if height < dn.chart_min_in:
        height = min(dn.chart_in, (flow.room() - overhead) / 3)
    if height < dn.chart_min_in:
        flow.new_page()
        height = dn.chart_in
    flow.heading("Over the clip")
    flow.paragraph("Side and oblique views, where the head or trunk was in the picture; + = head down, trunk "
                   "leaning forward, ears ahead of the shoulders (in "
                   "trunk lengths). Red shading: flagged episodes; dashed line: threshold; letters: the key moments "
                   "pictured further on.", 8, color=MUTED, after=0.04)
    flow.skip(0.16)
    for i, spec in enumerate(specs):
        ax = flow.axes(height, left_pad=0.75)
        draw_timeline(ax, r.frames.t_s, spec, duration, marks=marks, xlabel=i == len(specs) - 1,
                      letters=i == 0)
        flow.skip(0.08)
    flow.skip(0.3)


def _footers(flow: PageFlow, r: Report) -> None:
    sw = r.software
    sha = sw.model_sha256
    soft = f"gaitcheck {sw.gaitcheck or '?'}, model {sw.model or '?'}" + (f" (sha256 {sha[:12]})" if sha else "")
    n = len(flow.pages)
    name = Path(r.video.path or "clip").name
    for i, fig in enumerate(flow.pages):
        if i:
            fig.text(0.6 / 8.27, 1 - 0.32 / 11.69, f"Walking posture report: {name} (continued)", fontsize=8,
                     color=MUTED, parse_math=False)
        y = 0.45 / 11.69
        fig.add_artist(Line2D([0.6 / 8.27, 1 - 0.6 / 8.27], [y + 0.22 / 11.69] * 2, color="#c9d1d6", lw=0.6))
        fig.text(0.6 / 8.27, y, DISCLAIMER, fontsize=8, weight="bold", color="#37474f", parse_math=False)
        fig.text(1 - 0.6 / 8.27, y, f"{soft}   |   page {i + 1} of {n}", fontsize=7, color=MUTED, ha="right",
                 parse_math=False)


def render_pages(report: Report, *, key_frames: Sequence[KeyFrame] = (), images: Sequence[NDArray[np.uint8]] = (),
                 comparison: Comparison | None = None, generated: datetime | None = None) -> list[Figure]:
    """The report pages as matplotlib figures (pure: nothing is read or written).

    Args:
        report: the report (from :func:`gaitcheck.analyze`, or read back with ``Report.from_dict``).
        key_frames: moments to show (from :func:`gaitcheck.evidence.keyframes.choose_key_frames`).
        images: their annotated pictures, same order (without them the moments are not shown).
        comparison: the comparison with an earlier session, if any.
        generated: the date of analysis shown (default: now).
    """
    when = generated or datetime.now().astimezone()
    pages: list[Figure] = []
    by_frame = {k.frame: img for k, img in zip(key_frames, images, strict=False)}
    for dn in DENSITIES:
        keys = fewer_key_frames(key_frames, dn.max_frames) if len(images) == len(key_frames) else []
        pages = _render(report, keys, [by_frame[k.frame] for k in keys], comparison, when, dn)
        if len(pages) <= 2:
            break
    return pages


def _render(r: Report, keys: Sequence[KeyFrame], images: Sequence[NDArray[np.uint8]],
            comparison: Comparison | None, when: datetime, dn: Density) -> list[Figure]:
    flow = PageFlow()
    _title(flow, r, when)
    _facts(flow, r, when, dn)
    _verdicts(flow, r)
    _numbers(flow, r, dn)
    _timelines(flow, r, keys, dn, reserve=sec.notes_height(flow, sec.note_lines(r, dn)))
    notes_done = False
    if len(flow.pages) == 1:
        notes_done = sec.notes(flow, r, dn, fit_only=True)
        flow.new_page()
    sec.key_moments(flow, keys, images, dn)
    sec.passes(flow, r.passes, dn)
    if comparison is not None:
        sec.comparison(flow, comparison, dn)
    if r.gait is not None:
        sec.gait(flow, r.gait, dn)
    if not notes_done:
        sec.notes(flow, r, dn)
    sec.thresholds(flow, r.settings, dn)
    _footers(flow, r)
    return flow.pages


def write_pdf_report(report: Report, out: str | os.PathLike[str], *, video: str | os.PathLike[str] | None = None,
                     compare_to: Report | None = None, generated: datetime | None = None) -> None:
    """Write the PDF report of ``report`` (written next to ``out`` under a temporary name, then renamed).

    Args:
        report: from :func:`gaitcheck.analyze`.
        out: the PDF file to write.
        video: the analysed clip, for the key moments' pictures (left out when None).
        compare_to: an earlier session's report (:func:`gaitcheck.compare.load_report`) to compare with.
        generated: the date of analysis shown (default: now).

    Raises:
        VideoReadError: ``video`` cannot be read.
        OSError: the file cannot be written.
    """
    from matplotlib import rc_context
    from matplotlib.backends.backend_pdf import PdfPages

    keys = choose_key_frames(report) if video is not None and report.series is not None else []
    images = key_frame_images(video, report, keys) if keys and video is not None else []
    comparison = compare_reports(compare_to, report) if compare_to is not None else None
    when = generated or datetime.now().astimezone()
    pages = render_pages(report, key_frames=keys, images=images, comparison=comparison, generated=when)
    dst = Path(out)
    meta = {"Title": f"Walking posture report: {Path(report.video.path).name}",
            "Author": "gaitcheck", "Subject": DISCLAIMER, "Creator": f"gaitcheck {report.software.gaitcheck}",
            "CreationDate": when}
    with atomic_path(dst) as tmp, rc_context({"pdf.fonttype": 42}), PdfPages(tmp, metadata=meta) as pdf:
        for fig in pages:
            pdf.savefig(fig)
