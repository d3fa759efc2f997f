"""Posture measures for a cleaned walker series: compose the pure angle functions per frame.

Also estimates the camera's roll from the floor line through the walker's foot contacts and
levels the landmarks before any angle is measured, corrects the sagittal angles for a walker
turned away from a pure side view (up to 60 degrees), and keeps each measure only where the body
parts it uses were seen (:func:`seen_parts`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from . import angles
from .config import Config, SeenConfig
from .landmarks import FOOT, HEAD, SOLES
from .landmarks import Landmark as L
from .series import PoseSeries
from .view import frame_views, turn_from_side_deg

__all__ = ["MAX_FIT_POINTS", "MAX_LEVEL_SLOPE_DEG", "MAX_TILT_CORRECTION_DEG", "SAGITTAL_VIEWS", "PostureSeries",
           "Seen", "camera_roll_deg", "camera_still", "floor_tilt_deg", "head_level_slopes", "head_path_slope",
           "headings", "measure_posture", "pass_spans", "perspective_slope_deg", "seen_parts"]

F = NDArray[np.float64]
B = NDArray[np.bool_]
MAX_TILT_CORRECTION_DEG = 10.0  # a steeper floor line is perspective (walking at an angle), not camera roll
#: A steeper straight path of the head is not a level head's path seen in perspective (stairs, a ramp,
#: a camera tilting as it follows): head pitch is then measured against the picture's horizontal.
MAX_LEVEL_SLOPE_DEG = 25.0
#: At most this many frames of a pass are fitted for its head's path (:func:`head_path_slope`).
MAX_FIT_POINTS = 300
#: The highest camera, as a share of the walker's height, whose perspective the camera-roll estimate
#: allows for (see :func:`perspective_slope_deg`): about 1 m for an adult, where phones are propped or
#: held low. A higher camera's perspective is partly taken for roll; a real roll is under-corrected
#: by at most this share of the perspective a camera at head height would give.
CAMERA_HEIGHT_MAX_REL = 0.6
_SIZE_OF_HEIGHT = angles.BODY_SIZE_OF_HEIGHT
#: Views from which head pitch and trunk lean can be judged: side-on, or turned up to 60 degrees from it.
SAGITTAL_VIEWS = ("side", "oblique")
_SHOULDERS = (L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
_HIPS = (L.LEFT_HIP, L.RIGHT_HIP)


@dataclass(frozen=True, eq=False, kw_only=True)
class Seen:
    """Where each body part was seen: (T,) masks (``feet`` is (2, T): left, right).

    Seen = detected in that frame, trusted by the model (visibility at least ``min_visibility``)
    and every landmark of the part inside the picture with room to its edges (:func:`seen_parts`).
    """

    head: B  # nose, eyes and ears
    shoulders: B
    hips: B
    feet: B  # (2, T): each foot's heel, ankle and toe
    large: B  # the walker is large enough in the picture to be measured (``SeenConfig.min_body_px``)
    head_large: B | None = None  # the ear-to-eye line is long enough to measure (``SeenConfig.min_head_px``)
    distorted_share: float = 0.0  # share of the judged frames whose proportions are not a body's
    legs_cut: B | None = None  # the bottom edge cuts both legs while the head is in view (:func:`below_bottom`)

    @property
    def trunk(self) -> B:
        """Shoulders and hips."""
        return self.shoulders & self.hips

    @property
    def both_feet(self) -> B:
        """Frames where both feet are seen."""
        return np.asarray(self.feet.all(axis=0))

    @property
    def any_foot(self) -> B:
        """Frames where at least one foot is seen."""
        return np.asarray(self.feet.any(axis=0))

    @classmethod
    def everywhere(cls, n: int) -> Seen:
        """Every part seen on every one of ``n`` frames."""
        on = np.ones(n, bool)
        return cls(head=on, shoulders=on, hips=on, feet=np.ones((2, n), bool), large=on, head_large=on)


def seen_parts(raw: PoseSeries, cfg: SeenConfig, min_visibility: float) -> Seen:
    """Where the head, shoulders, hips and each foot were seen in a walker's raw (uncleaned) series.

    A part is seen in a frame when the walker is at least ``cfg.min_body_px`` large there (shoulder
    to hip plus hip to ankle; the head also needs an ear-to-eye line of ``cfg.min_head_px``), and
    each of the part's landmarks was detected with visibility at least ``min_visibility`` and lies
    inside the frame by ``cfg.edge_margin_rel`` of the frame's shorter side or by the part's
    clearance in trunk lengths (``head_clearance_rel`` for the head, ``body_clearance_rel`` for the
    rest), whichever is larger, in a frame where the skeleton has a body's proportions
    (:func:`plausible_proportions`) in a clip where most frames have them. Where the bottom edge cuts
    both legs (:func:`below_bottom`) and the head is in view, the head, shoulders and hips need no
    body's proportions (the legs squeezed below the picture are what is out of them), and the frame
    does not count against the clip; the feet still do. The trunk length is the
    median over the frames where it was measured (a tenth of the frame height when it never was).

    >>> xyz = np.full((1, 33, 3), 0.5, np.float32)  # a standing figure in a 400 x 400 frame
    >>> for part, y in ((HEAD, 0.1), (_SHOULDERS, 0.2), (_HIPS, 0.5), ((L.LEFT_KNEE, L.RIGHT_KNEE), 0.68),
    ...                 (FOOT["left"] + FOOT["right"], 0.86)):
    ...     xyz[0, list(part), 1] = y
    >>> xyz[0, [L.NOSE, L.LEFT_EYE, L.RIGHT_EYE], 0] = 0.53  # the face 12 px ahead of the ears
    >>> s = PoseSeries(xyz, np.ones((1, 33), np.float32), np.zeros((1, 33, 3), np.float32), np.zeros(1), (400, 400))
    >>> parts = seen_parts(s, SeenConfig(), 0.5); bool(parts.head[0]), bool(parts.feet[0, 0])
    (True, True)
    >>> bool(seen_parts(s, SeenConfig(min_body_px=300), 0.5).head[0])  # 264 px shoulder to ankle: too small
    False
    """
    px = raw.pixels()
    w, h = raw.frame_size
    vis = np.nan_to_num(raw.visibility, nan=0.0)
    trunk = np.linalg.norm((px[:, _SHOULDERS].mean(axis=1) - px[:, _HIPS].mean(axis=1)), axis=1)
    trunk = trunk[np.isfinite(trunk) & (trunk > 0)]
    scale = float(np.median(trunk)) if len(trunk) else 0.1 * h
    edge = cfg.edge_margin_rel * min(w, h)

    def seen(points: tuple[L, ...], clearance: float) -> B:
        m = max(edge, clearance * scale)
        xy = px[:, list(points)]
        with np.errstate(invalid="ignore"):
            inside = ((xy[..., 0] >= m) & (xy[..., 0] <= w - m) & (xy[..., 1] >= m) & (xy[..., 1] <= h - m))
        return np.asarray((inside & (vis[:, list(points)] >= min_visibility)).all(axis=1))

    body = cfg.body_clearance_rel
    with np.errstate(invalid="ignore"):
        big = np.asarray(angles.body_size(px) >= cfg.min_body_px)  # NaN (a part unseen) is not big enough
    head = seen(HEAD, cfg.head_clearance_rel)
    # With an edge of the picture cutting through the body, the model squeezes a whole skeleton into what is
    # left (a head and shoulders drawn inside the picture that are not there): its proportions give it away.
    sound = plausible_proportions(px, cfg)
    # Where the bottom edge cuts both legs and the head is in view (a phone too close, filming from the thighs
    # up), what is squeezed is the legs: the head, shoulders and hips above the cut stay the walker's own.
    legs_cut = head & below_bottom(px, h, max(edge, body * scale))
    judged = np.isfinite(_thigh_shank(px)).all(axis=0) & np.isfinite(_trunk_thigh(px))
    distorted = float((~sound[judged] & ~legs_cut[judged]).mean()) if judged.any() else 0.0
    trusted = big & (distorted < cfg.max_distorted_share)
    ok, upper = trusted & sound, trusted & (sound | legs_cut)
    head_big = np.asarray(angles.ear_eye_px(px) >= cfg.min_head_px)
    feet = np.stack([seen(FOOT["left"], body), seen(FOOT["right"], body)]) & ok
    return Seen(head=head & upper & head_big, shoulders=seen(_SHOULDERS, body) & upper, hips=seen(_HIPS, body) & upper,
                feet=feet, large=big, head_large=head_big, distorted_share=distorted, legs_cut=legs_cut)


def below_bottom(px: F, height: float, margin: float) -> B:
    """(T,) True where a landmark of each foot (heel, ankle or toe) lies within ``margin`` of the bottom edge, or below.

    >>> px = np.zeros((2, 33, 2)); px[:, list(FOOT["left"] + FOOT["right"]), 1] = [[380], [395]]
    >>> below_bottom(px, 400, 10).tolist()
    [False, True]
    >>> px[1, list(FOOT["left"]), 1] = 300  # the left foot lifted clear of the edge
    >>> below_bottom(px, 400, 10).tolist()
    [False, False]
    """
    with np.errstate(invalid="ignore"):
        low = [np.asarray((px[:, list(FOOT[side]), 1] > height - margin).any(axis=1)) for side in ("left", "right")]
    return np.asarray(low[0] & low[1])


def _length(px: F, a: L, b: L) -> F:
    return np.asarray(np.linalg.norm(px[:, a] - px[:, b], axis=1))


def _thigh_shank(px: F) -> F:
    """(2, T) thigh / shank length of the left and right leg."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.stack([_length(px, L.LEFT_HIP, L.LEFT_KNEE) / _length(px, L.LEFT_KNEE, L.LEFT_ANKLE),
                         _length(px, L.RIGHT_HIP, L.RIGHT_KNEE) / _length(px, L.RIGHT_KNEE, L.RIGHT_ANKLE)])


def _trunk_thigh(px: F) -> F:
    """(T,) trunk length (shoulder-mid to hip-mid) / mean thigh length."""
    trunk = np.linalg.norm(px[:, _SHOULDERS].mean(axis=1) - px[:, _HIPS].mean(axis=1), axis=1)
    thigh = (_length(px, L.LEFT_HIP, L.LEFT_KNEE) + _length(px, L.RIGHT_HIP, L.RIGHT_KNEE)) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(trunk / thigh)


def plausible_proportions(px: F, cfg: SeenConfig) -> B:
    """(T,) False where the skeleton's proportions are not a human body's (True where they cannot be told).

    Thigh / shank of each leg within ``cfg.thigh_shank`` and trunk / thigh within ``cfg.trunk_thigh``:
    on the real walking clips 97-100% of frames are; with the top third of a clip cut away, half are not
    (the model squeezes the skeleton into the picture).

    >>> px = np.zeros((1, 33, 2)); px[0, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER], 1] = -150
    >>> px[0, [L.LEFT_KNEE, L.RIGHT_KNEE], 1] = 100; px[0, [L.LEFT_ANKLE, L.RIGHT_ANKLE], 1] = 200
    >>> plausible_proportions(px, SeenConfig()).tolist()
    [True]
    >>> px[0, [L.LEFT_KNEE, L.RIGHT_KNEE], 1] = 40  # thigh 40 px, shank 160 px
    >>> plausible_proportions(px, SeenConfig()).tolist()
    [False]
    """
    ts, tt = _thigh_shank(px), _trunk_thigh(px)
    lo, hi = cfg.thigh_shank
    with np.errstate(invalid="ignore"):
        bad = ((ts < lo) | (ts > hi)).any(axis=0) | (tt < cfg.trunk_thigh[0]) | (tt > cfg.trunk_thigh[1])
    return np.asarray(~bad)


@dataclass(frozen=True, eq=False, kw_only=True)
class PostureSeries:
    """Per-frame posture measures (all (T,), NaN where they cannot be measured)."""

    t: F
    views: NDArray[np.object_]
    walking: B  # walking, and upright in the picture (never where the video is on its side)
    upright: B  # the walker's body points up in the picture (angles.upright), before the roll correction
    sagittal: B  # seen from the side or turned up to 60 degrees from it (SAGITTAL_VIEWS)
    turn_deg: F  # how far the walker is turned from side-on (0 = side-on), NaN unknown
    seen: Seen
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
    level_slope: F  # (T,) slope (dy/dx) of the head's path head pitch was measured against (NaN: the horizontal)
    level_note: str


def _lowest_foot(px: F, use: NDArray[np.bool_]) -> tuple[NDArray[np.bool_], F]:
    """The frames of ``use`` with both feet placed, and each one's lowest sole point (x, y)."""
    feet = px[:, list(SOLES)]
    ok = use & ~np.isnan(feet).any(axis=(1, 2))
    return ok, feet[ok][np.arange(ok.sum()), np.argmax(feet[ok][:, :, 1], axis=1)]


def floor_tilt_deg(px: F, use: NDArray[np.bool_], min_span: float = 1.0, max_scatter: float = 0.04) -> float | None:
    """Slope of the floor line through the walker's lowest foot points, in degrees.

    Positive = the floor runs down to the right in the image (y grows with x). The lowest foot
    point of each frame is binned along x and the lowest per bin (a foot on the floor) is fitted
    with a line. Returns None when the contacts span less than ``min_span`` body sizes or fewer
    than four bins, or when they do not lie on one line: their RMS distance from it is more than
    ``max_scatter`` body sizes (a moving camera, cuts between shots, a walker coming towards the
    camera). On the real side-view clips it is 0.012-0.025; a montage of shots gives 0.05 and more.
    """
    ok, low = _lowest_foot(px, use)
    if ok.sum() < 10:
        return None
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


def perspective_slope_deg(px: F, use: NDArray[np.bool_]) -> float:
    """The steepest floor line a level camera can give, from how the walker's size changes along it.

    A walker who comes nearer the camera as they cross the picture grows, and their feet land lower
    in the image: with a level camera at height ``H``, the feet lie ``H / height`` standing heights
    below the horizon, so they drop by ``H / height`` of the growth in standing height (``body_size``
    is about 0.8 of it). With ``H`` up to :data:`CAMERA_HEIGHT_MAX_REL` of the walker's height the
    floor line can slope by up to ``atan(CAMERA_HEIGHT_MAX_REL / 0.8 * dsize/dx)`` with no roll at
    all. Signed as :func:`floor_tilt_deg` (positive: the feet drop to the right, the walker is larger
    there); 0 when the size cannot be fitted.
    """
    size = angles.body_size(px)
    ok, low = _lowest_foot(px, use & np.isfinite(size))
    if ok.sum() < 10:
        return 0.0
    low_x = low[:, 0]
    if np.ptp(low_x) <= 0:
        return 0.0
    growth = float(np.polyfit(low_x, size[ok], 1)[0])  # pixels of body size per pixel along x
    return float(np.degrees(np.arctan(CAMERA_HEIGHT_MAX_REL / _SIZE_OF_HEIGHT * growth)))


def camera_roll_deg(floor_deg: float, perspective_deg: float) -> float:
    """The camera roll a floor line shows: the least roll that, with some perspective, explains it.

    The floor line slopes by the roll plus up to ``perspective_deg`` from the walker's change of
    distance (:func:`perspective_slope_deg`); the roll taken is the value in that range nearest 0.
    A distance change that could explain the whole slope leaves the camera level.

    >>> camera_roll_deg(2.7, 2.2), camera_roll_deg(-2.0, 1.5), camera_roll_deg(1.0, 3.0)
    (0.5, -2.0, 0.0)
    """
    lo, hi = sorted((floor_deg - perspective_deg, floor_deg))
    return round(min(max(0.0, lo), hi), 9)


def _tilt_note(floor_deg: float, roll_deg: float) -> str:
    """What the report says about a floor line's slope and the roll corrected from it (nothing under 1°)."""
    where = "estimated from the floor line through the foot contacts"
    if abs(floor_deg) < 1.0:
        return ""
    if roll_deg == 0.0:
        return (f"The floor line through the foot contacts slopes {floor_deg:.1f}°, no more than the walker's "
                "coming nearer the camera can explain; the camera is assumed level.")
    if abs(floor_deg - roll_deg) >= 0.5:
        return (f"Camera tilt of {roll_deg:.1f}° {where} (it slopes {floor_deg:.1f}°; the walker's coming "
                f"nearer the camera can account for {floor_deg - roll_deg:.1f}° of that) and corrected.")
    return f"Camera tilt of {roll_deg:.1f}° {where} and corrected." if abs(roll_deg) >= 1.0 else ""


def head_path_slope(px: F, use: B, min_span: float = 1.5, max_scatter: float = 0.04) -> float | None:
    """Slope (dy/dx, y down) of the straight line the walker's head travels along in the picture, or None.

    A walker going straight keeps their head at one height (give or take the 2-3 cm bob of each
    step), so the head travels along a straight horizontal line in the world, and a still camera
    shows any straight line as a straight line. It is level in the picture when the walker crosses
    square to the camera, or the camera is at head height; where they also go away from a camera
    above their head (or towards one below it), it rises the way they walk, and the other way round.
    A level head's ear->eye line runs along that path, turned 0-60 degrees from side-on or not, so
    head pitch is measured against it (:func:`gaitcheck.angles.level_points`). Measured on the
    head point (:func:`gaitcheck.angles.head_point`) of the ``use`` frames, fitted with a line (Theil-Sen).

    None (nothing to measure against but the picture's horizontal) when the path spans less than
    ``min_span`` body sizes across the picture (about three steps: the head bobs 2-3 cm with each
    step, and lines through half a body size of the shared clips' paths were up to 9.5 degrees off
    the whole pass's; through 1.5, under 3.5), when it does not lie on a line (a robust standard
    deviation about the line above ``max_scatter`` body sizes: a moving camera, a curved path, a cut;
    0.007-0.028 on the shared still-camera clips, whose lenses bow the path a little; 0.04-0.13 on the
    phone clip's shots, filmed walking with her) or when it is steeper than
    :data:`MAX_LEVEL_SLOPE_DEG`.
    """
    head = angles.head_point(px)
    size = angles.body_size(px)
    ok = use & np.isfinite(head).all(axis=1) & np.isfinite(size)
    if ok.sum() < 10:
        return None
    x, y = head[ok, 0], head[ok, 1]
    body = float(np.median(size[ok]))
    if np.ptp(x) < min_span * body:
        return None
    from scipy.stats import theilslopes  # imported with scipy.signal anyway

    # Theil-Sen takes the median of all pairwise slopes: memory and time grow with the square of the
    # frames (2.2 GB on a 5-minute pass), so a long pass is fitted on evenly spaced frames of it
    step = -(-len(x) // MAX_FIT_POINTS)
    fit = theilslopes(y[::step], x[::step])  # robust to the few frames where the model misplaces the head
    slope = float(fit.slope)
    residual = y - (fit.intercept + slope * x)
    scatter = 1.4826 * float(np.median(np.abs(residual - np.median(residual))))  # a robust standard deviation
    if scatter > max_scatter * body or abs(np.degrees(np.arctan(slope))) > MAX_LEVEL_SLOPE_DEG:
        return None
    return slope


def camera_still(px: F, t: F, use: B, max_ratio: float = 0.5) -> bool:
    """Whether the camera stood still while the walker walked on the ``use`` frames (their feet seen).

    The foot on the ground stays put in the world, so a still camera shows it (nearly) still while
    the hips travel: the slower ankle's median speed across the picture is 0.09-0.21 of the hips' on
    the shared still-camera clips. A camera that follows the walker (a phone carried alongside, a
    pan) or a treadmill shows the planted foot sliding back while the hips stay put: 1.7-4.1 on the
    phone clip's shots and on a side clip panned. False above ``max_ratio``, and where fewer than 10
    frames tell (the feet out of the picture): a head path is then not a path in the world.
    """
    if len(t) < 10:
        return False
    speed = [np.abs(np.gradient(x, t)) for x in (px[:, _HIPS, 0].mean(axis=1), px[:, L.LEFT_ANKLE, 0],
                                                  px[:, L.RIGHT_ANKLE, 0])]
    ok = use & np.isfinite(np.stack(speed, axis=1)).all(axis=1)
    if ok.sum() < 10:
        return False
    planted = float(np.median(np.minimum(speed[1], speed[2])[ok]))
    return planted <= max_ratio * float(np.median(speed[0][ok]))


def head_level_slopes(px: F, t: F, use: B, heading: NDArray[np.object_], feet: B) -> F:
    """(T,) the slope of each pass's head path (:func:`head_path_slope`) on its frames; NaN elsewhere.

    A pass (:func:`pass_spans`: one way, no long gap) has one straight path; a walker who turns
    or comes back walks another. Only a pass filmed by a still camera (:func:`camera_still`, on
    the frames where the ``feet`` were seen too) has one.
    """
    out = np.full(len(t), np.nan)
    for a, b, _ in pass_spans(t, use, heading):
        part = np.zeros(len(t), bool)
        part[a:b + 1] = use[a:b + 1]
        if not camera_still(px, t, part & feet):
            continue
        slope = head_path_slope(px, part)
        if slope is not None:
            out[a:b + 1] = slope
    return out


def _level_note(slope: F, judged: B) -> str:
    """What the report says about the head paths that head pitch was measured against (nothing under 2°)."""
    deg = np.degrees(np.arctan(slope[judged & np.isfinite(slope)]))
    if not len(deg) or np.max(np.abs(deg)) < 2.0:
        return ""
    worst = float(deg[np.argmax(np.abs(deg))])
    return (f"The walker's head travels along a line sloping {abs(worst):.0f}° in the picture (they walk at an angle "
            "to a camera above or below their head): head pitch is measured against that line, as a level head "
            "follows it.")


def measure_posture(series: PoseSeries, cfg: Config, height_cm: float, seen: Seen | None = None) -> PostureSeries:
    """All per-frame posture measures of a cleaned series, camera roll corrected when it can be.

    Args:
        series: the walker's cleaned series.
        cfg: settings.
        height_cm: the walker's height, for the gaze distance.
        seen: where each body part was seen (:func:`seen_parts` of the raw series); a measure is
            kept only where the parts it uses were (head pitch and gaze: the head; trunk lean: the
            shoulders and hips; forward head: all three). Default: everywhere.
    """
    px = series.pixels()
    t = series.t
    world = series.world.astype(np.float64)
    views = frame_views(world)
    side = views == "side"
    sagittal = np.isin(views, SAGITTAL_VIEWS)
    turn = turn_from_side_deg(world)
    seen = seen if seen is not None else Seen.everywhere(len(t))
    # a video turned on its side (rotation metadata lost) would give every angle 90° out: never measured
    up = angles.upright(px)
    walk = angles.walking(px, t) & up
    floor = floor_tilt_deg(px, walk & side)
    w, h = series.frame_size
    tilt: float | None = None
    if floor is None:
        note = "Could not estimate the camera tilt from the foot contacts; the camera is assumed level."
    elif abs(floor) > MAX_TILT_CORRECTION_DEG:
        note = (f"The floor line through the foot contacts slopes {floor:.0f}°, too steep for camera tilt "
                "(is the walker moving towards or away from the camera?); the camera is assumed level.")
    else:
        whole = seen.trunk & seen.both_feet  # the body size needs shoulders, hips and both feet
        tilt = camera_roll_deg(floor, perspective_slope_deg(px, walk & side & whole))
        note = _tilt_note(floor, tilt)
        px = angles.rotate_points(px, tilt, (w / 2, h / 2))
    facing = angles.facing_direction(px)
    # a walker turned from side-on shows fore-aft offsets shrunk by cos(turn): measured as a side view would
    flat = angles.unturn_points(px, turn)
    # the head's pitch against the path a level head travels along (sloping where the walker goes in depth)
    level = head_level_slopes(px, t, walk & sagittal & seen.head & up, headings(views, facing), seen.both_feet)
    head_flat = angles.unturn_points(angles.level_points(px, np.nan_to_num(level)), turn)
    pitch = angles.head_pitch_deg(head_flat, facing, cfg.look_ahead.head_neutral_offset_deg)
    lean = angles.trunk_lean_deg(flat, facing)
    fwd = angles.forward_head_rel(flat, facing)
    esh = angles.ear_shoulder_hip_deg(flat)
    # What a view cannot support is unknown there, never a guess: sagittal angles need a side or
    # oblique view, and the parts they use seen (a walker half out of the picture gives made-up landmarks).
    # and no angle where the walker lies across the picture (a video on its side): it would be 90° out
    pitch[~(sagittal & seen.head & up)] = np.nan
    lean[~(sagittal & seen.trunk & up)] = np.nan
    for arr in (fwd, esh):
        arr[~(sagittal & seen.head & seen.trunk & up)] = np.nan
    eye_h = height_cm / 100 * cfg.body.eye_height_ratio
    gaze = angles.gaze_distance_m(pitch, eye_h, cfg.look_ahead.line_of_sight_deg)
    level_note = _level_note(level, walk & np.isfinite(pitch))
    hip = series.xyz[:, [L.LEFT_HIP, L.RIGHT_HIP], :2].astype(np.float64).mean(axis=1)
    return PostureSeries(t=t, views=views, walking=walk, upright=up, sagittal=sagittal, turn_deg=turn, seen=seen,
                         head_pitch_deg=pitch, gaze_distance_m=gaze, trunk_lean_deg=lean, forward_head_rel=fwd,
                         ear_shoulder_hip_deg=esh, hip_xy=hip, px=px, facing=facing, tilt_deg=tilt, tilt_note=note,
                         level_slope=level, level_note=level_note)


def headings(views: NDArray[np.object_], facing: F) -> NDArray[np.object_]:
    """(T,) which way the walker goes in each frame, in words ("" where unknown).

    "left to right" / "right to left" seen from the side or obliquely (by ``facing``), "towards
    the camera" / "away from the camera" seen from the front / from behind.

    >>> views = np.array(["side", "oblique", "front", "back", ""], dtype=object)
    >>> headings(views, np.array([1.0, -1.0, 1.0, -1.0, 1.0])).tolist()
    ['left to right', 'right to left', 'towards the camera', 'away from the camera', '']
    """
    out = np.full(len(views), "", dtype=object)
    sideways = np.isin(views, SAGITTAL_VIEWS) & np.isfinite(facing)
    out[sideways & (facing > 0)] = "left to right"
    out[sideways & (facing < 0)] = "right to left"
    out[views == "front"] = "towards the camera"
    out[views == "back"] = "away from the camera"
    return out


def pass_spans(t: F, detected: B, heading: NDArray[np.object_], *, max_gap_s: float = 1.0,
               min_s: float = 0.5) -> list[tuple[int, int, str]]:
    """The walker's passes: ``(first frame, last frame, heading)``, in time order.

    A pass is a stretch of frames in which the walker was found, going one way. It ends where the
    walker is not found for more than ``max_gap_s`` (they left the picture, or were hidden) or
    where they turn: the heading changes and keeps the new value for at least ``min_s`` (shorter
    changes are noise and stay in the pass). Its heading is the one held longest in it ("" if none).

    >>> t = np.arange(10) * 0.25
    >>> h = np.array(["left to right"] * 4 + ["right to left"] * 6, dtype=object)
    >>> pass_spans(t, np.ones(10, bool), h)
    [(0, 3, 'left to right'), (4, 9, 'right to left')]
    >>> pass_spans(t, np.array([1, 1, 1, 0, 0, 0, 0, 0, 1, 1], bool), np.full(10, "", dtype=object))
    [(0, 2, ''), (8, 9, '')]
    """
    idx = np.flatnonzero(detected)
    if not len(idx):
        return []
    # stretches of detection
    cuts = np.flatnonzero(np.diff(t[idx]) > max_gap_s) + 1
    spans: list[tuple[int, int, str]] = []
    for run in np.split(idx, cuts):
        # runs of one heading within it ("" frames join the run they are in)
        parts: list[list[int | str]] = []  # [first, last, heading]
        for i in run:
            hd = str(heading[i])
            if parts and (not hd or hd == parts[-1][2] or not parts[-1][2]):
                parts[-1][1] = int(i)
                if not parts[-1][2]:
                    parts[-1][2] = hd
            else:
                parts.append([int(i), int(i), hd])
        merged: list[list[int | str]] = []
        for part in parts:  # a turn shorter than min_s is noise: it joins the stretch before it
            a, b = int(part[0]), int(part[1])
            if merged and (t[b] - t[a] < min_s or part[2] == merged[-1][2]):
                merged[-1][1] = b
            else:
                merged.append(part)
        if len(merged) > 1 and t[int(merged[0][1])] - t[int(merged[0][0])] < min_s:  # a short start joins the next
            merged[1][0] = merged[0][0]
            merged.pop(0)
        spans += [(int(a), int(b), str(hd)) for a, b, hd in merged]
    return spans
