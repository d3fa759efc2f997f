"""Known answers from geometry: synthetic walkers whose foot strike, overstride, limp, gaze point and
posture are set by construction (tests/_synth.py), walking both ways, each verdict checked on both
sides of its threshold.

The expected numbers come from the walker's geometry (the foot's angle at contact, where the heel
lands, the floor point a relaxed line of sight meets), never from gaitcheck's own functions.
"""

from __future__ import annotations

import numpy as np
import pytest
from _synth import (
    HEEL_REL,
    contact_times,
    head_pitch_looking_at,
    heel_ahead_at_contact_rel,
    make_extraction,
    make_walker,
    straight_leg_rel,
)
from scipy.optimize import brentq

import gaitcheck
from gaitcheck.config import Config

GAIT = Config().gait
BOTH_WAYS = pytest.mark.parametrize("direction", [1, -1], ids=["left-to-right", "right-to-left"])


def report(height_cm=None, cfg=None, **kw):
    return gaitcheck.score(make_extraction(make_walker(**kw)), cfg, height_cm=height_cm).to_dict()


def contacts(g, kind="initial_contact"):
    return [(e["t_s"], e["foot"]) for e in g["events"] if e["type"] == kind]


# ---- foot strike: the foot's angle when it lands --------------------------------------------

# 8 deg toes up and 5 deg toes down are the limits (GaitConfig); each label is tried 2 deg either side
# of its limit and well inside it.
STRIKES = [(20.0, "heel"), (10.0, "heel"), (6.0, "flat"), (-3.0, "flat"), (-7.0, "forefoot"), (-15.0, "forefoot")]


@BOTH_WAYS
@pytest.mark.parametrize(("strike_deg", "label"), STRIKES)
def test_foot_strike_is_the_foot_angle_at_contact(direction, strike_deg, label):
    g = report(n_frames=180, direction=direction, strike_deg=strike_deg, speed_px_s=150.0)["gait"]
    detail = g["foot_strike_detail"]
    assert g["foot_strike"] == label
    assert detail["median_foot_angle_deg"] == pytest.approx(strike_deg, abs=1.0)
    assert detail["counts"][label] == g["steps"] >= 8  # every contact, not only the median
    assert detail["status"] == "pass"  # landing under the body is fine whatever the strike
    assert g["overstride"]["status"] == "pass"


@pytest.mark.parametrize("strike_deg", [15.0, -12.0])
def test_contacts_are_found_for_heel_and_forefoot_landings(strike_deg):
    n, fps = 180, 30.0
    g = report(n_frames=n, fps=fps, strike_deg=strike_deg, speed_px_s=150.0)["gait"]
    truth = contact_times(n / fps)
    got = contacts(g)
    inner = [(tt, ft) for tt, ft in truth if 0.2 < tt < n / fps - 0.2]
    assert len(got) >= len(inner)
    for tg, fg in got:  # each a true contact of the same foot within 2 frames
        assert any(abs(tg - tt) <= 2 / fps and fg == ft for tt, ft in truth), (tg, fg)


@pytest.mark.parametrize("dip_frames", [1, 2])
def test_a_foot_unseen_for_a_frame_or_two_as_it_lands_still_has_its_contact(dip_frames):
    # the model's visibility for the landing foot dips under the limit for a moment (a panning phone's
    # motion blur, a glitch): the foot's track is bridged there, so the step is not cut in two and lost
    from gaitcheck.landmarks import FOOT

    n, fps = 180, 30.0
    img, world, t = make_walker(n_frames=n, fps=fps, speed_px_s=150.0)
    truth = contact_times(n / fps)
    inner = [(tt, ft) for tt, ft in truth if 0.3 < tt < n / fps - 0.3]
    for tt, foot in inner:
        at = round(tt * fps)
        img[at:at + dip_frames, list(FOOT[foot]), 3] = 0.2  # visibility
    got = contacts(gaitcheck.score(make_extraction((img, world, t))).to_dict()["gait"])
    for tt, ft in inner:  # (the report's times are rounded to 0.1 ms)
        assert any(abs(tg - tt) <= 2 / fps + 1e-4 and fg == ft for tg, fg in got), (tt, ft, got)


# ---- overstride: how far ahead of the pelvis the heel lands ---------------------------------

def amp_for_overstride(rel: float, strike_deg: float) -> float:
    """The leg swing that lands the heel ``rel`` straight-leg lengths ahead of the pelvis."""
    return brentq(lambda a: heel_ahead_at_contact_rel(a, strike_deg) - rel, 0.2, 1.5)


@BOTH_WAYS
@pytest.mark.parametrize(("heel_ahead", "strike_deg", "flag", "strike_flag"), [
    (0.50, 0.0, False, False),  # just inside 0.55
    (0.50, 15.0, False, False),
    (0.60, 0.0, True, False),  # just beyond: overstriding, but landing flat is not "reaching onto the heel"
    (0.60, 15.0, True, True),  # reaching forward onto the heel
])
def test_overstride_either_side_of_the_limit(direction, heel_ahead, strike_deg, flag, strike_flag):
    amp = amp_for_overstride(heel_ahead, strike_deg)
    g = report(n_frames=180, direction=direction, strike_deg=strike_deg, stride_amp_rel=amp, cadence_spm=100,
               speed_px_s=150.0)["gait"]
    assert g["overstride"]["median_rel"] == pytest.approx(heel_ahead, abs=0.015)
    assert (g["overstride"]["status"] == "flag") is flag
    assert (g["status"] == "flag") is flag
    assert (g["foot_strike_detail"]["status"] == "flag") is strike_flag
    assert ("shorter, quicker steps" in g["feedback"]) is flag
    assert ("onto your heel" in g["foot_strike_detail"]["feedback"]) is strike_flag


@pytest.mark.parametrize("strike_deg", [0.0, 20.0])
def test_step_length_is_the_distance_between_the_heels(strike_deg):
    amp = 0.35
    g = report(n_frames=180, stride_amp_rel=amp, strike_deg=strike_deg, height_cm=170)["gait"]
    # at contact the landing heel is where heel_ahead_at_contact_rel puts it, and the other foot,
    # half a stride on, is furthest back and flat: its heel amp + 0.05 leg behind the pelvis
    behind = (amp - HEEL_REL[0]) / straight_leg_rel(amp, strike_deg)
    step = heel_ahead_at_contact_rel(amp, strike_deg) + behind
    assert g["step_length_rel_leg"] == pytest.approx(step, rel=0.03)
    assert g["step_length_m"] == pytest.approx(step * 0.491 * 1.70, rel=0.03)


# ---- timing: cadence, toe-offs, stance, a limp -----------------------------------------------

@BOTH_WAYS
def test_toe_offs_are_when_each_foot_is_furthest_back_and_stance_is_half_the_cycle(direction):
    n, fps, cadence = 240, 30.0, 100.0
    g = report(n_frames=n, fps=fps, cadence_spm=cadence, speed_px_s=100.0, direction=direction)["gait"]
    f = cadence / 120  # strides per second; a foot is furthest back half a stride before and after it lands
    truth = sorted({(round(t + h / f, 6), foot) for t, foot in contact_times(n / fps, cadence) for h in (-0.5, 0.5)})
    tos = contacts(g, "toe_off")
    assert len(tos) >= len([t for t, _ in truth if 0.3 < t < n / fps - 0.3])
    for tg, fg in tos:
        assert any(abs(tg - tt) <= 2 / fps and fg == ft for tt, ft in truth), (tg, fg)
    # the model's foot is on the floor for exactly half of each stride; contacts and toe-offs are both
    # moved earlier by the same foot lag, so the share stays half (one frame is 2.8% of a 36-frame stride)
    for side in ("left", "right"):
        assert g["stance_pct"][side] == pytest.approx(50.0, abs=1.4)


@BOTH_WAYS
@pytest.mark.parametrize(("limp", "uneven"), [(0.05, False), (0.15, True)])
def test_step_time_asymmetry_either_side_of_the_limit(direction, limp, uneven):
    # 8 s at 100 steps/min, filmed at 60 fps (one frame is 3% of a step; at 30 fps a 5% limp can be
    # quantised to two frames, 11%). The right foot lands early by limp x half a stride. (An even walk
    # and a 25% limp at 30 fps: tests/test_gait.py.)
    g = report(n_frames=480, fps=60.0, cadence_spm=100, speed_px_s=80.0, limp=limp, direction=direction)["gait"]
    assert g["steps"] >= 12 and g["cadence_spm"] == pytest.approx(100, rel=0.01)
    assert g["step_time_asymmetry_pct"] == pytest.approx(100 * limp, abs=6.0)  # one frame per contact
    assert (g["status"] == "flag") is uneven
    assert ("differ in timing" in g["feedback"]) is uneven
    if uneven:  # steps onto the left foot are the long ones
        assert g["step_time_s"]["left"] > g["step_time_s"]["right"]
    else:
        assert "even on both sides" in g["feedback"]


def test_symmetry_is_not_judged_on_three_steps_a_side():
    # 4 s at 100 steps/min: 6 steps, a 25% limp; asymmetry is reported but neither flagged nor passed as even
    g = report(n_frames=120, cadence_spm=100, speed_px_s=80.0, limp=0.25)["gait"]
    assert min(len([c for c in contacts(g) if c[1] == side]) for side in ("left", "right")) < GAIT.min_steps_per_side
    assert g["step_time_asymmetry_pct"] > 15
    assert "differ in timing" not in g["feedback"] and "even on both sides" not in g["feedback"]
    assert any("Too few steps per side" in n for n in g["notes"])


# ---- look-ahead: where the head points ------------------------------------------------------

@BOTH_WAYS
@pytest.mark.parametrize(("floor_point_m", "status"), [(2.5, "flag"), (3.7, "pass"), (6.0, "pass")])
def test_look_ahead_either_side_of_3_m(direction, floor_point_m, status):
    # the walker's relaxed line of sight meets the floor this far ahead; looking nearer than 3 m flags.
    # 2.5 and 3.7 m leave room for the anatomy's spread (about 0.1 m here); 3.7 m is beyond the 3.5 m
    # release too, so not even a glance is an episode
    la = report(direction=direction, head_pitch_deg=head_pitch_looking_at(floor_point_m))["checks"]["look_ahead"]
    assert la["status"] == status
    assert la["median_gaze_distance_m"] == pytest.approx(floor_point_m, rel=0.06)
    assert la["median_head_pitch_deg"] == pytest.approx(head_pitch_looking_at(floor_point_m), abs=2.0)
    assert (la["flagged_fraction"] > 0.9) if status == "flag" else (la["flagged_fraction"] == 0 and not la["episodes"])


@BOTH_WAYS
def test_looking_down_is_not_a_slouch_and_a_slouch_is_not_looking_down(direction):
    down = report(direction=direction, head_pitch_deg=head_pitch_looking_at(1.5))["checks"]
    assert (down["look_ahead"]["status"], down["slouch"]["status"]) == ("flag", "pass")
    bent = report(direction=direction, trunk_lean_deg=18.0)["checks"]
    assert (bent["look_ahead"]["status"], bent["slouch"]["status"]) == ("pass", "flag")


# ---- slouch: trunk lean and forward head ----------------------------------------------------

@BOTH_WAYS
@pytest.mark.parametrize(("lean", "status"), [(9.5, "pass"), (10.5, "flag"), (-12.0, "pass")])
def test_trunk_lean_either_side_of_10_deg(direction, lean, status):
    sl = report(direction=direction, trunk_lean_deg=lean)["checks"]["slouch"]
    assert sl["median_trunk_lean_deg"] == pytest.approx(lean, abs=0.05)
    assert sl["status"] == status
    assert ("leans forward" in sl["feedback"]) is (status == "flag")


@BOTH_WAYS
@pytest.mark.parametrize(("ahead", "status"), [(0.19, "pass"), (0.21, "flag"), (-0.1, "pass")])
def test_forward_head_either_side_of_020_trunk_lengths(direction, ahead, status):
    sl = report(direction=direction, forward_head_rel=ahead)["checks"]["slouch"]
    assert sl["median_forward_head_rel"] == pytest.approx(ahead, abs=0.002)
    assert sl["status"] == status
    assert ("head is carried forward" in sl["feedback"]) is (status == "flag")
    assert "leans forward" not in sl["feedback"]


def test_a_taller_walker_sees_the_same_floor_point_further_away():
    # same head angle, eyes 200/170 higher: the floor point moves out in proportion
    ex = make_extraction(make_walker(head_pitch_deg=head_pitch_looking_at(2.0)))
    d170 = gaitcheck.score(ex, height_cm=170).to_dict()["checks"]["look_ahead"]["median_gaze_distance_m"]
    d200 = gaitcheck.score(ex, height_cm=200).to_dict()["checks"]["look_ahead"]["median_gaze_distance_m"]
    assert d200 / d170 == pytest.approx(200 / 170, rel=0.01)


def test_a_configured_height_counts_as_given():
    ex = make_extraction(make_walker(head_pitch_deg=head_pitch_looking_at(2.0)))
    cfg = Config().with_overrides("body", height_cm=200.0)
    given, configured, assumed = (gaitcheck.score(ex, height_cm=200).to_dict(), gaitcheck.score(ex, cfg).to_dict(),
                                  gaitcheck.score(ex).to_dict())
    assert (configured["height_cm"], configured["height_given"], given["height_given"]) == (200.0, True, True)
    assert (assumed["height_cm"], assumed["height_given"]) == (170.0, False)
    assert (configured["checks"]["look_ahead"]["median_gaze_distance_m"]
            == given["checks"]["look_ahead"]["median_gaze_distance_m"])
    assert configured["gait"]["step_length_m"] == given["gait"]["step_length_m"] is not None
    assert assumed["gait"]["step_length_m"] is None


def test_straight_leg_is_the_longest_hip_to_ankle_distance():
    # the walker helper's own geometry, checked against the drawn landmarks
    from gaitcheck.landmarks import Landmark as L

    img = make_walker(n_frames=300, fps=60.0, stride_amp_rel=0.5, strike_deg=15.0)[0].astype(np.float64)
    dist = np.linalg.norm(img[:, L.LEFT_ANKLE, :2] - img[:, L.LEFT_HIP, :2], axis=1) / 260.0
    assert dist.max() == pytest.approx(straight_leg_rel(0.5, 15.0), rel=2e-3)


# ---- the cleaning filter and the body's proportions --------------------------------------------------

def test_the_lowpass_keeps_walking_and_removes_jitter_on_a_clock_that_starts_late():
    # a 2 Hz sway (walking) plus 12 Hz jitter, sampled at 30 fps from t = 10 s: a 6 Hz cut-off keeps the
    # first (within 3%) and removes the second (under 10% left) in the middle of the run
    from gaitcheck.clean import lowpass

    t = 10.0 + np.arange(120) / 30.0
    slow, fast = np.sin(2 * np.pi * 2.0 * t), 0.5 * np.sin(2 * np.pi * 12.0 * t)
    y = lowpass(slow + fast, 0.0, 6.0, t=t)[30:90]
    resid = y - slow[30:90]
    assert np.max(np.abs(resid)) < 0.1 * 0.5 + 0.03
    assert np.ptp(y) == pytest.approx(np.ptp(slow[30:90]), rel=0.03)


def test_the_lowpass_leaves_runs_too_short_to_filter_as_they_are():
    # order 4: sosfiltfilt needs more than 3 * (2 * 2 + 1) = 15 samples; 15 stay as they are, 16 are filtered
    from gaitcheck.clean import lowpass

    rng = np.random.default_rng(3)
    for n, kept in ((15, True), (16, False)):
        x = np.concatenate([rng.normal(size=n), [np.nan], rng.normal(size=40)])
        y = lowpass(x, 30.0, 6.0)
        assert np.array_equal(y[:n], x[:n]) is kept


def test_a_clip_whose_skeleton_is_squeezed_on_many_frames_is_judged_on_none():
    # the model squeezes a whole skeleton into what an edge of the picture leaves (the thighs a third of the
    # shanks): beyond 25% of such frames (seen.max_distorted_share) no frame of the clip is trusted
    from _synth import make_extraction, make_walker

    import gaitcheck
    from gaitcheck.landmarks import Landmark as L

    img, world, t = make_walker(n_frames=150)
    img = img.copy()
    for hip, knee, ankle in ((L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE), (L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE)):
        img[::2, knee, :2] = img[::2, hip, :2] + 0.25 * (img[::2, ankle, :2] - img[::2, hip, :2])
    r = gaitcheck.score(make_extraction((img, world, t))).to_dict()
    for check in r["checks"].values():
        assert check["status"] == "unknown" and "proportions are distorted" in check["reason"]
    assert all(f["head_pitch_deg"] is None and f["trunk_lean_deg"] is None for f in r["frames"])


def test_legs_squeezed_below_the_bottom_edge_leave_the_head_and_trunk_measured():
    # the same squeeze, on a walker whose feet the model draws below the picture's bottom edge (a phone too
    # close, the legs cut): the head, shoulders and hips above the cut are measured, the feet are not
    from _synth import make_extraction, make_walker

    import gaitcheck
    from gaitcheck.landmarks import FOOT
    from gaitcheck.landmarks import Landmark as L

    img, world, t = make_walker(n_frames=150, head_pitch_deg=20.0)
    img = img.copy()
    feet = list(FOOT["left"] + FOOT["right"])
    img[:, feet, 1] += 720 - img[:, feet, 1].min() + 5  # every foot landmark 5+ px below the 720 px picture
    for hip, knee, ankle in ((L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE), (L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE)):
        img[::2, knee, :2] = img[::2, hip, :2] + 0.25 * (img[::2, ankle, :2] - img[::2, hip, :2])
    r = gaitcheck.score(make_extraction((img, world, t)))
    assert r.look_ahead.status == "flag" and r.slouch.status == "pass"  # 20 deg down, trunk upright
    whole = gaitcheck.score(make_extraction(make_walker(n_frames=150, head_pitch_deg=20.0)))
    assert r.look_ahead.medians["median_head_pitch_deg"] == pytest.approx(
        whole.look_ahead.medians["median_head_pitch_deg"], abs=0.1)
    assert r.gait is not None and r.gait.status == "unknown" and not r.frames.seen_feet.any()
    # the head cut instead (the same squeeze, the feet in view, the head above the top edge): nothing judged
    img2, world2, _ = make_walker(n_frames=150, head_pitch_deg=20.0)
    for hip, knee, ankle in ((L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE), (L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE)):
        img2[::2, knee, :2] = img2[::2, hip, :2] + 0.25 * (img2[::2, ankle, :2] - img2[::2, hip, :2])
    r2 = gaitcheck.score(make_extraction((img2, world2, t)))
    assert r2.look_ahead.status == r2.slouch.status == "unknown"


def test_walking_starts_and_stops_within_half_a_window_of_the_legs():
    # standing still for 2 s, walking 3 s, standing 2 s: the 1 s window sees the legs swing from half a
    # second before the first step to half a second after the last one, and no further
    from _synth import make_walker

    from gaitcheck import angles

    img, _, t = make_walker(n_frames=210)
    px = img[:, :, :2].astype(np.float64)
    still_a, still_b = t < 2.0, t >= 5.0
    px[still_a] = px[np.flatnonzero(~still_a)[0]]  # frozen in the pose of the first walking frame
    px[still_b] = px[np.flatnonzero(~still_b)[-1]]
    walk = angles.walking(px, t)
    assert walk[(t > 2.6) & (t < 4.4)].all()
    assert not walk[(t < 1.4) | (t > 5.6)].any()
    # a skeleton with all its points on one spot has no size to walk by
    assert not angles.walking(np.zeros((30, 33, 2)), t[:30]).any()
