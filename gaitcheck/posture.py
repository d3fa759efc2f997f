"""Posture measures for a cleaned walker series: compose the pure angle functions per frame.

Also estimates the camera's roll from the floor line through the walker's foot contacts and
levels the landmarks before any angle is measured.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from . import angles
from .config import Config
from .landmarks import HEAD, SOLES, TORSO
from .landmarks import Landmark as L
from .series import PoseSeries
from .view import frame_views

__all__ = ["MAX_TILT_CORRECTION_DEG", "PostureSeries", "floor_tilt_deg", "measure_posture", "upper_body_in_frame"]

F = NDArray[np.float64]
MAX_TILT_CORRECTION_DEG = 10.0  # a steeper floor line is perspective (walking at an angle), not camera roll


@dataclass(frozen=True, eq=False, kw_only=True)
class PostureSeries:
    """Per-frame posture measures (all (T,), NaN where they cannot be measured)."""

    t: F
    views: NDArray[np.object_]
    walking: NDArray[np.bool_]
    side: NDArray[np.bool_]
    head_pitch_deg: F
    gaze_distance_m: F
    trunk_lean_deg: F
    forward_head_rel: F
    ear_shoulder_hip_deg: F
    hip_xy: F  # (T, 2) normalised 0..1 in the upright frame, y down
    px: F  # (T, 33, 2) pixel landmarks, camera roll corrected (levelled)
    facing: F  # (T,) +1 facing image-right, -1 image-left, NaN unknown
    tilt_deg: float | None  # camera roll that was corrected, None if it could not be estimated
    tilt_note: str


def floor_tilt_deg(px: F, use: NDArray[np.bool_], min_span: float = 1.0, max_scatter: float = 0.04) -> float | None:
    """Slope of the floor line through the walker's lowest foot points, in degrees.

    Positive = the floor runs down to the right in the image (y grows with x). The lowest foot
    point of each frame is binned along x and the lowest per bin (a foot on the floor) is fitted
    with a line. Returns None when the contacts span less than ``min_span`` body sizes or fewer
    than four bins, or when they do not lie on one line: their RMS distance from it is more than
    ``max_scatter`` body sizes (a moving camera, cuts between shots, a walker coming towards the
    camera). On the real side-view clips it is 0.012-0.025; a montage of shots gives 0.05 and more.
    """
    feet = px[:, list(SOLES)]
    ok = use & ~np.isnan(feet).any(axis=(1, 2))
    if ok.sum() < 10:
        return None
    low = feet[ok][np.arange(ok.sum()), np.argmax(feet[ok][:, :, 1], axis=1)]
    size = float(np.nanmedian(angles.body_size(px[ok])))
    span = np.ptp(low[:, 0])
    if not np.isfinite(size) or span < min_span * size:
        return None
    edges = np.linspace(low[:, 0].min(), low[:, 0].max(), 11)
    pts = []
    for a, b in itertools.pairwise(edges):
        inb = (low[:, 0] >= a) & (low[:, 0] <= b)
        if inb.sum() >= 2:
            k = np.argmax(low[inb, 1])
            pts.append(low[inb][k])
    if len(pts) < 4:
        return None
    p = np.array(pts)
    line = np.polyfit(p[:, 0], p[:, 1], 1)
    scatter = float(np.sqrt(np.mean((p[:, 1] - np.polyval(line, p[:, 0])) ** 2)))
    if scatter > max_scatter * size:
        return None
    return float(np.degrees(np.arctan(line[0])))


_UPPER = [*HEAD, *TORSO]


def upper_body_in_frame(px: F, frame_size: tuple[int, int], margin: float = 0.01) -> NDArray[np.bool_]:
    """(T,) True where the head, shoulders and hips are all inside the frame (``margin`` x size in).

    >>> px = np.full((2, 33, 2), 50.0); px[1, L.NOSE] = (99.9, 50.0)
    >>> upper_body_in_frame(px, (100, 100)).tolist()
    [True, False]
    """
    w, h = frame_size
    pts = px[:, _UPPER]
    with np.errstate(invalid="ignore"):
        ok = ((pts[..., 0] >= margin * w) & (pts[..., 0] <= (1 - margin) * w)
              & (pts[..., 1] >= margin * h) & (pts[..., 1] <= (1 - margin) * h))
    return np.asarray(ok.all(axis=1))


def measure_posture(series: PoseSeries, cfg: Config, height_cm: float) -> PostureSeries:
    """All per-frame posture measures of a cleaned series, camera roll corrected when it can be."""
    px = series.pixels()
    t = series.t
    views = frame_views(series.world.astype(np.float64))
    side = views == "side"
    walk = angles.walking(px, t)
    tilt = floor_tilt_deg(px, walk & side)
    w, h = series.frame_size
    if tilt is None:
        note = "Could not estimate the camera tilt from the foot contacts; the camera is assumed level."
    elif abs(tilt) > MAX_TILT_CORRECTION_DEG:
        note = (f"The floor line through the foot contacts slopes {tilt:.0f}°, too steep for camera tilt "
                "(is the walker moving towards or away from the camera?); the camera is assumed level.")
        tilt = None
    else:
        note = (f"Camera tilt of {tilt:.1f}° estimated from the floor line through the foot contacts "
                "and corrected." if abs(tilt) >= 1.0 else "")
        px = angles.rotate_points(px, tilt, (w / 2, h / 2))
    facing = angles.facing_direction(px)
    pitch = angles.head_pitch_deg(px, facing, cfg.look_ahead.head_neutral_offset_deg)
    lean = angles.trunk_lean_deg(px, facing)
    fwd = angles.forward_head_rel(px, facing)
    esh = angles.ear_shoulder_hip_deg(px)
    # What a view cannot support is unknown there, never a guess: sagittal angles need a side view,
    # and the head and trunk inside the frame (a walker half out of the picture gives made-up landmarks).
    inside = upper_body_in_frame(series.pixels(), series.frame_size)
    for arr in (pitch, lean, fwd, esh):
        arr[~(side & inside)] = np.nan
    eye_h = height_cm / 100 * cfg.body.eye_height_ratio
    gaze = angles.gaze_distance_m(pitch, eye_h, cfg.look_ahead.line_of_sight_deg)
    hip = series.xyz[:, [L.LEFT_HIP, L.RIGHT_HIP], :2].astype(np.float64).mean(axis=1)
    return PostureSeries(t=t, views=views, walking=walk, side=side, head_pitch_deg=pitch, gaze_distance_m=gaze,
                         trunk_lean_deg=lean, forward_head_rel=fwd, ear_shoulder_hip_deg=esh, hip_xy=hip, px=px,
                         facing=facing, tilt_deg=tilt, tilt_note=note)
