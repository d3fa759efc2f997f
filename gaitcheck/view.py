"""Camera view per frame and for the clip: side, front, back or oblique.

The view comes from the body's yaw in MediaPipe's world landmarks (metres, hip-centred): the
horizontal direction of the left-minus-right shoulder and hip vectors. Across the image (x) means
the camera sees the chest or the back; along the depth axis (z) means it sees the walker's side.
Where the person's left side is on the image right, they face the camera (front), else away (back).
Checked on the real clips: side clips 70-81 deg from frontal (median), a clip filmed from behind 7 deg.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from numpy.typing import NDArray

from .landmarks import Landmark as L

__all__ = ["FRONTAL_MAX_DEG", "SIDE_MIN_DEG", "VIEWS", "body_yaw_deg", "clip_view", "frame_views", "turn_from_side_deg"]

VIEWS = ("side", "front", "back", "oblique")
SIDE_MIN_DEG = 60.0  # body turned at least this far from facing the camera = side view
FRONTAL_MAX_DEG = 30.0  # at most this far = front or back; in between = oblique


def body_yaw_deg(world: NDArray[np.float64]) -> NDArray[np.float64]:
    """(T,) yaw of the body in degrees, in (-180, 180].

    0 = facing the camera, +-180 = facing away, +-90 = side-on. ``world`` is (T, 33, 3) MediaPipe world
    landmarks (x right, z depth).

    >>> w = np.zeros((1, 33, 3)); w[0, L.LEFT_SHOULDER, 0] = 0.2; w[0, L.LEFT_HIP, 0] = 0.1
    >>> body_yaw_deg(w)
    array([0.])
    """
    v = (world[:, L.LEFT_SHOULDER] - world[:, L.RIGHT_SHOULDER]) + (world[:, L.LEFT_HIP] - world[:, L.RIGHT_HIP])
    return np.degrees(np.arctan2(v[:, 2], v[:, 0]))


def _smoothed(world: NDArray[np.float64], smooth_frames: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The angle from frontal and the facing of each frame.

    (T,) the angle from frontal (0 = chest or back to the camera, 90 = side-on; NaN unknown) and (T,) +1 facing
    the camera / -1 away, each median-smoothed over ``smooth_frames`` detected frames.
    """
    yaw = body_yaw_deg(world)
    ok = np.isfinite(yaw)
    a = np.abs(yaw)
    from_frontal = np.minimum(a, 180 - a)
    facing = np.where(a < 90, 1.0, -1.0)
    if ok.sum() >= smooth_frames > 1:
        from scipy.ndimage import median_filter  # lazy: slow to import (pose.live.load_scoring)

        idx = np.flatnonzero(ok)
        from_frontal[idx] = median_filter(from_frontal[idx], size=smooth_frames, mode="nearest")
        facing[idx] = median_filter(facing[idx], size=smooth_frames, mode="nearest")
    return np.where(ok, from_frontal, np.nan), facing


def turn_from_side_deg(world: NDArray[np.float64], smooth_frames: int = 15) -> NDArray[np.float64]:
    """(T,) how far the body is turned away from a pure side view, in degrees.

    0 = side-on, 90 = facing the camera or facing away; NaN unknown), from the world landmarks' yaw, median-smoothed.

    Convention: unsigned, degrees; 90 minus the angle from frontal of :func:`frame_views`.

    >>> w = np.zeros((1, 33, 3)); w[0, L.LEFT_SHOULDER] = (0.1, 0, 0.1); w[0, L.LEFT_HIP] = (0.1, 0, 0.1)
    >>> turn_from_side_deg(w, 1).round(1)
    array([45.])
    """
    from_frontal, _ = _smoothed(world, smooth_frames)
    return np.asarray(90.0 - from_frontal, np.float64)


def frame_views(world: NDArray[np.float64], smooth_frames: int = 15) -> NDArray[np.object_]:
    """(T,) view label per frame ("side", "front", "back", "oblique", or "" where unknown).

    The angle from frontal is median-smoothed over ``smooth_frames`` detected frames so one bad
    frame does not flip the label.
    """
    from_frontal, facing = _smoothed(world, smooth_frames)
    ok = np.isfinite(from_frontal)
    out = np.full(len(world), "", dtype=object)
    with np.errstate(invalid="ignore"):
        out[ok & (from_frontal >= SIDE_MIN_DEG)] = "side"
        out[ok & (from_frontal < SIDE_MIN_DEG) & (from_frontal > FRONTAL_MAX_DEG)] = "oblique"
        frontal = ok & (from_frontal <= FRONTAL_MAX_DEG)
    out[frontal & (facing > 0)] = "front"
    out[frontal & (facing < 0)] = "back"
    return out


def clip_view(views: NDArray[np.object_], dominant_share: float = 0.6) -> str:
    """The clip's view: the label of at least ``dominant_share`` of the known frames, else "mixed".

    >>> clip_view(np.array(["side"] * 8 + ["oblique"] * 2, dtype=object))
    'side'
    >>> clip_view(np.array(["side"] * 5 + ["back"] * 5, dtype=object))
    'mixed'
    >>> clip_view(np.array(["", ""], dtype=object))
    'unknown'
    """
    known = [v for v in views if v]
    if not known:
        return "unknown"
    label, count = Counter(known).most_common(1)[0]
    return str(label) if count >= dominant_share * len(known) else "mixed"
