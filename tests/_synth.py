"""Synthetic walkers whose angles and events are known exactly.

``make_walker`` draws a stick figure in pixels of a (W, H) frame, walking across it in a side
view, with a chosen trunk lean, head pitch and forward-head offset, legs swinging at a chosen
cadence, and feet that touch a floor line (which can be tilted to mimic a rolled camera).
"""

from __future__ import annotations

import numpy as np

from gaitcheck.config import LookAheadConfig
from gaitcheck.landmarks import Landmark as L
from gaitcheck.pose import Extraction
from gaitcheck.pose.landmarker import ModelInfo
from gaitcheck.pose.tracking import Tracker, stitch_tracks
from gaitcheck.video import VideoInfo

NEUTRAL = LookAheadConfig().head_neutral_offset_deg
TRUNK_PX = 200.0


def make_walker(n_frames: int = 150, fps: float = 30.0, *, trunk_lean_deg: float = 0.0, head_pitch_deg: float = 0.0,
                forward_head_rel: float = 0.05, direction: int = 1, cadence_spm: float = 110.0,
                speed_px_s: float = 250.0, frame_size: tuple[int, int] = (1280, 720), view: str = "side",
                roll_deg: float = 0.0, start_x: float | None = None, scale: float = 1.0,
                t: np.ndarray | None = None, stride_amp_rel: float = 0.35,
                limp: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(image_px (T,33,5), world (T,33,3), t (T,))`` of one synthetic walker.

    image_px holds x, y, z in pixels and visibility, presence = 0.99. ``head_pitch_deg`` is the
    pitch gaitcheck should measure (positive = down), i.e. with the neutral offset removed.
    ``roll_deg`` rotates the whole image about its centre (a camera roll; the floor then slopes).
    Foot ``k`` (0 = left, 1 = right) is furthest ahead, i.e. lands, when ``2 pi f t + k pi = pi / 2``
    (mod 2 pi) with ``f = cadence_spm / 120`` strides per second; see :func:`contact_times`.
    ``limp`` brings the right foot's contact forward: steps onto the left foot last ``limp`` x the
    mean step longer than steps onto the right (step-time asymmetry ``100 * limp`` %).
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
    raw = np.radians(head_pitch_deg - NEUTRAL)
    eye = ear + 0.18 * trunk * np.stack([np.full(n, d * np.cos(raw)), np.full(n, np.sin(raw))], axis=1)
    nose = eye + 0.06 * trunk * np.stack([np.full(n, d * np.cos(raw + 0.6)), np.full(n, np.sin(raw + 0.6))], axis=1)
    # legs: each foot swings +-A about the hip along the walking direction; one stride = 2 steps
    f = cadence_spm / 120.0  # strides per second
    phase = 2 * np.pi * f * t
    amp = stride_amp_rel * leg  # each foot swings +-amp about the hip: a step is 2 * amp long
    px = np.zeros((n, 33, 2))
    for side, ph in ((0, 0.0), (1, np.pi * (1 + limp / 2))):
        fx = hip[:, 0] + d * amp * np.sin(phase + ph)
        lift = 0.08 * leg * np.clip(np.cos(phase + ph), 0, None)  # foot off the floor while swinging forward
        ankle = np.stack([fx, floor_y - 0.05 * leg - lift], axis=1)
        knee = (hip + ankle) / 2 + np.stack([np.full(n, d * 0.05 * leg), np.zeros(n)], axis=1)
        heel = ankle + np.stack([np.full(n, -d * 0.05 * leg), 0.05 * leg + np.zeros(n)], axis=1)
        toe = ankle + np.stack([np.full(n, d * 0.12 * leg), 0.05 * leg + np.zeros(n)], axis=1)
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
