"""A video whose rotation was lost: the walker lies on their side in the picture (synthetic walkers).

A converter or messenger that drops a phone clip's display rotation leaves the pixels stored turned:
every angle measured on them is 90° (or 180°) out. gaitcheck never measures a walker lying across
the picture; the pose stage turns such a video upright (tests/test_real_clips.py shows it on a real
clip), and where that is not done the checks are unknown, saying which way to turn it.
"""

from __future__ import annotations

import numpy as np
import pytest
from _synth import make_extraction, make_walker

import gaitcheck
from gaitcheck import angles
from gaitcheck.landmarks import Landmark as L
from gaitcheck.ui.precheck import Glimpse, judge
from gaitcheck.video import VideoInfo

W, H = 1280, 720


def _turn_points(px: np.ndarray, size: tuple[int, int], k: int) -> tuple[np.ndarray, tuple[int, int]]:
    """Points of a (w, h) picture where the picture is turned as ``np.rot90(image, k)`` turns it
    (k > 0 anticlockwise), and the turned picture's size."""
    out = px.copy()
    w, h = size
    for _ in range(k % 4):  # one anticlockwise quarter turn: column x becomes row w-1-x, row y column y
        x, y = out[..., 0].copy(), out[..., 1].copy()
        out[..., 0], out[..., 1] = y, (w - 1) - x
        w, h = h, w
    return out, (w, h)


def test_the_point_turn_is_the_picture_turn():
    # pins _turn_points to numpy's own rotation of an image, which the decoder uses
    image = np.zeros((H // 40, W // 40), np.uint8)
    image[3, 5] = 1
    for k in range(4):
        turned = np.rot90(image, k)
        (x, y), _ = _turn_points(np.array([[5.0, 3.0]]), (image.shape[1], image.shape[0]), k)[0][0], None
        assert turned[int(y), int(x)] == 1


def _turned_walker(k: int, **kw) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], tuple[int, int]]:
    img, world, t = make_walker(frame_size=(W, H), **kw)
    px, size = _turn_points(img[:, :, :2].astype(np.float64), (W, H), k)
    out = img.copy()
    out[:, :, :2] = px
    return (out, world, t), size


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("direction", [1, -1])
def test_the_turn_found_puts_the_walker_upright_again(k, direction):
    (img, _, _), size = _turned_walker(k, direction=direction)
    px = img[:, :, :2].astype(np.float64)
    assert not angles.upright(px).any()
    turn = angles.upright_turn_deg(px)
    # the decoder turns a frame by info.rotation_deg clockwise: np.rot90(image, -turn // 90)
    assert turn == 90 * k
    info = VideoInfo("x.mp4", *size, 0, 30.0, 0, 0.0, "h264", "mp4", False).turned(turn)
    back, back_size = _turn_points(px, size, -turn // 90)
    assert back_size == (info.width, info.height) == (W, H)
    up, _ = angles.body_up_deg(back)
    assert angles.upright(back).all() and np.nanmax(np.abs(up)) < 20


@pytest.mark.parametrize("k, words", [(1, "the walker's head points to the left of the picture"),
                                      (3, "the walker's head points to the right of the picture"),
                                      (2, "the video is upside down")])
def test_a_walker_lying_across_the_picture_is_never_measured(k, words):
    person, size = _turned_walker(k, head_pitch_deg=25, trunk_lean_deg=15)
    d = gaitcheck.score(make_extraction(person, frame_size=size)).to_dict()
    checks = (d["checks"]["look_ahead"], d["checks"]["slouch"], d["gait"])
    assert [c["status"] for c in checks] == ["unknown"] * 3
    for c in checks:
        assert words in c["reason"], c["reason"]
        assert "turn it" in c["reason"] and "analyse it again" in c["reason"]
    assert not any(f["head_pitch_deg"] is not None or f["trunk_lean_deg"] is not None for f in d["frames"])
    # upright, the same walker is flagged on both posture checks
    up = gaitcheck.score(make_extraction(make_walker(frame_size=(W, H), head_pitch_deg=25, trunk_lean_deg=15)))
    assert (up.look_ahead.status, up.slouch.status) == ("flag", "flag")


def test_the_reason_names_the_turn_that_mends_it():
    (img, _, _), _ = _turned_walker(3)  # turned clockwise: the head points to the picture's right
    d = gaitcheck.score(make_extraction(_turned_walker(3)[0], frame_size=(H, W))).to_dict()
    assert "turn it a quarter turn anticlockwise" in d["checks"]["look_ahead"]["reason"]
    assert angles.upright_turn_deg(img[:, :, :2].astype(np.float64)) == 270  # = a quarter turn anticlockwise


@pytest.mark.parametrize("lean", [40.0, 55.0])
@pytest.mark.parametrize("legs", [True, False])
def test_a_deeply_stooped_walker_is_upright(lean, legs):
    # the legs' axis stays near vertical however far the trunk bends; with the legs out of the
    # picture the trunk's axis is used, which a stoop bends up to its own, wider limit
    img, world, t = make_walker(trunk_lean_deg=lean)
    px = img[:, :, :2].astype(np.float64)
    if not legs:
        px[:, [L.LEFT_ANKLE, L.RIGHT_ANKLE]] = np.nan
    assert angles.upright(px).all()
    assert angles.upright_turn_deg(px) == 0
    if legs:
        assert gaitcheck.score(make_extraction((img, world, t))).slouch.status == "flag"


def test_a_few_odd_frames_do_not_turn_a_walker():
    img, _, _ = make_walker(n_frames=150)
    px = img[:, :, :2].astype(np.float64)
    lying, _ = _turn_points(px, (W, H), 1)
    px[40:45] = lying[40:45]  # five frames of nonsense landmarks lying across the picture
    assert angles.upright(px).all()
    assert angles.upright_turn_deg(px) == 0


def test_the_precheck_says_the_video_is_on_its_side_and_not_that_the_walker_is_small():
    lying = Glimpse(1.0, True, 0.15, True, "side", turned=True)
    warnings = judge(720, 1280, 30.0, 8.0, (lying,) * 5 + (Glimpse(2.0, True, 0.6, True, "side"),))
    assert len(warnings) == 1 and warnings[0].startswith("The video looks turned on its side")
    upright = Glimpse(1.0, True, 0.15, True, "side")
    assert judge(720, 1280, 30.0, 8.0, (upright,) * 5)[0].startswith("The walker looks small")


def test_an_upside_down_walker_whose_axis_straddles_the_picture_s_down_is_called_upside_down():
    # the legs' axis alternating at +177° and -177°: a median of the angles would be 0° ("on its side")
    from types import SimpleNamespace

    from gaitcheck.score import turned_words

    px = np.zeros((20, 33, 2))
    px[:, [L.LEFT_HIP, L.RIGHT_HIP]] = (100, 100)
    for i in range(20):
        px[i, [L.LEFT_ANKLE, L.RIGHT_ANKLE]] = (100 + (5 if i % 2 else -5), 0)  # the feet above the hips
    assert angles.upright_turn_deg(px) == 180
    words = turned_words(SimpleNamespace(px=px, upright=angles.upright(px, 1), t=np.arange(20) / 10))
    assert words is not None and words.startswith("the video is upside down"), words


@pytest.mark.parametrize(("asked", "hint"), [("auto", ""), ("0", " (--turn 0 kept it as it was: try --turn auto)"),
                                             ("90", " (it was turned a quarter turn clockwise first, as asked with "
                                                    "--turn 90: try --turn auto)")])
def test_a_walker_still_lying_after_an_asked_for_turn_is_told_to_let_gaitcheck_turn_it(asked, hint):
    from types import SimpleNamespace

    from gaitcheck.score import turned_words

    px = np.zeros((20, 33, 2))
    px[:, [L.LEFT_HIP, L.RIGHT_HIP]] = (100, 100)
    px[:, [L.LEFT_ANKLE, L.RIGHT_ANKLE]] = (0, 100)  # the feet to the left: the head to the right
    words = turned_words(SimpleNamespace(px=px, upright=angles.upright(px, 1), t=np.arange(20) / 10), asked)
    assert words is not None and words.startswith("the video is on its side") and words.endswith("again" + hint)
