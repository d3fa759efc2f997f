"""The PDF report a therapist can file: one to two A4 pages made with matplotlib.

Page 1: the clip's facts, the verdicts with their feedback, the key numbers against their
thresholds, and the head-pitch, trunk-lean and forward-head timelines (threshold bands, flagged
episodes shaded). Then: key moments with the overlays, the gait numbers (when the report has a
``gait`` section), the comparison with an earlier session (when given), notes, and the thresholds
used. Every page ends with the software version and model, and "This is feedback, not a diagnosis."

:func:`render_pages` is pure (report dict in, figures out); :func:`write_pdf_report` adds the I/O.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from numpy.typing import NDArray

from ..._io import atomic_path
from ...compare import Comparison, compare_reports
from ...report import Report
from ..keyframes import KeyFrame, choose_key_frames, fewer_key_frames, key_frame_images
from ..marks import look_down_pitch_deg
from . import sections as sec
from .charts import clip_duration_s, draw_timeline, timeline_specs
from .layout import MUTED, Cell, PageFlow
from .sections import DENSITIES, Density, dig, num

__all__ = ["DISCLAIMER", "render_pages", "write_pdf_report"]

DISCLAIMER = "This is feedback, not a diagnosis."
STATUS_COLOR = {"pass": "#2e7d32", "flag": "#c62828", "unknown": "#757575"}
Data = Mapping[str, Any]


# ---- page 1 -------------------------------------------------------------------------------------

def _title(flow: PageFlow, d: Data, generated: datetime) -> None:
    name = Path(str(dig(d, "video", "path") or "clip")).name
    flow.put(flow.left, flow.y, "Walking posture report", 18, weight="bold")
    flow.put(flow.left + flow.width, flow.y + 0.02, f"{name}\n{generated:%d %B %Y}", 8.5, color=MUTED, ha="right",
             linespacing=1.35)
    flow.y += 0.42
    flow.put(flow.left, flow.y, "Looking ahead and walking tall, from a video of one walk (gaitcheck)", 9,
             color=MUTED)
    flow.y += 0.22


def _facts(flow: PageFlow, d: Data, generated: datetime, dn: Density) -> None:
    v, s = d.get("video", {}), d.get("subject", {})
    tilt = d.get("camera_tilt_deg")
    given = d.get("height_given")
    height = num(d.get("height_cm"), ".0f", " cm") + ("" if given is None else " (given)" if given else " (assumed)")
    size = f"{v.get('width', '-')} x {v.get('height', '-')}"
    rows = [
        ("Clip", Path(str(v.get("path", "-"))).name, "Analysed", f"{generated:%Y-%m-%d %H:%M}"),
        ("Duration", f"{num(v.get('duration_s'), '.1f', ' s')}, {v.get('frame_count', '-')} frames at "
         f"{num(v.get('fps'), '.1f')} fps, {size}", "View", str(d.get("view", "-"))),
        ("Walker found in", f"{num(s.get('detection_rate'), '.0%')} of the frames", "Usable walking",
         f"{num(s.get('analysable_s'), '.1f', ' s')} seen from the side"),
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


def _verdicts(flow: PageFlow, d: Data) -> None:
    flow.heading("Verdicts")
    for name, key in (("Look ahead", "look_ahead"), ("Slouch", "slouch")):
        c = dig(d, "checks", key) or {}
        _verdict(flow, name, str(c.get("status", "unknown")), str(c.get("feedback", "")))
    gait = d.get("gait")
    if isinstance(gait, Mapping) and gait.get("status"):
        text = str(gait.get("feedback") or gait.get("reason") or "")
        _verdict(flow, "Gait", str(gait["status"]), text)


def _beyond(value: Any, limit: float, above: bool = True) -> Cell:
    if not isinstance(value, int | float):
        return Cell("-", MUTED)
    over = value > limit if above else value < limit
    return Cell("beyond" if over else "within", STATUS_COLOR["flag" if over else "pass"])


def _numbers(flow: PageFlow, d: Data, dn: Density) -> None:
    la, sl = dig(d, "checks", "look_ahead") or {}, dig(d, "checks", "slouch") or {}
    cfg = d.get("settings", {})
    cla, csl = cfg.get("look_ahead", {}), cfg.get("slouch", {})
    try:
        plim = look_down_pitch_deg(cfg, float(d.get("height_cm", 170)))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        plim = float("nan")
    near, release = cla.get("look_down_distance_m", float("nan")), cla.get("release_distance_m", float("nan"))
    gaze = la.get("median_gaze_distance_m")
    gaze_text = num(gaze, ".1f", " m", "horizon" if la.get("median_head_pitch_deg") is not None else "-")

    def frac(c: Mapping[str, Any], key: str) -> list[str | Cell]:
        st = str(c.get("status", "unknown"))
        limit = dig(cfg, key, "flag_fraction")
        episodes = num(dig(cfg, key, "min_episode_s"), "g", " s")
        return [num(c.get("flagged_fraction"), ".0%"),
                f"flag from {num(limit, '.0%')} of usable time; episodes {episodes}+",
                Cell(st.upper(), STATUS_COLOR.get(st, MUTED), "bold")]

    rows: list[list[str | Cell]] = [
        ["Measure", "This walk", "Threshold", "Result"],
        ["Gaze point on the floor (median)", gaze_text,
         f"looking down: nearer than {num(near, 'g', ' m')} (ends beyond {num(release, 'g', ' m')})",
         _beyond(gaze, float(near), above=False) if isinstance(gaze, int | float) else Cell("within", "#2e7d32")
         if gaze_text == "horizon" else Cell("-", MUTED)],
        ["Head pitch (median, + = down)", num(la.get("median_head_pitch_deg"), ".0f", "°"),
         f"{plim:.1f}° down = gaze point at {num(near, 'g', ' m')}", _beyond(la.get("median_head_pitch_deg"), plim)],
        ["Time looking down", *frac(la, "look_ahead")],
        ["Trunk lean (median, + = forward)", num(sl.get("median_trunk_lean_deg"), ".0f", "°"),
         f"more than {num(csl.get('trunk_lean_max_deg'), 'g', '°')} forward",
         _beyond(sl.get("median_trunk_lean_deg"), float(csl.get("trunk_lean_max_deg", float("nan"))))],
        ["Forward head (median)", num(sl.get("median_forward_head_rel"), ".2f"),
         f"ear more than {num(csl.get('forward_head_max_rel'), 'g')} trunk lengths ahead of shoulder",
         _beyond(sl.get("median_forward_head_rel"), float(csl.get("forward_head_max_rel", float("nan"))))],
        ["Time slouching", *frac(sl, "slouch")],
    ]
    flow.heading("Key numbers and their thresholds")
    w = flow.width
    flow.table(rows, [0.32 * w, 0.12 * w, 0.46 * w, 0.1 * w], pad=dn.pad)


def _timelines(flow: PageFlow, d: Data, keys: Sequence[KeyFrame], dn: Density, reserve: float = 0.0) -> None:
    """The three charts, as tall as ``dn`` allows, leaving ``reserve`` inches below them if they can."""
    specs = timeline_specs(d)
    frames = d.get("frames") or []
    duration = clip_duration_s(d)
    marks = [(k.t_s, k.label) for k in keys]
    overhead = 0.45 + 0.45 + 0.16 + 3 * 0.08 + 0.35  # heading, note, gaps, time axis
    height = min(dn.chart_in, (flow.room() - overhead - reserve) / 3)
    if height < dn.chart_min_in:
        height = min(dn.chart_in, (flow.room() - overhead) / 3)
    if height < dn.chart_min_in:
        flow.new_page()
        height = dn.chart_in
    flow.heading("Over the clip")
    flow.paragraph("Side-view frames only; + = head down, trunk leaning forward, ears ahead of the shoulders (in "
                   "trunk lengths). Red shading: flagged episodes; dashed line: threshold; letters: the key moments "
                   "pictured further on.", 8, color=MUTED, after=0.04)
    flow.skip(0.16)
    for i, spec in enumerate(specs):
        ax = flow.axes(height, left_pad=0.75)
        draw_timeline(ax, frames, spec, duration, marks=marks, xlabel=i == len(specs) - 1, letters=i == 0)
        flow.skip(0.08)
    flow.skip(0.3)


def _footers(flow: PageFlow, d: Data) -> None:
    sw = d.get("software", {}) if isinstance(d.get("software"), Mapping) else {}
    sha = str(sw.get("model_sha256") or "")
    soft = f"gaitcheck {sw.get('gaitcheck', '?')}, model {sw.get('model', '?')}" + (f" (sha256 {sha[:12]})"
                                                                                     if sha else "")
    n = len(flow.pages)
    name = Path(str(dig(d, "video", "path") or "clip")).name
    for i, fig in enumerate(flow.pages):
        if i:
            fig.text(0.6 / 8.27, 1 - 0.32 / 11.69, f"Walking posture report: {name} (continued)", fontsize=8,
                     color=MUTED, parse_math=False)
        y = 0.45 / 11.69
        fig.add_artist(Line2D([0.6 / 8.27, 1 - 0.6 / 8.27], [y + 0.22 / 11.69] * 2, color="#c9d1d6", lw=0.6))
        fig.text(0.6 / 8.27, y, DISCLAIMER, fontsize=8, weight="bold", color="#37474f", parse_math=False)
        fig.text(1 - 0.6 / 8.27, y, f"{soft}   |   page {i + 1} of {n}", fontsize=7, color=MUTED, ha="right",
                 parse_math=False)


def render_pages(data: Data, *, key_frames: Sequence[KeyFrame] = (), images: Sequence[NDArray[np.uint8]] = (),
                 comparison: Comparison | None = None, generated: datetime | None = None) -> list[Figure]:
    """The report pages as matplotlib figures (pure: nothing is read or written).

    Args:
        data: the report dict (``Report.to_dict()`` or a loaded JSON report).
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
        pages = _render(data, keys, [by_frame[k.frame] for k in keys], comparison, when, dn)
        if len(pages) <= 2:
            break
    return pages


def _render(data: Data, keys: Sequence[KeyFrame], images: Sequence[NDArray[np.uint8]],
            comparison: Comparison | None, when: datetime, dn: Density) -> list[Figure]:
    flow = PageFlow()
    _title(flow, data, when)
    _facts(flow, data, when, dn)
    _verdicts(flow, data)
    _numbers(flow, data, dn)
    _timelines(flow, data, keys, dn, reserve=sec.notes_height(flow, sec.note_lines(data, dn)))
    notes_done = False
    if len(flow.pages) == 1:
        notes_done = sec.notes(flow, data, dn, fit_only=True)
        flow.new_page()
    sec.key_moments(flow, keys, images, dn)
    if comparison is not None:
        sec.comparison(flow, comparison, dn)
    sec.gait(flow, data.get("gait"), dn)
    if not notes_done:
        sec.notes(flow, data, dn)
    sec.thresholds(flow, data, dn)
    _footers(flow, data)
    return flow.pages


def write_pdf_report(report: Report, out: str | os.PathLike[str], *, video: str | os.PathLike[str] | None = None,
                     compare_to: Data | None = None, generated: datetime | None = None) -> None:
    """Write the PDF report of ``report`` (written next to ``out`` under a temporary name, then renamed).

    Args:
        report: from :func:`gaitcheck.analyze`.
        out: the PDF file to write.
        video: the analysed clip, for the key moments' pictures (left out when None).
        compare_to: an earlier session's report dict (:func:`gaitcheck.compare.load_report`) to compare with.
        generated: the date of analysis shown (default: now).

    Raises:
        VideoReadError: ``video`` cannot be read.
        OSError: the file cannot be written.
    """
    from matplotlib import rc_context
    from matplotlib.backends.backend_pdf import PdfPages

    data = report.to_dict()
    keys = choose_key_frames(data) if video is not None and report.series is not None else []
    images = key_frame_images(video, report, keys) if keys and video is not None else []
    comparison = compare_reports(compare_to, data) if compare_to is not None else None
    when = generated or datetime.now().astimezone()
    pages = render_pages(data, key_frames=keys, images=images, comparison=comparison, generated=when)
    dst = Path(out)
    sw = data.get("software", {})
    meta = {"Title": f"Walking posture report: {Path(str(dig(data, 'video', 'path') or '')).name}",
            "Author": "gaitcheck", "Subject": DISCLAIMER, "Creator": f"gaitcheck {sw.get('gaitcheck', '')}",
            "CreationDate": when}
    with atomic_path(dst) as tmp, rc_context({"pdf.fonttype": 42}), PdfPages(tmp, metadata=meta) as pdf:
        for fig in pages:
            pdf.savefig(fig)
