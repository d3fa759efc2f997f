"""Gait on real clips: initial contacts against hand annotations, and robustness to the video's form.

The annotations (tests/data/gait_initial_contacts.json) were made by looking at every frame of the
landing foot; see the file's description. They include the first and last steps of each pass, taken
while the rest of the walker is still cut by the frame edge. Targets on every annotated clip: at
least 90% of the contacts within 2 frames, no extra steps, cadence within 3%.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from _derive import derive

import gaitcheck
from gaitcheck.config import Config
from gaitcheck.gait import step_time_fit_s

pytestmark = pytest.mark.slow
ANNOTATIONS = json.loads((Path(__file__).parent / "data" / "gait_initial_contacts.json").read_text())["clips"]
TOLERANCE_FRAMES = 2
# One contact of each of these clips is 3-4 frames off (the other contacts within 2): a pose-model
# glitch (the feet swapped and the landing foot placed late, frames 76-79) and the first step from
# standing (the pelvis still speeding up, so the ankle's peak ahead of it comes early).
SHORT_OF_90 = {"arms_crossed_indoor_side.mp4": "one of 5 contacts 3 frames early (the first step from standing)"}


def _contacts(report: dict) -> list[int]:
    return [e["frame"] for e in report["gait"]["events"] if e["type"] == "initial_contact"]


def _cadence_from(frames: list[int], t: list[float]) -> float:
    """Steps per minute of hand-marked contacts, fitted as the detector's are (one bout)."""
    return 60.0 / step_time_fit_s([[t[f] for f in frames]])


@pytest.fixture(scope="module")
def matches(analysed):
    out = {}
    for name, ann in ANNOTATIONS.items():
        r = analysed.dict(name)
        lo, hi = ann["scored"]
        truth = [f for f in ann["initial_contacts"] if lo <= f <= hi]
        got = [f for f in _contacts(r) if lo <= f <= hi]
        out[name] = (truth, got, r)
    return out


def _within(truth: list[int], got: list[int]) -> float:
    return float(np.mean([min((abs(f - g) for g in got), default=99) <= TOLERANCE_FRAMES for f in truth]))


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.xfail(reason=SHORT_OF_90[n], strict=True))
                                  if n in SHORT_OF_90 else n for n in ANNOTATIONS])
def test_initial_contacts_within_two_frames_for_90_percent(matches, name):
    truth, got, _ = matches[name]
    assert _within(truth, got) >= 0.9, (truth, got)


def test_initial_contacts_within_two_frames_over_all_clips(matches):
    pairs = [(truth, got) for truth, got, _ in matches.values()]
    errors = [min((abs(f - g) for g in got), default=99) for truth, got in pairs for f in truth]
    # docs/measures.md: 44 of 45 within 2 frames, the other one 3 frames off
    assert len(errors) == 45
    assert sum(e <= TOLERANCE_FRAMES for e in errors) >= 44 and max(errors) <= 3, errors
    for name in SHORT_OF_90:  # the shortfall is the one contact named, no more
        truth, got, _ = matches[name]
        assert _within(truth, got) * len(truth) == len(truth) - 1


@pytest.mark.parametrize("name", list(ANNOTATIONS))
def test_no_extra_steps(matches, name):
    truth, got, _ = matches[name]
    paired = [min(truth, key=lambda f, g=g: abs(f - g)) for g in got]
    assert all(abs(f - g) <= 4 for f, g in zip(paired, got, strict=True)), (truth, got)
    assert len(set(paired)) == len(got) == len(truth), (truth, got)  # each a different annotated one, none missed


# the last of its 6 contacts lands as the foot goes behind a shoe rack: the model's ankle for the hidden foot
# lags, the contact is found 2 frames late, and the fitted cadence is 3.3% under the hand-marked one
CADENCE_SHORT = {"gait_normal01_indoor_side.mp4": "cadence 3.3% low: the last contact's foot is hidden"}


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.xfail(reason=CADENCE_SHORT[n], strict=True))
                                  if n in CADENCE_SHORT else n for n in ANNOTATIONS])
def test_cadence_within_3_percent_of_the_annotation(matches, name):
    truth, _, r = matches[name]
    t = [fr["t_s"] for fr in r["frames"]]
    assert r["gait"]["cadence_spm"] == pytest.approx(_cadence_from(truth, t), rel=0.03)


def test_cadence_within_4_percent_on_every_annotated_clip_and_the_feet_alternate(matches):
    for truth, _, r in matches.values():
        t = [fr["t_s"] for fr in r["frames"]]
        assert r["gait"]["cadence_spm"] == pytest.approx(_cadence_from(truth, t), rel=0.04)
    # the model's left-right swaps are undone: on the clean normal walk the contacts alternate feet
    feet = [e["foot"] for e in matches["gait_normal01_indoor_side.mp4"][2]["gait"]["events"]
            if e["type"] == "initial_contact"]
    assert all(a != b for a, b in itertools.pairwise(feet)), feet


@pytest.fixture(scope="module")
def limp_extraction(shared_videos):
    return gaitcheck.extract(shared_videos / "gait_limp05_indoor_side.mp4")


def test_a_step_to_limp_has_all_its_steps(limp_extraction):
    # The right foot is brought up beside the left and set down behind the pelvis: its contacts are
    # peaks of its own position, never the foremost foot's. Counting only the foremost foot halved
    # the cadence (47 steps/min from 4 steps).
    g = gaitcheck.score(limp_extraction).to_dict()["gait"]
    feet = [e["foot"] for e in g["events"] if e["type"] == "initial_contact"]
    assert g["steps"] >= 8 and feet.count("left") >= 4 and feet.count("right") >= 4
    assert 85 <= g["cadence_spm"] <= 105


@pytest.fixture(scope="module")
def lab_woman_extraction(shared_videos):
    return gaitcheck.extract(shared_videos / "lab_woman_indoor_side.mp4")


def test_toe_offs_of_short_steps_on_video(lab_woman_extraction):
    # one of lab_woman's left toe-offs ends less than 0.15 leg lengths behind the pelvis: the stricter
    # rule leaves its step without one, the default keeps it
    default = Config()
    strict = dataclasses.replace(default, gait=dataclasses.replace(default.gait, toe_off_height_rel=0.15))
    kept = gaitcheck.score(lab_woman_extraction, default).to_dict()["gait"]
    missed = gaitcheck.score(lab_woman_extraction, strict).to_dict()["gait"]

    def lefts(g):
        return [e["frame"] for e in g["events"] if e["type"] == "toe_off" and e["foot"] == "left"]

    assert set(lefts(missed)) < set(lefts(kept))
    assert len(lefts(kept)) == len(lefts(missed)) + 1
    assert 55 <= kept["stance_pct"]["left"] <= 80


LIMP = "gait_limp05_indoor_side.mp4"


@pytest.mark.parametrize("name", list(ANNOTATIONS))
def test_each_step_has_at_most_one_toe_off(matches, name):
    _, _, r = matches[name]
    events = r["gait"]["events"]
    ics = [e["frame"] for e in events if e["type"] == "initial_contact"]
    tos = [e["frame"] for e in events if e["type"] == "toe_off"]
    steps = [(a, b) for a, b in zip(ics, ics[1:], strict=False) if b - a <= 40]
    counts = [sum(a < f < b for f in tos) for a, b in steps]
    assert max(counts) == 1
    if name != LIMP:
        assert sum(counts) >= 0.6 * len(steps)
        return
    # The step-to limp's left foot lifts about level with the pelvis, its toe never trailing behind
    # it: the toe-off rule (a trough behind the pelvis) cannot see it, and the left stance is unknown,
    # not guessed. Half the steps still have a toe-off: the right foot's.
    assert sum(counts) >= len(steps) // 2
    assert r["gait"]["stance_pct"]["left"] is None and r["gait"]["stance_pct"]["right"] is not None


def test_gait_contract_and_units(analysed):
    r = analysed.dict("lab_woman_indoor_side.mp4")
    g = r["gait"]
    for key in ("status", "reason", "steps", "cadence_spm", "step_time_s", "step_time_asymmetry_pct",
                "stride_length_m", "stride_length_rel_leg", "foot_strike", "overstride", "events"):
        assert key in g
    assert set(g["step_time_s"]) == {"left", "right"}
    assert g["foot_strike"] in {"heel", "flat", "forefoot", "unknown"}
    assert g["stride_length_m"] is None  # no height given
    assert 0.8 < g["stride_length_rel_leg"] < 2.5  # adult walking: stride ~1.2-1.8 leg lengths
    assert all(e["foot"] in {"left", "right"} and e["type"] in {"initial_contact", "toe_off"} for e in g["events"])
    assert g["status"] == "pass", g  # a clean normal walk: neither a limp nor overstriding


def test_back_view_has_no_step_events(analysed):
    g = analysed.dict("lab_man_indoor_back.mp4")["gait"]
    assert g["status"] == "unknown" and g["reason"]
    assert g["events"] == []


# ---- the same walk in another form: mirrored, half the frame rate, frames dropped irregularly ----

SOURCE = "lab_woman_indoor_side.mp4"


@pytest.fixture(scope="module")
def variants(shared_videos, tmp_path_factory):
    folder = tmp_path_factory.mktemp("variants")
    src = shared_videos / SOURCE
    rng = np.random.default_rng(7)
    dropped = set(rng.choice(np.arange(220), size=60, replace=False).tolist())  # ~27% of frames, irregular
    specs = {"mirrored": {"mirror": True}, "half_rate": {"keep": lambda i: i % 2 == 0},
             "vfr": {"keep": lambda i: i not in dropped},
             # re-timed as time-lapse and slow-motion exports are, at 30 fps: steps 0.26 s and 1.55 s apart
             "sped_up_2x": {"keep": lambda i: i % 2 == 0, "speed": 2.0},
             "slowed_3x": {"speed": 1 / 3, "repeat": 3},
             "slowed_2x": {"speed": 0.5, "repeat": 2}}
    out = {}
    for name, kw in specs.items():
        path = folder / f"{name}.mp4"
        derive(src, path, **kw)
        out[name] = gaitcheck.analyze(path).to_dict()
    return out


@pytest.mark.parametrize("variant", ["mirrored", "half_rate", "vfr"])
def test_variant_keeps_cadence_and_foot_strike(analysed, variants, variant):
    base = analysed.dict(SOURCE)["gait"]
    g = variants[variant]["gait"]
    assert g["cadence_spm"] == pytest.approx(base["cadence_spm"], rel=0.03)
    assert g["foot_strike"] == base["foot_strike"]


def test_mirrored_walker_goes_the_other_way_with_the_same_steps(analysed, variants):
    base, mirrored = analysed.dict(SOURCE), variants["mirrored"]
    assert abs(mirrored["gait"]["steps"] - base["gait"]["steps"]) <= 1
    xs = [f["hip_x"] for f in mirrored["frames"] if f["hip_x"] is not None]
    assert xs[0] > xs[-1]  # right to left now


@pytest.mark.parametrize("variant", ["sped_up_2x", "slowed_3x"])
def test_a_re_timed_clip_whose_steps_do_not_fit_the_feet_rhythm_is_unknown(analysed, variants, variant):
    # sped up 2x, the steps (0.26 s apart) come closer than any contact may (gait.min_step_s, 0.3 s): the
    # contacts found are every other step (101 steps/min where the clip shows 232), and the feet's rhythm
    # tells: they pass each other every 0.26 s. Slowed 3x, the steps are 1.55 s apart (over gait.max_step_s)
    # and contacts are found between them (78 where it shows 39): only 6 of 13 intervals between contacts
    # are steps of a steady walk.
    g = variants[variant]["gait"]
    assert g["status"] == "unknown" and g["cadence_spm"] is None
    assert "slowed down" in g["reason"]
    if variant == "sped_up_2x":
        assert "the feet pass each other every" in g["reason"]
        rhythm = float(g["reason"].split("every ")[2].split(" s")[0])
        assert 60 / rhythm == pytest.approx(analysed.dict(SOURCE)["gait"]["cadence_spm"] * 2, rel=0.05)
    else:
        assert "steps found are irregular" in g["reason"]


def test_a_clip_slowed_down_2x_is_unknown_for_its_long_slow_steps(analysed, variants):
    # Slowed down 2x the steps fit the feet's rhythm at half the real cadence (58 steps/min, where the code
    # before gave PASS on it), but keep their length: someone walking that slowly takes shorter steps.
    base = analysed.dict(SOURCE)["gait"]
    cfg = gaitcheck.Config().gait
    assert base["status"] == "pass" and base["step_length_rel_leg"] / base["cadence_spm"] < 0.6 * cfg.max_walk_ratio
    g = variants["slowed_2x"]["gait"]
    assert g["status"] == "unknown" and g["cadence_spm"] is None
    assert "is the clip in slow motion?" in g["reason"]
    shown = float(g["reason"].split(" leg lengths at ")[1].split(" steps/min")[0])
    assert shown == pytest.approx(base["cadence_spm"] / 2, rel=0.03) and shown < cfg.slow_cadence_spm
    # the posture checks do not depend on the clip's speed
    for check in ("look_ahead", "slouch"):
        assert variants["slowed_2x"]["checks"][check]["status"] == analysed.dict(SOURCE)["checks"][check]["status"]


# ---- a walker crossing a portrait picture: no step where the landing foot is beyond its edge -------------
#
# lab_woman cut to a 9:16 picture (pixels 442-848 of her 1280), as a phone held upright films. Looked at
# with the crop's edges drawn on the frames: the landing foot of the hand-marked contacts 87, 102, 117 and
# 132 is inside it (at 87 the rest of her is still cut by the left edge); at 148 her left foot lands beyond
# the right edge. On its way there the model's foot slows for a frame or two as it nears the edge (the body
# squeezed into the picture) and a step was placed at 143, in mid-swing behind the pelvis, the foot still
# moving: 5 steps at 127.6 steps/min, against 120 over the four in view. (Crops a few pixels to either side
# showed it at 144, or not at all.)

PORTRAIT = (442 / 1280, 0.0, 848 / 1280, 1.0)
LANDING_IN_VIEW = [87, 102, 117, 132]


@pytest.fixture(scope="module")
def portrait_woman(shared_videos, tmp_path_factory):
    path = derive(shared_videos / "lab_woman_indoor_side.mp4", tmp_path_factory.mktemp("portrait") / "woman.mp4",
                  crop=PORTRAIT)
    return gaitcheck.score(gaitcheck.extract(path)).to_dict()


def test_no_step_is_placed_where_the_landing_foot_is_beyond_the_pictures_edge(portrait_woman):
    got = _contacts(portrait_woman)
    paired = [min(LANDING_IN_VIEW, key=lambda f, g=g: abs(f - g)) for g in got]
    assert all(abs(f - g) <= TOLERANCE_FRAMES for f, g in zip(paired, got, strict=True)), got
    assert sorted(set(paired)) == paired, got  # each in-view step once, and no other
    # The first (87) lands as she comes in, the rest of her still cut by the edge: whether the pose model
    # has found her by then differs from machine to machine (its arithmetic: on an AMD EPYC with AVX2 she
    # was first found at frame 86, too late for the foot's swing, and the step was not counted; on the
    # machines of the runs before it was). With only the three after it, the steps are too few to judge.
    t = [fr["t_s"] for fr in portrait_woman["frames"]]
    g = portrait_woman["gait"]
    if got:
        assert paired == LANDING_IN_VIEW, got
        assert g["status"] == "pass"
        assert g["cadence_spm"] == pytest.approx(_cadence_from(LANDING_IN_VIEW, t), rel=0.03)
    else:  # too few to judge, so the steps are not listed: the three after the first, and no other
        assert g["status"] == "unknown" and g["reason"].startswith("too few steps: 3 seen"), g["reason"]
