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
