"""Walkers turned away from a pure side view: the sagittal angles are corrected for the turn up to
60 degrees; beyond, and from the front or behind, they stay unknown.

The turned walker is built in 3D from the side-view walker of ``_synth.make_walker``: its fore-aft
offsets become a forward axis, each one-sided landmark gets a lateral offset (shoulders, hips, ears,
eyes, feet apart by typical widths), and the body is turned about the vertical by ``turn_deg`` and
projected onto the image (orthographic). The world landmarks carry the same turn, as MediaPipe's
do (camera-aligned, hip-centred).
"""

from __future__ import annotations

import numpy as np
import pytest
from _synth import TRUNK_PX, make_extraction, make_walker

import gaitcheck
from gaitcheck.landmarks import Landmark as L

# half of the left-right width of each pair, in trunk lengths (adult proportions, roughly)
_HALF_WIDTH = {(L.LEFT_SHOULDER, L.RIGHT_SHOULDER): 0.35, (L.LEFT_HIP, L.RIGHT_HIP): 0.25,
               (L.LEFT_EAR, L.RIGHT_EAR): 0.15, (L.LEFT_EYE, L.RIGHT_EYE): 0.06,
               (L.LEFT_EYE_INNER, L.RIGHT_EYE_INNER): 0.03, (L.LEFT_EYE_OUTER, L.RIGHT_EYE_OUTER): 0.09,
               (L.LEFT_KNEE, L.RIGHT_KNEE): 0.2, (L.LEFT_ANKLE, L.RIGHT_ANKLE): 0.2,
               (L.LEFT_HEEL, L.RIGHT_HEEL): 0.2, (L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX): 0.22,
               (L.LEFT_ELBOW, L.RIGHT_ELBOW): 0.4, (L.LEFT_WRIST, L.RIGHT_WRIST): 0.4,
               (L.MOUTH_LEFT, L.MOUTH_RIGHT): 0.05}


def turned_walker(turn_deg: float, **kw: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A side-view synthetic walker turned ``turn_deg`` about the vertical (towards the camera)."""
    image, _, t = make_walker(**kw)  # type: ignore[arg-type]
    a = np.radians(turn_deg)
    px = image[:, :, :2].astype(np.float64)
    hip_x = (px[:, L.LEFT_HIP, 0] + px[:, L.RIGHT_HIP, 0]) / 2
    scale = TRUNK_PX * float(kw.get("scale", 1.0))  # type: ignore[arg-type]
    lateral = np.zeros(33)
    for (left, right), half in _HALF_WIDTH.items():
        lateral[left], lateral[right] = half * scale, -half * scale
    out = image.copy()
    # forward offsets shrink by cos(a); the person's left comes out by sin(a) (the right goes behind)
    out[:, :, 0] = hip_x[:, None] + (px[:, :, 0] - hip_x[:, None]) * np.cos(a) + lateral[None, :] * np.sin(a)
    world = np.zeros((len(t), 33, 3), np.float32)
    d = 1.0 if float(kw.get("direction", 1)) > 0 else -1.0  # type: ignore[arg-type]
    # camera-aligned world landmarks: the left-right axis turns from depth (side-on) towards image x
    world[:, :, 0] = (lateral * np.sin(a) / scale * 0.3)[None, :]
    world[:, :, 2] = (lateral * np.cos(a) * d / scale * 0.3)[None, :]
    return out, world, t


def medians(report: gaitcheck.Report) -> tuple[float, float, float]:
    la, sl = report.look_ahead.medians, report.slouch.medians
    return la["median_head_pitch_deg"], sl["median_trunk_lean_deg"], sl["median_forward_head_rel"]  # type: ignore[return-value]


@pytest.mark.parametrize("direction", [1, -1])
@pytest.mark.parametrize("turn_deg", [0.0, 15.0, 30.0, 45.0, 55.0])
def test_turned_walker_gives_the_side_view_angles_within_2_degrees(turn_deg, direction):
    kw = {"n_frames": 150, "head_pitch_deg": 18.0, "trunk_lean_deg": 12.0, "forward_head_rel": 0.15,
          "direction": direction}
    truth = medians(gaitcheck.score(make_extraction(make_walker(**kw))))  # type: ignore[arg-type]
    report = gaitcheck.score(make_extraction(turned_walker(turn_deg, **kw)))
    pitch, lean, fwd = medians(report)
    assert pitch == pytest.approx(truth[0], abs=2.0)
    assert lean == pytest.approx(truth[1], abs=2.0)
    assert fwd == pytest.approx(truth[2], abs=0.03)
    assert report.look_ahead.status == "flag" and report.slouch.status == "flag"


def test_without_the_correction_a_turned_walker_would_look_upright():
    # the same walker at 55 degrees measured as if side-on: the lean shrinks to atan(tan(12) cos 55) = 7 degrees,
    # under the 10 degree limit; the corrected lean is 12
    report = gaitcheck.score(make_extraction(turned_walker(55.0, n_frames=150, trunk_lean_deg=12.0)))
    assert medians(report)[1] == pytest.approx(12.0, abs=2.0)
    assert np.degrees(np.arctan(np.tan(np.radians(12.0)) * np.cos(np.radians(55.0)))) < 10.0


@pytest.mark.parametrize("turn_deg", [75.0, 90.0])
def test_nearly_frontal_walker_stays_unknown(turn_deg):
    report = gaitcheck.score(make_extraction(turned_walker(turn_deg, n_frames=150, head_pitch_deg=18.0)))
    assert report.look_ahead.status == "unknown" and report.slouch.status == "unknown"
    assert np.isnan(report.frames.head_pitch_deg).all()


@pytest.mark.parametrize("turn_deg", [0.0, 30.0, 55.0])
def test_the_posture_series_records_the_turn_it_corrected_for(turn_deg):
    from gaitcheck.clean import clean_series
    from gaitcheck.config import Config
    from gaitcheck.pose.tracking import track_series
    from gaitcheck.posture import measure_posture

    ex = make_extraction(turned_walker(turn_deg, n_frames=90))
    raw = track_series(list(ex.tracks), ex.t, (ex.info.width, ex.info.height), "synthetic")
    post = measure_posture(clean_series(raw)[0], Config(), 170.0)
    assert np.nanmedian(post.turn_deg) == pytest.approx(turn_deg, abs=2.0)


# ---- seen in perspective: a still camera above or below the head, the walker going away or coming nearer ----
#
# The same walker built in 3D (metres): the side view's fore-aft offsets along the walking direction, its
# heights up, each one-sided landmark out to the walker's left or right, walking straight at ``turn_deg``
# from square to the camera, and projected by a level pinhole camera at ``camera_m`` above the floor.
# Going away from a camera above the head, the far (eye) end of a level ear->eye line shows higher than
# the near (ear) end: the head looks raised by about atan(sin(turn) x the camera's height above the head /
# distance), 6 degrees here at 45 degrees from 2.3 m; from a phone on a table the other way round.

_MM_PER_PX = 0.288 * 1700.0 / TRUNK_PX  # the synthetic walker's scale (_synth.TRUNK_MM)


#: Steps short enough for the default walking speed that the foot on the ground stays put in stance
#: (the synthetic walker's default steps are long: its feet slide back while they are down).
PLANTED = {"stride_amp_rel": 0.2}


def perspective_walker(turn_deg: float, away: bool, camera_m: float, *, distance_m: float = 5.0,
                       focal_px: float = 900.0, frame_size: tuple[int, int] = (1080, 1920),
                       **kw: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    image, _, t = make_walker(**kw)  # type: ignore[arg-type]
    side = image[:, :, :2].astype(np.float64)
    d = 1.0 if float(kw.get("direction", 1)) > 0 else -1.0  # type: ignore[arg-type]
    floor_y = 720 * 0.85  # make_walker's floor line in its default frame
    fore = d * (side[..., 0] - side[0, [L.LEFT_HIP, L.RIGHT_HIP], 0].mean()) * _MM_PER_PX / 1000.0
    up = (floor_y - side[..., 1]) * _MM_PER_PX / 1000.0
    lateral = np.zeros(33)
    for (left, right), half in _HALF_WIDTH.items():
        lateral[left], lateral[right] = half * 0.288 * 1.7, -half * 0.288 * 1.7
    a = np.radians(turn_deg)
    g = np.array([d * np.cos(a), np.sin(a) if away else -np.sin(a)])  # walking direction on the floor (x, depth)
    left_dir = np.array([-g[1], g[0]])  # the walker's left, on the floor
    hips = fore[:, [L.LEFT_HIP, L.RIGHT_HIP]].mean(axis=1)
    start = np.array([0.0, distance_m]) - g * (hips[0] + hips[-1]) / 2  # the middle of the walk straight ahead
    floor_pos = start + fore[..., None] * g + lateral[None, :, None] * left_dir  # (T, 33, 2): x, depth
    w, h = frame_size
    out = image.copy()
    out[:, :, 0] = w / 2 + focal_px * floor_pos[..., 0] / floor_pos[..., 1]
    out[:, :, 1] = h / 2 - focal_px * (up - camera_m) / floor_pos[..., 1]
    hip3 = np.stack([floor_pos[..., 0], -up, floor_pos[..., 1]], axis=-1)  # MediaPipe's axes: y down, z away
    world = (hip3 - hip3[:, [L.LEFT_HIP, L.RIGHT_HIP]].mean(axis=1, keepdims=True)).astype(np.float32)
    return out, world, t


@pytest.mark.parametrize("camera_m", [0.8, 2.3], ids=["camera-on-a-table", "camera-above-the-head"])
@pytest.mark.parametrize("away", [True, False], ids=["going-away", "coming-nearer"])
@pytest.mark.parametrize("turn_deg", [30.0, 45.0])
def test_a_walker_at_an_angle_to_a_camera_above_or_below_the_head_gives_the_side_view_pitch(turn_deg, away, camera_m):
    kw = {"n_frames": 150, "head_pitch_deg": 18.0, "trunk_lean_deg": 12.0, "forward_head_rel": 0.15, **PLANTED}
    truth = medians(gaitcheck.score(make_extraction(make_walker(**kw))))  # type: ignore[arg-type]
    walker = perspective_walker(turn_deg, away, camera_m, **kw)
    report = gaitcheck.score(make_extraction(walker, frame_size=(1080, 1920)))
    pitch, lean, fwd = medians(report)
    assert pitch == pytest.approx(truth[0], abs=2.0)
    assert lean == pytest.approx(truth[1], abs=2.0)
    assert fwd == pytest.approx(truth[2], abs=0.03)
    # the report says what the pitch was measured against
    assert any("head travels along a line sloping" in w for w in report.warnings), report.warnings


def test_the_head_path_is_level_for_a_walker_crossing_square_to_the_camera():
    kw = {"n_frames": 150, "head_pitch_deg": 18.0}
    report = gaitcheck.score(make_extraction(perspective_walker(0.0, True, 2.3, **kw), frame_size=(1080, 1920)))
    assert medians(report)[0] == pytest.approx(18.0, abs=2.0)
    assert not any("head travels along" in w for w in report.warnings)


def test_the_camera_is_still_where_the_foot_on_the_ground_stays_put():
    from gaitcheck.posture import camera_still

    def still(px: np.ndarray, t: np.ndarray, use: np.ndarray | None = None) -> bool:
        return camera_still(px, t, np.ones(len(t), bool) if use is None else use)

    image, _, t = make_walker(n_frames=150, **PLANTED)
    px = image[:, :, :2].astype(np.float64)
    assert still(px, t)
    # a camera panning with the walker: everything slides back by the hips' travel, the hips stay put
    hip_x = px[:, [L.LEFT_HIP, L.RIGHT_HIP], 0].mean(axis=1)
    panned = px.copy()
    panned[..., 0] -= (hip_x - hip_x[0])[:, None]
    assert not still(panned, t)
    # feet sliding back under travelling hips (a treadmill filmed from a cart, or this walker's default
    # long steps at its default speed: its feet slide back in stance)
    long_steps = make_walker(n_frames=150)[0][:, :, :2].astype(np.float64)
    assert not still(long_steps, t)
    # the feet never in view: nothing tells, and nothing is measured against the head's path
    few = np.zeros(len(t), bool)
    few[:9] = True
    assert not still(px, t, few)
    nofeet = px.copy()
    nofeet[:, [L.LEFT_ANKLE, L.RIGHT_ANKLE]] = np.nan
    assert not still(nofeet, t)


def test_a_panning_camera_gives_no_head_path_to_measure_against():
    # A phone turning to follow the walker, lagging (half their travel) or keeping up: the head's
    # path in the picture is not its path in the world. Half a pan left the head travelling along a
    # line sloping 22 deg: "corrected" against it, the pitch read 25.3 deg where the still camera's
    # path gives 17.2 (and the truth is 18). Here both read as against the picture's horizontal.
    kw = {"n_frames": 150, "head_pitch_deg": 18.0, **PLANTED}
    image, world, t = perspective_walker(45.0, True, 2.3, **kw)
    hip_x = image[:, [L.LEFT_HIP, L.RIGHT_HIP], 0].mean(axis=1)
    pitches = []
    for share in (0.5, 1.0):
        panned = image.copy()
        panned[:, :, 0] -= share * (hip_x - hip_x[0])[:, None]
        report = gaitcheck.score(make_extraction((panned, world, t), frame_size=(1080, 1920)))
        assert not any("head travels along" in w for w in report.warnings), report.warnings
        pitches.append(medians(report)[0])
    assert pitches[0] == pytest.approx(pitches[1], abs=0.5)


def test_a_long_pass_fits_its_head_path_on_a_bounded_number_of_frames(monkeypatch):
    # Theil-Sen's pairwise slopes grow with the square of the frames: 2.2 GB on a 5-minute pass
    import scipy.stats

    from gaitcheck.posture import MAX_FIT_POINTS, head_path_slope

    image, _, _ = make_walker(n_frames=9000, speed_px_s=3.0, **PLANTED)  # five minutes, slowly across
    px = image[:, :, :2].astype(np.float64)
    px[..., 1] += 0.05 * (px[..., 0] - px[0, L.LEFT_HIP, 0])  # a path sloping 2.9 deg, down to the right
    sizes: list[int] = []
    real = scipy.stats.theilslopes

    def counting(y: np.ndarray, x: np.ndarray) -> object:
        sizes.append(len(x))
        return real(y, x)

    monkeypatch.setattr(scipy.stats, "theilslopes", counting)
    assert head_path_slope(px, np.ones(len(px), bool)) == pytest.approx(0.05, abs=0.005)
    assert sizes and max(sizes) <= MAX_FIT_POINTS


def test_levelling_keeps_the_head_where_the_hips_are_not_found():
    # a close-up from the waist up: no hips; levelling must not take the head's measures with them
    from gaitcheck import angles

    px = make_walker(n_frames=30, head_pitch_deg=10.0)[0][:, :, :2].astype(np.float64)
    px[:, [L.LEFT_HIP, L.RIGHT_HIP]] = np.nan
    facing = np.ones(len(px))
    for slope in (0.0, -0.1):
        out = angles.level_points(px, np.full(len(px), slope))
        pitch = angles.head_pitch_deg(out, facing)
        assert np.isfinite(pitch).all()
    np.testing.assert_array_equal(angles.level_points(px, np.zeros(len(px))), px)
