"""Synthetic walkers whose angles and events are known from geometry, not from gaitcheck's constants.

``make_walker`` draws a stick figure in pixels of a (W, H) frame, walking across it in a side
view, with a chosen trunk lean, head pitch and forward-head offset, legs swinging at a chosen
cadence, feet that land on the heel, flat or on the forefoot at a chosen angle and touch a floor
line (which can be tilted to mimic a rolled camera).

The head is built from anatomy (:data:`HEAD_EYE_MM`): its pitch is the Frankfurt plane's angle
below horizontal, and where the model's ear->eye line lies follows from typical adult head
dimensions, not from gaitcheck's neutral offset, so a test of the default settings compares the
code's constant with an independent estimate (:data:`HEAD_LINE_DEG`, ~13.7°).
"""

from __future__ import annotations

import math

import numpy as np

from gaitcheck.landmarks import Landmark as L
from gaitcheck.pose import Extraction
from gaitcheck.pose.landmarker import ModelInfo
from gaitcheck.pose.tracking import Tracker, stitch_tracks
from gaitcheck.video import VideoInfo

TRUNK_PX = 200.0
#: The walker's shoulder-to-hip distance: 0.288 x 1.70 m (shoulder 0.818 H, hip 0.530 H; Drillis &
#: Contini 1966), which sets the head's millimetres per pixel.
TRUNK_MM = 0.288 * 1700.0
# Head landmarks in the head's own frame (mm; x forward, y up) from the ear landmark (the ear canal,
# where MediaPipe puts "ear"), with the Frankfurt plane (porion -> orbitale) horizontal:
#   porion (top of the ear canal, ~8 mm across) 4 mm above the canal centre; orbitale (lowest
#   point of the orbit rim) 80 mm ahead of the porion, on that plane; the pupil ("eye") half a
#   ~34 mm orbit height above the orbitale and ~6 mm ahead of the rim (the cornea bulges forward);
#   the nose tip ~30 mm ahead of and ~45 mm below the pupil.
HEAD_EYE_MM = (80.0 + 6.0, 4.0 + 17.0)
HEAD_NOSE_MM = (HEAD_EYE_MM[0] + 30.0, HEAD_EYE_MM[1] - 45.0)
#: How far the ear->eye line rises above the Frankfurt plane for this head (degrees): ~13.7.
HEAD_LINE_DEG = math.degrees(math.atan2(HEAD_EYE_MM[1], HEAD_EYE_MM[0]))
#: A level head's relaxed line of sight falls this far below horizontal (Kroemer & Hill 1986;
#: ergonomics texts give 10-15°); with it, a walker "looks at" a floor point.
LINE_OF_SIGHT_DEG = 15.0
#: Eye height of a 1.70 m adult (0.936 H, Drillis & Contini 1966): the walker gaitcheck's default
#: 170 cm height describes.
EYE_HEIGHT_M = 0.936 * 1.70
# The foot in the ankle's frame (leg lengths; x forward, y up) when flat: heel behind, toe ahead,
# both the same height below the ankle, so the heel->toe line is level.
HEEL_REL, TOE_REL = (-0.05, -0.05), (0.12, -0.05)


def head_pitch_looking_at(distance_m: float, eye_height_m: float = EYE_HEIGHT_M) -> float:
    """Head pitch (degrees, + = down) at which the relaxed line of sight meets the floor ``distance_m`` ahead.

    >>> round(head_pitch_looking_at(EYE_HEIGHT_M), 6)  # 45° below horizontal: the floor at one eye height
    30.0
    """
    return math.degrees(math.atan2(eye_height_m, distance_m)) - LINE_OF_SIGHT_DEG


def foot_angle_deg(psi: np.ndarray, strike_deg: float) -> np.ndarray:
    """The foot's angle (degrees, + = toes up) over the gait cycle; the foot lands at ``psi = pi/2``.

    Terminal swing holds the landing angle ``strike_deg`` from ``psi = pi/2 - 0.6`` to ``pi/2 + 0.15``
    (so it is the angle at contact even a frame either side); the foot then rolls flat by ``pi/2 +
    0.8`` and stays flat through stance; in early swing it turns from flat back to ``strike_deg``.
    """
    u = np.mod(np.asarray(psi, float) - np.pi / 2 + np.pi, 2 * np.pi) - np.pi  # (-pi, pi], 0 = contact
    ramp_in = np.clip((u + 1.4) / 0.8, 0, 1)  # 0 at u = -1.4, 1 from u = -0.6
    ramp_out = np.clip((0.8 - u) / 0.65, 0, 1)  # 1 up to u = 0.15, 0 from u = 0.8
    return strike_deg * np.where(u < 0, ramp_in, ramp_out)


def _foot(angle_deg: np.ndarray, leg: float, d: float) -> tuple[np.ndarray, np.ndarray]:
    """(T, 2) image offsets of the heel and toe from the ankle for a foot turned ``angle_deg`` toes up."""
    a = np.radians(angle_deg)
    c, s = np.cos(a), np.sin(a)
    out = []
    for fx, fy in (HEEL_REL, TOE_REL):
        x, y = fx * c - fy * s, fx * s + fy * c  # rotated counter-clockwise (toes up) in a y-up frame
        out.append(np.stack([d * x * leg, -y * leg], axis=1))  # image: forward = d, y down
    return out[0], out[1]


def _head_point(pt_mm: tuple[float, float], pitch_deg: float, d: float, px_per_mm: float) -> np.ndarray:
    """(2,) image offset from the ear of a head point, for the head pitched ``pitch_deg`` down."""
    p = math.radians(pitch_deg)
    fx, fy = pt_mm
    return px_per_mm * np.array([d * (fx * math.cos(p) + fy * math.sin(p)), fx * math.sin(p) - fy * math.cos(p)])


def heel_ahead_at_contact_rel(stride_amp_rel: float = 0.35, strike_deg: float = 0.0) -> float:
    """How far ahead of the pelvis the landing heel is (in straight-leg lengths), from the geometry.

    At contact the ankle is ``stride_amp_rel`` leg lengths ahead of the hip and the heel sits
    :data:`HEEL_REL` behind it, turned by ``strike_deg``; the straight leg is the longest hip-to-ankle
    distance, at contact and at toe-off (:func:`straight_leg_rel`).
    """
    a = math.radians(strike_deg)
    heel_x = HEEL_REL[0] * math.cos(a) - HEEL_REL[1] * math.sin(a)
    return (stride_amp_rel + heel_x) / straight_leg_rel(stride_amp_rel, strike_deg)


def straight_leg_rel(stride_amp_rel: float = 0.35, strike_deg: float = 0.0) -> float:
    """The longest hip-to-ankle distance of the walker, in units of its ``leg`` (hip height).

    In stance the ankle is ``stride_amp_rel`` ahead or behind at the extremes, at the height that
    puts the lowest point of the foot on the floor: flat at toe-off, ``strike_deg`` at contact.
    """
    a = math.radians(strike_deg)
    lowest = -min(f[0] * math.sin(a) + f[1] * math.cos(a) for f in (HEEL_REL, TOE_REL))
    return max(math.hypot(stride_amp_rel, 1 + HEEL_REL[1]), math.hypot(stride_amp_rel, 1 - lowest))


def make_walker(n_frames: int = 150, fps: float = 30.0, *, trunk_lean_deg: float = 0.0, head_pitch_deg: float = 0.0,
                forward_head_rel: float = 0.05, direction: int = 1, cadence_spm: float = 110.0,
                speed_px_s: float = 250.0, frame_size: tuple[int, int] = (1280, 720), view: str = "side",
                roll_deg: float = 0.0, start_x: float | None = None, scale: float = 1.0,
                t: np.ndarray | None = None, stride_amp_rel: float = 0.35,
                limp: float = 0.0, strike_deg: float = 0.0,
                approach: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(image_px (T,33,5), world (T,33,3), t (T,))`` of one synthetic walker.

    image_px holds x, y, z in pixels and visibility, presence = 0.99. ``head_pitch_deg`` is the
    anatomical head pitch: the Frankfurt plane's angle below horizontal (positive = chin down; see
    the module docstring). ``roll_deg`` rotates the whole image about its centre (a camera roll; the
    floor then slopes). Foot ``k`` (0 = left, 1 = right) is furthest ahead, i.e. lands, when
    ``2 pi f t + k pi = pi / 2`` (mod 2 pi) with ``f = cadence_spm / 120`` strides per second; see
    :func:`contact_times`. ``limp`` brings the right foot's contact forward: steps onto the left foot
    last ``limp`` x the mean step longer than steps onto the right (step-time asymmetry ``100 * limp``
    %). ``strike_deg`` is the foot's angle when it lands (+ = toes up: a heel strike; 0 = flat;
    - = toes down: a forefoot strike), see :func:`foot_angle_deg`. ``approach`` is how much larger
    the walker is at the end of the walk than at its start, as a share of their mean size: they come
    nearer a level camera at their hip height (0.45 of their standing height: a phone propped on a
    table). Each frame is scaled about the horizon's point straight ahead of the camera, as a pinhole
    camera shows a change of distance; angles within a frame are unchanged, and the feet land lower
    as the walker grows.
    """
    w, h = frame_size
    t = np.arange(n_frames) / fps if t is None else np.asarray(t, float)
    n = len(t)
    d = float(direction)
    x0 = (w * 0.15 if d > 0 else w * 0.85) if start_x is None else start_x
    floor_y = h * 0.85
    s = scale
    leg = 260.0 * s
    trunk = TRUNK_PX * s
    hip = np.stack([x0 + d * speed_px_s * t, np.full(n, floor_y - leg)], axis=1)
    lean = np.radians(trunk_lean_deg)
    sh = hip + trunk * np.stack([np.full(n, d * np.sin(lean)), np.full(n, -np.cos(lean))], axis=1)
    ear = sh + np.stack([np.full(n, d * forward_head_rel * trunk), np.full(n, -0.4 * trunk)], axis=1)
    eye, nose = (ear + _head_point(pt, head_pitch_deg, d, trunk / TRUNK_MM) for pt in (HEAD_EYE_MM, HEAD_NOSE_MM))
    # legs: each foot swings +-A about the hip along the walking direction; one stride = 2 steps
    f = cadence_spm / 120.0  # strides per second
    phase = 2 * np.pi * f * t
    amp = stride_amp_rel * leg  # each foot swings +-amp about the hip: a step is 2 * amp long
    px = np.zeros((n, 33, 2))
    for side, ph in ((0, 0.0), (1, np.pi * (1 + limp / 2))):
        psi = phase + ph
        fx = hip[:, 0] + d * amp * np.sin(psi)
        lift = 0.08 * leg * np.clip(np.cos(psi), 0, None)  # foot off the floor while swinging forward
        heel_off, toe_off = _foot(foot_angle_deg(psi, strike_deg), leg, d)
        # the foot's lowest point (heel or toe) is on the floor in stance, ``lift`` above it in swing
        ankle = np.stack([fx, floor_y - lift - np.maximum(heel_off[:, 1], toe_off[:, 1])], axis=1)
        heel, toe = ankle + heel_off, ankle + toe_off
        knee = (hip + ankle) / 2 + np.stack([np.full(n, d * 0.05 * leg), np.zeros(n)], axis=1)
        hip_i, sh_i, knee_i, ank_i, heel_i, toe_i, ear_i, eye_i = (
            (L.LEFT_HIP, L.LEFT_SHOULDER, L.LEFT_KNEE, L.LEFT_ANKLE, L.LEFT_HEEL, L.LEFT_FOOT_INDEX, L.LEFT_EAR,
             L.LEFT_EYE)
            if side == 0 else
            (L.RIGHT_HIP, L.RIGHT_SHOULDER, L.RIGHT_KNEE, L.RIGHT_ANKLE, L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX, L.RIGHT_EAR,
             L.RIGHT_EYE))
        px[:, hip_i], px[:, sh_i], px[:, knee_i], px[:, ank_i] = hip, sh, knee, ankle
        px[:, heel_i], px[:, toe_i], px[:, ear_i], px[:, eye_i] = heel, toe, ear, eye
        # arms hang along the trunk
        elbow, wrist = (L.LEFT_ELBOW, L.LEFT_WRIST) if side == 0 else (L.RIGHT_ELBOW, L.RIGHT_WRIST)
        px[:, elbow] = sh + (hip - sh) * 0.5
        px[:, wrist] = sh + (hip - sh) * 0.9
    px[:, L.NOSE] = nose
    for a, b in ((L.LEFT_EYE_INNER, L.LEFT_EYE), (L.LEFT_EYE_OUTER, L.LEFT_EYE), (L.RIGHT_EYE_INNER, L.RIGHT_EYE),
                 (L.RIGHT_EYE_OUTER, L.RIGHT_EYE), (L.MOUTH_LEFT, L.NOSE), (L.MOUTH_RIGHT, L.NOSE),
                 (L.LEFT_PINKY, L.LEFT_WRIST), (L.LEFT_INDEX, L.LEFT_WRIST), (L.LEFT_THUMB, L.LEFT_WRIST),
                 (L.RIGHT_PINKY, L.RIGHT_WRIST), (L.RIGHT_INDEX, L.RIGHT_WRIST), (L.RIGHT_THUMB, L.RIGHT_WRIST)):
        px[:, a] = px[:, b]
    if view != "side":  # facing the camera or walking away: shoulders and hips spread across the image
        half = 0.25 * trunk
        sgn = 1.0 if view == "front" else -1.0  # front: the person's left is on the image right
        for lft, rgt in ((L.LEFT_SHOULDER, L.RIGHT_SHOULDER), (L.LEFT_HIP, L.RIGHT_HIP), (L.LEFT_EAR, L.RIGHT_EAR)):
            px[:, lft, 0] += sgn * half
            px[:, rgt, 0] -= sgn * half
    if approach:
        grow = 1.0 + approach * ((t - t.mean()) / np.ptp(t))[:, None, None]
        centre = np.array([w / 2, floor_y - leg])  # the horizon, at the camera's (hip) height
        px = centre + (px - centre) * grow
    if roll_deg:
        a = np.radians(roll_deg)
        c, sn = np.cos(a), np.sin(a)
        dx, dy = px[..., 0] - w / 2, px[..., 1] - h / 2
        # rotate so that the floor line runs at slope tan(roll) (y down): x' = c dx - s dy, y' = s dx + c dy
        px = np.stack([c * dx - sn * dy + w / 2, sn * dx + c * dy + h / 2], axis=-1)
    image = np.zeros((n, 33, 5), np.float32)
    image[:, :, :2] = px
    image[:, :, 3:] = 0.99
    world = _world(n, view, d)
    return image, world, t


def _world(n: int, view: str, d: float) -> np.ndarray:
    """World landmarks that only need to carry the body's yaw (for the view)."""
    world = np.zeros((n, 33, 3), np.float32)
    if view == "side":
        lr = np.array([0.0, 0.0, 0.15 * d])  # left and right are apart in depth
    elif view == "front":
        lr = np.array([0.15, 0.0, 0.0])
    else:  # back
        lr = np.array([-0.15, 0.0, 0.0])
    for lft, rgt in ((L.LEFT_SHOULDER, L.RIGHT_SHOULDER), (L.LEFT_HIP, L.RIGHT_HIP)):
        world[:, lft] = lr
        world[:, rgt] = -lr
    return world


def make_extraction(*people: tuple[np.ndarray, np.ndarray, np.ndarray], frame_size: tuple[int, int] = (1280, 720),
                    present: list[np.ndarray] | None = None) -> Extraction:
    """Track the given people (all sharing one time base) as if the pose model had found them.

    ``present[k]`` is an optional (T,) bool mask of the frames where person k is detected.
    """
    t = people[0][2]
    tracker = Tracker()
    for i in range(len(t)):
        imgs, worlds = [], []
        for k, (img, world, _) in enumerate(people):
            if present is None or present[k][i]:
                imgs.append(img[i])
                worlds.append(world[i])
        tracker.update(i, float(t[i]), np.array(imgs, np.float32).reshape(-1, 33, 5),
                       np.array(worlds, np.float32).reshape(-1, 33, 3))
    w, h = frame_size
    fps = (len(t) - 1) / (t[-1] - t[0]) if len(t) > 1 else 30.0
    info = VideoInfo("synthetic.mp4", w, h, 0, fps, len(t), float(t[-1]), "none", "none", False)
    return Extraction(info, t, tuple(stitch_tracks(tracker.tracks)), (), ModelInfo("synthetic.task", "0" * 64, False))


def contact_times(duration_s: float, cadence_spm: float = 110.0) -> list[tuple[float, str]]:
    """The times at which each synthetic foot is furthest ahead (its initial contact), in order."""
    f = cadence_spm / 120.0
    out = []
    for k, foot in ((0, "left"), (1, "right")):
        t0 = (np.pi / 2 - k * np.pi) / (2 * np.pi * f)
        while t0 < 0:
            t0 += 1 / f
        while t0 < duration_s:
            out.append((t0, foot))
            t0 += 1 / f
    return sorted(out)
