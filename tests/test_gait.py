"""Gait events and measures on synthetic walkers whose contacts are known exactly."""

from __future__ import annotations

import numpy as np
import pytest
from _synth import contact_times, make_extraction, make_walker

import gaitcheck
from gaitcheck.config import Config
from gaitcheck.landmarks import Landmark as L

NO_LAG = Config().with_overrides("gait", foot_lag_s=0.0)  # synthetic feet do not trail: the plain peak


def gait_of(height_cm=None, config=NO_LAG, **kw):
    return gaitcheck.score(make_extraction(make_walker(**kw)), config, height_cm=height_cm).to_dict()["gait"]


def contacts(g):
    return [(e["t_s"], e["foot"]) for e in g["events"] if e["type"] == "initial_contact"]


@pytest.mark.parametrize("direction", [1, -1])
@pytest.mark.parametrize("cadence", [90.0, 110.0, 130.0])
def test_initial_contacts_match_the_synthetic_walker(direction, cadence):
    n, fps = 180, 30.0
    g = gait_of(n_frames=n, fps=fps, direction=direction, cadence_spm=cadence, speed_px_s=150.0)
    truth = contact_times(n / fps, cadence)
    got = contacts(g)
    # every detected contact is a true one (same foot, within a frame) ...
    for tg, fg in got:
        assert any(abs(tg - tt) <= 1 / fps and fg == ft for tt, ft in truth), (tg, fg)
    # ... and no true contact away from the clip's ends (0.2 s) is missed
    for tt, _ in truth:
        if 0.2 < tt < n / fps - 0.2:
            assert any(abs(tg - tt) <= 2 / fps for tg, _ in got), tt
    assert g["cadence_spm"] == pytest.approx(cadence, rel=0.03)
    assert g["method"] == "events" and g["status"] == "pass"


def test_feet_alternate_and_toe_offs_fall_between_contacts():
    g = gait_of(n_frames=180)
    ics = contacts(g)
    assert all(a[1] != b[1] for a, b in zip(ics[:-1], ics[1:], strict=True))
    tos = [e for e in g["events"] if e["type"] == "toe_off"]
    assert len(tos) >= len(ics) - 2
    # stance is the longer part of the cycle (about 60% in real walking; ~50% in this symmetric model)
    for side in ("left", "right"):
        assert g["stance_pct"][side] is None or 35 < g["stance_pct"][side] < 80


def test_step_length_in_leg_lengths_and_metres():
    amp = 0.35
    g = gait_of(n_frames=180, stride_amp_rel=amp, height_cm=180)
    # the hip-to-ankle distance of the straight (furthest-reaching) leg is sqrt(amp^2 + 0.95^2) leg units,
    # and at contact the heels are 2 * amp apart
    leg_units = np.hypot(amp, 0.95)
    assert g["step_length_rel_leg"] == pytest.approx(2 * amp / leg_units, rel=0.04)
    assert g["stride_length_rel_leg"] == pytest.approx(4 * amp / leg_units, rel=0.04)
    leg_m = 0.491 * 1.80
    assert g["stride_length_m"] == pytest.approx(g["stride_length_rel_leg"] * leg_m, rel=1e-3)
    # the report rounds cadence to 0.1 and lengths to 1 mm: their product agrees to 0.2%
    assert g["speed_m_s"] == pytest.approx(g["step_length_m"] * g["cadence_spm"] / 60, rel=2e-3)


def test_no_metres_without_height():
    g = gait_of(n_frames=120)
    assert g["stride_length_m"] is None and g["stride_length_rel_leg"] is not None


def test_overstride_is_flagged_with_feedback():
    g = gait_of(n_frames=180, stride_amp_rel=0.75, cadence_spm=100)
    assert g["overstride"]["status"] == "flag"
    assert g["overstride"]["median_rel"] > Config().gait.overstride_max_rel
    assert "shorter, quicker steps" in g["overstride"]["feedback"]
    assert g["status"] == "flag"
    normal = gait_of(n_frames=180)
    assert normal["overstride"]["status"] == "pass"


def test_a_limp_is_flagged_and_an_even_walk_is_not():
    # 12 s at 100 steps/min: about ten steps a side
    limp = gait_of(n_frames=360, cadence_spm=100, speed_px_s=80.0, limp=0.25)
    assert limp["step_time_asymmetry_pct"] == pytest.approx(25, abs=4)
    assert limp["step_time_s"]["left"] > limp["step_time_s"]["right"]
    assert limp["status"] == "flag" and "differ in timing" in limp["feedback"]
    even = gait_of(n_frames=360, cadence_spm=100, speed_px_s=80.0)
    assert even["step_time_asymmetry_pct"] < 5 and even["status"] == "pass"
    assert "even on both sides" in even["feedback"]


def test_step_times_that_scatter_are_not_called_uneven():
    from gaitcheck.gait import uneven_steps

    cfg = Config().gait
    rng = np.random.default_rng(5)
    flagged = medians_apart = 0
    for _ in range(400):  # the same walker on both sides, contacts off by up to 4 frames at 30 fps
        left = list(0.55 + rng.integers(-4, 5, 5) / 30)
        right = list(0.55 + rng.integers(-4, 5, 5) / 30)
        uneven, why = uneven_steps(left, right, cfg)
        flagged += uneven
        ml, mr = np.median(left), np.median(right)
        apart = abs(ml - mr) / ((ml + mr) / 2) * 100 > cfg.asymmetry_max_pct
        medians_apart += apart
        assert why is None or (apart and not uneven)
    assert flagged / 400 < 0.08  # chance: about the test level (5%)
    assert medians_apart / 400 > 0.4  # what comparing the medians alone would have flagged
    steady = [0.50, 0.53, 0.50, 0.50, 0.47]
    assert uneven_steps(steady, [s + 0.1 for s in steady], cfg) == (True, None)  # 18% apart, each side steady
    assert uneven_steps(steady, [s + 0.03 for s in steady], cfg) == (False, None)  # 6%: within the limit


def test_variable_frame_rate_and_half_rate_keep_cadence():
    rng = np.random.default_rng(3)
    t_vfr = np.sort(rng.choice(np.arange(360) / 60.0, size=200, replace=False))
    vfr = gaitcheck.score(make_extraction(make_walker(t=t_vfr, speed_px_s=150.0))).to_dict()["gait"]
    half = gait_of(n_frames=90, fps=15.0, speed_px_s=150.0)
    full = gait_of(n_frames=180, fps=30.0, speed_px_s=150.0)
    for g in (vfr, half):
        assert g["cadence_spm"] == pytest.approx(full["cadence_spm"], rel=0.03)
        assert g["foot_strike"] == full["foot_strike"]


def test_too_few_steps_is_unknown_with_reason():
    g = gait_of(n_frames=25)  # under a second: at most one contact
    assert g["status"] == "unknown" and g["reason"]
    assert g["cadence_spm"] is None and g["events"] == []


def test_front_view_gives_cadence_from_oscillation_only():
    g = gait_of(n_frames=240, view="front", cadence_spm=110, speed_px_s=0.0)
    assert g["method"] == "oscillation" and g["status"] == "unknown"
    assert g["cadence_spm"] == pytest.approx(110, rel=0.05)
    assert g["step_length_rel_leg"] is None and "side view" in g["reason"]


def test_gait_events_appear_in_frames():
    r = gaitcheck.score(make_extraction(make_walker(n_frames=120))).to_dict()
    marked = [f["frame"] for f in r["frames"] if f["gait_event"]]
    assert marked == sorted({e["frame"] for e in r["gait"]["events"]})


def test_the_foot_lag_moves_every_event_earlier():
    lag = Config().gait.foot_lag_s
    plain, moved = gait_of(n_frames=180), gait_of(n_frames=180, config=Config())
    a = [(e["t_s"], e["type"], e["foot"]) for e in plain["events"]]
    b = [(e["t_s"], e["type"], e["foot"]) for e in moved["events"]]
    assert len(a) == len(b) >= 8
    for (ta, ka, fa), (tb, kb, fb) in zip(a, b, strict=True):
        assert (ka, fa) == (kb, fb)
        assert ta - tb == pytest.approx(lag, abs=1 / 30)  # each time rounded to its nearest frame


def _landing_foot_inside(img, frame, foot, w, margin, hips=False):
    """The landing foot (and, with ``hips``, the pelvis, the events' reference) ``margin`` inside."""
    idx = [L.LEFT_HEEL, L.LEFT_ANKLE, L.LEFT_FOOT_INDEX] if foot == "left" else [
        L.RIGHT_HEEL, L.RIGHT_ANKLE, L.RIGHT_FOOT_INDEX]
    x = img[frame, idx + ([L.LEFT_HIP, L.RIGHT_HIP] if hips else []), 0]
    return bool(np.all((x > margin) & (x < w - margin)))


@pytest.mark.parametrize("direction", [1, -1])
def test_steps_count_to_the_edge_of_the_frame(direction):
    # a walker crossing the whole picture, entering and leaving it: every step whose landing foot
    # (and pelvis) is well inside counts, also while the other foot is still (or already) outside
    w, fps, n = 1280, 30.0, 240
    walker = make_walker(n_frames=n, fps=fps, direction=direction, speed_px_s=260.0, cadence_spm=110.0,
                         start_x=-20.0 if direction > 0 else w + 20.0)
    img = walker[0]  # like the pose model, it places the parts outside the picture too, visibility 0.99
    visible = (img[:, :, 0] >= 0) & (img[:, :, 0] <= w)
    g = gaitcheck.score(make_extraction(walker), NO_LAG).to_dict()["gait"]
    got = [(e["frame"], e["foot"]) for e in g["events"] if e["type"] == "initial_contact"]
    truth = [(round(tt * fps), ft) for tt, ft in contact_times(n / fps, 110.0)]
    inside = [(f, ft) for f, ft in truth if _landing_foot_inside(img, f, ft, w, 40, hips=True)]
    outside = [(f, ft) for f, ft in truth if not _landing_foot_inside(img, f, ft, w, 0)]
    assert len(inside) >= 6 and outside  # the walk runs off both edges
    for f, ft in inside:
        assert any(abs(f - fg) <= 1 and ft == fgt for fg, fgt in got), (f, ft, got)
    for fg, fgt in got:  # and no contact is placed where the landing foot was out of the picture
        assert _landing_foot_inside(img, fg, fgt, w, 0), (fg, fgt)
    # the first and last steps: while the trailing foot (entering) or the leading one (leaving) is out
    first, last = inside[0][0], inside[-1][0]
    assert not visible[first, [L.LEFT_HEEL, L.RIGHT_HEEL]].all() or not visible[last, [L.LEFT_HEEL, L.RIGHT_HEEL]].all()


def _feet_ahead(rel_left: np.ndarray, rel_right: np.ndarray, hip: np.ndarray, leg_px: float = 100.0,
                ) -> tuple[np.ndarray, np.ndarray]:
    """(T, 33, 2) pixels of a pelvis at ``hip`` (x, pixels), each foot ``rel`` leg lengths ahead of it; and the times.

    The frames are 1/30 s apart.
    """
    n = len(rel_left)
    px = np.full((n, 33, 2), np.nan)
    px[:, [L.LEFT_HIP, L.RIGHT_HIP], 0] = hip[:, None]
    px[:, [L.LEFT_HIP, L.RIGHT_HIP], 1] = 300.0
    for rel, idx in ((rel_left, (L.LEFT_HEEL, L.LEFT_ANKLE, L.LEFT_FOOT_INDEX)),
                     (rel_right, (L.RIGHT_HEEL, L.RIGHT_ANKLE, L.RIGHT_FOOT_INDEX))):
        for i, dx in zip(idx, (-0.1, 0.0, 0.2), strict=True):
            px[:, i, 0] = hip + (rel + dx) * leg_px
            px[:, i, 1] = 300.0 + leg_px
    return px, np.arange(n) / 30.0


@pytest.mark.parametrize("case", ["squeezed in mid-swing", "lands at the edge", "lands as the walker stops"])
def test_a_peak_whose_fall_runs_out_of_view_is_a_landing_only_where_a_foot_lands(case):
    # The left foot's last peak is followed by two frames in view, then it is out of the picture.
    # - A foot swinging out of the picture: the pose model squeezes it into the picture on its last frames
    #   in view, so that it keeps pace with the pelvis for a frame or two, in mid-swing behind it (a portrait
    #   crop of lab_woman had such a step), and its fall seems to begin: no landing.
    # - A foot that lands at the edge, where this walker's feet land (0.35 leg lengths ahead): a landing.
    # - The last step of a walker who stops (lab_woman's last): it lands under the pelvis and rests there.
    from gaitcheck.events import detect_initial_contacts

    n = 150  # a step every 24 frames (75 steps/min): each foot lands every 48 frames, 0.35 leg lengths ahead
    i = np.arange(n)
    left, right = 0.35 * np.sin(2 * np.pi * i / 48), 0.35 * np.sin(2 * np.pi * (i - 24) / 48)
    hip = 200.0 + 4.0 * i  # 4 px a frame, 0.04 leg lengths
    landings = {"left": [12, 60, 108], "right": [36, 84, 132]}
    # the left foot's last swing rises from 84 to 108, its peak over 9 frames (min_step_s) after the right
    # foot's landing at 84
    if case == "squeezed in mid-swing":
        p = 95  # 0.06 leg lengths behind the pelvis
        left[p - 1 : p + 3] = left[p] + np.array([-0.005, 0.0, -0.01, -0.03])  # the foot moves on with the pelvis
    elif case == "lands at the edge":
        p = 106
        left[p - 1 : p + 3] = left[p] + np.array([-0.005, 0.0, -0.005, -0.01])
    else:
        p = 98  # 0.1 leg lengths ahead of the pelvis, short of where this walker's feet land
        hip[p:] = hip[p] + np.minimum(np.arange(n - p), 3) * 1.0  # the pelvis comes to a stop
        at = hip[p] + left[p] * 100.0
        left[p + 1 :] = (at - hip[p + 1 :]) / 100.0  # the foot stays where it landed
    seen = np.ones((2, n), bool)
    seen[0, p + 3 :] = False
    px, t = _feet_ahead(left, right, hip)
    got = detect_initial_contacts(px, np.ones(n), t, np.ones(n, bool), NO_LAG.gait, feet=seen)
    assert [(f, foot) for f, foot in got if f < 90] == sorted((f, k) for k in landings for f in landings[k] if f < 90)
    assert (132, "right") in got
    assert any(foot == "left" and abs(f - p) <= 1 for f, foot in got) is (case != "squeezed in mid-swing"), (p, got)


def test_a_step_to_gait_counts_both_feet():
    # one foot is brought up only beside the other: it never gets ahead of the pelvis, and its
    # contacts are the peaks of its own position
    fps, n = 30.0, 240
    img, world, t = make_walker(n_frames=n, fps=fps, cadence_spm=100.0, speed_px_s=150.0)
    back = 0.4 * 260.0  # leg lengths of the synthetic walker, in pixels
    for i in (L.RIGHT_HEEL, L.RIGHT_ANKLE, L.RIGHT_FOOT_INDEX, L.RIGHT_KNEE):
        img[:, i, 0] -= back
    g = gaitcheck.score(make_extraction((img, world, t)), NO_LAG).to_dict()["gait"]
    feet = [e["foot"] for e in g["events"] if e["type"] == "initial_contact"]
    assert feet.count("right") >= 3 and abs(feet.count("left") - feet.count("right")) <= 1
    assert g["cadence_spm"] == pytest.approx(100.0, rel=0.03)


# ---- the step time fit: one mistimed end contact does not move it, a limp's uneven steps are kept --------

def _ols_step(times: list[float]) -> float:
    return float(np.polyfit(np.arange(len(times)), times, 1)[0])


@pytest.mark.parametrize("where", ["first", "last"])
def test_a_contact_found_a_third_of_a_step_off_at_either_end_leaves_the_step_time(where):
    from gaitcheck.gait import step_time_fit_s

    times = list(0.6 * np.arange(6))
    k, shift = (0, -0.2) if where == "first" else (5, 0.2)  # a foot hidden behind furniture: found 6 frames off
    times[k] += shift
    assert abs(_ols_step(times) - 0.6) > 0.02  # a least-squares line moves by over 3% of the cadence
    assert step_time_fit_s([times]) == pytest.approx(0.6, abs=1e-9)  # the end contact is left out


def test_the_step_time_keeps_every_contact_of_ordinary_timing_noise_and_of_a_limp():
    from gaitcheck.gait import step_time_fit_s

    rng = np.random.default_rng(3)
    noisy = list(0.55 * np.arange(8) + rng.uniform(-2, 2, 8) / 30)  # +-2 frames at 30 fps
    assert step_time_fit_s([noisy]) == pytest.approx(_ols_step(noisy), abs=1e-12)
    limp = list(np.cumsum([0.0, 0.7, 0.3, 0.7, 0.3, 0.7, 0.3]))  # step-to: long and short steps alternate
    assert step_time_fit_s([limp]) == pytest.approx(_ols_step(limp), abs=1e-12)
    assert step_time_fit_s([limp]) == pytest.approx(0.5, abs=0.03)


def test_steps_faster_than_walking_are_unknown():
    # 180 steps/min (steps of 0.33 s, above gait.min_step_s): found, but a run or a sped-up clip, not a walk
    g = gait_of(n_frames=180, cadence_spm=180.0, speed_px_s=300.0)
    assert g["status"] == "unknown" and g["cadence_spm"] is None and g["steps"] >= 8
    assert "faster than walking (180 steps/min" in g["reason"]
    assert gait_of(n_frames=180, cadence_spm=160.0, speed_px_s=300.0)["status"] == "pass"


def test_long_steps_at_a_slow_cadence_are_a_slow_motion_clip_and_unknown():
    # A slow-motion export halves the cadence a clip shows and keeps the steps' length: its walk ratio (step
    # length over cadence) doubles. Someone really walking this slowly takes short steps, and is measured.
    limit = Config().gait.max_walk_ratio
    slowed = gait_of(n_frames=300, cadence_spm=55.0, speed_px_s=80.0, stride_amp_rel=0.35)
    assert slowed["status"] == "unknown" and slowed["cadence_spm"] is None and slowed["steps"] >= 4
    assert "slow motion" in slowed["reason"] and "55 steps/min" in slowed["reason"]
    step = 2 * 0.35 / np.hypot(0.35, 0.95)  # the synthetic walker's step in leg lengths (as measured above)
    assert step / 55.0 > limit > step / 100.0
    # long steps above gait.slow_cadence_spm are left alone (a tall walker reaching forward): 0.0124 here
    reaching = gait_of(n_frames=300, cadence_spm=100.0, speed_px_s=150.0, stride_amp_rel=0.75)
    assert reaching["status"] == "flag" and reaching["step_length_rel_leg"] / 100.0 > limit
    slow_walk = gait_of(n_frames=300, cadence_spm=55.0, speed_px_s=50.0, stride_amp_rel=0.2)
    assert slow_walk["status"] == "pass" and slow_walk["cadence_spm"] == pytest.approx(55.0, rel=0.03)
    assert slow_walk["step_length_rel_leg"] / 55.0 < limit
    brisk = gait_of(n_frames=300, cadence_spm=100.0, speed_px_s=150.0, stride_amp_rel=0.35)
    assert brisk["status"] == "pass" and brisk["cadence_spm"] == pytest.approx(100.0, rel=0.03)


def test_steps_closer_than_any_contact_may_be_are_seen_in_the_feet_rhythm():
    # 240 steps/min (0.25 s, under gait.min_step_s): the detector keeps one contact of each close pair, so
    # the contacts come every ~0.5 s; the feet pass each other every 0.25 s
    g = gait_of(n_frames=180, cadence_spm=240.0, speed_px_s=400.0)
    assert g["status"] == "unknown" and g["cadence_spm"] is None
    assert "the feet pass each other every 0.25 s" in g["reason"]


def test_the_feet_rhythm_of_a_limp_repeats_once_per_stride_and_agrees():
    from gaitcheck.gait import rhythm_disagrees

    assert rhythm_disagrees(0.62, 1.27) is None  # the limp clip: one repeat per stride
    assert rhythm_disagrees(0.6, 0.58) is None and rhythm_disagrees(0.6, None) is None
    assert rhythm_disagrees(0.98, 1.55) is not None  # contacts found between steps (a clip slowed 3x)
    assert rhythm_disagrees(0.59, 0.26) is not None  # every other step (sped up 2x)
    for limp in (0.2, 0.5):  # synthetic uneven walkers stay judged
        assert gait_of(n_frames=240, limp=limp, speed_px_s=150.0)["status"] != "unknown"


def test_too_few_steps_say_what_was_seen():
    # about three steps in view: unknown, and the evidence and the summary give the steps seen, not "0 steps"
    from gaitcheck.cli._summary import format_summary

    r = gaitcheck.score(make_extraction(make_walker(n_frames=48, cadence_spm=110.0)), NO_LAG)
    g = r.gait
    assert g.status == "unknown" and g.reason is not None and g.reason.startswith(f"too few steps: {g.steps} seen")
    assert g.steps is not None and 1 <= g.steps < NO_LAG.gait.min_steps and not g.events
    assert g.evidence is not None and (g.evidence.steps, g.evidence.passes) == (g.steps, 1)
    text = format_summary(r)
    assert f"{g.steps} steps seen, not judged" in text and f"{g.steps} steps, 1 pass)" in text
