"""The page's pictures: one per verdict, the moments gallery, any chosen frame, and the people in the clip.

Frames come from the upload's :class:`~gaitcheck.ui.frames.FrameStore` (decoded once per session);
the overlays are drawn by :mod:`gaitcheck.evidence`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..evidence.keyframes import (
    KeyFrame,
    choose_key_frames,
    describe_frame,
    key_frame_pictures,
    pickable,
    well_framed,
    whole_body_frames,
)
from ..pose import Extraction, one_person_each
from ..pose.walker import track_summary
from ..report import Report
from ..video import frame_step
from .upload import Upload
from .words import Card

__all__ = ["Moment", "first_moment", "frame_picture", "key_moment_images", "key_moments", "track_thumbnails",
           "verdict_moments", "whole_body_frames"]

Image = NDArray[np.uint8]


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
    return [Moment(k, _advice(_flags_at(report, k.frame))) for k in choose_key_frames(report, max_frames)]


def verdict_moments(report: Report, cards: Sequence[Card]) -> dict[str, Moment | None]:
    """One moment per verdict card (by ``Card.check``): the worst moment of its longest flagged episode with the
    whole body in view, else a good moment; for steps, a foot landing mid-walk; None where there is nothing to
    show.
    """
    picked = pickable(report)
    whole = well_framed(report)
    rank = ("Good", "Best", "Moment")
    good = sorted((m for m in key_moments(report) if m.title.startswith(rank)),  # well framed first in each rank
                  key=lambda m: (next(k for k, r in enumerate(rank) if m.title.startswith(r)), not whole[m.frame]))
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
    tracks = one_person_each(list(extraction.tracks))[0]  # the people the report names
    stats = track_summary(tracks, (info.width, info.height), frame_step(extraction.t, info.fps))
    by_id = {tr.track_id: tr for tr in tracks}
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
