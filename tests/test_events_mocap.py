"""An outside check of the gait event detector: motion-capture trials with labelled events.

Two labelled trials (a healthy adult and a walker with Parkinson's disease, 150 Hz) shipped with the
gaitkit package, projected to a side view (tests/data/mocap_side_view.json; provenance and licences
in tests/data/README.md). The labels were audited against the trajectories first (some "heel
strikes" of the healthy trial are toe-offs of the other foot); the audit is pinned here too.

Motion capture has no pose model, so the detector runs with ``foot_lag_s = 0``: the plain peak of
each ankle ahead of the pelvis. Each trial is sampled at 30 fps at each of the five phases of its
150 Hz frames, as a phone video would see it.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from gaitcheck.config import GaitConfig
from gaitcheck.events import detect_initial_contacts, detect_toe_offs
from gaitcheck.landmarks import Landmark as L

DATA = json.loads((Path(__file__).parent / "data" / "mocap_side_view.json").read_text())["trials"]
MARKERS = {"left_hip": L.LEFT_HIP, "right_hip": L.RIGHT_HIP, "left_ankle": L.LEFT_ANKLE,
           "right_ankle": L.RIGHT_ANKLE, "left_heel": L.LEFT_HEEL, "right_heel": L.RIGHT_HEEL,
           "left_toe": L.LEFT_FOOT_INDEX, "right_toe": L.RIGHT_FOOT_INDEX}
FRAME_30_MS = 1000 / 30
CFG = GaitConfig(foot_lag_s=0.0)  # trajectories, not the pose model: no foot lag


def side_view(trial: dict) -> np.ndarray:
    """(T, 33, 2) image-like points: x along the walkway, y down (millimetres as pixels)."""
    n = len(trial["forward_mm"]["left_hip"])
    px = np.full((n, 33, 2), np.nan)
    for name, i in MARKERS.items():
        px[:, i, 0] = trial["forward_mm"][name]
        px[:, i, 1] = 2000.0 - np.asarray(trial["up_mm"][name], float)
    return px


def timing_errors_ms(detect, kind: str, cfg: GaitConfig = CFG):
    """Each labelled event's error (detected - labelled, ms; None = not found within 100 ms), for
    each trial sampled at 30 fps at each of the five phases of its frames."""
    out = []
    for trial in DATA.values():
        fps, px = trial["fps"], side_view(trial)
        step = round(fps / 30)
        for phase in range(step):
            idx = np.arange(phase, len(px), step)
            t = idx / fps
            found = detect(px[idx], np.ones(len(idx)), t, np.ones(len(idx), bool), cfg)
            for foot, frames in trial[kind].items():
                for f in frames:
                    errors = [1000 * (t[g] - f / fps) for g, ft in found if ft == foot]
                    best = min(errors, key=abs, default=None)
                    out.append(best if best is not None and abs(best) <= 100 else None)
    return out


# ---- the audit: which labels the trajectories support ----

def _speed_mm_s(trial: dict, name: str) -> np.ndarray:
    return np.gradient(np.asarray(trial["forward_mm"][name], float)) * trial["fps"]


def _lands(trial: dict, foot: str, f: int) -> bool:
    """The heel travels forward in the 10 frames before frame f (over 0.6 m/s) and slows to less
    than half that speed in the 8 after it."""
    v = _speed_mm_s(trial, f"{foot}_heel")
    before, after = v[max(f - 10, 0) : f - 2].mean(), v[f + 3 : f + 11].mean()
    return bool(before > 600 and after < 0.5 * before)


def _lifts(trial: dict, foot: str, f: int) -> bool:
    """The toe is within 25 mm of its floor height at frame f and 10 mm higher 10 frames later."""
    y = np.asarray(trial["up_mm"][f"{foot}_toe"], float)
    floor = np.percentile(y, 5)
    return bool(y[f] - floor <= 25 and y[min(f + 10, len(y) - 1)] - y[f] >= 10)


@pytest.mark.parametrize("name", list(DATA))
def test_the_audited_labels_agree_with_the_trajectories(name):
    trial = DATA[name]
    for foot, frames in trial["initial_contacts"].items():
        assert all(_lands(trial, foot, f) for f in frames), (foot, frames)
    for foot, frames in trial["toe_offs"].items():
        assert all(_lifts(trial, foot, f) for f in frames), (foot, frames)


def test_the_dropped_healthy_labels_do_not():
    trial = DATA["healthy"]
    shipped = trial["labels_as_shipped"]
    # the left "heel strikes" 13, 177, 340: the left heel is already resting, the right toe lifts
    for f in (13, 177, 340):
        assert f in shipped["initial_contacts"]["left"]
        assert not _lands(trial, "left", f) and _lifts(trial, "right", f)
    # toe-off labels in mid-swing or mid-stance
    for foot, f in (("left", 117), ("left", 157), ("left", 280), ("right", 125), ("right", 279), ("right", 287)):
        assert f in shipped["toe_offs"][foot] and not _lifts(trial, foot, f)


# ---- the detector against the audited labels ----

def test_plain_peak_is_the_heel_strike_on_motion_capture():
    errors = timing_errors_ms(detect_initial_contacts, "initial_contacts")
    found = np.array([e for e in errors if e is not None])
    assert len(errors) == 45 and len(found) == len(errors)  # 9 heel strikes x 5 phases, none missed
    mean, sd = float(found.mean()), float(found.std(ddof=1))
    print(f"heel strikes on motion capture, plain peak: {mean:.0f} +- {sd:.0f} ms (n={len(found)})")
    assert abs(mean) <= FRAME_30_MS  # within one 30 fps frame on average
    assert sd <= 35  # the spread: about one frame


def test_the_video_foot_lag_would_put_mocap_heel_strikes_early():
    # the correction is for the pose model only: applied to true trajectories it is a bias
    errors = timing_errors_ms(detect_initial_contacts, "initial_contacts",
                              dataclasses.replace(CFG, foot_lag_s=GaitConfig().foot_lag_s))
    plain = timing_errors_ms(detect_initial_contacts, "initial_contacts")
    shift = np.mean([e for e in errors if e is not None]) - np.mean([e for e in plain if e is not None])
    assert shift == pytest.approx(-1000 * GaitConfig().foot_lag_s, abs=FRAME_30_MS / 2)


def test_toe_offs_of_short_steps():
    errors = timing_errors_ms(detect_toe_offs, "toe_offs")
    assert len(errors) == 55 and all(e is not None for e in errors), errors  # 11 toe-offs x 5 phases
    found = np.array(errors, float)
    print(f"toe-offs on motion capture: {found.mean():.0f} +- {found.std(ddof=1):.0f} ms (n={len(found)})")
    assert abs(found.mean()) <= FRAME_30_MS
    # the Parkinson's walker's last toe-off ends 0.12 leg lengths behind the pelvis: a 0.15 limit misses it
    strict = timing_errors_ms(detect_toe_offs, "toe_offs", dataclasses.replace(CFG, toe_off_height_rel=0.15))
    assert strict.count(None) == 5  # that toe-off, at each of the five phases
