"""The pose model's left-right leg swaps, found and undone before the gait is measured (synthetic walkers)."""

from __future__ import annotations

import numpy as np
import pytest
from _synth import make_extraction, make_walker

import gaitcheck
from gaitcheck.clean import LEG_PAIRS, leg_swaps

LEFT = [a for a, _ in LEG_PAIRS]
RIGHT = [b for _, b in LEG_PAIRS]


def _swapped(walker, frames):
    img, world, t = walker
    img, world = img.copy(), world.copy()
    for arr in (img, world):
        arr[np.ix_(frames, LEFT + RIGHT)] = arr[np.ix_(frames, RIGHT + LEFT)]
    return img, world, t


def _contacts(walker) -> list[tuple[int, str]]:
    g = gaitcheck.score(make_extraction(walker)).to_dict()["gait"]
    return [(e["frame"], e["foot"]) for e in g["events"] if e["type"] == "initial_contact"]


@pytest.mark.parametrize("kw", [{}, {"direction": -1}, {"cadence_spm": 130.0}, {"fps": 60.0, "n_frames": 300},
                                {"limp": 0.3}, {"strike_deg": 15.0}, {"speed_px_s": 0.0}])
def test_a_walker_whose_labels_are_right_is_left_alone(kw):
    img, _, t = make_walker(**kw)
    assert not leg_swaps(img[:, :, :2].astype(np.float64), t).any()


@pytest.mark.parametrize("direction", [1, -1])
def test_legs_swapped_for_a_few_frames_at_a_contact_are_put_back(direction):
    walker = make_walker(direction=direction)
    truth = _contacts(walker)
    frame = truth[2][0]
    frames = list(range(frame - 1, frame + 3))  # as the model does: the labels flip as a foot lands, for 4 frames
    bad = _swapped(walker, frames)
    found = leg_swaps(bad[0][:, :, :2].astype(np.float64), bad[2])
    assert np.flatnonzero(found).tolist() == frames
    assert _contacts(bad) == truth


def test_the_report_says_how_many_frames_were_relabelled_and_from_when():
    walker = make_walker()
    frame = _contacts(walker)[2][0]
    frames = list(range(frame - 1, frame + 3))
    said = [w for w in gaitcheck.score(make_extraction(_swapped(walker, frames))).warnings if "mixed up" in w]
    t0 = walker[2][frames[0]]
    assert said == [f"The pose model mixed up the left and right leg in 4 frame(s) (first at {t0:.1f} s); their "
                    "labels were swapped back before anything was measured."]
    assert not any("mixed up" in w for w in gaitcheck.score(make_extraction(walker)).warnings)


def test_below_twenty_frames_a_second_nothing_is_relabelled():
    # at 15 fps a swinging foot moves further between frames than the feet are apart: motion cannot tell
    walker = make_walker(fps=15.0, n_frames=75)
    bad = _swapped(walker, [20, 21])
    assert not leg_swaps(bad[0][:, :, :2].astype(np.float64), bad[2]).any()


def test_the_world_landmarks_and_visibility_are_put_back_with_the_pixels():
    from gaitcheck.clean import unswap_legs
    from gaitcheck.pose.tracking import track_series

    ex = make_extraction(make_walker())

    clean = track_series(list(ex.tracks), ex.t, (ex.info.width, ex.info.height), "synthetic")
    frames = [40, 41, 42]
    vis = clean.visibility.copy()
    vis[:, LEFT] = 0.9  # the left leg's scores told apart from the right's (0.99)
    clean = clean.replace(visibility=vis)
    arrays = {name: getattr(clean, name).copy() for name in ("xyz", "world", "visibility")}
    for arr in arrays.values():
        arr[np.ix_(frames, LEFT + RIGHT)] = arr[np.ix_(frames, RIGHT + LEFT)]
    back, swapped = unswap_legs(clean.replace(**arrays))
    assert np.flatnonzero(swapped).tolist() == frames
    np.testing.assert_array_equal(back.xyz, clean.xyz)
    np.testing.assert_array_equal(back.world, clean.world)
    assert (back.visibility[:, LEFT] == np.float32(0.9)).all() and (back.visibility[:, RIGHT] > 0.95).all()
    assert unswap_legs(clean)[0] is clean  # nothing swapped: the same series


def test_a_swap_in_the_last_frames_of_a_run_is_found():
    walker = make_walker(n_frames=90)
    bad = _swapped(walker, [87, 88, 89])
    assert np.flatnonzero(leg_swaps(bad[0][:, :, :2].astype(np.float64), bad[2])).tolist() == [87, 88, 89]


def test_below_twenty_frames_a_second_a_swap_left_in_place_is_said():
    # at 15 fps the swap stays (see above): the gait notes say the per-side numbers assume alternating feet
    walker = make_walker(fps=15.0, n_frames=75, cadence_spm=100.0)
    note = "The model mixed up left and right feet; per-side numbers assume the feet alternate."
    clean = gaitcheck.score(make_extraction(walker)).to_dict()["gait"]
    frame = _contacts(walker)[2][0]
    mixed = gaitcheck.score(make_extraction(_swapped(walker, list(range(frame - 1, frame + 4))))).to_dict()["gait"]
    assert note not in clean["notes"] and note in mixed["notes"]


def test_a_swap_inside_a_run_of_three_frames_is_found():
    img, _, t = _swapped(make_walker(n_frames=30), [11])
    px = img[:, :, :2].astype(np.float64)
    px[:10] = np.nan  # the walker seen on frames 10-12 only
    px[13:] = np.nan
    assert np.flatnonzero(leg_swaps(px, t)).tolist() == [11]
