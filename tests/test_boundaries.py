"""Every threshold of the pure measures, tried on both sides: the verdict rules, the view labels,
the cleaning limits and the camera-tilt correction.

Inputs are built so the answer is exact: time steps of 1/32 s (a power of two, so sums of frame
durations carry no rounding), constant signals, and limits taken from the default config.
"""

from __future__ import annotations

import numpy as np
import pytest

from gaitcheck import angles, view
from gaitcheck.clean import clean_series, fill_short_gaps, identity_jumps, lowpass
from gaitcheck.config import Config, LimitsConfig, LookAheadConfig, SignalConfig, SlouchConfig
from gaitcheck.landmarks import Landmark as L
from gaitcheck.series import PoseSeries
from gaitcheck.verdicts import Check, find_episodes, frame_durations, judged_medians, look_ahead_check, slouch_check

FPS = 32.0
LA, SL, LIM = LookAheadConfig(), SlouchConfig(), LimitsConfig()
WHY = "test reason"


def times(seconds: float) -> np.ndarray:
    return np.arange(round(seconds * FPS)) / FPS


def look(gaze: np.ndarray, valid: np.ndarray | None = None, cfg: LookAheadConfig = LA):
    t = np.arange(len(gaze)) / FPS
    pitch = 45.0 - np.degrees(np.arctan(np.asarray(gaze) / 1.5))  # any monotone stand-in: larger = nearer
    return look_ahead_check(pitch, np.asarray(gaze, float), t, np.ones(len(t), bool) if valid is None else valid,
                            cfg, LIM, WHY)


def slouch(lean, fwd=None, valid=None, cfg: SlouchConfig = SL):
    lean = np.asarray(lean, float)
    t = np.arange(len(lean)) / FPS
    fwd = np.zeros(len(t)) if fwd is None else np.asarray(fwd, float)
    return slouch_check(lean, fwd, t, np.ones(len(t), bool) if valid is None else valid, cfg, LIM, WHY)


def seg(*parts: tuple[float, float]) -> np.ndarray:
    """Concatenate (value, seconds) pieces sampled at FPS."""
    return np.concatenate([np.full(round(s * FPS), v, float) for v, s in parts])


# ---- look-ahead ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("gaze_m", "status"), [(2.99, "flag"), (3.01, "pass")])
def test_look_down_distance_boundary(gaze_m, status):
    c = look(seg((gaze_m, 3.0)))
    assert c.status == status
    assert c.flagged_fraction == (1.0 if status == "flag" else 0.0)
    assert len(c.episodes) == (status == "flag")


@pytest.mark.parametrize(("between_m", "end_s"), [(3.4, 2.0), (3.6, 1.0)])
def test_release_distance_boundary(between_m, end_s):
    # down (2.8 m) for 1 s, then 1 s at between_m, then far: an episode continues until beyond 3.5 m
    c = look(seg((2.8, 1.0), (between_m, 1.0), (8.0, 2.0)))
    (ep,) = c.episodes
    assert (ep.start_s, ep.end_s) == (0.0, end_s)


@pytest.mark.parametrize(("frames", "episodes"), [(15, 0), (16, 1)])
def test_look_down_minimum_episode_boundary(frames, episodes):
    # 0.5 s is 16 frames at 32 fps: 15 frames (0.469 s) is a glance
    gaze = np.full(4 * 32, 8.0)
    gaze[32 : 32 + frames] = 2.0
    c = look(gaze)
    assert len(c.episodes) == episodes
    assert c.status == "pass"  # 0.5 s of 4 s is 12.5%, under the 25% share either way


@pytest.mark.parametrize(("frames", "status"), [(79, "pass"), (80, "flag")])
def test_look_down_share_boundary(frames, status):
    # 80 of 320 frames is 25% of the time, the flag share
    gaze = np.full(320, 8.0)
    gaze[100 : 100 + frames] = 2.0
    c = look(gaze)
    assert c.flagged_fraction == pytest.approx(frames / 320)
    assert c.status == status


MIN_FRAMES = round(LIM.min_analysable_s * FPS)  # 1.5 s is 48 frames


@pytest.mark.parametrize(("frames", "status"), [(MIN_FRAMES - 1, "unknown"), (MIN_FRAMES, "flag")])
def test_minimum_analysable_time_boundary(frames, status):
    assert MIN_FRAMES / FPS == LIM.min_analysable_s  # the limit falls on a frame: both sides are exact
    valid = np.zeros(96, bool)
    valid[10 : 10 + frames] = True
    c = look(np.full(96, 2.0), valid)
    assert c.status == status
    if status == "unknown":
        assert c.reason == WHY and WHY in c.feedback and c.flagged_fraction is None and c.episodes == ()
    assert c.medians["median_gaze_distance_m"] == 2.0  # reported either way, over the valid frames
    assert c.median_seen_s == {"median_head_pitch_deg": frames / FPS, "median_gaze_distance_m": frames / FPS}
    # shown (summary, PDF, history, batch table) only when resting on the analysable time, also read back
    shown = c.judged_medians(LIM.min_analysable_s)
    assert (shown["median_gaze_distance_m"] == 2.0) is (frames >= MIN_FRAMES)
    assert Check.from_dict(c.to_dict()).judged_medians(LIM.min_analysable_s) == pytest.approx(shown, abs=1e-3)


def test_look_ahead_medians_and_feedback_use_the_valid_frames_only():
    gaze = seg((2.0, 2.0), (9.0, 2.0))
    valid = np.ones(len(gaze), bool)
    valid[: 2 * 32] = False  # the looking-down half cannot be judged
    c = look(gaze, valid)
    assert c.status == "pass" and c.medians["median_gaze_distance_m"] == 9.0
    assert "about 9.0 m ahead" in c.feedback
    assert look(seg((np.inf, 3.0))).feedback.startswith("You kept your head up: it mostly points at the horizon")


def test_look_ahead_feedback_names_the_share_and_the_distance():
    most = look(seg((2.0, 3.0), (9.0, 1.0)))
    assert most.status == "flag" and most.feedback.startswith("Most of the time your head points at the floor about "
                                                              "2.0 m ahead")
    some = look(seg((9.0, 2.0), (2.0, 1.2), (9.0, 0.8)))
    assert some.status == "flag" and some.feedback.startswith("For about 30% of the walk")
    glance = look(seg((9.0, 2.0), (2.0, 0.6), (9.0, 2.0)))
    assert glance.status == "pass" and glance.feedback.endswith("You looked down briefly 1 time.")
    twice = look(seg((9.0, 1.0), (2.0, 0.6), (9.0, 1.0), (2.0, 0.6), (9.0, 2.0)))
    assert twice.status == "pass" and twice.feedback.endswith("You looked down briefly 2 times.")
    far = look(seg((2.9, 3.0), (30.0, 1.0)), cfg=LookAheadConfig(look_down_distance_m=3.0))
    assert "2.9 m" in far.feedback


def test_look_ahead_episode_peak_is_the_largest_pitch():
    gaze = seg((9.0, 1.0), (2.5, 0.5), (1.0, 0.25), (2.5, 0.5), (9.0, 1.0))
    c = look(gaze)
    (ep,) = c.episodes
    assert ep.peak == pytest.approx(45.0 - np.degrees(np.arctan(1.0 / 1.5)))
    assert gaze[ep.peak_frame] == 1.0


# ---- slouch -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("lean", "status"), [(9.99, "pass"), (10.01, "flag")])
def test_trunk_lean_boundary(lean, status):
    c = slouch(seg((lean, 3.0)))
    assert c.status == status and c.medians["median_trunk_lean_deg"] == pytest.approx(lean)


@pytest.mark.parametrize(("fwd", "status"), [(0.199, "pass"), (0.201, "flag")])
def test_forward_head_boundary(fwd, status):
    c = slouch(seg((0.0, 3.0)), seg((fwd, 3.0)))
    assert c.status == status and c.medians["median_forward_head_rel"] == pytest.approx(fwd)
    assert ("head is carried forward" in c.feedback) is (status == "flag")


@pytest.mark.parametrize(("between", "end_s"), [(8.1, 2.0), (7.9, 1.0)])
def test_trunk_lean_hysteresis_boundary(between, end_s):
    # leaning 12 deg for 1 s, then between: the episode lasts while the lean stays above 10 - 2 deg
    (ep,) = slouch(seg((12.0, 1.0), (between, 1.0), (0.0, 2.0))).episodes
    assert (ep.start_s, ep.end_s) == (0.0, end_s)
    assert ep.peak == 12.0


@pytest.mark.parametrize(("between", "end_s"), [(0.181, 2.0), (0.179, 1.0)])
def test_forward_head_hysteresis_boundary(between, end_s):
    fwd = seg((0.25, 1.0), (between, 1.0), (0.0, 2.0))
    (ep,) = slouch(np.zeros(len(fwd)), fwd).episodes
    assert (ep.start_s, ep.end_s) == (0.0, end_s)


@pytest.mark.parametrize(("frames", "status"), [(79, "pass"), (80, "flag")])
def test_slouch_share_boundary(frames, status):
    lean = np.zeros(320)
    lean[100 : 100 + frames] = 15.0
    c = slouch(lean)
    assert c.status == status and c.flagged_fraction == pytest.approx(frames / 320)


@pytest.mark.parametrize(("frames", "episodes"), [(15, 0), (16, 1)])
def test_slouch_minimum_episode_boundary(frames, episodes):
    lean = np.zeros(128)
    lean[32 : 32 + frames] = 15.0
    assert len(slouch(lean).episodes) == episodes


@pytest.mark.parametrize(("frames", "status"), [(MIN_FRAMES - 1, "unknown"), (MIN_FRAMES, "flag")])
def test_slouch_minimum_analysable_time_boundary(frames, status):
    valid = np.zeros(96, bool)
    valid[:frames] = True
    c = slouch(np.full(96, 15.0), valid=valid)
    assert c.status == status
    assert (c.reason == WHY) is (status == "unknown")


@pytest.mark.parametrize("head_frames", [MIN_FRAMES - 1, MIN_FRAMES])
def test_a_median_is_shown_only_on_enough_seen_time(head_frames):
    # upright for 3 s, the head seen in some of it: the trunk lean stands, the forward head only with 1.5 s of head
    fwd = np.full(96, np.nan)
    fwd[:head_frames] = 0.05
    c = slouch(np.full(96, 2.0), fwd)
    assert c.status == ("unknown" if head_frames < MIN_FRAMES else "pass")
    assert c.median_seen_s is not None and c.median_seen_s["median_forward_head_rel"] == head_frames / FPS
    shown = c.judged_medians(LIM.min_analysable_s)
    assert shown["median_trunk_lean_deg"] == 2.0
    assert shown["median_forward_head_rel"] == (0.05 if head_frames >= MIN_FRAMES else None)
    assert c.medians["median_forward_head_rel"] == 0.05  # the report keeps it, with the seconds it rests on


def test_a_flag_on_the_lean_alone_does_not_show_a_forward_head_seen_briefly():
    fwd = np.full(96, np.nan)
    fwd[:10] = 0.3
    c = slouch(np.full(96, 15.0), fwd)
    assert c.status == "flag"
    assert c.judged_medians(LIM.min_analysable_s) == {"median_trunk_lean_deg": 15.0, "median_forward_head_rel": None}


def test_an_older_report_without_median_seconds_hides_the_medians_of_a_check_unknown_on_too_little_time():
    old = {"status": "unknown", "reason": WHY, "median_head_pitch_deg": -14.0, "evidence": {"seen_s": 0.04}}
    assert judged_medians(old, 1.5) == {"median_head_pitch_deg": None}
    assert judged_medians({**old, "evidence": {"seen_s": 2.0}}, 1.5) == {"median_head_pitch_deg": -14.0}
    assert judged_medians({**old, "status": "pass"}, 1.5) == {"median_head_pitch_deg": -14.0}


def test_slouch_feedback_names_what_slumps():
    lean_only = slouch(seg((15.0, 3.0)))
    assert "leans forward about 15°" in lean_only.feedback and "head" not in lean_only.feedback.split(".")[0]
    both = slouch(seg((15.0, 3.0)), seg((0.3, 3.0)))
    assert "leans forward about 15° and your head is carried forward" in both.feedback
    share = slouch(seg((0.0, 2.0), (15.0, 1.2), (0.0, 0.8)))
    assert share.feedback.startswith("For about 30% of the walk")
    ok = slouch(seg((-4.0, 3.0)))
    assert ok.status == "pass" and "about 4° from vertical" in ok.feedback


def test_slouch_reports_the_ear_shoulder_hip_angle_when_given():
    lean = seg((0.0, 2.0))
    t = np.arange(len(lean)) / FPS
    esh = np.full(len(t), 172.0)
    c = slouch_check(lean, lean, t, np.ones(len(t), bool), SL, LIM, WHY, esh)
    assert c.medians["median_ear_shoulder_hip_deg"] == 172.0
    assert "median_ear_shoulder_hip_deg" not in slouch(lean).medians


# ---- episodes and frame durations ---------------------------------------------------------------

def test_invalid_gap_longer_than_allowed_ends_an_episode():
    on = np.full(128, 2.0)
    t = np.arange(128) / FPS
    for gap_frames, n_eps in ((8, 1), (9, 2)):  # 0.25 s allowed: 8 frames bridge, 9 split
        valid = np.ones(128, bool)
        valid[60 : 60 + gap_frames] = False
        eps = find_episodes(on, on, t, valid, min_s=0.5, peak=on)
        assert len(eps) == n_eps, gap_frames


def test_episode_peak_mode_min():
    v = seg((2.0, 0.5), (1.5, 0.25), (3.0, 0.25))
    t = np.arange(len(v)) / FPS
    (ep,) = find_episodes(v, v, t, np.ones(len(v), bool), min_s=0.5, peak=v, peak_mode="min")
    assert ep.peak == 1.5


def test_frame_durations_of_one_and_none():
    assert frame_durations(np.array([1.0])).tolist() == [0.0]
    assert frame_durations(np.zeros(0)).tolist() == []


# ---- views --------------------------------------------------------------------------------------

def world_at_yaw(yaw_deg: np.ndarray) -> np.ndarray:
    """World landmarks whose left-minus-right shoulder and hip vectors point at ``yaw_deg`` (0 = frontal)."""
    a = np.radians(np.asarray(yaw_deg, float))
    v = 0.15 * np.stack([np.cos(a), np.zeros_like(a), np.sin(a)], axis=1)
    world = np.zeros((len(a), 33, 3))
    for lft, rgt in ((L.LEFT_SHOULDER, L.RIGHT_SHOULDER), (L.LEFT_HIP, L.RIGHT_HIP)):
        world[:, lft], world[:, rgt] = v, -v
    return world


@pytest.mark.parametrize(("yaw", "label"), [
    (90.0, "side"), (-90.0, "side"), (60.5, "side"), (59.5, "oblique"), (119.5, "side"), (120.5, "oblique"),
    (30.5, "oblique"), (29.5, "front"), (-29.5, "front"), (0.0, "front"), (150.5, "back"), (180.0, "back"),
    (-149.5, "oblique"),
])
def test_view_boundaries(yaw, label):
    w = world_at_yaw(np.full(20, yaw))
    np.testing.assert_allclose(view.body_yaw_deg(w), yaw, atol=1e-9)
    assert set(view.frame_views(w)) == {label}


def test_view_of_missing_frames_is_unknown_and_a_one_frame_flip_is_smoothed():
    yaw = np.full(30, 90.0)
    yaw[12] = 0.0  # one frame seen frontally among side frames
    w = world_at_yaw(yaw)
    w[20] = np.nan
    v = view.frame_views(w)
    assert v[12] == "side" and v[20] == "" and set(v[:20]) == {"side"}
    assert view.frame_views(w, smooth_frames=1)[12] == "front"
    few = world_at_yaw(np.array([90.0, 0.0, 90.0]))  # fewer frames than the window: no smoothing
    assert view.frame_views(few).tolist() == ["side", "front", "side"]


@pytest.mark.parametrize(("n_side", "label"), [(6, "side"), (5, "mixed")])
def test_clip_view_dominant_share_boundary(n_side, label):
    labels = np.array(["side"] * n_side + ["back"] * (10 - n_side) + ["", ""], dtype=object)
    assert view.clip_view(labels) == label


# ---- cleaning -----------------------------------------------------------------------------------

def body_px(n: int, hip_x: np.ndarray) -> np.ndarray:
    """Landmarks of an upright figure of body size 250 px (shoulder-hip 100 + hip-ankle 150)."""
    px = np.zeros((n, 33, 2))
    px[:, :, 0] = hip_x[:, None]
    px[:, [L.LEFT_HIP, L.RIGHT_HIP], 1] = 300.0
    px[:, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER], 1] = 200.0
    px[:, [L.LEFT_ANKLE, L.RIGHT_ANKLE], 1] = 450.0
    return px


@pytest.mark.parametrize(("speed", "jump"), [(5.9, False), (6.1, True)])
def test_identity_jump_speed_boundary(speed, jump):
    # one frame 1/32 s after the last, moved `speed` body sizes per second further
    hip = np.zeros(10)
    hip[6:] += speed * 250.0 / FPS
    got = identity_jumps(body_px(10, hip), np.arange(10) / FPS, SignalConfig().max_jump_body_heights_per_s)
    assert got.tolist() == [i == 6 and jump for i in range(10)]


@pytest.mark.parametrize(("gap_s", "filled"), [(0.2, True), (0.21, False)])
def test_gap_filling_boundary(gap_s, filled):
    t = np.array([0.0, 0.1, 0.1 + gap_s / 2, 0.1 + gap_s])
    x = np.array([0.0, 1.0, np.nan, 3.0])
    y = fill_short_gaps(x, t, SignalConfig().max_gap_s)
    assert np.isnan(y[2]) is not filled
    if filled:
        assert y[2] == pytest.approx(2.0)  # on the line between the neighbours, at its time


def butterworth_gain(f_hz: float, fs: float, cutoff_hz: float, order: int = 4) -> float:
    """Forward-backward gain of a bilinear Butterworth low-pass: |H|^2 = 1 / (1 + (tan(pi f/fs) / tan(pi fc/fs))^2n)."""
    r = np.tan(np.pi * f_hz / fs) / np.tan(np.pi * cutoff_hz / fs)
    return float(1 / (1 + r ** (2 * order)))


@pytest.mark.parametrize(("f_hz", "fs"), [(2.0, 30.0), (6.0, 30.0), (9.0, 30.0), (4.0, 10.0)])
def test_lowpass_gain_is_the_butterworth_response(f_hz, fs):
    # 6 Hz cut-off, order 4, run both ways; at fs = 10 Hz the cut-off is held at 0.4 fs = 4 Hz
    t = np.arange(int(20 * fs)) / fs
    x = np.sin(2 * np.pi * f_hz * t)
    y = lowpass(x, fs, 6.0, 4)
    mid = slice(len(t) // 4, 3 * len(t) // 4)  # away from the edges
    gain = np.sqrt(np.mean(y[mid] ** 2) / np.mean(x[mid] ** 2))
    assert gain == pytest.approx(butterworth_gain(f_hz, fs, min(6.0, 0.4 * fs)), abs=0.01)


def test_lowpass_leaves_short_runs_and_bad_rates_alone():
    rng = np.random.default_rng(0)
    x = rng.normal(size=40)
    x[15] = np.nan  # runs of 15 (too short for the filter's 3 x 5 padding) and 24 samples
    y = lowpass(x, 30.0, 6.0, 4)
    np.testing.assert_array_equal(y[:15], x[:15])
    assert not np.allclose(y[16:], x[16:])
    x16 = rng.normal(size=16)
    assert not np.allclose(lowpass(x16, 30.0, 6.0, 4), x16)  # 16 samples: filtered
    np.testing.assert_array_equal(lowpass(x16, 0.0, 6.0), x16)
    np.testing.assert_array_equal(lowpass(x16, 30.0, 0.0), x16)


def series_of(px: np.ndarray, t: np.ndarray, vis: float | np.ndarray = 0.9) -> PoseSeries:
    n = len(t)
    xyz = np.zeros((n, 33, 3), np.float32)
    xyz[:, :, 0] = px[:, :, 0] / 1000.0
    xyz[:, :, 1] = px[:, :, 1] / 1000.0
    return PoseSeries(xyz, np.broadcast_to(np.asarray(vis, np.float32), (n, 33)).copy(),
                      np.zeros((n, 33, 3), np.float32), t, (1000, 1000))


@pytest.mark.parametrize(("vis", "kept"), [(0.49, False), (0.5, True)])
def test_min_visibility_boundary(vis, kept):
    t = np.arange(40) / FPS
    s = series_of(body_px(40, np.arange(40) * 2.0), t, vis)
    out, jumps = clean_series(s)
    assert bool(np.isfinite(out.xyz).all()) is kept and bool(np.isnan(out.xyz).all()) is not kept
    assert not jumps.any()


def test_clean_series_drops_an_identity_jump_and_fills_it():
    t = np.arange(64) / FPS
    hip = np.arange(64) * 2.0
    hip[30] += 400.0  # one wrong frame: there and back
    out, jumps = clean_series(series_of(body_px(64, hip), t))
    assert jumps.tolist() == [i in (30, 31) for i in range(64)]
    # refilled from the neighbours and smoothed: the hip follows its line (2 px per frame)
    x = out.xyz[:, L.LEFT_HIP, 0].astype(float) * 1000
    np.testing.assert_allclose(x, hip * (np.arange(64) != 30) + np.where(np.arange(64) == 30, 60.0, 0.0), atol=0.5)
    assert out.visibility[30, 0] == pytest.approx(0.9)
    empty, none = clean_series(PoseSeries.empty())
    assert len(empty) == 0 and none.shape == (0,)


def test_clean_series_filters_dropped_frames_in_seconds():
    # frames 1/64 s apart with every third one missing (gaps of 1/64 and 2/64 s): the low-pass must
    # still cut at 6 Hz in seconds, passing 2 Hz and all but removing 9 Hz, without a phase shift
    keep = np.array([i % 3 != 2 for i in range(384)])
    t = (np.arange(384) / 64.0)[keep]
    slow, fast = 10 * np.sin(2 * np.pi * 2.0 * t), 10 * np.sin(2 * np.pi * 9.0 * t)  # slow enough: no jumps
    out, jumps = clean_series(series_of(body_px(len(t), 500 + slow + fast), t))
    x = out.xyz[:, L.LEFT_HIP, 0].astype(float) * 1000 - 500
    mid = slice(len(t) // 4, 3 * len(t) // 4)
    rate = 64.0 / 1.5  # resampled at the median gap
    assert butterworth_gain(9.0, rate, 6.0) < 0.02 and butterworth_gain(2.0, rate, 6.0) > 0.999
    assert not jumps.any()
    np.testing.assert_allclose(x[mid], slow[mid], atol=0.4)  # 10 px of 9 Hz cut to under 0.4 px


# ---- camera tilt --------------------------------------------------------------------------------

def test_tilt_correction_limits():
    from _synth import make_extraction, make_walker

    import gaitcheck

    def tilt(roll):
        r = gaitcheck.score(make_extraction(make_walker(roll_deg=roll, trunk_lean_deg=5.0))).to_dict()
        return r["camera_tilt_deg"], r["warnings"], r["checks"]["slouch"]["median_trunk_lean_deg"]

    small, warn_small, lean_small = tilt(0.5)
    assert small == pytest.approx(0.5, abs=0.2) and not any("tilt" in w for w in warn_small)
    assert lean_small == pytest.approx(5.0, abs=0.3)
    big, warn_big, lean_big = tilt(1.5)
    assert big == pytest.approx(1.5, abs=0.2) and any("Camera tilt of 1.5°" in w for w in warn_big)
    assert lean_big == pytest.approx(5.0, abs=0.3)
    steep, warn_steep, lean_steep = tilt(12.0)  # beyond 10 deg: perspective, not roll; not corrected
    assert steep is None and any("slopes 12°, too steep" in w for w in warn_steep)
    assert lean_steep == pytest.approx(5.0 + 12.0, abs=0.5)  # the rolled image's lean, as seen


def test_angles_of_a_known_frame():
    px = np.zeros((1, 33, 2))
    px[0, [L.LEFT_HIP, L.RIGHT_HIP]] = (0.0, 0.0)
    px[0, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER]] = (-30.0, -40.0)  # 50 px trunk leaning back-left
    px[0, [L.LEFT_EAR, L.RIGHT_EAR]] = (-40.0, -60.0)
    px[0, L.NOSE] = (-55.0, -58.0)  # faces left
    px[0, [L.LEFT_EYE, L.RIGHT_EYE]] = (-50.0, -60.0)
    px[0, [L.LEFT_ANKLE, L.RIGHT_ANKLE]] = (0.0, 120.0)
    f = angles.facing_direction(px, 1)
    assert f.tolist() == [-1.0]
    assert angles.trunk_lean_deg(px, f)[0] == pytest.approx(np.degrees(np.arctan2(30, 40)))  # forward: faces left
    assert angles.forward_head_rel(px, f)[0] == pytest.approx(10 / 50)
    assert angles.head_pitch_deg(px, f, 0.0)[0] == pytest.approx(0.0)
    assert angles.body_size(px)[0] == pytest.approx(50 + 120)
    a, b = np.array([-10.0, -20.0]), np.array([30.0, 40.0])
    want = np.degrees(np.arccos(a @ b / np.linalg.norm(a) / np.linalg.norm(b)))
    assert angles.ear_shoulder_hip_deg(px)[0] == pytest.approx(want)
    assert Config().look_ahead.head_neutral_offset_deg == 13.0


# ---- walking or not -----------------------------------------------------------------------------

def legs_px(n: int, hip_speed_bs: float = 0.0, swing_bs: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """A 250 px body whose hips glide at ``hip_speed_bs`` body sizes/s and whose ankles swing apart
    by ``swing_bs`` body sizes (amplitude of the left-minus-right separation, 1 Hz)."""
    t = np.arange(n) / FPS
    px = body_px(n, 300.0 + hip_speed_bs * 250.0 * t)
    sep = swing_bs * 250.0 * np.sin(2 * np.pi * t)
    px[:, L.LEFT_ANKLE, 0] += sep / 2
    px[:, L.RIGHT_ANKLE, 0] -= sep / 2
    return px, t


@pytest.mark.parametrize(("speed", "swing", "walking"), [
    (0.0, 0.0, False),  # standing
    (0.0, 0.095, True),  # legs swing (std 0.067 body sizes) on the spot: a treadmill, a panning camera
    (0.0, 0.075, False),  # std 0.053: under 0.06
    (0.27, 0.0, True),  # hips travel faster than 0.25 body sizes per second
    (0.23, 0.0, False),
])
def test_walking_boundaries(speed, swing, walking):
    px, t = legs_px(128, speed, swing)
    got = angles.walking(px, t)
    assert set(got[32:96].tolist()) == {walking}  # away from the clip's ends (full 1 s windows)


def test_walking_needs_the_hips_and_three_frames():
    px, t = legs_px(96, 0.5)
    px[40, L.LEFT_ANKLE] = np.nan  # one ankle lost: the hips still travel, the frame counts
    px[50, [L.LEFT_HIP, L.RIGHT_HIP]] = np.nan  # the hips lost: it does not
    px[60:, [L.LEFT_ANKLE, L.RIGHT_ANKLE]] = np.nan  # legs out of the picture: the hips' travel still counts
    got = angles.walking(px, t)
    assert got[40] and got[39] and got[41]
    assert not got[50] and got[49] and got[51]
    assert got[60:90].all()
    assert not angles.walking(px[:2], t[:2]).any()
    assert not angles.walking(np.full_like(px, np.nan), t).any()


@pytest.mark.parametrize(("speed", "walking"), [(0.27, True), (0.23, False)])
def test_walking_with_the_legs_out_of_the_picture_uses_the_trunk_as_the_size(speed, walking):
    # no ankles at all: the body size is the trunk / 0.43, so the hip-speed limit stays 0.25 body sizes/s
    px, t = legs_px(128, speed * (100.0 / 0.43) / 250.0)  # trunk 100 px of the 250 px body
    px[:, [L.LEFT_KNEE, L.RIGHT_KNEE, L.LEFT_ANKLE, L.RIGHT_ANKLE]] = np.nan
    assert set(angles.walking(px, t)[32:96].tolist()) == {walking}


# ---- aimed at survivors of mutation testing ------------------------------------------------------

def test_view_smoothing_applies_from_exactly_one_window_of_frames():
    yaw = np.full(15, 90.0)
    yaw[7] = 0.0
    assert view.frame_views(world_at_yaw(yaw))[7] == "side"  # 15 frames: one window, smoothed
    assert view.frame_views(world_at_yaw(yaw[:14]))[7] == "front"  # 14: too few, left as seen


def test_report_rounding_contract():
    from gaitcheck.gait import Bout
    from gaitcheck.verdicts import Episode

    ep = Episode(start_s=1.23456, end_s=2.34567, start_frame=1, end_frame=2, peak_frame=1, peak=12.34567)
    assert ep.to_dict() == {"start_s": 1.235, "end_s": 2.346, "peak": 12.346, "start_frame": 1, "end_frame": 2,
                            "peak_frame": 1}
    assert Bout(start_s=0.12345, end_s=3.45678, steps=5).to_dict() == {"start_s": 0.123, "end_s": 3.457, "steps": 5}


def test_gait_numbers_are_rounded_as_documented():
    from _synth import make_extraction, make_walker

    import gaitcheck

    g = gaitcheck.score(make_extraction(make_walker(n_frames=360, cadence_spm=100, speed_px_s=80.0, limp=0.25)),
                        height_cm=170).to_dict()["gait"]
    for key, nd in (("cadence_spm", 1), ("step_time_asymmetry_pct", 1), ("step_length_m", 3),
                    ("stride_length_m", 3), ("speed_m_s", 3), ("step_length_rel_leg", 3)):
        assert g[key] is not None and round(g[key], nd) == g[key] and round(g[key], nd - 1) != g[key], key
    assert all(round(v, 1) == v for v in g["stance_pct"].values())


def test_a_lean_exactly_at_the_limit_is_not_called_leaning():
    # flagged for the head carried forward; the trunk at exactly 10 deg is not "leaning forward"
    c = slouch(seg((10.0, 3.0)), seg((0.3, 3.0)))
    assert c.status == "flag" and "leans forward" not in c.feedback and "head is carried forward" in c.feedback


def test_clean_series_cuts_at_the_configured_frequency():
    # 5 Hz at 32 fps: a 6 Hz cut-off keeps 0.83 of it, a lower one far less
    t = np.arange(256) / FPS
    wave = 10 * np.sin(2 * np.pi * 5.0 * t)
    out, _ = clean_series(series_of(body_px(len(t), 500 + wave), t))
    x = out.xyz[:, L.LEFT_HIP, 0].astype(float) * 1000 - 500
    mid = slice(64, 192)
    gain = np.sqrt(np.mean(x[mid] ** 2) / np.mean(wave[mid] ** 2))
    assert gain == pytest.approx(butterworth_gain(5.0, FPS, 6.0), abs=0.02)


def test_oscillation_cadence_needs_two_seconds_of_one_run():
    from gaitcheck.events import oscillation_cadence_spm

    t = np.arange(300) / 30.0
    px = np.zeros((300, 33, 2))
    px[:, L.LEFT_ANKLE, 1] = 10 * np.sin(2 * np.pi * t / 1.2)  # a stride of 1.2 s: 100 steps/min
    late = (t >= 5.0) & (t < 6.5)  # 1.5 s, starting 5 s in: the run's length counts, not its end time
    assert oscillation_cadence_spm(px, t, late) is None
    # Just over 2 s (under two strides) gives a number, but the autocorrelation's overlap shrinks with
    # the lag and pulls the peak early: 3-5 % fast here. Accuracy needs a longer run (about 1 % at 6 s).
    short = (t >= 5.0) & (t < 7.1)
    assert oscillation_cadence_spm(px, t, short) == pytest.approx(100.0, rel=0.05)
    long = (t >= 2.0) & (t < 8.0)
    assert oscillation_cadence_spm(px, t, long) == pytest.approx(100.0, rel=0.015)


def test_a_tiny_camera_roll_adds_no_warning():
    from _synth import make_extraction, make_walker

    import gaitcheck

    level = gaitcheck.score(make_extraction(make_walker())).to_dict()["warnings"]
    tiny = gaitcheck.score(make_extraction(make_walker(roll_deg=0.5))).to_dict()["warnings"]
    assert tiny == level


def test_gait_feedback_of_an_even_walk_reads_as_one_text():
    from _synth import make_extraction, make_walker

    import gaitcheck

    g = gaitcheck.score(make_extraction(make_walker(n_frames=360, cadence_spm=100, speed_px_s=80.0))).to_dict()["gait"]
    assert g["feedback"] == (f"You took {g['steps']} steps at about 100 steps per minute. Your steps land under your "
                             "body and are even on both sides.")
    assert g["foot_strike_detail"]["feedback"] == "Your foot lands flat, close to your body."


def test_report_reads_back_exactly_with_every_field_filled():
    from _synth import make_extraction, make_walker

    import gaitcheck
    from gaitcheck.report import Report

    walker = make_walker(n_frames=360, cadence_spm=100, speed_px_s=80.0, limp=0.25, head_pitch_deg=30.0,
                         trunk_lean_deg=14.0, strike_deg=15.0)
    d = gaitcheck.score(make_extraction(walker), height_cm=175).to_dict()
    g = d["gait"]
    assert None not in (g["stride_length_m"], g["speed_m_s"], g["step_length_m"], g["step_time_asymmetry_pct"])
    assert d["checks"]["look_ahead"]["episodes"] and d["checks"]["slouch"]["episodes"]
    assert Report.from_dict(d).to_dict() == d


def _ankles_alternating(n: int, fps: float, stride_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Ankle heights of a walker seen from the front: the feet lift in turn, half a stride apart."""
    t = np.arange(n) / fps
    px = np.zeros((n, 33, 2))
    px[:, L.LEFT_ANKLE, 1] = 400 + 10 * np.sin(2 * np.pi * t / stride_s)
    px[:, L.RIGHT_ANKLE, 1] = 400 - 10 * np.sin(2 * np.pi * t / stride_s)
    return px, t


@pytest.mark.parametrize(("frames", "measured"), [(64, False), (65, True)])
def test_oscillation_cadence_two_second_boundary(frames, measured):
    from gaitcheck.events import oscillation_cadence_spm

    px, t = _ankles_alternating(320, FPS, 1.0)
    valid = np.zeros(320, bool)
    valid[100 : 100 + frames] = True  # 65 frames at 32 fps span exactly 2 s from the first to the last
    got = oscillation_cadence_spm(px, t, valid)
    assert (got is not None) is measured
    if measured:
        assert got == pytest.approx(120.0, rel=0.06)  # a stride of 1 s: 120 steps/min (short-run bias, above)


def test_oscillation_cadence_uses_the_longest_run_and_the_left_right_difference():
    from gaitcheck.events import oscillation_cadence_spm

    px, t = _ankles_alternating(320, FPS, 1.0)
    px[:64, L.LEFT_ANKLE, 1] = px[:64, L.RIGHT_ANKLE, 1] = 400.0  # standing still first
    valid = np.zeros(320, bool)
    valid[:64] = True  # 2 s of standing: a run, but the shorter one
    valid[70:] = True  # 7.8 s of walking
    assert oscillation_cadence_spm(px, t, valid) == pytest.approx(120.0, rel=0.015)
    # both feet lift together (a jump, or one foot seen twice): no left-right oscillation
    same = px.copy()
    same[:, L.RIGHT_ANKLE, 1] = same[:, L.LEFT_ANKLE, 1]
    assert oscillation_cadence_spm(same, t, valid) is None


@pytest.mark.parametrize(("stride_s", "measured"), [(2.2, True), (3.0, False)])
def test_oscillation_cadence_stride_limit(stride_s, measured):
    # strides longer than 2.4 s (under 50 steps/min) are not walking rhythm: no cadence
    from gaitcheck.events import oscillation_cadence_spm

    px, t = _ankles_alternating(480, FPS, stride_s)
    got = oscillation_cadence_spm(px, t, np.ones(480, bool))
    assert (got is not None) is measured
    if measured:
        assert got == pytest.approx(120.0 / stride_s, rel=0.03)


def test_evidence_words_count_in_the_singular_and_plural():
    from gaitcheck.verdicts import Evidence

    assert Evidence(seen_s=2.04, steps=1, passes=1).words() == "judged on 2.0 s of walking, 1 step, 1 pass"
    assert Evidence(seen_s=2.0, steps=2, passes=2).words() == "judged on 2.0 s of walking, 2 steps, 2 passes"
    assert Evidence(seen_s=3.06, passes=0).words() == "judged on 3.1 s of walking, 0 passes"


def test_an_episode_without_a_peak_reads_back_as_nan():
    import math

    from gaitcheck.verdicts import Episode

    d = {"start_s": 1.0, "end_s": 2.0, "start_frame": 32, "end_frame": 64, "peak_frame": 40}
    assert math.isnan(Episode.from_dict({**d, "peak": None}).peak)
    assert Episode.from_dict({**d, "peak": 7}).peak == 7.0


def test_posture_without_a_seen_mask_counts_every_part_as_seen():
    from _synth import make_walker

    from gaitcheck.posture import Seen, measure_posture

    img, world, t = make_walker(n_frames=96, head_pitch_deg=20.0)
    w, h = 1280, 720
    xyz = np.stack([img[..., 0] / w, img[..., 1] / h, img[..., 2] / w], axis=-1).astype(np.float32)
    series = PoseSeries(xyz, img[..., 3].astype(np.float32), world.astype(np.float32), t, (w, h))
    default = measure_posture(series, Config(), 170.0)
    n = len(t)
    assert default.seen.feet.shape == (2, n)
    for part in (default.seen.head, default.seen.shoulders, default.seen.hips, default.seen.feet, default.seen.large):
        assert part.all()
    given = measure_posture(series, Config(), 170.0, Seen.everywhere(n))
    np.testing.assert_array_equal(default.head_pitch_deg, given.head_pitch_deg)
    assert np.isfinite(default.head_pitch_deg).all()


def test_period_between_samples_is_refined_by_the_parabola():
    from gaitcheck.events import _period_s

    tt = np.arange(0, 6, 1 / 30)
    # 0.8042 s falls half-way between two 1/120 s lags: without the refinement, or refined the wrong
    # way, the answer is off by about half a lag (0.004 s)
    assert _period_s(tt, np.sin(2 * np.pi * tt / 0.8042), 0.3, 1.2) == pytest.approx(0.8042, abs=0.0015)


def test_period_needs_ten_samples():
    from gaitcheck.events import _period_s

    t = np.arange(10) * 0.6  # four samples a stride of 2.4 s
    x = np.sin(2 * np.pi * t / 2.4)
    assert _period_s(t, x, 1.0, 4.0) == pytest.approx(2.4, rel=0.03)
    assert _period_s(t[:9], x[:9], 1.0, 4.0) is None
    with_gap = x.copy()
    with_gap[4] = np.nan  # NaN samples are skipped, and counted out
    assert _period_s(t, with_gap, 1.0, 4.0) is None


def test_period_of_a_tiny_swing_noise_and_a_strong_harmonic():
    from gaitcheck.events import _period_s

    tt = np.arange(0, 6, 1 / 30)
    # any amplitude: a swing of 0.005 (normalised image units) has the same period as one of 100 px
    assert _period_s(tt, 0.005 * np.sin(2 * np.pi * tt / 0.8), 0.3, 1.2) == pytest.approx(0.8, abs=0.005)
    # the heel's bob at four times the step rate makes an autocorrelation peak at 0.2 s, below the 0.3 s
    # the search starts at: the period is still the step's
    walk = np.sin(2 * np.pi * tt / 0.8) + 0.9 * np.sin(2 * np.pi * tt / 0.2)
    assert _period_s(tt, walk, 0.3, 1.2) == pytest.approx(0.8, abs=0.005)
    # noise repeats at no period: its autocorrelation stays under 0.2 away from zero lag
    noise = np.random.default_rng(11).normal(size=len(tt))
    assert _period_s(tt, noise, 0.3, 1.2) is None


@pytest.mark.parametrize(("gap_frames", "measured"), [(6, True), (12, False)])
def test_step_period_of_a_side_view_bridges_short_gaps(gap_frames, measured):
    from _synth import make_walker

    from gaitcheck.events import step_period_s

    img, _, t = make_walker(n_frames=240, cadence_spm=100, speed_px_s=80.0)  # steps of 0.6 s
    px, facing = img[..., :2].astype(float), np.ones(len(t))
    assert step_period_s(px, facing, t, np.ones(len(t), bool)) == pytest.approx(0.6, rel=0.01)
    valid = np.zeros(len(t), bool)
    valid[:30] = True  # 1 s, then a gap of 0.2 s (bridged: up to 0.35 s) or 0.4 s, then 1.2 s
    valid[30 + gap_frames : 66 + gap_frames] = True
    got = step_period_s(px, facing, t, valid)
    assert (got is not None) is measured  # each piece alone is under the 1.5 s needed
    if measured:
        assert got == pytest.approx(0.6, rel=0.03)


def test_a_gait_section_with_null_fields_reads_back():
    from gaitcheck.gait import GaitResult

    g = GaitResult.from_dict({"status": "unknown", "reason": "too few steps", "steps": None, "step_time_s": None,
                              "stance_pct": "n/a"})
    assert g.steps is None and g.step_time_s == {"left": None, "right": None}
    assert g.stance_pct == {"left": None, "right": None}
    assert "evidence" not in g.to_dict()  # an older report without one writes none back
    assert GaitResult.from_dict({"steps": 7, "step_time_s": {"left": 0.6}}).steps == 7


def test_evidence_is_reported_to_a_hundredth_of_a_second():
    from gaitcheck.verdicts import Evidence

    assert Evidence(seen_s=6.237, steps=9, passes=2).to_dict() == {"seen_s": 6.24, "steps": 9, "passes": 2}
    assert Evidence.from_dict({"seen_s": 6.24, "steps": None, "passes": 1}) == Evidence(seen_s=6.24, passes=1)


def test_sections_without_their_keys_read_as_unknown_with_empty_words():
    # an older or hand-made report may leave out any key: what is missing is unknown, never the text "None"
    from gaitcheck.gait import FootStrike, GaitResult, Overstride
    from gaitcheck.verdicts import Check

    g = GaitResult.from_dict({})
    assert (g.status, g.method, g.feedback, g.shorter_steps) == ("unknown", "none", "", None)
    assert (g.foot_strike.pattern, g.foot_strike.status, g.foot_strike.feedback) == ("unknown", "unknown", "")
    assert (g.overstride.status, g.overstride.feedback) == ("unknown", "")
    assert Overstride.from_dict({}).status == "unknown" and FootStrike.from_dict("heel", {}).status == "unknown"
    c = Check.from_dict({"status": "pass", "median_head_pitch_deg": 4})
    assert c.feedback == "" and c.medians == {"median_head_pitch_deg": 4.0}
    assert GaitResult.from_dict({"shorter_steps": "middle"}).shorter_steps is None  # only left or right


def test_a_step_to_gait_reads_back_exactly_with_its_judged_side():
    from _synth import make_extraction, make_walker

    import gaitcheck
    from gaitcheck.landmarks import FOOT
    from gaitcheck.report import Report

    img, world, t = make_walker(n_frames=300, cadence_spm=100, speed_px_s=60.0, stride_amp_rel=0.3,
                                frame_size=(1600, 720))
    img = img.copy()
    img[:, list(FOOT["left"]), 0] += 1.2 * 0.3 * 260.0  # the left foot always lands ahead: short steps onto the right
    d = gaitcheck.score(make_extraction((img, world, t), frame_size=(1600, 720))).to_dict()
    assert d["gait"]["shorter_steps"] == "right" and d["gait"]["status"] == "flag"
    assert Report.from_dict(d).to_dict() == d


def test_shares_and_percentages_are_reported_to_their_stated_precision():
    from _synth import make_extraction, make_walker

    import gaitcheck
    from gaitcheck.verdicts import Check

    stance = gaitcheck.score(make_extraction(make_walker(n_frames=300))).to_dict()["gait"]["stance_pct"]
    assert all(isinstance(v, float) and round(v, 1) == v for v in stance.values()), stance  # 0.1 %
    check = Check(status="flag", reason=None, flagged_fraction=1 / 3, episodes=(), feedback="", medians={})
    assert check.to_dict()["flagged_fraction"] == 0.3333  # four decimals
