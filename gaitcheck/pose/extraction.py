"""The pose stage's entry points: decode the clip, find everyone, follow the walker on every frame.

The stage is two passes (see :mod:`gaitcheck.pose.passes`): a scan that samples everyone every
``pose.scan_interval_s``, then the walker followed on every frame; :mod:`gaitcheck.pose.live` runs
both at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..config import Config
from ..video import VideoInfo, frame_step, measured_fps, probe_video
from .landmarker import ModelInfo, resolve_model
from .live import follow_live, kept_track
from .passes import Scan, follow, scan, scan_stride
from .tracking import Track
from .walker import choose_walker, track_summary

__all__ = ["Extraction", "Progress", "extract", "extract_following", "follow_track", "load_scoring"]

Progress = Callable[[int, int], None]  # (frames done, frames expected or 0)
SCAN_SHARE = 0.25  # share of the progress bar the scan fills when it runs first (about its share of the time)


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
    :attr:`Track.stride <gaitcheck.pose.tracking.Track.stride>`); the walker (:func:`choose_walker`)
    is then followed on every frame. ``scan_interval_s = 0`` follows everyone on every frame.

    Raises:
        VideoReadError, InputTooLargeError: the file cannot be used.
        ModelError: the pose model cannot be loaded.
    """
    cfg = config or Config()
    return extract_following(path, cfg, resolve_model(model), progress)[0]


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


def extract_following(path: str | os.PathLike[str], cfg: Config, model: ModelInfo, progress: Progress | None, *,
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
        stats = track_summary(found.tracks, found.info.height, frame_step(found.t, found.info.fps))
        if not stats:
            bar.end(len(found.t))
            return _extraction(found, model), None  # nobody: score() says so
        target = choose_walker(found.tracks, stats)
        dense = kept_track(found, found.tracks.index(target), looked)
        ex = _follow(path, cfg, found, model, target, bar, dense)
    else:  # someone named by the user: find them first
        bar = _Bar(progress, info.frame_count, SCAN_SHARE)
        found = scan(path, cfg, model, stride, bar.scan)
        stats = track_summary(found.tracks, found.info.height, frame_step(found.t, found.info.fps))
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
    stats = track_summary(tracks, info.height, frame_step(extraction.t, info.fps))
    target = choose_walker(tracks, stats, track_id=track_id)
    if target.full:
        return extraction
    found = Scan(info, extraction.t, tracks, [tr.track_id for tr in tracks], target.stride, extraction.warnings)
    return _follow(path, cfg, found, extraction.model, target, _Bar(None, 0))


