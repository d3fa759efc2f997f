"""Choose the walker among the tracked people.

Each track is scored by how much it looks like the walker: it travels, swings its legs, is large
and is seen for long. A static figure (a person standing on a box, a reflection that stays put)
scores low however large it is. The user may override the choice with a track id or a point in
the frame at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import NoWalkerError
from ..landmarks import Landmark as L
from .tracking import MIN_TRACK_FRAMES, Track, box_of, box_size, centre_of, size_of

__all__ = ["TrackStats", "choose_walker", "track_summary"]


@dataclass(frozen=True)
class TrackStats:
    """How walker-like a track is; ``score`` = seconds seen x size x motion."""

    track_id: int
    frames: int  # frames of the clip the person was seen in (a sampled track: looks x stride)
    start_s: float
    end_s: float
    size_rel: float  # median body size / frame height
    travel_rel: float  # how far the hips travel (and the body grows or shrinks), in body sizes
    leg_swing_rel: float  # spread of the ankle-to-ankle vector over time, in body sizes
    score: float


def _span_frames(tr: Track) -> int:
    """How many frames of the clip a track covers: a sampled track stands for ``stride`` frames per
    look, but a single look for one frame (seen once, it may be a spurious pose: too short to judge)."""
    return len(tr.frames) * tr.stride if len(tr.frames) > 1 else len(tr.frames)


def _stats(tr: Track, frame_h: int, dt: float) -> TrackStats:
    raw = np.stack(tr.image)
    lm = raw.astype(np.float64)
    sizes = box_size(raw)
    size = float(np.median(sizes))
    hips = (lm[:, L.LEFT_HIP, :2] + lm[:, L.RIGHT_HIP, :2]) / 2
    travel_px = np.percentile(hips, 95, axis=0) - np.percentile(hips, 5, axis=0)
    growth = abs(float(np.log(np.percentile(sizes, 90) / np.percentile(sizes, 10))))
    travel = float(np.hypot(*travel_px) / size + 2 * growth)
    ankles = (lm[:, L.LEFT_ANKLE, :2] - lm[:, L.RIGHT_ANKLE, :2]) / sizes[:, None]
    swing = float(np.sqrt(ankles.var(axis=0).sum())) if len(lm) > 1 else 0.0
    seen_s = _span_frames(tr) * dt
    motion = max(0.05, min(1.0, travel / 2.0) * min(1.0, swing / 0.08))
    score = seen_s * (size / frame_h) * motion
    return TrackStats(tr.track_id, _span_frames(tr), tr.times[0], tr.times[-1], size / frame_h, travel, swing, score)


def track_summary(tracks: list[Track], frame_h: int, dt: float) -> list[TrackStats]:
    """Stats of every track long enough to matter, best walker first."""
    stats = [_stats(tr, frame_h, dt) for tr in tracks if _span_frames(tr) >= MIN_TRACK_FRAMES]
    return sorted(stats, key=lambda s: -s.score)


def choose_walker(tracks: list[Track], stats: list[TrackStats], *, track_id: int | None = None,
                  point: tuple[float, float, float] | None = None, frame_size: tuple[int, int] = (1, 1)) -> Track:
    """Pick the walker: the best-scoring track followed on every frame, or the one the user named.

    An extraction follows one person on every frame (the walker it chose, see
    :func:`gaitcheck.pose.landmarker`) and only samples the others; that person is the default. Among
    tracks that are all full (or all sampled), the best-scoring one is.

    Args:
        tracks: all tracks.
        stats: their stats, best first (from :func:`track_summary`).
        track_id: choose this track (ids are listed in the report).
        point: ``(x, y, t_s)``: choose the person whose outline contains this point (x, y normalised
            0..1 in the upright frame, y down) within 0.5 s of this time; the nearest if several do.
        frame_size: (width, height) of the upright frame in pixels, to read ``point``.

    Raises:
        NoWalkerError: nobody was tracked, or the requested track or point matches no one.
    """
    by_id = {tr.track_id: tr for tr in tracks}
    if track_id is not None:
        if track_id not in by_id or _span_frames(by_id[track_id]) < MIN_TRACK_FRAMES:
            valid = ", ".join(str(s.track_id) for s in stats) or "none"
            raise NoWalkerError(f"there is no person with track id {track_id}; the tracks are: {valid}")
        return by_id[track_id]
    if point is not None:
        x, y, t = point[0] * frame_size[0], point[1] * frame_size[1], point[2]
        best, best_d = None, np.inf
        for s in stats:
            tr = by_id[s.track_id]
            k = int(np.argmin(np.abs(np.asarray(tr.times) - t)))
            box, size = box_of(tr.image[k]), size_of(tr.image[k])
            pad = 0.1 * size
            inside = box[0] - pad <= x <= box[2] + pad and box[1] - pad <= y <= box[3] + pad
            if abs(tr.times[k] - t) > 0.5 or not inside:
                continue
            d = float(np.hypot(*(centre_of(tr.image[k]) - (x, y)))) / size
            if d < best_d:
                best, best_d = tr, d
        if best is None:
            raise NoWalkerError(f"nobody was found at ({point[0]:.2f}, {point[1]:.2f}) at {point[2]:.1f} s")
        return best
    if not stats:
        raise NoWalkerError("no person was found in the clip")
    full = [s for s in stats if by_id[s.track_id].full]
    return by_id[(full or stats)[0].track_id]


