"""Step lengths by side: a step-to gait keeps an even rhythm but not even steps (synthetic known answers)."""

from __future__ import annotations

import pytest
from _synth import make_extraction, make_walker

import gaitcheck
from gaitcheck.config import GaitConfig
from gaitcheck.gait import uneven_steps
from gaitcheck.landmarks import Landmark as L

LEFT_FOOT = [L.LEFT_ANKLE, L.LEFT_HEEL, L.LEFT_FOOT_INDEX]


def _gait(shift_amps: float = 0.0, direction: int = 1) -> dict:
    """A flat-footed walker whose left foot is always ``shift_amps`` swing amplitudes further ahead.

    Each foot swings +-amp about the hips, so at a contact the feet are 2 amp apart; with the left
    foot shifted by c, steps onto the left foot are 2 amp + c long and steps onto the right 2 amp - c.
    """
    img, world, t = make_walker(n_frames=300, direction=direction, cadence_spm=100, speed_px_s=60.0,
                                stride_amp_rel=0.3, frame_size=(1600, 720))
    amp = 0.3 * 260.0
    img = img.copy()
    img[:, LEFT_FOOT, 0] += direction * shift_amps * amp
    return gaitcheck.score(make_extraction((img, world, t), frame_size=(1600, 720))).to_dict()["gait"]


@pytest.mark.parametrize("direction", [1, -1])
def test_even_steps_are_even_on_both_sides(direction):
    g = _gait(0.0, direction)
    assert g["status"] == "pass" and g["steps"] >= 8
    assert g["step_length_asymmetry_pct"] < 3.0
    assert "shorter" not in g["feedback"]


@pytest.mark.parametrize("direction", [1, -1])
def test_a_step_to_gait_is_flagged_and_names_the_shorter_side(direction):
    # left foot half a step further ahead: left steps 1.5 x, right 0.5 x the even step; 100% apart
    even, g = _gait(0.0, direction), _gait(1.0, direction)
    left, right = g["step_length_by_side_rel_leg"]["left"], g["step_length_by_side_rel_leg"]["right"]
    assert even["step_length_by_side_rel_leg"]["left"] == pytest.approx(even["step_length_by_side_rel_leg"]["right"],
                                                                        rel=0.03)
    assert right / left == pytest.approx(1 / 3, abs=0.04)
    assert g["step_length_asymmetry_pct"] == pytest.approx(100.0, abs=8.0)
    assert g["status"] == "flag"
    assert "steps onto the right foot are shorter than those onto the left (about 3" in g["feedback"]
    assert g["step_time_asymmetry_pct"] < 5.0  # the rhythm stays even: only the lengths tell


@pytest.mark.parametrize(("short", "flagged"), [(0.41, False), (0.39, True)])
def test_the_step_length_limit_either_side(short, flagged):
    # medians 0.6 and 0.41 leg lengths are 37.6% of their mean apart (under the 40% limit); 0.39: 42.4%
    cfg = GaitConfig()
    left, right = [0.6, 0.61, 0.59, 0.6], [short - 0.005, short, short, short + 0.005]
    got, why = uneven_steps(left, right, cfg, max_pct=cfg.step_length_asymmetry_max_pct, what="step lengths")
    assert got == flagged and why is None


def test_scattered_step_lengths_are_not_judged():
    cfg = GaitConfig()
    got, why = uneven_steps([0.6, 0.1, 0.7, 0.2], [0.3, 0.65, 0.15, 0.2], cfg, max_pct=40.0, what="step lengths")
    assert not got and why is not None and "one side takes shorter steps" in why


def test_the_page_card_and_the_cli_summary_name_the_shorter_side():
    from gaitcheck import ui
    from gaitcheck.cli._summary import _gait_numbers

    img, world, t = make_walker(n_frames=300, cadence_spm=100, speed_px_s=60.0, stride_amp_rel=0.3,
                                frame_size=(1600, 720))
    img = img.copy()
    img[:, LEFT_FOOT, 0] += 0.3 * 260.0
    report = gaitcheck.score(make_extraction((img, world, t), frame_size=(1600, 720)))
    card = next(c for c in ui.cards(report.to_dict()) if c.check == "gait")
    assert card.status == "flag" and card.headline.startswith("Your steps onto the right foot are shorter")
    assert "shorter than those onto the left (about" in report.gait.feedback
    sides = report.gait.step_length_by_side_rel_leg
    assert f"step length L {sides['left']:.2f} / R {sides['right']:.2f} leg lengths" in _gait_numbers(report.gait)


def test_the_card_claims_uneven_timing_only_when_the_gait_check_judged_it():
    # the limp clip: step times 13% apart but too scattered to judge; the card must not claim it
    from gaitcheck import ui

    img, world, t = make_walker(n_frames=300, cadence_spm=100, speed_px_s=60.0, stride_amp_rel=0.3,
                                frame_size=(1600, 720))
    img = img.copy()
    img[:, LEFT_FOOT, 0] += 0.3 * 260.0
    d = gaitcheck.score(make_extraction((img, world, t), frame_size=(1600, 720))).to_dict()
    d["gait"]["step_time_asymmetry_pct"] = 13.0
    for judged in (False, True):
        d["gait"]["uneven_step_times"] = judged
        card = next(c for c in ui.cards(d) if c.check == "gait")
        assert ("differ in timing by about 13%" in card.headline) is judged
        assert "; your steps onto the right foot" in card.headline or not judged
