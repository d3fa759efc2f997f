"""Property tests (hypothesis) for the pure metric, cleaning, episode and event functions.

Inputs include NaNs, missing landmarks, zero-length series, extreme angles and both walking
directions; the functions must return arrays of the right shape, never raise, and keep their
conventions.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gaitcheck import angles
from gaitcheck.clean import fill_short_gaps, lowpass
from gaitcheck.config import GaitConfig
from gaitcheck.events import detect_initial_contacts, step_period_s
from gaitcheck.gait import analyze_gait
from gaitcheck.landmarks import Landmark as L
from gaitcheck.verdicts import find_episodes

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def _maybe_nan(lo: float, hi: float):
    return st.one_of(st.floats(lo, hi), st.just(float("nan")))


# quarter-pixel coordinates: mirroring (1000 - x) is then exact in floating point
coords = st.one_of(st.integers(-20000, 20000).map(lambda v: v / 4), st.just(float("nan")))


@st.composite
def landmarks(draw, max_t: int = 40):
    """(T, 33, 2) pixel landmarks with NaN holes; T may be 0."""
    t = draw(st.integers(0, max_t))
    return draw(hnp.arrays(np.float64, (t, 33, 2), elements=coords))


@st.composite
def times(draw, n: int):
    steps = draw(hnp.arrays(np.float64, (n,), elements=st.floats(1e-3, 0.2)))
    return np.cumsum(steps)


@SETTINGS
@given(landmarks())
def test_angle_functions_never_raise_and_keep_shape(px):
    facing = angles.facing_direction(px)
    outs = [facing, angles.head_pitch_deg(px, facing), angles.trunk_lean_deg(px, facing),
            angles.forward_head_rel(px, facing), angles.ear_shoulder_hip_deg(px), angles.body_size(px)]
    for out in outs:
        assert out.shape == (len(px),)
    assert np.all(np.isnan(facing) | (np.abs(facing) == 1))


# a figure seen from the side facing right: shoulders above the hips, the head above the shoulders
# with the nose ahead of the ears; random proportions and lean within +-60 deg
@st.composite
def side_figures(draw):
    n = draw(st.integers(1, 20))
    lean = draw(hnp.arrays(np.float64, (n,), elements=st.floats(-60, 60)))
    trunk = draw(hnp.arrays(np.float64, (n,), elements=st.floats(20, 400)))
    ear_up = draw(hnp.arrays(np.float64, (n,), elements=st.floats(0.1, 0.6))) * trunk
    ear_fwd = draw(hnp.arrays(np.float64, (n,), elements=st.floats(-0.3, 0.5))) * trunk
    pitch = np.radians(draw(hnp.arrays(np.float64, (n,), elements=st.floats(-60, 60))))
    px = np.zeros((n, 33, 2))
    hip = np.stack([np.full(n, 500.0), np.full(n, 600.0)], axis=1)
    a = np.radians(lean)
    sh = hip + trunk[:, None] * np.stack([np.sin(a), -np.cos(a)], axis=1)
    ear = sh + np.stack([ear_fwd, -ear_up], axis=1)
    eye = ear + 0.2 * trunk[:, None] * np.stack([np.cos(pitch), np.sin(pitch)], axis=1)
    nose = eye + 0.05 * trunk[:, None] * np.stack([np.ones(n), np.ones(n)], axis=1)
    for lft, rgt, pt in ((L.LEFT_HIP, L.RIGHT_HIP, hip), (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, sh),
                         (L.LEFT_EAR, L.RIGHT_EAR, ear), (L.LEFT_EYE, L.RIGHT_EYE, eye)):
        px[:, lft], px[:, rgt] = pt, pt
    px[:, L.NOSE] = nose
    px[:, [L.LEFT_ANKLE, L.RIGHT_ANKLE]] = (hip + np.array([0.0, 1.3]) * trunk[:, None])[:, None]
    return px, lean, np.degrees(pitch), ear_fwd / trunk


@SETTINGS
@given(side_figures(), st.floats(-500, 500), st.floats(-500, 500), st.floats(0.1, 10))
def test_angles_are_the_drawn_ones_wherever_and_however_large_the_figure(fig, dx, dy, k):
    px, lean, pitch, fwd = fig
    moved = px * k + np.array([dx, dy])
    for p in (px, moved):
        f = angles.facing_direction(p, 1)
        assert np.all(f == 1)
        np.testing.assert_allclose(angles.trunk_lean_deg(p, f), lean, atol=1e-6)
        np.testing.assert_allclose(angles.head_pitch_deg(p, f, 0.0), pitch, atol=1e-6)
        np.testing.assert_allclose(angles.forward_head_rel(p, f), fwd, atol=1e-6)
    np.testing.assert_allclose(angles.body_size(moved), k * angles.body_size(px), rtol=1e-9)
    np.testing.assert_allclose(angles.ear_shoulder_hip_deg(moved), angles.ear_shoulder_hip_deg(px), atol=1e-6)


@SETTINGS
@given(side_figures(), st.floats(-20, 20))
def test_turning_the_camera_turns_lean_and_pitch_by_the_same_angle(fig, roll):
    px, lean, pitch, _ = fig
    # rotate_points(+a) turns image x towards -y (on screen: counter-clockwise); for a walker facing
    # right that tips the figure backwards, so lean and pitch both drop by a
    turned = angles.rotate_points(px, roll, (640.0, 360.0))
    f = angles.facing_direction(turned, 1)
    np.testing.assert_allclose(angles.trunk_lean_deg(turned, f), lean - roll, atol=1e-6)
    np.testing.assert_allclose(angles.head_pitch_deg(turned, f, 0.0), pitch - roll, atol=1e-6)
    np.testing.assert_allclose(angles.ear_shoulder_hip_deg(turned), angles.ear_shoulder_hip_deg(px), atol=1e-6)


@SETTINGS
@given(landmarks(), st.floats(-60, 60))
def test_mirroring_the_clip_keeps_every_signed_angle(px, offset):
    mirrored = px.copy()
    mirrored[..., 0] = 1000.0 - mirrored[..., 0]
    f, fm = angles.facing_direction(px, 1), angles.facing_direction(mirrored, 1)

    def same_angle(a, b):  # equal as angles: +180 and -180 are one direction
        assert np.array_equal(np.isnan(a), np.isnan(b))
        ok = ~np.isnan(a)
        assert np.all(np.abs((a[ok] - b[ok] + 180) % 360 - 180) < 1e-6)

    same_angle(angles.trunk_lean_deg(px, f), angles.trunk_lean_deg(mirrored, fm))
    same_angle(angles.head_pitch_deg(px, f, offset), angles.head_pitch_deg(mirrored, fm, offset))
    np.testing.assert_allclose(angles.forward_head_rel(px, f), angles.forward_head_rel(mirrored, fm), atol=1e-9,
                               equal_nan=True)


@SETTINGS
@given(hnp.arrays(np.float64, st.integers(0, 50), elements=_maybe_nan(-90, 180)),
       st.floats(0.5, 2.5), st.floats(0, 30))
def test_gaze_distance_is_positive_and_falls_as_the_head_drops(pitch, eye_h, los):
    d = angles.gaze_distance_m(pitch, eye_h, los)
    assert d.shape == pitch.shape
    assert np.all(np.isnan(d) == np.isnan(pitch))
    finite = np.isfinite(d)
    assert np.all(d[finite] >= 0)  # ahead of the walker (0 = at the feet); inf = at or above the horizon
    # strictly between the horizon and straight down, a lower head points nearer
    a = np.sort(np.array([5.0, 20.0, 40.0, 60.0]))
    assert np.all(np.diff(angles.gaze_distance_m(a - los, eye_h, los)) < 0)


@SETTINGS
@given(st.integers(0, 60).flatmap(lambda n: st.tuples(
    hnp.arrays(np.float64, (n,), elements=_maybe_nan(-50, 50)), times(n))), st.floats(0, 1))
def test_gap_filling_never_invents_beyond_the_data(args, max_gap):
    x, t = args
    y = fill_short_gaps(x, t, max_gap)
    assert y.shape == x.shape
    known = np.flatnonzero(~np.isnan(x))
    np.testing.assert_array_equal(y[known], x[known])
    # each gap between two samples is filled on the straight line between them exactly when the
    # bridge is at most max_gap; before the first and after the last sample nothing is invented
    for a, b in zip(known[:-1], known[1:], strict=True):
        inner = slice(a + 1, b)
        if t[b] - t[a] <= max_gap:
            want = x[a] + (x[b] - x[a]) * (t[inner] - t[a]) / (t[b] - t[a])
            np.testing.assert_allclose(y[inner], want, atol=1e-9)
        else:
            assert np.isnan(y[inner]).all()
    if len(known):
        assert np.isnan(y[: known[0]]).all() and np.isnan(y[known[-1] + 1 :]).all()


@SETTINGS
@given(hnp.arrays(np.float64, st.integers(0, 200), elements=_maybe_nan(-100, 100)),
       st.floats(1, 240), st.floats(0.1, 30))
def test_lowpass_keeps_missing_samples_missing(x, fs, cutoff):
    y = lowpass(x, fs, cutoff)
    assert y.shape == x.shape
    np.testing.assert_array_equal(np.isnan(y), np.isnan(x))


@SETTINGS
@given(st.integers(16, 200), st.floats(-100, 100), st.floats(5, 240))
def test_lowpass_passes_a_constant(n, c, fs):
    # a low-pass has unit gain at 0 Hz, whatever the length of the run and the frame rate
    np.testing.assert_allclose(lowpass(np.full(n, c), fs, 6.0), c, atol=1e-6 * max(1.0, abs(c)))


@SETTINGS
@given(st.integers(0, 120).flatmap(lambda n: st.tuples(
    hnp.arrays(np.float64, (n,), elements=_maybe_nan(0, 3)), times(n),
    hnp.arrays(np.bool_, (n,)))), st.floats(0, 1))
def test_episodes_are_ordered_disjoint_and_long_enough(args, min_s):
    on, t, valid = args
    eps = find_episodes(on, on * 1.1, t, valid, min_s=min_s, peak=on)
    for e in eps:
        assert 0 <= e.start_frame <= e.peak_frame <= e.end_frame < len(t)
        assert e.end_s - e.start_s >= min_s - 1e-9
        assert valid[e.peak_frame]
        assert on[e.start_frame] > 1 and valid[e.start_frame]  # starts where the signal crosses its limit
        inside = valid[e.start_frame : e.end_frame + 1] & ~np.isnan(on[e.start_frame : e.end_frame + 1])
        assert np.all(on[e.start_frame : e.end_frame + 1][inside] * 1.1 >= 1)  # never past its release
    for a, b in zip(eps, eps[1:], strict=False):
        assert a.end_frame < b.start_frame
    # a stretch of valid frames all above the limit lasting min_s + one frame is inside an episode
    dur = np.append(np.diff(t), np.median(np.diff(t)) if len(t) > 1 else 0.0)
    covered = np.zeros(len(t), bool)
    for e in eps:
        covered[e.start_frame : e.end_frame + 1] = True
    above = valid & (np.nan_to_num(on) > 1)
    i = 0
    while i < len(t):
        if not above[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(t) and above[j + 1]:
            j += 1
        if t[j] + dur[j] - t[i] >= min_s + 1e-6 and (i == 0 or not above[i - 1]):
            assert covered[i : j + 1].all(), (i, j)
        i = j + 1


@SETTINGS
@given(landmarks(max_t=60), st.sampled_from([1.0, -1.0]))
def test_gait_functions_never_raise_on_garbage(px, direction):
    n = len(px)
    t = np.arange(n) / 30.0
    facing = np.full(n, direction)
    valid = ~np.isnan(px).any(axis=(1, 2))
    cfg = GaitConfig()
    ics = detect_initial_contacts(px, facing, t, valid, cfg)
    assert all(0 <= f < n and foot in ("left", "right") for f, foot in ics)
    period = step_period_s(px, facing, t, valid)
    assert period is None or 0.2 < period < 1.3
    g = analyze_gait(px, facing, t, valid, np.zeros(n, bool), 1000.0, None, cfg)
    assert g.status in ("pass", "flag", "unknown")
    assert (g.status == "unknown") == (g.reason is not None)


def test_zero_length_series_everywhere():
    px = np.zeros((0, 33, 2))
    t = np.zeros(0)
    f = angles.facing_direction(px)
    assert angles.trunk_lean_deg(px, f).shape == (0,)
    g = analyze_gait(px, f, t, np.zeros(0, bool), np.zeros(0, bool), 100.0, None, GaitConfig())
    assert g.status == "unknown" and g.events == ()
    assert find_episodes(t, t, t, np.zeros(0, bool), min_s=0.5, peak=t) == []


@pytest.mark.parametrize("lean", [-89.0, -45.0, 0.0, 45.0, 89.0])
def test_extreme_trunk_angles_are_exact(lean):
    px = np.zeros((1, 33, 2))
    a = np.radians(lean)
    px[0, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER]] = (100 * np.sin(a), -100 * np.cos(a))
    px[0, L.NOSE] = (10, -120)
    assert angles.trunk_lean_deg(px, np.array([1.0]))[0] == pytest.approx(lean)
