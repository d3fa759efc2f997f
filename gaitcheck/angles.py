"""Posture metrics from pixel landmarks: pure numpy, one documented sign convention each.

All functions take ``px``, a (T, 33, 2) float array of landmarks in pixels of the upright frame
(x to the right, y *down*), and return (T,) arrays with NaN where a landmark is missing. Angles
are in degrees. ``facing`` is +1 where the walker faces image-right, -1 where they face
image-left: multiplying horizontal offsets by it makes "forward" positive whichever way the
walker goes, so every sign below is the same for both walking directions and for a mirrored clip.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .landmarks import Landmark as L

__all__ = ["TURN_WORDS", "UPRIGHT_MAX_DEG", "body_size", "body_up_deg", "ear_eye_px", "ear_shoulder_hip_deg",
           "facing_direction", "forward_head_rel", "gaze_distance_m", "head_pitch_deg", "head_point", "level_points",
           "rotate_points", "trunk_lean_deg", "unturn_points", "upright", "upright_turn_deg", "walking"]

F = NDArray[np.float64]

#: How far (degrees) the body's up direction in the picture may turn from the picture's up before
#: the walker counts as lying on their side in it (a video turned by lost rotation metadata): the
#: legs' axis (ankles to hips) and, where the ankles are not placed, the trunk's (hips to shoulders),
#: which a stooped walker can bend further. Frames beyond are never measured.
UPRIGHT_MAX_DEG = {"legs": 45.0, "trunk": 60.0}


def _mid(px: F, a: int, b: int) -> F:
    return (px[:, a] + px[:, b]) / 2


def facing_direction(px: F, smooth_frames: int = 15) -> F:
    """(T,) +1 facing image-right, -1 facing image-left, NaN unknown: from the nose vs the ears.

    In a side view the nose is always ahead of the ears; a running majority over ``smooth_frames``
    removes single-frame flips.

    >>> px = np.zeros((1, 33, 2)); px[0, L.NOSE] = (10, 0); facing_direction(px, 1)
    array([1.])
    """
    dx = px[:, L.NOSE, 0] - _mid(px, L.LEFT_EAR, L.RIGHT_EAR)[:, 0]
    s = np.sign(dx)
    ok = ~np.isnan(s) & (s != 0)
    if smooth_frames > 1 and ok.any():
        from scipy.ndimage import median_filter  # lazy: slow to import (pose.live.load_scoring)

        filled = np.where(ok, s, 0.0)
        votes = median_filter(filled, size=smooth_frames, mode="nearest")
        s = np.where(votes != 0, votes, s)
    return np.where(ok, s, np.nan)


def _direction_deg(y: F, x: F) -> F:
    """``atan2(y, x)`` in degrees; NaN where the segment has no length (no direction: +-0 would give 0 or 180)."""
    with np.errstate(invalid="ignore"):
        out = np.degrees(np.arctan2(y, x))
    return np.asarray(np.where((y == 0) & (x == 0), np.nan, out), np.float64)


def head_pitch_deg(px: F, facing: F, neutral_offset_deg: float = 13.0) -> F:
    """Head pitch: the ear->eye line against horizontal, plus the neutral offset.

    Convention:
        reference: image horizontal; positive = head tilted *down* (chin towards chest), negative =
        head up; 0 = level head (Frankfurt plane horizontal), given ``neutral_offset_deg``, the angle
        by which MediaPipe's ear->eye line rises above the Frankfurt plane. Uses the mid-points of
        both ears and both eyes. Degrees. Same sign for both walking directions. (The posture
        stage first levels the line a level head travels along in the picture: :func:`level_points`.)

    >>> px = np.zeros((1, 33, 2)); px[0, [L.LEFT_EYE, L.RIGHT_EYE]] = (10, 10)  # eye 45 deg below ear
    >>> head_pitch_deg(px, np.array([1.0]), neutral_offset_deg=0.0)
    array([45.])
    """
    v = _mid(px, L.LEFT_EYE, L.RIGHT_EYE) - _mid(px, L.LEFT_EAR, L.RIGHT_EAR)
    return _direction_deg(v[:, 1], facing * v[:, 0]) + neutral_offset_deg


def gaze_distance_m(pitch_deg: F, eye_height_m: float, line_of_sight_deg: float = 15.0) -> F:
    """Where on the floor the head points, in metres ahead of the eyes (inf = at or above the horizon).

    The line of sight of a level head falls ``line_of_sight_deg`` below horizontal; head pitch
    tilts it further. From 1.58 m eye height, a level head points ~5.9 m ahead.

    >>> gaze_distance_m(np.array([0.0, 30.0, -20.0, 80.0]), 1.58).round(2)
    array([5.9 , 1.58,  inf, 0.  ])
    """
    angle = np.radians(pitch_deg + line_of_sight_deg)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        d = eye_height_m / np.tan(angle)
    d = np.where(angle >= np.pi / 2, 0.0, d)  # straight down or further: at the walker's own feet
    return np.where(angle > np.radians(0.5), d, np.where(np.isnan(angle), np.nan, np.inf))


def trunk_lean_deg(px: F, facing: F) -> F:
    """Trunk lean: hip-mid -> shoulder-mid against vertical.

    Convention:
        reference: image vertical (up); positive = trunk leaning *forward* (towards where the walker
        faces), negative = backward; degrees. Same sign for both walking directions.

    >>> px = np.zeros((1, 33, 2)); px[0, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER]] = (10, -10)
    >>> trunk_lean_deg(px, np.array([1.0]))
    array([45.])
    """
    v = _mid(px, L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - _mid(px, L.LEFT_HIP, L.RIGHT_HIP)
    return _direction_deg(facing * v[:, 0], -v[:, 1])


def forward_head_rel(px: F, facing: F) -> F:
    """Forward head: horizontal offset of the ears ahead of the shoulders / trunk length.

    Convention:
        positive = ears *ahead* of the shoulders (in the facing direction); 0 = ear over shoulder
        (plumb-line posture); unitless (trunk length = shoulder-mid to hip-mid distance).

    >>> px = np.zeros((1, 33, 2)); px[0, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER]] = (0, -50)
    >>> px[0, [L.LEFT_EAR, L.RIGHT_EAR]] = (10, -70); forward_head_rel(px, np.array([1.0]))
    array([0.2])
    """
    sh = _mid(px, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    trunk = np.linalg.norm(sh - _mid(px, L.LEFT_HIP, L.RIGHT_HIP), axis=1)
    offset = facing * (_mid(px, L.LEFT_EAR, L.RIGHT_EAR)[:, 0] - sh[:, 0])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(trunk > 0, offset / trunk, np.nan)


def ear_shoulder_hip_deg(px: F) -> F:
    """The angle at the shoulder between the ear and the hip; 180 = ear, shoulder, hip in line.

    Convention: unsigned, degrees; smaller = head carried further forward (or back).

    >>> px = np.zeros((1, 33, 2)); px[0, [L.LEFT_EAR, L.RIGHT_EAR]] = (0, -10)
    >>> px[0, [L.LEFT_HIP, L.RIGHT_HIP]] = (0, 10); ear_shoulder_hip_deg(px)
    array([180.])
    """
    sh = _mid(px, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    a = _mid(px, L.LEFT_EAR, L.RIGHT_EAR) - sh
    b = _mid(px, L.LEFT_HIP, L.RIGHT_HIP) - sh
    with np.errstate(divide="ignore", invalid="ignore"):  # a zero-length segment gives NaN
        cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return np.asarray(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))), np.float64)


def ear_eye_px(px: F) -> F:
    """(T,) length of the ear-to-eye line that gives the head pitch (mid-ears to mid-eyes), in pixels.

    >>> px = np.zeros((1, 33, 2)); px[0, [L.LEFT_EYE, L.RIGHT_EYE]] = (3, 4)
    >>> ear_eye_px(px)
    array([5.])
    """
    return np.asarray(np.linalg.norm(_mid(px, L.LEFT_EYE, L.RIGHT_EYE) - _mid(px, L.LEFT_EAR, L.RIGHT_EAR), axis=1))


BODY_SIZE_OF_HEIGHT = 0.8  # body_size (shoulder-hip plus hip-ankle) as a share of standing height


def body_up_deg(px: F) -> tuple[F, F]:
    """(T,) the direction the body's up points in the picture, and (T,) the limit it may reach.

    Convention: 0 = the picture's up (an upright walker), +90 = the head points to the picture's
    right, -90 to its left, +-180 upside down. Measured along the legs (mid-ankle to mid-hip,
    nearly vertical through a stride whichever way the walker faces); where the ankles are not
    placed, along the trunk (mid-hip to mid-shoulder). The limit is ``UPRIGHT_MAX_DEG`` for the
    axis used (NaN where neither could be measured).

    >>> px = np.zeros((2, 33, 2))
    >>> px[:, [L.LEFT_HIP, L.RIGHT_HIP]] = (100, 100)
    >>> px[0, [L.LEFT_ANKLE, L.RIGHT_ANKLE]] = (100, 200)   # feet below the hips: upright
    >>> px[1, [L.LEFT_ANKLE, L.RIGHT_ANKLE]] = (0, 100)     # feet to the left: head to the right
    >>> up, limit = body_up_deg(px); up.round(1).tolist(), limit.tolist()
    ([0.0, 90.0], [45.0, 45.0])
    """
    hip = _mid(px, L.LEFT_HIP, L.RIGHT_HIP)
    legs = hip - _mid(px, L.LEFT_ANKLE, L.RIGHT_ANKLE)
    trunk = _mid(px, L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - hip
    use_legs: NDArray[np.bool_] = np.asarray(np.isfinite(legs).all(axis=1))
    axis = np.where(use_legs[:, None], legs, trunk)
    up = _direction_deg(axis[:, 0], -axis[:, 1])  # atan2(x, -y): 0 up, +90 right (y points down)
    limit = np.where(use_legs, UPRIGHT_MAX_DEG["legs"], UPRIGHT_MAX_DEG["trunk"])
    return up, np.where(np.isfinite(up), limit, np.nan)


def upright(px: F, smooth_frames: int = 15) -> NDArray[np.bool_]:
    """(T,) False where the walker lies on their side or upside down in the picture (:func:`body_up_deg`).

    A running majority over ``smooth_frames`` keeps a single odd frame from flipping it; frames
    where the body's axis cannot be measured count as upright (their measures need the same
    landmarks, so they are missing there anyway).

    >>> px = np.zeros((3, 33, 2)); px[:, [L.LEFT_HIP, L.RIGHT_HIP]] = (100, 100)
    >>> px[:, [L.LEFT_ANKLE, L.RIGHT_ANKLE]] = (200, 100)  # feet to the right of the hips: head to the left
    >>> upright(px, 1).tolist()
    [False, False, False]
    """
    up, limit = body_up_deg(px)
    with np.errstate(invalid="ignore"):
        vote = np.where(np.isfinite(up), np.where(np.abs(up) > limit, 1.0, -1.0), 0.0)
    if smooth_frames > 1 and len(vote):
        from scipy.ndimage import median_filter  # lazy, as in facing_direction

        vote = median_filter(vote, size=smooth_frames, mode="nearest")
    return np.asarray(vote <= 0)


#: The clockwise turns :func:`upright_turn_deg` gives, in words.
TURN_WORDS = {90: "a quarter turn clockwise", 180: "half a turn", 270: "a quarter turn anticlockwise"}


def upright_turn_deg(px: F, min_looks: int = 10, min_share: float = 2 / 3) -> int:
    """The clockwise quarter turns (0, 90, 180 or 270 degrees) that make the people of a video upright.

    ``px``: (N, 33, 2) pixel landmarks of any looks at anyone in the video (all tracks pooled: in a
    video on its side everybody lies on their side). A turn is given only when at least
    ``min_looks`` looks have a measurable body axis and more than ``min_share`` of them are not
    upright (:func:`body_up_deg`); their mean direction says which turn.

    >>> px = np.zeros((12, 33, 2)); px[:, [L.LEFT_HIP, L.RIGHT_HIP]] = (100, 100)
    >>> px[:, [L.LEFT_ANKLE, L.RIGHT_ANKLE]] = (0, 100)   # the head to the picture's right
    >>> upright_turn_deg(px)  # turning the picture 270° clockwise (a quarter turn anticlockwise) puts it up
    270
    >>> upright_turn_deg(px[:5])  # too few looks to say
    0
    """
    up, limit = body_up_deg(px)
    ok = np.isfinite(up)
    turned = ok & (np.abs(np.where(ok, up, 0.0)) > np.where(ok, limit, np.inf))
    if ok.sum() < min_looks or turned.sum() <= min_share * ok.sum():
        return 0
    rad = np.radians(up[turned])
    mean = float(np.degrees(np.arctan2(np.sin(rad).mean(), np.cos(rad).mean())))
    if abs(mean) > 135:
        return 180
    return 270 if mean > 0 else 90


def body_size(px: F) -> F:
    """(T,) shoulder-to-hip plus hip-to-ankle distance in pixels (about 0.8 x standing height)."""
    hip = _mid(px, L.LEFT_HIP, L.RIGHT_HIP)
    return np.asarray(np.linalg.norm(_mid(px, L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - hip, axis=1)
            + np.linalg.norm(_mid(px, L.LEFT_ANKLE, L.RIGHT_ANKLE) - hip, axis=1))


def walking(px: F, t: F, window_s: float = 1.0, min_swing: float = 0.06, min_speed: float = 0.25) -> NDArray[np.bool_]:
    """(T,) True where the person is walking: the legs swing or the hips travel.

    Legs swing when the ankle-to-ankle vector varies (std over ``window_s``, x and y together, so
    that walking towards or away from the camera counts) by more than ``min_swing`` body sizes;
    hips travel when they move faster than ``min_speed`` body sizes per second. The swing test also
    works when a panning camera keeps the walker in place; the travel test, when the legs are out of
    the picture. A frame counts where the hips were found.
    """
    n = len(t)
    out = np.zeros(n, bool)
    if n < 3:
        return out
    sizes = body_size(px)
    if np.isfinite(sizes).any():
        size = float(np.nanmedian(sizes))
    else:  # no legs in view (the picture cut at the waist): the trunk is about 0.43 of the body size
        trunk = np.linalg.norm(_mid(px, L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - _mid(px, L.LEFT_HIP, L.RIGHT_HIP), axis=1)
        size = float(np.nanmedian(trunk)) / 0.43 if np.isfinite(trunk).any() else np.nan
    if not np.isfinite(size) or size <= 0:
        return out
    sep2 = (px[:, L.LEFT_ANKLE] - px[:, L.RIGHT_ANKLE]) / size  # (T, 2): swings along x from the side, y from the front
    hip_x = _mid(px, L.LEFT_HIP, L.RIGHT_HIP)[:, 0] / size
    for i in range(n):
        w = (t >= t[i] - window_s / 2) & (t <= t[i] + window_s / 2)
        s = sep2[w][~np.isnan(sep2[w]).any(axis=1)]
        h, tw = hip_x[w], t[w]
        ok = ~np.isnan(h)
        swing = len(s) >= 5 and float(np.sqrt(np.var(s, axis=0).sum())) > min_swing
        speed = ok.sum() >= 5 and abs(np.polyfit(tw[ok], h[ok], 1)[0]) > min_speed
        out[i] = bool(swing or speed) and not np.isnan(hip_x[i])
    return out


def rotate_points(px: F, angle_deg: float, centre: tuple[float, float]) -> F:
    """Rotate pixel points by ``angle_deg`` (counter-clockwise as seen on screen) about ``centre``.

    Used to undo a camera roll: if the floor runs up to the right by a, rotate by -a... in image
    coordinates with y down, a positive angle here turns the image x-axis towards -y.
    """
    a = np.radians(angle_deg)
    c, s = np.cos(a), np.sin(a)
    d = px - np.asarray(centre)
    x = c * d[..., 0] + s * d[..., 1]
    y = -s * d[..., 0] + c * d[..., 1]
    return np.asarray(np.stack([x, y], axis=-1) + np.asarray(centre), np.float64)


def head_point(px: F) -> F:
    """(T, 2) the middle of both ears and both eyes: where the head is in the picture."""
    return (_mid(px, L.LEFT_EAR, L.RIGHT_EAR) + _mid(px, L.LEFT_EYE, L.RIGHT_EYE)) / 2


def level_points(px: F, slope: F) -> F:
    """The landmarks sheared so that lines of slope ``slope`` (dy/dx in the picture, y down) become level.

    A horizontal line in the world that runs along the walking direction shows in the picture with
    a slope wherever the walker also moves in depth and the camera is above or below that line's
    height (see :func:`gaitcheck.posture.head_path_slope`). Shearing every landmark's height by
    ``slope`` times its horizontal offset from the head (:func:`head_point`) makes such lines level
    again, so that the angle of a near-horizontal segment (the ear->eye line) is measured against
    them. Horizontal offsets are unchanged. ``slope`` is (T,); where it is 0 (or the head is not
    found) a frame is left as it was.

    >>> px = np.zeros((1, 33, 2)); px[0, [L.LEFT_EYE, L.RIGHT_EYE]] = (10, -2)  # 10 px ahead, 2 px up
    >>> out = level_points(px, np.array([-0.2]))  # a path rising 0.2 px per px: the ear->eye line along it
    >>> out[0, [L.LEFT_EAR, L.LEFT_EYE]].round(6).tolist()
    [[0.0, -1.0], [10.0, -1.0]]
    """
    slope = np.asarray(slope, np.float64)
    head_x = head_point(px)[:, 0]
    shift = slope[:, None] * (px[..., 0] - head_x[:, None])
    out = np.array(px, np.float64, copy=True)
    out[..., 1] -= np.where((slope != 0)[:, None] & np.isfinite(shift), shift, 0.0)
    return out


def unturn_points(px: F, turn_deg: F, max_turn_deg: float = 60.0) -> F:
    """The landmarks as a side view would show them, for a walker turned ``turn_deg`` from side-on.

    Turned by an angle a about the vertical, a point of the body's mid-plane (the mid-point of
    both ears, eyes, shoulders or hips) shows its fore-aft offset from the hips shrunk by cos(a),
    its height unchanged. This stretches every landmark's horizontal offset from the hip mid-point
    back by 1 / cos(a), so the sagittal angles measured on mid-points (head pitch, trunk lean,
    forward head) are those of a side view. Offsets of one-sided points (a left heel, a right ear)
    are not meaningful afterwards: use the result for mid-point measures only.

    Convention:
        ``turn_deg`` 0 = side-on (nothing changes), up to ``max_turn_deg``; beyond it, or unknown
        (NaN), the frame's points become NaN (the view cannot support sagittal angles).

    >>> px = np.zeros((1, 33, 2)); px[0, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER]] = (5, -10)
    >>> unturn_points(px, np.array([60.0]))[0, L.LEFT_SHOULDER].round(6).tolist()
    [10.0, -10.0]
    """
    a = np.radians(np.where(np.asarray(turn_deg, np.float64) <= max_turn_deg, turn_deg, np.nan))
    hip_x = _mid(px, L.LEFT_HIP, L.RIGHT_HIP)[:, 0]
    out = np.array(px, np.float64, copy=True)
    out[..., 0] = hip_x[:, None] + (px[..., 0] - hip_x[:, None]) / np.cos(a)[:, None]
    out[np.isnan(a)] = np.nan
    return out
