"""Key frames for the PDF report: which moments to show (pure), and their annotated pictures.

The worst moment of each flagged episode (its ``peak_frame``), a good moment (the frame with the
whole walker in the picture, walking and unflagged, with the most level head and upright trunk; only
when both posture checks were judged) and, when that
makes fewer than three, moments spread over the walk. Pictures are taken with
:class:`gaitcheck.video.VideoReader` and drawn by :mod:`gaitcheck.evidence.draw`.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from ..report import Frames, Report
from ..video import VideoReader
from .draw import thumbnail
from .marks import clip_overlay

__all__ = ["KeyFrame", "choose_key_frames", "crop_size", "describe_frame", "fewer_key_frames", "key_frame_images",
           "key_frame_pictures", "pickable", "well_framed", "whole_body_frames"]

_NEAR_S = 0.3  # two chosen moments closer than this are one
_SPREAD_S = 0.6  # spread-out samples stay this far from other moments
_PAD_X = 0.15  # the body reaches this far (share of its height) beyond its landmarks sideways ...
_PAD_Y = 0.05  # ... and above the eyes and ears
_TALL = 0.9  # a walker seen shorter than this share of their usual height is cut by the edge
_ROOM = 0.25  # pictures rather show the walker with this share of their height free beside them


@dataclass(frozen=True)
class KeyFrame:
    """One moment to show.

    Decoded frame index, time, a letter (A, B, ...), words, and its rank (0 = shown first when there is room for
    fewer: worst moments, then the good one, then the rest).
    """

    frame: int
    t_s: float
    label: str
    title: str
    detail: str
    rank: int = 0


def _opt(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


def describe_frame(frames: Frames, i: int) -> str:
    """The measures of frame ``i`` in words (head, gaze, trunk, forward head).

    >>> f = Frames.from_rows([{"t_s": 0.0, "head_pitch_deg": 24.2, "gaze_distance_m": 2.04,
    ...                        "trunk_lean_deg": -3.0, "forward_head_rel": 0.21}])
    >>> describe_frame(f, 0)
    'head 24° down, gaze 2.0 m; trunk 3° back, head forward 0.21'
    """
    pitch, gaze = _opt(frames.head_pitch_deg[i]), float(frames.gaze_distance_m[i])
    lean, fwd = _opt(frames.trunk_lean_deg[i]), _opt(frames.forward_head_rel[i])
    parts = []
    if pitch is not None:
        where = f"{gaze:.1f} m" if math.isfinite(gaze) else "horizon"
        parts.append(f"head {abs(pitch):.0f}° {'down' if pitch >= 0 else 'up'}, gaze {where}")
    if lean is not None:
        text = f"trunk {abs(lean):.0f}° {'forward' if lean >= 0 else 'back'}"
        parts.append(text + ("" if fwd is None else f", head forward {fwd:.2f}"))
    return "; ".join(parts) if parts else "not measured here (not seen from the side)"


def _valid(frames: Frames) -> NDArray[np.bool_]:
    """Frames a moment may be shown from.

    The walker found and walking, the head and trunk measured (so seen, from the side or obliquely) and, where
    any frame has them, the feet in the picture too,
    so that a picture never shows a walker cut by the frame edge when a whole one exists.
    """
    measured = (frames.detected & frames.walking & ~frames.identity_jump & np.isfinite(frames.head_pitch_deg)
                & np.isfinite(frames.trunk_lean_deg))
    whole = measured & frames.seen_head & frames.seen_trunk & frames.seen_feet
    return np.asarray(whole if whole.any() else measured)


def whole_body_frames(report: Report, room: float = 0.0) -> NDArray[np.bool_]:
    """(T,) True where the walker is wholly inside the picture, head to feet (False without landmarks).

    The landmarks' box, padded for the body around the joints, must lie inside the frame, and the
    walker must look about as tall as usual: as a walker leaves the picture the model squeezes the
    landmarks of the part still seen, so a shrunken body means a cut one. ``room``: and at least
    this share of the walker's height free between the padded box and the picture's left and right
    edges (a walker just inside the edge is whole, but a poor picture: half of it is wall).
    """
    series = report.series
    if series is None or len(series) == 0:
        return np.zeros(len(report.frames), bool)
    w, h = series.frame_size
    xy = np.asarray(series.xyz[:, :, :2], np.float64)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: the walker is not there
        lo, hi = np.nanmin(xy, axis=1), np.nanmax(xy, axis=1)
        extent = hi[:, 1] - lo[:, 1]  # head to feet, share of the picture's height
        typical = float(np.nanmedian(extent)) if np.isfinite(extent).any() else np.nan
        side, pad_y = (_PAD_X + room) * extent * h / w, _PAD_Y * extent
        inside = (lo[:, 0] - side >= 0) & (hi[:, 0] + side <= 1) & (lo[:, 1] - pad_y >= 0) & (hi[:, 1] <= 1)
        tall = extent >= _TALL * typical
    return np.asarray(inside & tall, bool)


def well_framed(report: Report) -> NDArray[np.bool_]:
    """(T,) The frames pictures are taken from: the walker whole and clear of the picture's sides.

    Where no frame has them clear of the sides (a narrow portrait picture they fill), the frames
    where they are whole; all False when they never are.
    """
    clear, whole = _tiers(report)
    return clear if clear.any() else whole


def _tiers(report: Report) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """(T,) the frames with the walker whole and clear of the picture's sides, and (T,) those with them whole."""
    return whole_body_frames(report, _ROOM), whole_body_frames(report)


def _strength(check: str, report: Report) -> NDArray[np.float64]:
    """(T,) how strongly each frame shows what ``check`` flags (larger = worse; -inf where not measured)."""
    f = report.frames
    if check == "look_ahead":
        out = f.head_pitch_deg
    else:
        sl = report.settings.slouch
        out = np.fmax(f.trunk_lean_deg / sl.trunk_lean_max_deg, f.forward_head_rel / sl.forward_head_max_rel)
    return np.asarray(np.where(np.isfinite(out), out, -np.inf), np.float64)


def pickable(report: Report) -> Report:
    """``report`` made to choose pictures from (applying it again changes nothing).

    Frames other than :func:`well_framed` ones count as not detected, and each episode's worst moment is its
    worst flagged frame with the walker clear of the picture's sides, else whole, else as it was.
    """
    return _pickable(report, *_tiers(report))


def _pickable(report: Report, clear: NDArray[np.bool_], whole: NDArray[np.bool_]) -> Report:
    """:func:`pickable`, with the framing tiers of ``report`` (:func:`_tiers`) given."""
    if not whole.any():
        return report
    tiers = (clear, whole)
    checks = {}
    for name, check in report.checks.items():
        strength, flagged = _strength(name, report), check.flagged
        episodes = []
        for ep in check.episodes:
            span = np.arange(max(0, ep.start_frame), min(len(whole), ep.end_frame + 1))
            shown = span if flagged is None else span[flagged[span]]
            seen = next((shown[tier[shown]] for tier in tiers if tier[shown].any()), shown[:0])
            episodes.append(replace(ep, peak_frame=int(seen[np.argmax(strength[seen])])) if len(seen) else ep)
        checks[name] = replace(check, episodes=tuple(episodes))
    frames = replace(report.frames, detected=report.frames.detected & (clear if clear.any() else whole))
    return replace(report, frames=frames, look_ahead=checks["look_ahead"], slouch=checks["slouch"])


def _badness(frames: Frames) -> NDArray[np.float64]:
    pitch, lean = np.nan_to_num(frames.head_pitch_deg), np.nan_to_num(frames.trunk_lean_deg)
    return np.asarray(np.abs(pitch) / 10 + np.abs(lean) / 5 + np.abs(np.nan_to_num(frames.forward_head_rel)) / 0.1)


def _episode_moments(report: Report) -> list[tuple[int, str, float]]:
    """(frame, title, duration) for the worst moment of each episode, same moments merged."""
    t = report.frames.t_s
    found: list[tuple[int, str, float]] = []
    for check, name in ((report.look_ahead, "Looking down"), (report.slouch, "Slouching")):
        for ep in check.episodes:
            f = ep.peak_frame
            if not 0 <= f < len(t):
                continue
            near = [k for k, (g, _, _) in enumerate(found) if abs(t[g] - t[f]) < _NEAR_S]
            if near:
                g, title, d = found[near[0]]
                found[near[0]] = (g, f"{title} and {name.lower()}", max(d, ep.end_s - ep.start_s))
            else:
                found.append((f, name, ep.end_s - ep.start_s))
    return found


def choose_key_frames(report: Report, max_frames: int = 6) -> list[KeyFrame]:
    """Choose 3 to ``max_frames`` moments of ``report``, in time order.

    The worst moment of each flagged episode (the longest episodes when there are too many), a
    good moment (only when both posture checks were judged), and moments spread over the walk
    until there are three (fewer only if the walker was seen in fewer frames); all of them where
    the walker is whole in the picture and clear of its sides if any frame has them so
    (:func:`pickable`).
    """
    clear, whole = _tiers(report)
    found = report.frames.detected & whole if whole.any() else report.frames.detected
    wider = [np.flatnonzero(_valid(report.frames) & found).tolist(), np.flatnonzero(found).tolist()]
    report = _pickable(report, clear, whole)
    frames = report.frames
    t = frames.t_s
    n = len(frames)
    flagged = np.zeros(n, bool)
    for check in (report.look_ahead, report.slouch):
        if check.flagged is not None:
            flagged |= check.flagged
    chosen: list[tuple[int, str]] = []
    episodes = sorted(_episode_moments(report), key=lambda e: -e[2])[: max(1, max_frames - 1)]
    chosen += [(f, f"{title}: worst moment") for f, title, _ in episodes]
    valid = np.flatnonzero(_valid(frames)).tolist()
    bad = _badness(frames)
    good = [i for i in valid if not flagged[i]]
    if any(c.status == "unknown" for c in (report.look_ahead, report.slouch)):
        pass  # a check not judged: no moment can be called good (or the best), only shown
    elif good:
        chosen.append((min(good, key=lambda i: bad[i]), "Good moment"))
    elif valid:  # flagged all along: show the best it got
        best = min(valid, key=lambda i: bad[i])
        if all(abs(t[best] - t[j]) >= _NEAR_S for j, _ in chosen):
            chosen.append((best, "Best moment (still flagged)"))
    for pool in (valid, *wider):  # the walker clear of the sides first; whole, or only found, if need be
        for q in (0.5, 0.2, 0.8, 0.35, 0.65, 0.05, 0.95):  # the ends too: a short walk may need them for three
            if len(chosen) >= 3 or not pool:
                break
            i = pool[min(len(pool) - 1, round(q * (len(pool) - 1)))]
            if all(abs(t[i] - t[j]) >= _SPREAD_S for j, _ in chosen):
                chosen.append((i, "Moment of the walk"))
    ranked = {i: r for r, (i, _) in enumerate(chosen)}
    kept = sorted(chosen[:max_frames])
    return [KeyFrame(i, float(t[i]), chr(ord("A") + k), title, describe_frame(frames, i), ranked[i])
            for k, (i, title) in enumerate(kept)]


def fewer_key_frames(keys: Sequence[KeyFrame], n: int) -> list[KeyFrame]:
    """The ``n`` most important of ``keys``, in time order, lettered again from A.

    >>> ks = [KeyFrame(i, i / 10, "", "", "", r) for i, r in ((1, 2), (5, 0), (9, 1))]
    >>> [(k.frame, k.label) for k in fewer_key_frames(ks, 2)]
    [(5, 'A'), (9, 'B')]
    """
    kept = sorted(sorted(keys, key=lambda k: k.rank)[:n], key=lambda k: k.frame)
    return [replace(k, label=chr(ord("A") + j)) for j, k in enumerate(kept)]


def crop_size(px: NDArray[np.float64], frame_size: tuple[int, int], aspect: float = 4 / 3,
              margin: float = 1.4) -> tuple[int, int] | None:
    """(width, height) of a box that holds the walker in every frame of ``px`` ((N, 33, 2) pixels).

    The box is ``aspect`` (width / height) and ``margin`` times the walker's tallest extent high;
    None when the walker already fills most of the frame height (then the whole frame is shown).

    >>> px = np.zeros((1, 33, 2)); px[0, :, 0] = 500; px[0, :, 1] = np.linspace(300, 500, 33)
    >>> crop_size(px, (1600, 900))
    (373, 280)
    """
    w, h = frame_size
    ys = px[..., 1]
    if not np.isfinite(ys).any(axis=1).all():
        return None
    extent = float(np.max(np.nanmax(ys, axis=1) - np.nanmin(ys, axis=1)))
    box_h = min(h, round(margin * extent))
    if box_h > 0.7 * h:
        return None
    return min(w, round(box_h * aspect)), box_h


def _centred(size: tuple[int, int], px: NDArray[np.float64], frame_size: tuple[int, int]) -> tuple[
        int, int, int, int]:
    """A box of ``size`` centred on the walker in ``px`` ((33, 2); the frame's centre if not found), in the frame."""
    w, h = frame_size
    bw, bh = size
    if np.isfinite(px).any():
        cx = float(np.nanmean(px[:, 0]))
        cy = (float(np.nanmin(px[:, 1])) + float(np.nanmax(px[:, 1]))) / 2
    else:
        cx, cy = w / 2, h / 2
    x0 = min(max(round(cx - bw / 2), 0), w - bw)
    y0 = min(max(round(cy - bh / 2), 0), h - bh)
    return x0, y0, x0 + bw, y0 + bh


def key_frame_images(video: str | os.PathLike[str], report: Report, keys: Sequence[KeyFrame],
                     width: int = 720) -> list[NDArray[np.uint8]]:
    """The annotated pictures of ``keys`` (one decode pass), ``width`` pixels wide, in ``keys`` order.

    Where the walker is small in the frame, every picture shows the same-sized box around them.

    Raises:
        VideoReadError: the video cannot be read.
        InputError: the report carries no landmarks.
    """
    wanted = sorted({k.frame for k in keys if 0 <= k.frame < len(report.frames)})
    frames: dict[int, NDArray[np.uint8]] = {}
    if wanted:
        with VideoReader(video, turn_deg=report.video.turned_deg) as reader:
            for frame in reader:
                if frame.index in wanted:
                    frames[frame.index] = frame.image
                if len(frames) == len(wanted) or frame.index >= wanted[-1]:
                    break
    return key_frame_pictures(frames, report, keys, width)


def key_frame_pictures(frames: Mapping[int, NDArray[np.uint8]], report: Report, keys: Sequence[KeyFrame],
                       width: int = 720) -> list[NDArray[np.uint8]]:
    """Like :func:`key_frame_images`, from frames already decoded (``frames[index]``, upright RGB).

    A key whose frame is missing gets a blank picture.

    Raises:
        InputError: the report carries no landmarks.
    """
    clip = clip_overlay(report)
    wanted = sorted({k.frame for k in keys if 0 <= k.frame < len(clip)})
    found = [i for i in wanted if np.isfinite(clip.px[i]).any()]
    size = crop_size(clip.px[found], clip.frame_size) if found else None
    images: dict[int, NDArray[np.uint8]] = {}
    for i in wanted:
        if i in frames:
            crop = _centred(size, clip.px[i], clip.frame_size) if size else None
            images[i] = thumbnail(frames[i], clip.frame(i), width, crop=crop)
    blank = np.full((round(width * 9 / 16), width, 3), 235, np.uint8)
    return [images.get(k.frame, blank) for k in keys]
