"""The typed report: its JSON contract read back exactly, containers that compare safely, and the
behaviour bugs found while typing it (height from the config, the stated minimum, gait words, the
low-pass filter on uneven frame times)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from _synth import make_extraction, make_walker

import gaitcheck
from gaitcheck.clean import lowpass
from gaitcheck.config import Config
from gaitcheck.errors import InputError
from gaitcheck.report import Report, json_text


def _report(**walker: object) -> Report:
    return gaitcheck.score(make_extraction(make_walker(**walker)))  # type: ignore[arg-type]


def _json(report: Report) -> dict:
    return json.loads(json_text(report))


@pytest.mark.parametrize("walker", [
    {},  # upright, passes
    {"head_pitch_deg": 30.0, "trunk_lean_deg": 14.0},  # flags both, with episodes
    {"view": "back"},  # unknown checks (no flags per frame), gait by oscillation
    {"n_frames": 20},  # too short: unknown everything
    {"direction": -1, "roll_deg": 4.0},  # walking left, camera tilted
])
def test_from_dict_reads_back_exactly_what_to_dict_wrote(walker):
    d = _json(_report(**walker))
    again = Report.from_dict(d)
    assert again.to_dict() == d
    assert again.series is None  # landmarks are not in the JSON
    assert json.loads(json.dumps(again.to_dict(), allow_nan=False)) == d


def test_from_dict_keeps_types_for_evidence_code():
    r = Report.from_dict(_json(_report(head_pitch_deg=30.0)))
    assert r.look_ahead.status == "flag" and r.look_ahead.flagged is not None and r.look_ahead.flagged.any()
    assert r.settings == Config()
    assert np.isinf(r.frames.gaze_distance_m).sum() == 0  # looking down: every gaze point is on the floor
    up = Report.from_dict(_json(_report(head_pitch_deg=-30.0)))
    measured = np.isfinite(up.frames.head_pitch_deg)
    assert np.isinf(up.frames.gaze_distance_m[measured]).all()  # null gaze with a pitch = above the horizon


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.pop("schema_version"), "no schema_version"),
    (lambda d: d.update(schema_version=9), "schema_version 9"),
    (lambda d: d["checks"].pop("slouch"), "checks are missing"),
    (lambda d: d.update(video=None), "video is missing"),
    (lambda d: d["checks"]["look_ahead"]["episodes"].append({"start_s": 1.0}), "damaged"),
])
def test_from_dict_refuses_what_is_not_a_report(change, message):
    d = _json(_report(head_pitch_deg=30.0))
    change(d)
    with pytest.raises(InputError, match=message):
        Report.from_dict(d)


def test_reports_and_checks_compare_by_identity_without_raising():
    a, b = _report(), _report()
    assert a == a and a != b  # default dataclass eq compared arrays and raised ValueError
    assert a.look_ahead != b.look_ahead and hash(a.look_ahead) != hash(b.look_ahead)
    assert a.to_dict() == b.to_dict()  # the way to compare contents
    with pytest.raises(TypeError):
        gaitcheck.gait.GaitResult("pass", None)  # type: ignore[call-arg, misc]  # keyword-only: no positional mix-ups


def test_height_from_the_config_counts_as_given():
    ex = make_extraction(make_walker(n_frames=180))
    cfg = Config().with_overrides("body", height_cm=160.0)
    from_config = gaitcheck.score(ex, cfg)
    assert from_config.height_cm == 160.0 and from_config.height_given
    assert from_config.gait is not None and from_config.gait.stride_length_m is not None  # metres
    assert not any("height not given" in w for w in from_config.warnings)
    argument = gaitcheck.score(ex, height_cm=160.0)
    assert argument.to_dict()["gait"] == from_config.to_dict()["gait"]
    assumed = gaitcheck.score(ex)
    assert not assumed.height_given and assumed.height_cm == 170.0
    assert assumed.gait is not None and assumed.gait.stride_length_m is None
    assert any("height not given; assumed 170 cm" in w for w in assumed.warnings)


def test_unknown_reason_states_the_configured_minimum():
    ex = make_extraction(make_walker(n_frames=45))  # 1.5 s of walking
    cfg = Config().with_overrides("limits", min_analysable_s=2.5)
    report = gaitcheck.score(ex, cfg)
    assert report.look_ahead.status == "unknown"
    assert report.look_ahead.reason is not None and "at least 2.5 s is needed" in report.look_ahead.reason


def test_gait_words_never_say_close_to_the_body_when_overstriding():
    g = gaitcheck.score(make_extraction(make_walker(n_frames=180, stride_amp_rel=0.75, cadence_spm=100))).gait
    assert g is not None and g.overstride.status == "flag"
    assert g.foot_strike.pattern != "heel"  # the synthetic feet land flat
    assert "far ahead of your body" in g.overstride.feedback
    assert "close" not in g.foot_strike.feedback and "close" not in g.feedback


def test_lowpass_on_uneven_frame_times_filters_in_seconds():
    # a 2 Hz wave (well under the 6 Hz cut-off: it must pass unchanged) at 30 fps, every third frame
    # dropped in the second half (a phone's variable frame rate): treated as evenly spaced, the
    # samples of the second half look like a faster wave, which the filter wrongly flattens
    full = np.arange(0, 6, 1 / 30)
    keep = np.ones(len(full), bool)
    keep[90::3] = False
    t = full[keep]
    clean = np.sin(2 * np.pi * 2.0 * t)
    fs = (len(t) - 1) / (t[-1] - t[0])
    inner = slice(8, -8)
    timed = np.abs(lowpass(clean, fs, 6.0, t=t) - clean)[inner].max()
    assumed_even = np.abs(lowpass(clean, fs, 6.0) - clean)[inner].max()
    assert timed < 0.05
    assert assumed_even > 2 * timed


def test_low_frame_rate_says_the_smoothing_was_lowered():
    t = np.arange(0, 6, 1 / 10)  # 10 fps: 6 Hz cannot be kept below 0.8 x Nyquist
    report = gaitcheck.score(make_extraction(make_walker(t=t)))
    assert any("smoothed only below 4.0 Hz" in w for w in report.warnings)
    normal = gaitcheck.score(make_extraction(make_walker(n_frames=90)))
    assert not any("smoothed only below" in w for w in normal.warnings)


def test_frames_table_is_read_only():
    r = _report()
    with pytest.raises(ValueError):
        r.frames.head_pitch_deg[0] = 1.0
    assert len(r.frames) == r.video.frame_count


REAL_CLIPS = ["gait_slouch02_indoor_side.mp4", "gait_normal01_indoor_side.mp4", "gait_limp05_indoor_side.mp4",
              "sports2d_demo_park_side.mp4", "arms_crossed_indoor_side.mp4", "lab_woman_indoor_side.mp4",
              "lab_lowlight_indoor_side.mp4", "lab_man_indoor_back.mp4", "phone_portrait_outdoor_mixed.mp4",
              "pedestrians_highangle_multi.mp4"]


@pytest.mark.slow
@pytest.mark.parametrize("name", REAL_CLIPS)
def test_real_reports_read_back_exactly(analysed, name):
    d = json.loads(json_text(analysed.report(name)))
    assert Report.from_dict(d).to_dict() == d
