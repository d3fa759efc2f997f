"""The page's pictures: one per verdict, the moments gallery, any chosen frame, and the people in the clip.

Frames come from the upload's :class:`~gaitcheck.ui.frames.FrameStore` (decoded once per session);
the overlays are drawn by :mod:`gaitcheck.evidence`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..evidence.keyframes import KeyFrame, choose_key_frames, describe_frame, key_frame_pictures
from ..pose import Extraction
from ..pose.walker import track_summary
from ..report import Report
from ..video import frame_step
from .upload import Upload
from .words import Card

__all__ = ["Moment", "first_moment", "frame_picture", "key_moment_images", "key_moments", "track_thumbnails",
           "verdict_moments", "whole_body_frames"]

Image = NDArray[np.uint8]
_PAD_X = 0.15  # the body reaches this far (share of its height) beyond its landmarks sideways ...
_PAD_Y = 0.05  # ... and above the eyes and ears
_TALL = 0.9  # a walker seen shorter than this share of their usual height is cut by the edge


@dataclass(frozen=True)
class Moment:
    """A moment to show: the key frame, and what to change in plain words."""

    key: KeyFrame
    advice: str

    @property
    def title(self) -> str:
        return self.key.title

    @property
    def t_s(self) -> float:
        return self.key.t_s

    @property
    def frame(self) -> int:
        return self.key.frame


def _advice(row: Mapping[str, Any]) -> str:
    """What to change at this moment (nothing is said about a moment whose posture was not judged).

    >>> _advice({"look_down": None, "slouch": None})
    'Posture is not judged here.'
    """
    if row.get("look_down") is None and row.get("slouch") is None:
        return "Posture is not judged here."
    tips = []
    if row.get("look_down"):
        tips.append("lift your gaze to a point about 20 feet (6 m) ahead")
    if row.get("slouch"):
        tips.append("stand tall: shoulders back, head up, core engaged")
    return ("Try to " + " and ".join(tips) + ".") if tips else "Good posture here: keep it."


def whole_body_frames(report: Report) -> NDArray[np.bool_]:
    """(T,) True where the walker is wholly inside the picture, head to feet (False without landmarks).

    The landmarks' box, padded for the body around the joints, must lie inside the frame, and the
    walker must look about as tall as usual: as a walker leaves the picture the model squeezes the
    landmarks of the part still seen, so a shrunken body means a cut one.
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
        pad_x, pad_y = _PAD_X * extent * h / w, _PAD_Y * extent
        inside = (lo[:, 0] - pad_x >= 0) & (hi[:, 0] + pad_x <= 1) & (lo[:, 1] - pad_y >= 0) & (hi[:, 1] <= 1)
        tall = extent >= _TALL * typical
    return np.asarray(inside & tall, bool)


def _strength(check: str, report: Report) -> NDArray[np.float64]:
    """(T,) how strongly each frame shows what ``check`` flags (larger = worse; -inf where not measured)."""
    f = report.frames
    if check == "look_ahead":
        out = f.head_pitch_deg
    else:
        sl = report.settings.slouch
        out = np.fmax(f.trunk_lean_deg / sl.trunk_lean_max_deg, f.forward_head_rel / sl.forward_head_max_rel)
    return np.asarray(np.where(np.isfinite(out), out, -np.inf), np.float64)


def _pickable(report: Report) -> Report:
    """``report`` made to choose pictures from: frames where the walker is cut by the picture's edge count as
    not detected, and each episode's worst moment is its worst frame with the whole body in view.
    """
    whole = whole_body_frames(report)
    if not whole.any():
        return report
    checks = {}
    for name, check in report.checks.items():
        strength, flagged = _strength(name, report), check.flagged
        episodes = []
        for ep in check.episodes:
            span = np.arange(max(0, ep.start_frame), min(len(whole), ep.end_frame + 1))
            seen = span[whole[span] & (flagged[span] if flagged is not None else True)]
            episodes.append(replace(ep, peak_frame=int(seen[np.argmax(strength[seen])])) if len(seen) else ep)
        checks[name] = replace(check, episodes=tuple(episodes))
    frames = replace(report.frames, detected=report.frames.detected & whole)
    return replace(report, frames=frames, look_ahead=checks["look_ahead"], slouch=checks["slouch"])


def _flags_at(report: Report, i: int) -> dict[str, bool | None]:
    """Frame ``i``'s flags; None where the check is unknown or nothing was measured in that frame."""
    f = report.frames
    measured = bool(np.isfinite(f.head_pitch_deg[i]) or np.isfinite(f.trunk_lean_deg[i]))
    return {k: None if c.flagged is None or not measured else bool(c.flagged[i])
            for k, c in (("look_down", report.look_ahead), ("slouch", report.slouch))}


def key_moments(report: Report, max_frames: int = 6) -> list[Moment]:
    """The gallery: the worst moment of each flagged episode and a good moment (the whole body in view), with
    advice.
    """
    return [Moment(k, _advice(_flags_at(report, k.frame))) for k in choose_key_frames(_pickable(report), max_frames)]


def verdict_moments(report: Report, cards: Sequence[Card]) -> dict[str, Moment | None]:
    """One moment per verdict card (by ``Card.check``): the worst moment of its longest flagged episode with the
    whole body in view, else a good moment; for steps, a foot landing mid-walk; None where there is nothing to
    show.
    """
    picked = _pickable(report)
    whole = whole_body_frames(report)
    rank = ("Good", "Best", "Moment")
    good = sorted((m for m in key_moments(report) if m.title.startswith(rank)),
                  key=lambda m: next(k for k, r in enumerate(rank) if m.title.startswith(r)))
    titles = {"look_ahead": "Looking down", "slouch": "Slouching"}
    n = len(report.frames)
    out: dict[str, Moment | None] = {}
    for i, card in enumerate(cards):
        if card.check in titles:
            eps = sorted(picked.checks[card.check].episodes, key=lambda e: e.start_s - e.end_s)
            if card.status == "flag" and eps:
                out[card.check] = _moment(report, eps[0].peak_frame, f"{titles[card.check]}: worst moment")
            elif card.status == "pass" and good:
                out[card.check] = good[min(i, len(good) - 1)]
            else:
                out[card.check] = _seen(report, whole, "What the camera saw")
        elif card.check == "gait":
            events = report.gait.events if report.gait is not None else ()
            contacts = [e.frame for e in events if e.type == "initial_contact" and 0 <= e.frame < n]
            inside = [f for f in contacts if whole[f]] or contacts
            out["gait"] = (_moment(report, inside[len(inside) // 2], "A foot landing",
                                   "The front foot touches the floor here.") if inside
                           else _seen(report, whole, "What the camera saw"))
    return out


def _moment(report: Report, f: int, title: str, advice: str | None = None) -> Moment:
    return Moment(KeyFrame(f, float(report.frames.t_s[f]), "", title, describe_frame(report.frames, f)),
                  _advice(_flags_at(report, f)) if advice is None else advice)


def _seen(report: Report, whole: NDArray[np.bool_], title: str) -> Moment | None:
    """The middle frame where the walker was found (whole-body frames first), or None."""
    found = np.flatnonzero(report.frames.detected)
    pool = [int(i) for i in found if whole[i]] or [int(i) for i in found]
    if not pool:
        return None
    return _moment(report, pool[len(pool) // 2], title, "This is how the walker looks in the clip.")


def first_moment(report: Report, cards: Sequence[Card]) -> int:
    """The frame to show first under the charts: the first flagged verdict's picture, else the first picture,
    else the middle of the clip.
    """
    moments = verdict_moments(report, cards)
    flagged = [moments.get(c.check) for c in cards if c.status == "flag"]
    chosen = [m for m in (*flagged, *moments.values()) if m is not None]
    return chosen[0].frame if chosen else len(report.frames) // 2


def key_moment_images(upload: Upload, report: Report, moments: Sequence[Moment], width: int = 720) -> list[Image]:
    """The moments' pictures with the skeleton, head and trunk lines and angles drawn."""
    keys = [m.key for m in moments]
    frames = upload.frames.get(k.frame for k in keys)
    return key_frame_pictures(frames, report, keys, width)


def frame_picture(upload: Upload, report: Report, index: int, width: int = 960) -> Image:
    """Frame ``index`` of the clip with the overlays, ``width`` pixels wide."""
    key = KeyFrame(index, float(report.frames.t_s[index]), "", "", "")
    return key_frame_pictures(upload.frames.get([index]), report, [key], width)[0]


def track_thumbnails(upload: Upload, extraction: Extraction, height: int = 200,
                     max_width: int = 240) -> list[tuple[int, str, Image]]:
    """One picture per tracked person (at the middle of their time in view), best walker first:
    ``(track_id, caption, RGB image)``, each ``height`` pixels tall (narrower when the person is
    wider than ``max_width`` at that height): small enough that a phone, which stacks them, shows
    several on one screen.
    """
    import cv2

    info = extraction.info
    stats = track_summary(list(extraction.tracks), (info.width, info.height), frame_step(extraction.t, info.fps))
    by_id = {tr.track_id: tr for tr in extraction.tracks}
    wanted: dict[int, tuple[int, NDArray[np.float32]]] = {}
    for s in stats:
        tr = by_id[s.track_id]
        k = len(tr.frames) // 2
        wanted[s.track_id] = (tr.frames[k], tr.image[k])
    images = upload.frames.get(f for f, _ in wanted.values())
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
        scale = min(height / crop.shape[0], max_width / crop.shape[1])
        size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
        small = np.asarray(cv2.resize(crop, size, interpolation=cv2.INTER_AREA), np.uint8)
        moves = f"walks for {s.walking_s:.1f} s" if s.walking_s >= 0.5 else "mostly stays in place"
        out.append((s.track_id, f"Person {s.track_id}: seen {s.start_s:.1f}-{s.end_s:.1f} s, {moves}", small))
    return out
