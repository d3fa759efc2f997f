"""``analyze``: video -> everyone's landmarks -> the walker -> posture measures -> verdicts -> Report.

Two stages, so that re-scoring with other thresholds never re-runs the pose model:
:func:`extract` (decode + pose + tracking; the expensive part) and :func:`score` (pure numpy).
The pose stage itself is two passes (see :mod:`gaitcheck._passes`): a scan that samples everyone,
then the walker followed on every frame.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._live import follow_live, kept_track
from ._passes import Scan, follow, scan, scan_stride
from .clean import clean_series
from .config import Config
from .errors import NoWalkerError
from .extract import ModelInfo, resolve_model
from .gait import GaitResult, analyze_gait
from .posture import PostureSeries, measure_posture
from .report import Report
from .tracking import Track, TrackStats, choose_walker, track_series, track_summary
from .verdicts import Check, frame_durations, look_ahead_check, slouch_check
from .video import VideoInfo, measured_fps, probe_video
from .view import clip_view

__all__ = ["Extraction", "analyze", "extract", "follow_track", "score"]

Progress = Callable[[int, int], None]  # (frames done, frames expected or 0)
SCAN_SHARE = 0.25  # share of the progress bar the scan fills when it runs first (about its share of the time)


def _version() -> str:
    try:
        return version("gaitcheck")
    except PackageNotFoundError:  # running from a source tree
        return "0+unknown"


@dataclass(frozen=True, eq=False)
class Extraction:
    """Everyone the pose model found in a clip, linked into tracks (the expensive stage's output).

    The walker chosen while extracting has landmarks on every frame the model found them; the
    others were looked at every few frames only (``Track.stride``), which is enough to list them
    and to choose among them: :func:`follow_track` follows one of them on every frame.
    """

    info: VideoInfo
    t: NDArray[np.float64]
    tracks: tuple[Track, ...]
    warnings: tuple[str, ...]
    model: ModelInfo


def extract(path: str | os.PathLike[str], config: Config | None = None, *, model: str | os.PathLike[str] | None = None,
            progress: Progress | None = None) -> Extraction:
    """Decode the clip, find everyone with the pose model, link them into tracks and follow the walker.

    Everyone is looked for every ``config.pose.scan_interval_s`` (their tracks are sampled: see
    :attr:`Track.stride <gaitcheck.tracking.Track.stride>`); the walker (:func:`choose_walker`)
    is then followed on every frame. ``scan_interval_s = 0`` follows everyone on every frame.

    Raises:
        VideoReadError, InputTooLargeError: the file cannot be used.
        ModelError: the pose model cannot be loaded.
    """
    cfg = config or Config()
    return _extract(path, cfg, resolve_model(model), progress)[0]


class _Bar:
    """Maps the pose passes onto one ``progress(done, expected)`` over the clip's frames."""

    def __init__(self, progress: Progress | None, expected: int, scan_share: float = 0.0) -> None:
        self._progress, self._expected, self._done = progress, expected, 0
        self._share = scan_share  # of the bar the scan fills on its own (0: it runs beside the rest)

    def _report(self, done: float) -> None:
        n = int(done)
        if self._progress is not None and n > self._done:
            self._done = n
            self._progress(n, self._expected)

    def scan(self, index: int) -> None:
        self._report(self._share * (index + 1))

    def frame(self, index: int) -> None:
        self._report(index + 1)

    def follow(self, first: int, last: int, total: int) -> Callable[[int], None]:
        base, rest = self._share * total, 1.0 - self._share
        return lambda i: self._report(base + rest * total * (i - first + 1) / max(1, last - first + 1))

    def end(self, total: int) -> None:
        self._report(total)


def _extract(path: str | os.PathLike[str], cfg: Config, model: ModelInfo, progress: Progress | None, *,
             track_id: int | None = None, point: tuple[float, float, float] | None = None,
             ) -> tuple[Extraction, int | None]:
    """:func:`extract`, following the person named by ``track_id`` or ``point`` (else the walker).

    Returns the extraction and the id of the person followed on every frame (None: everyone was).

    Raises:
        NoWalkerError: ``track_id`` or ``point`` names no one (the scan's tracks).
    """
    info = probe_video(path, max_duration_s=cfg.limits.max_duration_s, max_pixels=cfg.limits.max_pixels)
    fps = measured_fps(path) or info.fps  # what the frames say, not what the container declares
    stride = 1 if cfg.pose.max_people == 1 else scan_stride(fps, cfg.pose.scan_interval_s)
    if stride == 1:  # everyone on every frame, in one pass: the scan is the whole bar
        bar = _Bar(progress, info.frame_count, scan_share=1.0)
        found = scan(path, cfg, model, 1, bar.scan)
        bar.end(len(found.t))
        return Extraction(found.info, found.t, tuple(found.tracks), found.warnings, model), None
    if track_id is None and point is None:  # the usual case: both passes at once
        bar = _Bar(progress, info.frame_count)
        found, looked = follow_live(path, cfg, model, stride, fps, bar.frame, after_scan=load_scoring)
        stats = track_summary(found.tracks, found.info.height, _frame_step(found.t, found.info))
        if not stats:
            bar.end(len(found.t))
            return _extraction(found, model), None  # nobody: score() says so
        target = choose_walker(found.tracks, stats)
        dense = kept_track(found, found.tracks.index(target), looked)
        ex = _follow(path, cfg, found, model, target, bar, dense)
    else:  # someone named by the user: find them first
        bar = _Bar(progress, info.frame_count, SCAN_SHARE)
        found = scan(path, cfg, model, stride, bar.scan)
        stats = track_summary(found.tracks, found.info.height, _frame_step(found.t, found.info))
        target = choose_walker(found.tracks, stats, track_id=track_id, point=point,
                               frame_size=(found.info.width, found.info.height))
        ex = _follow(path, cfg, found, model, target, bar)
    bar.end(len(found.t))
    return ex, target.track_id


def _extraction(found: Scan, model: ModelInfo, tracks: tuple[Track, ...] | None = None,
                warnings: tuple[str, ...] = ()) -> Extraction:
    return Extraction(found.info, found.t, tuple(found.tracks) if tracks is None else tracks,
                      (*found.warnings, *warnings), model)


def _follow(path: str | os.PathLike[str], cfg: Config, found: Scan, model: ModelInfo, target: Track, bar: _Bar,
            dense: Track | None = None) -> Extraction:
    """The extraction with ``target`` followed on every frame (``dense``, if already done).

    If the person is found on fewer frames than the scan saw them on, something went wrong (e.g.
    the model kept to someone else): everyone is then followed on every frame instead.
    """
    if dense is None:
        n = len(found.t)
        margin = found.stride - 1
        step = bar.follow(max(0, target.frames[0] - margin), min(n - 1, target.frames[-1] + margin), n)
        others = [tr for tr in found.tracks if tr is not target]
        dense = follow(path, cfg, model, target, others, found.stride, step)
    if len(dense.frames) < len(target.frames):
        full = scan(path, cfg, model, 1)
        note = (f"The walker could not be followed on their own (found on {len(dense.frames)} frames, seen by "
                f"the scan on {len(target.frames)}); everyone was followed on every frame instead.")
        return _extraction(full, model, warnings=(note,))
    return _extraction(found, model, tuple(dense if tr is target else tr for tr in found.tracks))


def load_scoring() -> None:
    """Import what :func:`score` needs that is slow to import (scipy's signal and ndimage: ~1 s).

    Those modules load on first use, so that a process starts quickly; the live extraction calls
    this on its scan thread once the scan is done, while the walker is still being followed.
    """
    import scipy.ndimage
    import scipy.signal  # noqa: F401


def _frame_step(t: NDArray[np.float64], info: VideoInfo) -> float:
    return float(np.median(np.diff(t))) if len(t) > 1 else 1 / max(info.fps, 1.0)


def follow_track(path: str | os.PathLike[str], extraction: Extraction, track_id: int, config: Config | None = None,
                 ) -> Extraction:
    """``extraction`` with person ``track_id`` followed on every frame (for choosing another walker).

    :func:`extract` follows only the walker it chose on every frame; the others are sampled. Pass
    the result to :func:`score` with ``track_id`` for a full analysis of that person. Returns
    ``extraction`` itself when that person is already followed on every frame.

    Args:
        path: the same video the extraction came from.
        extraction: what :func:`extract` returned for it (its model is used again).
        track_id: a track id of ``extraction``.
        config: the settings used for the extraction.

    Raises:
        NoWalkerError: there is no such track.
    """
    cfg = config or Config()
    info = extraction.info
    tracks = list(extraction.tracks)
    stats = track_summary(tracks, info.height, _frame_step(extraction.t, info))
    target = choose_walker(tracks, stats, track_id=track_id)
    if target.full:
        return extraction
    found = Scan(info, extraction.t, tracks, [tr.track_id for tr in tracks], target.stride, extraction.warnings)
    return _follow(path, cfg, found, extraction.model, target, _Bar(None, 0))


def _why_unknown(view: str, post: PostureSeries, valid_s: float) -> str:
    if view in ("front", "back"):
        where = "from the front" if view == "front" else "from behind"
        return (f"the clip is filmed {where}; head pitch and trunk lean need a side view "
                "(camera at the walker's side, about hip height)")
    if not post.side.any():
        return "the walker is never seen from the side; head pitch and trunk lean need a side view"
    return f"only {valid_s:.1f} s of walking seen from the side with the body visible (at least 1 s is needed)"


def _frames(post: PostureSeries, detected: NDArray[np.bool_], jumps: NDArray[np.bool_], la: Check,
            sl: Check, gait: GaitResult) -> tuple[dict[str, Any], ...]:
    def r(v: float, nd: int = 2) -> float | None:
        return None if not np.isfinite(v) else round(float(v), nd)

    events = {e.frame: f"{e.type}_{e.foot}" for e in gait.events}
    rows = []
    for i in range(len(post.t)):
        rows.append({
            "frame": i, "t_s": round(float(post.t[i]), 4), "detected": bool(detected[i]),
            "hip_x": r(post.hip_xy[i, 0], 4), "hip_y": r(post.hip_xy[i, 1], 4),
            "head_pitch_deg": r(post.head_pitch_deg[i]), "trunk_lean_deg": r(post.trunk_lean_deg[i]),
            "gaze_distance_m": r(post.gaze_distance_m[i]), "forward_head_rel": r(post.forward_head_rel[i], 3),
            "ear_shoulder_hip_deg": r(post.ear_shoulder_hip_deg[i]), "view": post.views[i] or None,
            "walking": bool(post.walking[i]), "identity_jump": bool(jumps[i]),
            "look_down": bool(la.flagged[i]) if la.flagged is not None else None,
            "slouch": bool(sl.flagged[i]) if sl.flagged is not None else None,
            "gait_event": events.get(i),
        })
    return tuple(rows)


def _track_dict(s: TrackStats, chosen: int) -> dict[str, Any]:
    return {"track_id": s.track_id, "frames": s.frames, "start_s": round(s.start_s, 3), "end_s": round(s.end_s, 3),
            "size_rel": round(s.size_rel, 3), "travel_rel": round(s.travel_rel, 3),
            "leg_swing_rel": round(s.leg_swing_rel, 3), "score": round(s.score, 3), "chosen": s.track_id == chosen}


def score(extraction: Extraction, config: Config | None = None, *, height_cm: float | None = None,
          track_id: int | None = None, walker_point: tuple[float, float, float] | None = None) -> Report:
    """Choose the walker, measure posture and give the verdicts (no video decoding, no model).

    Raises:
        NoWalkerError: nobody was found, or not the person asked for.
    """
    cfg = config or Config()
    height = float(height_cm if height_cm is not None else cfg.body.height_cm)
    info, t = extraction.info, extraction.t
    if len(t) == 0:
        raise NoWalkerError("no frame could be decoded")
    stats = track_summary(list(extraction.tracks), info.height, _frame_step(t, info))
    walker = choose_walker(list(extraction.tracks), stats, track_id=track_id, point=walker_point,
                           frame_size=(info.width, info.height))
    raw = track_series(walker, t, (info.width, info.height), info.path)
    series, jumps = clean_series(raw, cfg.signal)
    post = measure_posture(series, cfg, height)
    view = clip_view(post.views[raw.detected])
    dur = frame_durations(t)

    valid = post.walking & post.side & raw.detected & ~jumps
    valid_s = float(dur[valid & ~np.isnan(post.trunk_lean_deg)].sum())
    why = _why_unknown(view, post, valid_s)
    la = look_ahead_check(post.head_pitch_deg, post.gaze_distance_m, t, valid, cfg.look_ahead, cfg.limits, why)
    sl = slouch_check(post.trunk_lean_deg, post.forward_head_rel, t, valid, cfg.slouch, cfg.limits, why,
                      post.ear_shoulder_hip_deg)

    usable = raw.detected & ~jumps & post.walking
    gait = analyze_gait(post.px, post.facing, t, usable & np.isin(post.views, ["side", "oblique"]),
                        usable & np.isin(post.views, ["front", "back"]), info.width, height_cm, cfg.gait)

    warnings = list(extraction.warnings)
    detection_rate = float(raw.detected.mean())
    if len(stats) > 1:
        warnings.append(f"{len(stats)} people were found; the walker is track {walker.track_id} "
                        f"(seen {walker.times[0]:.1f}-{walker.times[-1]:.1f} s). If that is the wrong person, "
                        "choose another by its track id (listed under subject.tracks; --track on the command line).")
    if not walker.full:
        warnings.append(f"Track {walker.track_id} was only looked at every {walker.stride} frames (the pose model "
                        "follows on every frame only the person chosen while analysing), so its measures and steps "
                        f"are approximate: analyse the clip again choosing it (--track {walker.track_id}) for full "
                        "detail.")
    if jumps.any():
        first = float(t[np.argmax(jumps)])
        warnings.append(f"The walker's landmarks jumped to someone or something else in {int(jumps.sum())} "
                        f"frame(s) (first at {first:.1f} s); those frames were dropped.")
    if post.tilt_note:
        warnings.append(post.tilt_note)
    if detection_rate < 0.5:
        warnings.append(f"The walker was found in only {detection_rate:.0%} of the frames.")
    if view == "mixed":
        warnings.append("The camera view changes during the clip; posture is judged only where the walker "
                        "is seen from the side.")
    if height_cm is None:
        warnings.append(f"Body height not given; assumed {height:.0f} cm for the gaze distance (use --height-cm); "
                        "step lengths are given in leg lengths only.")

    video = {"path": str(info.path), "fps": round(info.fps, 3), "frame_count": len(t),
             "duration_s": round(float(t[-1] + dur[-1] - t[0]), 3), "width": info.width, "height": info.height,
             "rotation_deg": info.rotation_deg, "codec": info.codec, "declared_frame_count": info.frame_count}
    subject = {"track_id": walker.track_id, "detection_rate": round(detection_rate, 4),
               "seen_from_s": round(walker.times[0], 3), "seen_to_s": round(walker.times[-1], 3),
               "analysable_s": round(valid_s, 3), "tracks": [_track_dict(s, walker.track_id) for s in stats]}
    extra = {"camera_tilt_deg": None if post.tilt_deg is None else round(post.tilt_deg, 2),
             "height_cm": height, "height_given": height_cm is not None,
             "settings": cfg.to_dict(),
             "software": {"gaitcheck": _version(), "model": extraction.model.name,
                          "model_sha256": extraction.model.sha256, "model_bundled": extraction.model.bundled}}
    return Report(video, view, subject, la, sl, tuple(warnings), _frames(post, raw.detected, jumps, la, sl, gait),
                  extra, gait=gait, series=series)


def analyze(path: str | os.PathLike[str], config: Config | None = None, *, model: str | os.PathLike[str] | None = None,
            height_cm: float | None = None, track_id: int | None = None,
            walker_point: tuple[float, float, float] | None = None, progress: Progress | None = None) -> Report:
    """Analyse one walking clip: the walker's look-ahead and slouch verdicts, with per-frame data.

    Args:
        path: the video file (never modified).
        config: thresholds and settings (defaults when None; see :func:`gaitcheck.load_config`).
        model: another PoseLandmarker ``.task`` file (default: the bundled model, or ``$GAITCHECK_MODEL``).
        height_cm: the walker's height, for the gaze distance (default ``config.body.height_cm``).
        track_id: choose this tracked person as the walker (ids are in ``report.subject["tracks"]``).
        walker_point: ``(x, y, t_s)``: choose the person nearest this point (x, y in 0..1 of the
            upright frame) at that time.
        progress: called as ``progress(frames_done, frames_expected)`` while decoding.

    Raises:
        GaitcheckError: a subclass saying what is wrong with the input, the model or the walker.
    """
    cfg = config or Config()
    extraction, followed = _extract(path, cfg, resolve_model(model), progress, track_id=track_id, point=walker_point)
    if walker_point is not None and followed is not None:  # the point was resolved on the scan's tracks
        track_id, walker_point = followed, None
    return score(extraction, cfg, height_cm=height_cm, track_id=track_id, walker_point=walker_point)
