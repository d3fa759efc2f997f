"""A track split where the person followed changes (synthetic tracks with known clothing colours)."""

from __future__ import annotations

import numpy as np
import pytest
from _synth import make_walker

import gaitcheck
from gaitcheck.pose import Extraction, ModelInfo, Track
from gaitcheck.pose.appearance import colour_distance
from gaitcheck.pose.switches import (
    SWITCH_COLOUR,
    SWITCH_WINDOW_S,
    detour_looks,
    one_person_each,
    split_switches,
    switch_at,
)
from gaitcheck.video import VideoInfo

FPS = 30.0
WHITE = np.array([[80.0, 0.0, 5.0], [60.0, 0.0, 3.0], [35.0, 10.0, 12.0]])  # a white T-shirt, grey shorts, legs
RED = np.array([[45.0, 40.0, 24.0], [42.0, 38.0, 20.0], [28.0, 35.0, 25.0]])  # the same tinted red


def followed(colours: np.ndarray, track_id: int = 1, img: np.ndarray | None = None, stride: int = 1) -> Track:
    """A track followed on every frame (``stride`` 1) with the given (n, 3, 3) colours per frame."""
    n = len(colours)
    t = np.arange(n) / FPS
    walker, world, _ = make_walker(t=t)
    img = walker if img is None else img
    idx = range(0, n, stride)
    return Track(track_id, list(idx), [float(t[i]) for i in idx], [img[i].astype(np.float32) for i in idx],
                 [world[i].astype(np.float32) for i in idx], stride=stride,
                 colours=[colours[i].astype(np.float32) for i in idx])


def clothes(*parts: tuple[np.ndarray, float], noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """Per-frame colours: each ``(colour, seconds)`` in turn, with per-look noise (L*a*b* units)."""
    cols = np.concatenate([np.repeat(c[None], round(s * FPS), axis=0) for c, s in parts])
    return cols + np.random.default_rng(seed).normal(0.0, noise, cols.shape)


def test_the_two_colours_are_far_apart_and_noise_of_one_look_is_not() -> None:
    # what the tests below rest on: white to red is 0.4 (a real switch measured 0.35), and a look's noise
    # of 8 L*a*b* units moves it by about 0.16 from the next, as the real per-look colours scatter
    assert colour_distance(WHITE, RED) == pytest.approx(0.4, abs=0.01)
    noisy = clothes((WHITE, 3.0), noise=8.0)
    steps = [colour_distance(noisy[i], noisy[i + 1]) for i in range(len(noisy) - 1)]
    assert 0.12 < float(np.median(steps)) < 0.2


def test_a_track_followed_onto_someone_in_other_clothes_is_split_where_the_clothes_change() -> None:
    tr = followed(clothes((WHITE, 1.5), (RED, 1.5), noise=8.0))
    hit = switch_at(tr)
    assert hit is not None and abs(hit[0] - 45) <= 1 and hit[1] > SWITCH_COLOUR
    other = followed(clothes((WHITE, 3.0)), track_id=4)
    tracks, switches = split_switches([tr, other])
    assert [(s.track_id, s.new_id) for s in switches] == [(1, 5)]  # a new id above every other
    assert switches[0].t_s == pytest.approx(1.5, abs=1.5 / FPS)
    first, second, rest = tracks
    assert (first.track_id, second.track_id, rest) == (1, 5, other)  # in the order given, the split one in place
    assert first.frames + second.frames == tr.frames and first.frames[-1] + 1 == second.frames[0]
    assert len(first.colours) == len(first.frames) and len(second.image) == len(second.frames)
    assert (first.stride, first.step) == (tr.stride, tr.step)


def test_two_changes_give_three_people() -> None:
    green = np.array([[50.0, -40.0, 30.0]] * 3)
    tracks, switches = split_switches([followed(clothes((WHITE, 1.5), (RED, 1.5), (green, 1.5), noise=8.0))])
    assert [tr.track_id for tr in tracks] == [1, 2, 3]
    assert [s.t_s for s in switches] == pytest.approx([1.5, 3.0], abs=1.5 / FPS)
    assert sorted(len(tr.frames) for tr in tracks) == pytest.approx([45, 45, 45], abs=1)


@pytest.mark.parametrize("case", ["hidden for a moment", "light changing", "noisy looks", "regions unseen"])
def test_one_persons_clothes_changing_for_a_moment_or_slowly_is_not_a_switch(case: str) -> None:
    if case == "hidden for a moment":  # 0.4 s behind someone in red crossing in front: it passes (a detour)
        cols = clothes((WHITE, 1.5), (RED, 0.4), (WHITE, 1.5))
    elif case == "light changing":  # from bright to a dim, warm light over 3 s: as far as the red, slowly
        cols = WHITE[None] + np.linspace(0.0, 1.0, 90)[:, None, None] * (RED - WHITE)[None]
    elif case == "noisy looks":
        cols = clothes((WHITE, 4.0), noise=12.0, seed=3)
    else:  # the legs unseen for a second (cut by the picture's edge): their colours are NaN, not a change
        cols = clothes((WHITE, 3.0))
        cols[30:60, 1:] = np.nan
    assert switch_at(followed(cols)) is None


def test_a_change_near_the_end_or_a_sampled_track_is_not_judged() -> None:
    # under a window of looks after it: the last moments at the picture's edge, where the colours are
    # the background's (the identity jumps there are dropped frame by frame instead)
    assert switch_at(followed(clothes((WHITE, 2.0), (RED, SWITCH_WINDOW_S * 0.6)))) is None
    assert switch_at(followed(clothes((WHITE, 2.0), (RED, 2.0)), stride=6)) is None  # the scan's few looks a second
    assert switch_at(followed(clothes((WHITE, 2.0), (RED, 2.0)))) is not None


def _extraction(tracks: list[Track], n: int) -> Extraction:
    t = np.arange(n) / FPS
    info = VideoInfo("synthetic.mp4", 1280, 720, 0, FPS, n, float(t[-1]), "none", "none", False)
    return Extraction(info, t, tuple(tracks), (), ModelInfo("synthetic.task", "0" * 64, False))


def test_the_report_judges_one_person_and_says_where_the_person_followed_changed() -> None:
    # The follower was on a patient walking bent forward, then moved onto an upright helper in red just
    # behind and stayed: 1.3 s of one, 2.7 s of the other. Each is judged on their own, never a mix.
    n, cut = 120, 39
    t = np.arange(n) / FPS
    bent = make_walker(t=t, trunk_lean_deg=25.0, start_x=300.0)[0]
    upright = make_walker(t=t, start_x=150.0)[0]
    img = np.concatenate([bent[:cut], upright[cut:]])
    cols = clothes((WHITE, cut / FPS), (RED, (n - cut) / FPS), noise=6.0)
    ext = _extraction([followed(cols, img=img)], n)
    report = gaitcheck.score(ext)
    assert report.subject.track_id == 2 and report.subject.seen_from_s == pytest.approx(cut / FPS, abs=0.05)
    assert report.slouch.status == "pass"
    assert report.slouch.medians["median_trunk_lean_deg"] == pytest.approx(0.0, abs=2.0)
    note = next(w for w in report.warnings if "person followed changed" in w)
    assert "at 1.3 s" in note and "track 1" in note and "track 2" in note
    assert "2 people were found" in " ".join(report.warnings)
    # asked for, the patient is judged on their own 1.3 s: too short for a verdict, never the helper's
    patient = gaitcheck.score(ext, track_id=1)
    assert patient.subject.seen_to_s < cut / FPS
    assert patient.slouch.status == "unknown"
    # the same track in one person's clothes throughout: one person (and their lean the mix of both)
    same = gaitcheck.score(_extraction([followed(clothes((WHITE, n / FPS), noise=6.0), img=img)], n))
    assert same.subject.track_id == 1 and not any("person followed changed" in w for w in same.warnings)


def test_the_frames_where_the_landmarks_slide_to_the_other_person_are_neither_persons() -> None:
    # the model's smoothing moves the landmarks from the one in front to the one behind over 3 frames
    # (as on the real composite: 0.1-0.16 body sizes a frame, against the walk's 0.03)
    n, cut, slide = 90, 45, 3
    t = np.arange(n) / FPS
    front = make_walker(t=t, start_x=500.0)[0]
    behind = make_walker(t=t, start_x=350.0)[0]
    share = np.clip((np.arange(n) - cut + slide + 1) / (slide + 1), 0.0, 1.0)[:, None, None]  # 0 ... 1 over the slide
    img = (1 - share) * front + share * behind
    cols = clothes((WHITE, cut / FPS), (RED, (n - cut) / FPS))
    tracks, (switch,) = split_switches([followed(cols, img=img)])
    first, second = tracks
    assert first.frames == list(range(cut - slide)) and second.frames == list(range(cut, n))
    assert switch.t_s == pytest.approx(cut / FPS)
    # a clean jump (no slide) loses no frame
    jump = np.where(np.arange(n)[:, None, None] < cut, front, behind)
    first, second = split_switches([followed(cols, img=jump)])[0]
    assert first.frames == list(range(cut)) and second.frames == list(range(cut, n))


def _crossing(n: int = 120, a: int = 50, b: int = 65, slide: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """A walker whom someone in red crossing in front hides for looks ``a..b-1``: the landmarks slide onto
    them over ``slide`` looks, stay on them (walking the other way), and slide back."""
    t = np.arange(n) / FPS
    walker = make_walker(t=t, start_x=300.0)[0]
    other = make_walker(t=t, start_x=300.0 + 2 * 250.0 * t[(a + b) // 2], direction=-1)[0]  # they meet mid-detour
    on = np.zeros(n)
    on[a - slide:a] = np.arange(1, slide + 1) / (slide + 1)
    on[a:b] = 1.0
    on[b:b + slide] = np.arange(slide, 0, -1) / (slide + 1)
    img = (1 - on[:, None, None]) * walker + on[:, None, None] * other
    cols = clothes((WHITE, a / FPS), (RED, (b - a) / FPS), (WHITE, (n - b) / FPS), noise=6.0)
    return img, cols


def test_looks_on_someone_crossing_in_front_are_left_out_with_the_hand_overs() -> None:
    img, cols = _crossing()
    tr = followed(cols, img=img)
    away = detour_looks(tr)
    assert np.flatnonzero(away).tolist() == list(range(48, 67))  # 50-64 in red, and the slides 48-49, 65-66
    (kept,), switches, (detour,) = one_person_each([tr])
    assert not switches and kept.frames == [f for f in tr.frames if not 48 <= f < 67]
    assert (detour.track_id, detour.looks) == (1, 19) and detour.start_s == pytest.approx(48 / FPS)


@pytest.mark.parametrize("case", ["legs behind a box", "through a shadow", "at the end", "a look or two"])
def test_one_persons_looks_are_kept(case: str) -> None:
    cols = clothes((WHITE, 4.0), noise=6.0)
    if case == "legs behind a box":  # the thighs and shins the box's colour for 0.5 s, the torso the walker's
        cols[50:65, 1:] = RED[1:] * 1.5
    elif case == "through a shadow":  # all of the clothes look other for 0.5 s, but the walker keeps their path
        cols[50:65] = RED
    elif case == "at the end":  # the last looks on the background as the walker leaves the picture
        cols[-10:] = RED
    else:
        cols[[30, 31, 70]] = RED
    assert not detour_looks(followed(cols)).any()


def test_the_report_leaves_out_the_detour_and_says_so() -> None:
    img, cols = _crossing()
    report = gaitcheck.score(_extraction([followed(cols, img=img)], len(cols)))
    assert not report.series.detected[48:67].any() and report.series.detected[:48].all()
    note = next(w for w in report.warnings if "hidden behind someone else" in w)
    assert "1.6-2.2 s" in note and "19 frames" in note


def _sampled(track_id: int, img: np.ndarray, world: np.ndarray, t: np.ndarray, first: int, colour: np.ndarray,
             stride: int = 6) -> Track:
    """As the scan samples a person every 0.2 s, seen from frame ``first`` on, in clothes ``colour``."""
    idx = range(0, len(t), stride)
    return Track(track_id, [first + i for i in idx], [float(t[i]) for i in idx],
                 [img[i].astype(np.float32) for i in idx], [world[i].astype(np.float32) for i in idx], stride=stride,
                 colours=[colour.astype(np.float32)] * len(idx))


def test_the_note_on_someone_else_walking_counts_their_passes_as_one_person() -> None:
    # the walker crosses for 4 s; someone in red crosses twice meanwhile, 1.5 s each, on the far side
    n = 120
    t = np.arange(n) / FPS
    img, world, _ = make_walker(t=t, start_x=100.0, speed_px_s=250.0)
    walker = _sampled(1, img, world, t, 0, WHITE)
    t2 = np.arange(45) / FPS
    passes = []
    for k, first in enumerate((0, 70)):
        other, world2, _ = make_walker(t=t2 + first / FPS, start_x=200.0 - 400.0 * first / FPS, speed_px_s=400.0,
                                       scale=0.8)
        passes.append(_sampled(2 + k, other, world2, t2 + first / FPS, first, RED))
    report = gaitcheck.score(_extraction([walker, *passes], n))
    assert report.subject.track_id == 1
    note = next(w for w in report.warnings if "walking too" in w)
    assert "tracks 2 and 3, one person's, for" in note and "track 2 for" not in note, note
