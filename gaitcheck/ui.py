"""Everything the Streamlit page needs that is not a widget: no ``streamlit`` import here.

The page (``app.py``) only draws widgets and calls these functions; the analysis is the same
:func:`gaitcheck.pose.landmarker` / :func:`gaitcheck.score` the CLI uses. Uploaded videos live only in a
private temporary folder for as long as one operation needs them, and are deleted right after.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .compare import compare_reports
from .config import Config
from .errors import GaitcheckError, InputError, NoWalkerError, VideoReadError
from .evidence.keyframes import KeyFrame, choose_key_frames, describe_frame, key_frame_images
from .pose import Extraction, extract, follow_track
from .pose.walker import track_summary
from .report import Report
from .video import VideoReader, frame_step

__all__ = ["VIDEO_TYPES", "Card", "Moment", "annotated_video_bytes", "cards", "comparison", "content_hash",
           "extract_video_bytes", "frame_caption", "frame_picture", "friendly", "key_moment_images", "key_moments",
           "temporary_video", "timeline_figure", "track_thumbnails"]

VIDEO_TYPES = ("mp4", "mov", "m4v", "avi")


def content_hash(data: bytes) -> str:
    """sha256 of an upload, the key of every cached result.

    >>> content_hash(b"")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def temporary_video(data: bytes, name: str) -> Iterator[Path]:
    """Write an upload to a private temporary folder, yield its path, and delete it afterwards.

    The folder is readable by this user only and is removed even when the analysis fails.
    """
    suffix = Path(name).suffix.lower() if Path(name).suffix.lower().lstrip(".") in VIDEO_TYPES else ".mp4"
    with tempfile.TemporaryDirectory(prefix="gaitcheck-") as folder:
        os.chmod(folder, 0o700)
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        yield path


def extract_video_bytes(data: bytes, name: str, config: Config | None = None,
                        progress: Callable[[int, int], None] | None = None) -> Extraction:
    """Run the expensive stage (decode + pose + tracking) on an upload; the upload is deleted after."""
    if not data:
        raise InputError(f"{name} is empty")
    with temporary_video(data, name) as path:
        ex = extract(path, config, progress=progress)
    return ex


def follow_person_bytes(data: bytes, name: str, extraction: Extraction, track_id: int,
                        config: Config | None = None) -> Extraction:
    """``extraction`` with person ``track_id`` followed on every frame (the page's walker picker).

    The first analysis follows only the walker it chose on every frame and samples the others
    (see :func:`gaitcheck.pose.follow_track`); the upload is deleted after.
    """
    with temporary_video(data, name) as path:
        return follow_track(path, extraction, track_id, config)


@dataclass(frozen=True)
class Card:
    """One verdict as the page shows it: a title, the status, the key number in words, the advice."""

    title: str
    status: str  # pass | flag | unknown
    headline: str
    feedback: str


def _gaze_words(m: float | None) -> str:
    if m is None:
        return "your head points at or above the horizon"
    if m < 10:
        return f"your head points at the floor about {m:.1f} m ({m * 3.28:.0f} ft) ahead"
    return f"your head points at the floor about {m:.0f} m ahead"


def cards(report: Mapping[str, Any]) -> list[Card]:
    """The summary cards of a report dict (look ahead, slouch, and gait when present)."""
    la, sl = report["checks"]["look_ahead"], report["checks"]["slouch"]
    out = []
    if la["status"] == "unknown":
        out.append(Card("Look ahead", "unknown", "Could not be judged", la["feedback"]))
    else:
        words = _gaze_words(la.get("median_gaze_distance_m"))
        out.append(Card("Look ahead", la["status"], f"Most of the time {words}.", la["feedback"]))
    if sl["status"] == "unknown":
        out.append(Card("Slouch", "unknown", "Could not be judged", sl["feedback"]))
    else:
        lean = sl.get("median_trunk_lean_deg") or 0.0
        way = "forward" if lean >= 0 else "back"
        out.append(Card("Slouch", sl["status"], f"Your trunk leans about {abs(lean):.0f}° {way}.", sl["feedback"]))
    g = report.get("gait")
    if g is not None:
        if g.get("cadence_spm") is None:
            out.append(Card("Steps", "unknown", "Could not be measured", g["feedback"]))
        else:
            head = f"{g['steps']} steps at about {g['cadence_spm']:.0f} steps per minute."
            if g.get("stride_length_m") is not None:
                head += f" Stride about {g['stride_length_m']:.2f} m."
            out.append(Card("Steps", g["status"], head, g["feedback"]))
    return out


def track_thumbnails(data: bytes, name: str, extraction: Extraction, width: int = 200
                     ) -> list[tuple[int, str, NDArray[np.uint8]]]:
    """One picture per tracked person (at the middle of their time in view), best walker first:
    ``(track_id, caption, RGB image)``."""
    info = extraction.info
    dt = frame_step(extraction.t, info.fps)
    stats = track_summary(list(extraction.tracks), info.height, dt)
    by_id = {tr.track_id: tr for tr in extraction.tracks}
    wanted: dict[int, tuple[int, NDArray[np.float32]]] = {}
    for s in stats:
        tr = by_id[s.track_id]
        k = len(tr.frames) // 2
        wanted[s.track_id] = (tr.frames[k], tr.image[k])
    frames_needed = {f for f, _ in wanted.values()}
    images: dict[int, NDArray[np.uint8]] = {}
    if frames_needed:
        with temporary_video(data, name) as path, VideoReader(path) as reader:
            for frame in reader:
                if frame.index in frames_needed:
                    images[frame.index] = frame.image
                if len(images) == len(frames_needed):
                    break
    out = []
    for s in stats:
        f, lm = wanted[s.track_id]
        if f not in images:
            continue
        img = images[f]
        x0, y0 = np.floor(lm[:, :2].min(axis=0)).astype(int)
        x1, y1 = np.ceil(lm[:, :2].max(axis=0)).astype(int)
        pad = int(0.15 * max(x1 - x0, y1 - y0))
        h, w = img.shape[:2]
        crop = img[max(0, y0 - pad) : min(h, y1 + pad), max(0, x0 - pad) : min(w, x1 + pad)]
        if crop.size == 0:
            continue
        scale = width / crop.shape[1]
        import cv2  # drawing and resizing only

        small = np.asarray(cv2.resize(crop, (width, max(1, round(crop.shape[0] * scale))),
                                      interpolation=cv2.INTER_AREA), np.uint8)
        moves = "walks" if s.travel_rel > 1.0 and s.leg_swing_rel > 0.08 else "mostly stays in place"
        caption = f"Person {s.track_id}: seen {s.start_s:.1f}-{s.end_s:.1f} s, {moves}"
        out.append((s.track_id, caption, small))
    return out


def friendly(exc: GaitcheckError, name: str) -> str:
    """What to tell a patient when the clip ``name`` cannot be analysed (one line, never a stack trace).

    >>> friendly(NoWalkerError("no person was found in the clip"), "walk.mp4")
    'We could not find a person walking in walk.mp4. Film the whole body from the side, in good light.'
    """
    if isinstance(exc, NoWalkerError):
        return f"We could not find a person walking in {name}. Film the whole body from the side, in good light."
    if isinstance(exc, VideoReadError):
        return (f"We could not read {name} as a video: it may be damaged, have no picture (sound only), or not be a "
                "video at all. Try the original file from your phone.")
    return str(exc).replace("upload.", f"{Path(name).stem}.")


@dataclass(frozen=True)
class Moment:
    """A moment for the gallery: the key frame, and what to change in plain words."""

    key: KeyFrame
    advice: str

    @property
    def title(self) -> str:
        return self.key.title

    @property
    def t_s(self) -> float:
        return self.key.t_s


def _advice(row: Mapping[str, Any]) -> str:
    tips = []
    if row.get("look_down"):
        tips.append("lift your gaze to a point about 20 feet (6 m) ahead")
    if row.get("slouch"):
        tips.append("stand tall: shoulders back, head up, core engaged")
    return ("Try to " + " and ".join(tips) + ".") if tips else "Good posture here: keep it."


def _flags_at(report: Report, i: int) -> dict[str, bool]:
    return {k: c.flagged is not None and bool(c.flagged[i]) for k, c in (("look_down", report.look_ahead),
                                                                          ("slouch", report.slouch))}


def key_moments(report: Report, max_frames: int = 6) -> list[Moment]:
    """The gallery: the worst moment of each flagged episode, a good moment, with advice."""
    return [Moment(k, _advice(_flags_at(report, k.frame))) for k in choose_key_frames(report, max_frames)]


def key_moment_images(data: bytes, name: str, report: Report, moments: list[Moment]) -> list[NDArray[np.uint8]]:
    """The moments' pictures with the skeleton, head and trunk lines and angles drawn."""
    with temporary_video(data, name) as path:
        return key_frame_images(path, report, [m.key for m in moments])


def frame_picture(data: bytes, name: str, report: Report, index: int, width: int = 960) -> NDArray[np.uint8]:
    """Frame ``index`` of the clip with the overlays, ``width`` pixels wide."""
    key = KeyFrame(index, float(report.frames.t_s[index]), "", "", "")
    with temporary_video(data, name) as path:
        return key_frame_images(path, report, [key], width=width)[0]


def frame_caption(report: Report, i: int) -> str:
    """Frame ``i``'s measures in words, with what is flagged."""
    on = _flags_at(report, i)
    flags = [w for k, w in (("look_down", "looking down"), ("slouch", "slouching")) if on[k]]
    words = describe_frame(report.frames, i)
    return f"{report.frames.t_s[i]:.2f} s: {words}" + (f" (flagged: {', '.join(flags)})" if flags else "")


def timeline_figure(report: Report) -> Any:
    """A matplotlib Figure: head pitch, trunk lean and forward head over time, thresholds and
    flagged episodes shaded (the same charts as the PDF)."""
    from matplotlib.figure import Figure

    from .evidence.pdf.charts import clip_duration_s, draw_timeline, timeline_specs

    specs = timeline_specs(report)
    fig = Figure(figsize=(10, 5.4), layout="constrained")
    axes = fig.subplots(len(specs), 1, sharex=True)
    for i, (ax, spec) in enumerate(zip(axes, specs, strict=True)):
        draw_timeline(ax, report.frames.t_s, spec, clip_duration_s(report), xlabel=i == len(specs) - 1)
    return fig


def annotated_video_bytes(data: bytes, name: str, report: Report) -> bytes:
    """The annotated H.264 MP4 as bytes (rendered in a private temporary folder, deleted after)."""
    from .evidence.video import write_annotated_video

    with temporary_video(data, name) as path:
        out = path.with_name("annotated.mp4")
        write_annotated_video(path, report, out)
        return out.read_bytes()


def comparison(old: Mapping[str, Any], new: Report) -> tuple[list[dict[str, str]], str]:
    """An earlier report (its JSON, as uploaded) against this one: table rows and a one-paragraph summary.

    Raises:
        InputError: ``old`` is not a gaitcheck report.
    """
    c = compare_reports(Report.from_dict(old), new)
    rows = [{"measure": ch.label, "earlier": ch.old, "now": ch.new, "change": ch.delta, "direction": ch.direction}
            for ch in (*c.verdicts, *c.measures)]
    words = (f"Since {c.old_name}: {c.count('better')} better, {c.count('worse')} worse, "
             f"{c.count('same')} about the same.")
    return rows, words
