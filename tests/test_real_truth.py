"""Every shared clip against what its manifest labels say is true, and the measured medians pinned.

Where today's code disagrees with the labels the test asserts the labels and is marked
``xfail(strict=True)``: it fails loudly once the code is fixed (issue 19), so the mark comes off.

Numbers below were measured by the code as it stood when these tests were written; the margins let a
change show as drift before a verdict flips. Frame numbers are 0-based decoded frames.
"""

from __future__ import annotations

import inspect
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _derive import derive

import gaitcheck
from gaitcheck.posture import measure_posture

try:
    from tests import _clips as clips
except ImportError:  # tests/ is not a package: pytest put it on sys.path
    import _clips as clips  # type: ignore[no-redef]

pytestmark = pytest.mark.slow

def issue19(reason: str) -> pytest.MarkDecorator:
    """The labels' truth, which today's code misses: a strict xfail on the assertion (not on a crash)."""
    return pytest.mark.xfail(strict=True, raises=AssertionError, reason=f"issue 19: {reason}")


LIMP = "gait_limp05_indoor_side.mp4"
PHONE = "phone_portrait_outdoor_mixed.mp4"
LOWLIGHT = "lab_lowlight_indoor_side.mp4"
CROWD = "pedestrians_highangle_multi.mp4"

# Look-ahead flags a gaze point nearer than 3 m; from the default 170 cm walker's eyes (1.58 m) with a
# relaxed line of sight 15 deg below a level head, that is a head pitch of atan(1.58 / 3) - 15 = 12.8 deg.
PITCH_LIMIT_DEG = math.degrees(math.atan(1.70 * 0.93 / 3.0)) - 15.0
PITCH_TOL_DEG, LEAN_TOL_DEG, FWD_TOL, CADENCE_TOL = 2.5, 1.5, 0.025, 0.04

# clip: (median head pitch, median trunk lean, median forward head, cadence) measured today, on
# clips whose verdicts agree with their labels. Re-measured when the camera-roll estimate stopped
# taking a walker's coming nearer the camera for roll: sports2d moved 0.6 deg (pitch and lean alike),
# arms_crossed 1.1 deg, lab_lowlight 0.4 deg; the others did not move with it. Head pitch re-measured
# when it came to be measured against the head's path (posture.head_path_slope), which slopes 0-1.8 deg
# on these clips: slouch02 +1.0 deg, normal01 +1.5, sports2d +0.4, arms_crossed +0.7, lab_woman -0.4.
MEDIANS: dict[str, tuple[float, float, float, float]] = {
    "gait_slouch02_indoor_side.mp4": (23.08, -3.84, 0.233, 102.3),
    "gait_normal01_indoor_side.mp4": (-0.18, -4.86, 0.134, 102.0),
    "sports2d_demo_park_side.mp4": (5.48, -9.02, 0.147, 98.2),
    "arms_crossed_indoor_side.mp4": (1.70, -4.77, 0.111, 84.0),
    "lab_woman_indoor_side.mp4": (-9.59, -4.17, 0.127, 116.0),
    # cadence: 12 contacts, every step to the clip's edge, 12-16 frames apart; the first step (from
    # standing) takes 19 and is left out of the fit
    LOWLIGHT: (-9.58, 0.83, 0.119, 126.4),
}


def _medians(d: dict[str, Any]) -> tuple[float, float, float, float]:
    la, sl = d["checks"]["look_ahead"], d["checks"]["slouch"]
    return (la["median_head_pitch_deg"], sl["median_trunk_lean_deg"], sl["median_forward_head_rel"],
            d["gait"]["cadence_spm"])


@pytest.mark.parametrize("name", list(MEDIANS))
def test_measured_medians_have_not_drifted(analysed, name: str) -> None:
    pitch, lean, fwd, cadence = _medians(analysed.dict(name))
    want = MEDIANS[name]
    assert pitch == pytest.approx(want[0], abs=PITCH_TOL_DEG)
    assert lean == pytest.approx(want[1], abs=LEAN_TOL_DEG)
    assert fwd == pytest.approx(want[2], abs=FWD_TOL)
    assert cadence == pytest.approx(want[3], rel=CADENCE_TOL)


def test_the_margins_do_not_straddle_a_limit() -> None:
    # so that drift inside the margins cannot flip a verdict unseen
    cfg = gaitcheck.Config()
    for pitch, lean, fwd, _ in MEDIANS.values():
        assert abs(pitch - PITCH_LIMIT_DEG) > PITCH_TOL_DEG
        assert abs(lean - cfg.slouch.trunk_lean_max_deg) > LEAN_TOL_DEG
        assert abs(fwd - cfg.slouch.forward_head_max_rel) > FWD_TOL


@pytest.mark.parametrize("name", list(MEDIANS))
def test_a_still_camera_shows_the_head_path_head_pitch_is_measured_against(analysed, name: str) -> None:
    # a still camera, the walker crossing nearly square to it: each pass's head path is found, almost level
    post = measure_posture(analysed.report(name).series, gaitcheck.Config(), 170.0)
    deg = np.degrees(np.arctan(post.level_slope[post.walking & post.sagittal]))
    assert np.mean(np.isfinite(deg)) > 0.8 and np.nanmax(np.abs(deg)) < 2.5, deg
    d = analysed.dict(name)
    assert not any("head travels" in w for w in d["warnings"])
    slopes = [p["head_path_slope_deg"] for p in d["passes"] if p["median_head_pitch_deg"] is not None]
    assert slopes and all(s is not None and abs(s) < 2.5 for s in slopes), slopes


def test_a_head_path_spans_enough_of_the_picture_for_the_steps_bob_to_average_out(analysed) -> None:
    # The head rises and falls 2-3 cm with each step: a line through less of the path follows the bob.
    # On these clips, lines through stretches spanning 0.5 body sizes were up to 9.5 deg (90% within
    # 4.3) off the whole pass's, which would have put more error into head pitch than the path corrects.
    from scipy.stats import theilslopes

    from gaitcheck import angles
    from gaitcheck.posture import head_path_slope

    span = inspect.signature(head_path_slope).parameters["min_span"].default
    worst = 0.0
    for name in MEDIANS:
        post = measure_posture(analysed.report(name).series, gaitcheck.Config(), 170.0)
        use = post.walking & post.sagittal & post.seen.head & post.upright
        whole = head_path_slope(post.px, use)
        assert whole is not None
        head, size = angles.head_point(post.px), angles.body_size(post.px)
        ok = use & np.isfinite(head).all(axis=1) & np.isfinite(size)
        x, y = head[ok, 0], head[ok, 1]
        body = float(np.median(size[ok]))
        for i in range(0, len(x), 3):
            ends = np.flatnonzero((np.abs(x - x[i]) >= span * body) & (np.arange(len(x)) > i))
            if not len(ends):
                break
            part = theilslopes(y[i : ends[0] + 1], x[i : ends[0] + 1]).slope
            worst = max(worst, abs(np.degrees(np.arctan(part) - np.arctan(whole))))
    assert 0 < worst < 3.5, worst


def test_a_camera_moving_with_the_walker_gives_no_head_path(analysed) -> None:
    # the phone's shots are filmed walking with her: her head's path in the picture is no line, and head
    # pitch stays measured against the picture's horizontal
    post = measure_posture(analysed.report(PHONE).series, gaitcheck.Config(), 170.0)
    assert post.walking.sum() > 100 and np.isnan(post.level_slope).all()
    assert all(p["head_path_slope_deg"] is None for p in analysed.dict(PHONE)["passes"])


def test_lowlight_clip_walks_upright_looking_ahead_in_steady_steps(analysed, manifest) -> None:
    d = analysed.dict(LOWLIGHT)
    assert manifest[LOWLIGHT]["head_posture"] == "looking ahead" and manifest[LOWLIGHT]["trunk_posture"] == "upright"
    assert d["view"] == "side"
    assert {k: c["status"] for k, c in d["checks"].items()} == {"look_ahead": "pass", "slouch": "pass"}
    g = d["gait"]
    assert g["status"] == "pass" and g["steps"] >= 8  # about 6 s of steady walking
    hips = [f["hip_x"] for f in d["frames"] if f["hip_x"] is not None]
    assert hips[0] < hips[-1]  # left to right, as labelled


# ---- the simulated limp ----------------------------------------------------------------------------
#
# Looked at frame by frame (feet crops): the walker goes right to left (the manifest says left to
# right), in a step-to pattern: one foot steps ahead (frames ~26, ~55, ~85, ~115), the other is brought
# up beside it (~40, ~71, ~101). Seven contacts about 15 frames apart at 24 fps: about 97 steps/min.
# Today only the steps ahead are found (the foot brought beside the other never leads the pelvis),
# giving 47 steps/min, and the head (slightly flexed at times) and trunk are flagged.

LIMP_CADENCE_SPM = 97.0


@issue19("the limping walker looks ahead (manifest); today look-ahead "
         "flags a 12.8 deg median head pitch (the limit), 59% of the time")
def test_limp_clip_look_ahead_passes(analysed) -> None:
    assert analysed.dict(LIMP)["checks"]["look_ahead"]["status"] == "pass"


@issue19("the limping walker is upright (manifest); today slouch flags: forward head 0.19 "
         "(median), over its 0.20 limit 42% of the time")
def test_limp_clip_slouch_passes(analysed) -> None:
    assert analysed.dict(LIMP)["checks"]["slouch"]["status"] == "pass"


# clip: the camera roll its scene shows (limp: the door frames at the image centre; arms_crossed: the
# wall's edges converge to the left and are level at mid-height)
SCENE_ROLL_DEG = {LIMP: 0.6, "arms_crossed_indoor_side.mp4": 0.0}


@pytest.mark.parametrize("name", list(SCENE_ROLL_DEG))
def test_a_walker_coming_nearer_the_camera_is_not_taken_for_camera_roll(analysed, name: str) -> None:
    # The floor line through the contacts slopes 2.7 deg (limp) and 1.4 deg (arms_crossed) as the
    # walker grows across the picture; all of it was corrected as roll, and added to head pitch and
    # trunk lean alike.
    d = analysed.dict(name)
    assert d["camera_tilt_deg"] == pytest.approx(SCENE_ROLL_DEG[name], abs=0.5)
    assert any("nearer the camera" in w for w in d["warnings"])


def test_a_rolled_real_clip_is_levelled(analysed, tmp_path: Path) -> None:
    # lab_woman (the walker keeps her size across the picture) turned 5 deg: the roll is found and
    # undone, and the medians are those of the clip as filmed
    base = analysed.dict("lab_woman_indoor_side.mp4")
    rolled = gaitcheck.analyze(derive(analysed.path("lab_woman_indoor_side.mp4"), tmp_path / "rolled.mp4",
                                      roll_deg=5.0)).to_dict()
    assert rolled["camera_tilt_deg"] == pytest.approx(base["camera_tilt_deg"] + 5.0, abs=0.4)
    assert _medians(rolled)[:2] == pytest.approx(_medians(base)[:2], abs=1.0)
    assert rolled["checks"]["slouch"]["status"] == base["checks"]["slouch"]["status"] == "pass"


def test_limp_clip_cadence_counts_every_contact(analysed) -> None:
    assert analysed.dict(LIMP)["gait"]["cadence_spm"] == pytest.approx(LIMP_CADENCE_SPM, rel=0.1)


def test_limp_clip_gait_is_not_called_normal(analysed) -> None:
    # a step-to limp: an even rhythm, uneven steps (the right foot is only brought up beside the left)
    g = analysed.dict(LIMP)["gait"]
    assert g["status"] == "flag" and g["steps"] >= 8
    assert g["step_length_by_side_rel_leg"]["right"] < 0.5 * g["step_length_by_side_rel_leg"]["left"]
    assert "steps onto the right foot are shorter" in g["feedback"]


def test_limp_clip_is_the_walker_going_right_to_left(analysed) -> None:
    d = analysed.dict(LIMP)
    assert d["view"] == "side"
    assert d["subject"]["detection_rate"] > 0.9  # the manifest: 0.989
    hips = [f["hip_x"] for f in d["frames"] if f["hip_x"] is not None]
    assert hips[0] > hips[-1] + 0.3


# ---- the phone montage: a labelled look-down shot against a look-ahead one --------------------------
#
# Shots (cuts at ~69, 153, 244, 333): 0-68 side view walking right, head up; 154-243 walking away along
# a wall, turned about 45 deg from the side, head bowed over the ground a few metres ahead (the
# manifest's look-down label, 150-243), trunk upright. Cut out of the clip, each shot is a real walk.

AHEAD_SHOT, DOWN_SHOT = range(0, 69), range(154, 244)


@pytest.fixture(scope="module")
def shots(analysed, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("phone_shots")
    out = {}
    for name, frames in (("ahead", AHEAD_SHOT), ("down", DOWN_SHOT)):
        path = folder / f"{name}.mp4"
        clips.reencode(analysed.path(PHONE), path, frames=frames)
        out[name] = gaitcheck.analyze(path).to_dict()
    return out


def test_phone_shots_are_cut_as_asked(shots, manifest) -> None:
    (a, b), = manifest[PHONE]["look_down_frames"]
    assert DOWN_SHOT.start - a <= 5 and DOWN_SHOT.stop - 1 == b  # the labelled shot, from its cut
    assert len(shots["ahead"]["frames"]) == len(AHEAD_SHOT) and len(shots["down"]["frames"]) == len(DOWN_SHOT)


def test_phone_look_ahead_shot_passes_both(shots) -> None:
    d = shots["ahead"]
    assert d["view"] == "side"
    assert {k: c["status"] for k, c in d["checks"].items()} == {"look_ahead": "pass", "slouch": "pass"}
    pitch, lean, fwd, cadence = _medians(d)
    assert pitch == pytest.approx(10.4, abs=PITCH_TOL_DEG)  # measured today; a level head would be nearer 0
    assert lean == pytest.approx(-1.2, abs=LEAN_TOL_DEG) and fwd == pytest.approx(0.169, abs=FWD_TOL)
    assert cadence == pytest.approx(100.1, rel=CADENCE_TOL)


@issue19("oblique views: the bowed head of the look-down shot gives a "
         "6 deg median pitch, less than the 10 deg of the look-ahead shot")
def test_phone_look_down_shot_flags_looking_down(shots) -> None:
    down, ahead = shots["down"]["checks"]["look_ahead"], shots["ahead"]["checks"]["look_ahead"]
    assert down["status"] == "flag"
    assert down["median_head_pitch_deg"] > ahead["median_head_pitch_deg"] + 3


@issue19("oblique views: the bowed head moves the ears ahead of the "
         "shoulders, and slouch flags an upright walker")
def test_phone_look_down_shot_is_not_a_slouch(shots) -> None:
    assert shots["down"]["checks"]["slouch"]["status"] == "pass"


def test_phone_whole_clip_is_mixed_and_judged_only_from_the_side_or_obliquely(analysed) -> None:
    d = analysed.dict(PHONE)
    assert d["view"] == "mixed"
    assert any("view changes" in w for w in d["warnings"])
    side = [f for f in d["frames"] if f["head_pitch_deg"] is not None]
    assert side and all(f["view"] in ("side", "oblique") for f in side)  # never from the front
    assert sum(f["view"] == "side" for f in side) > len(side) / 2
    # the last ~110 frames she stands facing the camera: no posture measure, no step there
    assert all(f["head_pitch_deg"] is None and f["gait_event"] is None for f in d["frames"][425:])


# ---- portrait crops of the park clip: the walker crosses the narrow picture in 1.6-1.9 s ------------
#
# The man exercising on the box stays in view for 4-7 s: half out of the picture at its side, bouncing,
# walking along the box, then jumping down. The walker is the person seen *walking* longest (favouring
# size: the tracks' score), so the woman crossing the picture is chosen. (His lunges on the spot pass for
# walking in place, as on a treadmill: zoomed in, he is seen "walking" about as long as she is.)
#
# The middle crop is the closest call: followed on every frame, the man walks along the box for about 2 s
# and on past his jump off it, against her 1.6-1.9 s crossing. Which of them is chosen has differed from
# machine to machine (the pose model's arithmetic: on an AMD EPYC with AVX2 the man was followed on
# through his jump, 2.1 s walking, and chosen; on the machines of the runs before, the woman). Where he is
# chosen the report names her as seen walking too, and she is then judged when named.

# Zoomed in (the middle 90% of the picture, as a phone zoomed a little films): the man's head touches the
# top edge as he bounces, and on the scan's looks every 0.2 s he seemed to walk longer than the woman, who
# walks 4.0 s. Followed on every frame he walks 2.7 s: the woman is then followed too, and chosen (the code
# before kept him, and flagged both posture checks on a man standing on a box).
MIDDLE, ZOOMED = (0.342, 0.0, 0.658, 1.0), (0.05, 0.05, 0.95, 0.95)


def _on_the_ground(r: gaitcheck.Report) -> bool:
    """The walker's hips are in the bottom half of the picture: the woman (the man stands on the box, above)."""
    return float(np.median(r.frames.hip_xy[r.frames.detected, 1])) > 0.5


@pytest.mark.parametrize("crop", [MIDDLE, (0.1, 0.0, 0.416, 1.0), ZOOMED], ids=["middle", "left", "zoomed"])
def test_a_portrait_crop_of_the_park_clip_chooses_the_woman_walking(analysed, tmp_path, crop) -> None:
    # 9:16 out of the 16:9 picture, as a phone held upright films (or the whole picture zoomed in)
    path = derive(analysed.path("sports2d_demo_park_side.mp4"), tmp_path / "portrait.mp4", crop=crop)
    r = gaitcheck.analyze(path)
    if crop == MIDDLE and not _on_the_ground(r):  # the close call: the report names her, and she is judged when named
        also = [w for w in r.warnings if w.startswith("Someone else was seen walking too: track ")]
        assert len(also) == 1, r.warnings
        named = int(also[0].split(": track ")[1].split()[0])
        r = gaitcheck.analyze(path, track_id=named)
        assert r.subject.track_id == named
    else:
        chosen = [row for row in r.subject.tracks if row.chosen]
        others = [row for row in r.subject.tracks if not row.chosen]
        assert chosen[0].walking_s >= 1.0 and all(o.score < chosen[0].score for o in others)
    assert _on_the_ground(r), "the walker judged is the man on the box (hips in the top half)"
    if crop == MIDDLE:  # found from her first look in view (2.9 s; looking for two people, the scan found her at 3.8)
        assert next(row for row in r.subject.tracks if row.track_id == r.subject.track_id).start_s <= 3.1
    assert r.look_ahead.status != "flag" and r.slouch.status != "flag"
    second = [w for w in r.warnings if "was followed on every frame too" in w]
    if crop == ZOOMED and second:  # the report says who else was followed, and why (where the scan's looks chose him)
        assert f"track {r.subject.track_id}." in second[0], second


def test_the_sample_clip_names_the_man_seen_walking_along_the_box(analysed) -> None:
    # he walks along the box for a while and is seen "walking" for over half the woman's time: a note names him
    d = analysed.dict("sports2d_demo_park_side.mp4")
    rows = {row["track_id"]: row for row in d["subject"]["tracks"]}
    also = [w for w in d["warnings"] if w.startswith("Someone else was seen walking too: ")]
    assert len(also) == 1, d["warnings"]
    named = int(also[0].split(": track ")[1].split()[0])
    assert not rows[named]["chosen"] and f"for {rows[named]['walking_s']:.1f} s" in also[0]
    assert f"(the walker: {rows[d['subject']['track_id']]['walking_s']:.1f} s)" in also[0]
    # the walkers of the other shared clips are the only ones seen walking that long
    for name in (LIMP, PHONE, LOWLIGHT, CROWD, "lab_woman_indoor_side.mp4", "gait_slouch02_indoor_side.mp4"):
        assert not any(w.startswith("Someone else was seen walking too") for w in analysed.dict(name)["warnings"])


# ---- the surveillance camera: people too small to judge ---------------------------------------------

def test_crowd_clip_picks_a_walker_among_several(analysed) -> None:
    d = analysed.dict(CROWD)
    assert len(d["subject"]["tracks"]) >= 2
    assert any("people were found" in w for w in d["warnings"])
    assert d["video"]["fps"] == pytest.approx(10.0, abs=0.01)


def test_crowd_clip_posture_is_unknown(analysed) -> None:
    # people 60-170 px tall seen from above cannot be judged (manifest): their ear-to-eye lines span 3-5 px
    d = analysed.dict(CROWD)
    assert {k: c["status"] for k, c in d["checks"].items()} == {"look_ahead": "unknown", "slouch": "unknown"}
    assert "head is too small" in d["checks"]["look_ahead"]["reason"]
    assert "cannot be ruled out" in d["checks"]["slouch"]["reason"]


def test_crowd_clip_gait_is_unknown(analysed) -> None:
    assert analysed.dict(CROWD)["gait"]["status"] == "unknown"
