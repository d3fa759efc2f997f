"""The fast pose stage (issue #8): a sampled scan for everyone, the walker followed on every frame.

Unit tests on synthetic data (where the scan expects each person, what is painted over, the
identity gate, sampled tracks in the walker choice, the speculation and its check) and, marked
slow, on the real sports2d clip: the passes run side by side give bit for bit what they give one
after the other, and a person chosen by hand is followed on every frame too. No timings here:
``benchmarks/bench_speed.py`` measures speed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from _synth import make_extraction, make_walker

import gaitcheck
from gaitcheck.config import Config
from gaitcheck.pose import follow_track
from gaitcheck.pose import live as _live
from gaitcheck.pose import passes as _passes
from gaitcheck.pose._mediapipe import Silencer
from gaitcheck.pose.tracking import Track, assign, box_size
from gaitcheck.pose.walker import choose_walker, track_summary
from gaitcheck.video import VideoReader

try:
    from tests import _clips as clips
except ImportError:  # tests/ is not a package: pytest put it on sys.path
    import _clips as clips  # type: ignore[no-redef]

SIZE = (1280, 720)


def sampled(track_id: int, img: np.ndarray, world: np.ndarray, t: np.ndarray, stride: int, start: int = 0) -> Track:
    """A track as the scan sees it: every ``stride``-th frame from ``start``."""
    idx = range(start, len(t), stride)
    return Track(track_id, list(idx), [float(t[i]) for i in idx], [img[i] for i in idx], [world[i] for i in idx],
                 stride=stride)


# ---- where the scan expects a person -------------------------------------------------------


def test_guide_interpolation_between_looks_is_exact_for_steady_motion() -> None:
    # A box moving at constant speed and growing linearly: what the guide estimates between two
    # looks is exactly where it is.
    n, stride = 40, 6
    img = np.zeros((n, 33, 5), np.float32)
    for i in range(n):
        x0, y0, size = 100 + 7 * i, 50 + 2 * i, 200 + 3 * i
        img[i, :, 0] = np.linspace(x0, x0 + size / 2, 33)
        img[i, :, 1] = np.linspace(y0, y0 + size, 33)
    t = np.arange(n) / 30
    guide = _passes.Guide(sampled(1, img, np.zeros((n, 33, 3), np.float32), t, stride, start=6), stride)
    assert (guide.first, guide.last) == (1, 36 + 5)
    for i in range(6, 37):
        x0, y0, size = 100 + 7 * i, 50 + 2 * i, 200 + 3 * i
        box = guide.estimate(i)[:4]
        assert box == pytest.approx((x0, y0, x0 + size / 2, y0 + size), abs=1e-3)
        assert guide.estimate(i)[6] == pytest.approx(size, abs=1e-3)  # the body size: the larger side
        assert guide.gap(i) == min(i % stride, stride - i % stride)
    # before the first look and after the last one the estimate is held
    assert guide.estimate(1) == guide.estimate(6)
    assert guide.estimate(41) == guide.estimate(36)
    assert not guide.covers(0) and not guide.covers(42)


def test_target_paints_over_only_the_others_in_view_and_trusts_looks_more_than_gaps() -> None:
    t = np.arange(60) / 30
    walker = make_walker(t=t, scale=0.8)
    other = make_walker(t=t, speed_px_s=0.0, start_x=1000, cadence_spm=0.001)
    stride = 6
    w_guide = _passes.Guide(sampled(1, walker[0], walker[1], t, stride), stride)
    late = _passes.Guide(sampled(2, other[0], other[1], t, stride, start=30), stride)  # comes at frame 30
    assert _passes.target_at(w_guide, [late], 10, SIZE).others == ()  # not there yet
    target = _passes.target_at(w_guide, [late], 40, SIZE)
    assert len(target.others) == 1
    x0, y0, x1, y1 = target.others[0]
    box = late.estimate(40)
    assert x0 <= box[0] and y0 <= box[1] and x1 >= box[2] and y1 >= box[3]  # grown around the landmarks
    assert _passes.target_at(w_guide, [], 12, SIZE).tolerance < _passes.target_at(w_guide, [], 15, SIZE).tolerance


def test_mask_keeps_the_walker_where_boxes_overlap() -> None:
    img = np.arange(10 * 12 * 3, dtype=np.uint8).reshape(10, 12, 3)
    before = img.copy()
    _passes.mask_others(img, [(0, 0, 8, 10), (10, 0, 12, 2)], keep=(6, 2, 12, 8), fill=7)
    assert (img[:, :6] == 7).all()  # the other person
    assert (img[0:2, 10:12] == 7).all()
    assert (img[2:8, 6:12] == before[2:8, 6:12]).all()  # the walker's box is untouched
    assert (img[8:, 6:8] == 7).all()  # the rest of the other's box, outside the walker's


class FakeEstimator:
    """Stands in for PoseEstimator: 'finds' the given pose and records the image it was shown."""

    def __init__(self, pose_px: np.ndarray | None) -> None:
        self.pose_px = pose_px
        self.images: list[np.ndarray] = []

    def detect(self, image: np.ndarray, t_ms: int) -> tuple[np.ndarray, np.ndarray]:
        self.images.append(image.copy())
        if self.pose_px is None:
            return np.zeros((0, 33, 5), np.float32), np.zeros((0, 33, 3), np.float32)
        h, w = image.shape[:2]
        lm = self.pose_px / np.array([w, h, w, 1, 1], np.float32)
        return lm[None].astype(np.float32), np.ones((1, 33, 3), np.float32)


def test_look_maps_landmarks_to_pixels_and_drops_someone_else() -> None:
    t = np.arange(30) / 30
    img, world, _ = make_walker(t=t, scale=0.8)
    stride = 6
    guide = _passes.Guide(sampled(1, img, world, t, stride), stride)
    frame = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    target = _passes.target_at(guide, [], 9, SIZE)
    found = _passes.look(FakeEstimator(img[9]), frame, 0.3, target)  # type: ignore[arg-type]
    assert found is not None
    np.testing.assert_allclose(found[0], img[9], rtol=1e-5, atol=1e-3)  # normalised and back: the same pixels
    far = img[9].copy()
    far[:, 0] += 600  # a person of the same size 600 px away: not the walker
    assert _passes.look(FakeEstimator(far), frame, 0.3, target) is None  # type: ignore[arg-type]
    small = img[9].copy()
    small[:, :2] = small[:, :2].mean(axis=0) + (small[:, :2] - small[:, :2].mean(axis=0)) / 3
    assert _passes.look(FakeEstimator(small), frame, 0.3, target) is None  # type: ignore[arg-type]
    assert _passes.look(FakeEstimator(None), frame, 0.3, target) is None  # type: ignore[arg-type]


def half_pose(pose: np.ndarray) -> np.ndarray:
    """``pose`` shrunk to half its size about its own centre (the scan's half pose of a dim walker)."""
    out = pose.copy()
    centre = out[:, :2].mean(axis=0)
    out[:, :2] = centre + (out[:, :2] - centre) / 2.5
    return out


def test_next_target_measures_size_against_the_walker_followed_and_follows_on_past_the_last_look() -> None:
    t = np.arange(60) / 30
    img, world, _ = make_walker(t=t, scale=0.8, speed_px_s=300.0)
    stride, extend = 6, 30
    scan_seen = np.stack([half_pose(p) for p in img])  # the scan saw the walker at 40% of her size
    guide = _passes.Guide(sampled(1, scan_seen[:25], world[:25], t[:25], stride), stride)  # looks 0..24
    assert (guide.last_look, guide.last) == (24, 29)
    frame = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    # no previous find: the scan's estimate sets the size, and her full-size pose is someone else
    alone = _passes.next_target(guide, [], 9, SIZE, None, extend)
    assert alone is not None and alone.size is None
    assert _passes.look(FakeEstimator(img[9]), frame, 0.3, alone) is None  # type: ignore[arg-type]
    # found on the frame before: her own size is the measure, and the same pose is her
    held = _passes.next_target(guide, [], 9, SIZE, img[8], extend)
    assert held is not None and held.size == pytest.approx(float(box_size(img[8][None])[0]))
    assert held.estimate == alone.estimate  # where the scan expects her is unchanged
    assert _passes.look(FakeEstimator(img[9]), frame, 0.3, held) is not None  # type: ignore[arg-type]
    # after the scan's last look she walks on (10 px a frame): expected where she was on the frame before
    for i in (27, 40, 59):
        on = _passes.next_target(guide, [], i, SIZE, img[i - 1], extend)
        assert on is not None and on.estimate[4] > guide.estimate(29)[4] + 20 * (i > 27)
        assert _passes.look(FakeEstimator(img[i]), frame, i / 30, on) is not None  # type: ignore[arg-type]
    # past the guide only while found, and no further than ``extend`` frames
    assert _passes.next_target(guide, [], 40, SIZE, None, extend) is None
    assert _passes.next_target(guide, [], 29 + extend + 1, SIZE, img[29 + extend], extend) is None
    missed = _passes.next_target(guide, [], 28, SIZE, None, extend)  # within the guide: its held estimate
    assert missed is not None and missed.estimate == guide.estimate(28)
    # someone the scan saw is expected where she was: past the guide she is not followed on
    stander = make_walker(t=t, speed_px_s=0.0, start_x=float(img[44, 23, 0]), scale=0.8, cadence_spm=0.001)
    other = _passes.Guide(sampled(2, stander[0], stander[1], t, stride), stride)
    assert _passes.next_target(guide, [other], 45, SIZE, img[44], extend) is None


def test_look_shows_the_model_the_others_painted_over() -> None:
    t = np.arange(30) / 30
    img, world, _ = make_walker(t=t, scale=0.8)
    other = make_walker(t=t, speed_px_s=0.0, start_x=1000, cadence_spm=0.001)
    g = _passes.Guide(sampled(1, img, world, t, 6), 6)
    og = _passes.Guide(sampled(2, other[0], other[1], t, 6), 6)
    frame = np.full((SIZE[1], SIZE[0], 3), 50, np.uint8)
    fake = FakeEstimator(img[12])
    _passes.look(fake, frame, 0.4, _passes.target_at(g, [og], 12, SIZE))  # type: ignore[arg-type]
    seen = fake.images[0]
    x0, y0, x1, y1 = _passes.target_at(g, [og], 12, SIZE).others[0]
    assert (seen[y0:y1, x0:x1] == _passes.MASK_GREY).all()
    hip = img[12, 23, :2].astype(int)
    assert (seen[hip[1], hip[0]] == 50).all()  # the walker is left as is


# ---- sampled tracks in the walker choice -----------------------------------------------------


def test_sampled_track_stride_and_seen_time() -> None:
    t = np.arange(150) / 30
    img, world, _ = make_walker(t=t, scale=0.8)
    full = Track(1, list(range(150)), list(t), list(img), list(world))
    six = sampled(1, img, world, t, 6)
    assert full.stride == 1 and full.full
    assert six.stride == 6 and not six.full
    a, b = track_summary([full], SIZE, 1 / 30)[0], track_summary([six], SIZE, 1 / 30)[0]
    assert b.frames == a.frames == 150
    assert b.score == pytest.approx(a.score, rel=0.05)  # sampling keeps the walker score
    assert b.travel_rel == pytest.approx(a.travel_rel, rel=0.05)


def test_the_person_followed_on_every_frame_is_the_default_walker() -> None:
    t = np.arange(150) / 30
    big = make_walker(t=t, scale=1.0)  # a better walker by score, but only sampled
    small = make_walker(t=t, scale=0.6, start_x=300)
    tracks = [sampled(1, *big[:2], t, 6), Track(2, list(range(150)), list(t), list(small[0]), list(small[1]))]
    stats = track_summary(tracks, SIZE, 1 / 30)
    assert stats[0].track_id == 1
    assert choose_walker(tracks, stats).track_id == 2
    assert choose_walker(tracks, stats, track_id=1).track_id == 1  # still choosable by hand


def test_score_warns_when_the_walker_was_only_sampled() -> None:
    t = np.arange(150) / 30
    ex = make_extraction(make_walker(t=t, scale=0.8))
    (tr,) = ex.tracks
    six = Track(tr.track_id, tr.frames[::6], tr.times[::6], tr.image[::6], tr.world[::6], stride=6)
    import dataclasses

    d = gaitcheck.score(dataclasses.replace(ex, tracks=(six,))).to_dict()
    assert any("only looked at every 6 frames" in w and f"--track {tr.track_id}" in w for w in d["warnings"])
    assert not any("only looked at" in w for w in gaitcheck.score(ex).to_dict()["warnings"])


def test_assign_is_a_minimum_cost_assignment() -> None:
    from scipy.optimize import linear_sum_assignment

    rng = np.random.default_rng(8)
    for _ in range(500):
        n, m = rng.integers(1, 7, 2)
        cost = rng.random((n, m))
        cost[rng.random((n, m)) < 0.3] = 1e6
        pairs = assign(cost)
        rows, cols = linear_sum_assignment(cost)
        assert len(pairs) == min(n, m) == len({r for r, _ in pairs}) == len({c for _, c in pairs})
        assert sum(cost[r, c] for r, c in pairs) == pytest.approx(cost[rows, cols].sum(), abs=1e-9)


# ---- following while the scan runs ---------------------------------------------------------


def test_speculation() -> None:
    t = np.arange(90) / 30
    walker = sampled(1, *make_walker(t=t, scale=0.8)[:2], t, 6)
    stander = sampled(2, *make_walker(t=t, speed_px_s=0.0, start_x=1000, scale=1.2, cadence_spm=0.001)[:2], t, 6)
    short = sampled(3, *make_walker(t=t[:12], speed_px_s=0.0, start_x=600, scale=1.2, cadence_spm=0.001)[:2],
                    t[:12], 6)
    h = SIZE
    kw = {"ahead": 10, "max_wait": 120, "final": False}
    assert _live.speculate([], [], h, 1 / 30, **kw) is None
    assert _live.speculate([walker], [10], h, 1 / 30, **kw) == 10  # the only one, walking
    assert _live.speculate([stander], [20], h, 1 / 30, **kw) == 20  # the only one, not walking (yet): no wait
    glimpse = sampled(4, *make_walker(t=t[:1], scale=0.8)[:2], t[:1], 6)  # one look: too short to judge
    assert _live.speculate([glimpse], [40], h, 1 / 30, **kw) == _live.WAIT
    assert _live.speculate([glimpse], [40], h, 1 / 30, ahead=120, max_wait=120, final=False) is None
    assert _live.speculate([glimpse], [40], h, 1 / 30, ahead=0, max_wait=120, final=True) is None
    assert _live.speculate([stander, walker], [20, 10], h, 1 / 30, **kw) == 10  # the one who walks
    assert _live.speculate([stander, short], [20, 30], h, 1 / 30, **kw) == _live.WAIT  # nobody walks yet
    assert _live.speculate([stander, short], [20, 30], h, 1 / 30, ahead=120, max_wait=120, final=False) == 20
    assert _live.speculate([stander, short], [20, 30], h, 1 / 30, ahead=0, max_wait=120, final=True) == 20


def _looks(found: _passes.Scan, index: int, frames: range, gen: int = 1) -> list[_live.Looked]:
    person = found.tracks[index]
    guide = _passes.Guide(person, found.stride)
    others = _passes.guides([p for j, p in enumerate(found.tracks) if j != index], found.stride)
    out: list[_live.Looked] = []
    for i in frames:
        prev = out[-1].found[0] if out and out[-1].found is not None and out[-1].frame == i - 1 else None
        target = _passes.next_target(guide, others, i, SIZE, prev, 30)
        assert target is not None
        k = person.frames.index(i) if i in person.frames else None
        hit = None if k is None else (person.image[k], person.world[k], np.full((3, 3), np.nan, np.float32))
        out.append(_live.Looked(i, float(found.t[i]), found.keys[index], gen, target, hit))
    return out


def test_follower_looks_are_kept_only_if_they_are_what_following_alone_gives() -> None:
    t = np.arange(60) / 30
    img, world, _ = make_walker(t=t, scale=0.8)
    person = sampled(1, img, world, t, 6)
    ex = make_extraction(make_walker(t=t, scale=0.8))
    found = _passes.Scan(ex.info, t, [person], [7], 6, ())
    guide = _passes.Guide(person, 6)
    span = range(guide.first, min(guide.last, 59) + 1)
    kept = _live.kept_track(found, 0, _looks(found, 0, span), 30)
    assert kept is not None and kept.frames == person.frames and kept.track_id == 1
    assert _live.kept_track(found, 0, _looks(found, 0, span)[1:], 30) is None  # started late
    holed = _looks(found, 0, span)
    del holed[20]
    assert _live.kept_track(found, 0, holed, 30) is None  # a frame missed
    two = _looks(found, 0, span[:30]) + _looks(found, 0, span[30:], gen=2)
    assert _live.kept_track(found, 0, two, 30) is None  # another landmarker took over half way
    wrong = _looks(found, 0, span)
    wrong[5] = _live.Looked(wrong[5].frame, wrong[5].t_s, 7, 1, _passes.Target((0.0,) * 7, 0.5, ()), None)
    assert _live.kept_track(found, 0, wrong, 30) is None  # estimates that were not final


# ---- pieces the passes need ------------------------------------------------------------------


def test_reader_select_skips_and_stops_but_times_every_frame(tmp_path: Path) -> None:
    path = tmp_path / "c.mp4"
    times = clips.make_clip(path, n_frames=30)
    with VideoReader(path, select=lambda i, _t: i % 4 == 0, threads=1) as reader:
        got = [(f.index, clips.read_counter(f.image)) for f in reader]
    assert got == [(i, i) for i in range(0, 30, 4)]
    assert reader.times == pytest.approx(times) and reader.warnings == []
    with VideoReader(path, select=lambda i, _t: None if i > 11 else i >= 5) as reader:
        got = [f.index for f in reader]
    assert got == list(range(5, 12))
    assert len(reader.times) == 12 and reader.warnings == []  # stopped on purpose: not "damaged"


def test_stderr_silencer_restores_stderr_whatever_order_threads_leave(tmp_path: Path, monkeypatch) -> None:
    log = tmp_path / "err.txt"
    with open(log, "w") as f:
        monkeypatch.setattr(sys, "stderr", f)
        silence = Silencer()
        inside, release = threading.Event(), threading.Event()

        def other() -> None:
            with silence():
                inside.set()
                release.wait(5)

        th = threading.Thread(target=other)
        with silence():  # this thread in first, out first: the other one is still inside
            th.start()
            inside.wait(5)
            os.write(f.fileno(), b"hidden\n")
        os.write(f.fileno(), b"hidden too\n")
        release.set()
        th.join(5)
        os.write(f.fileno(), b"shown\n")
    assert log.read_text() == "shown\n"


_CHATTER = """
import os, sys, threading, time
import gaitcheck
stop, written = threading.Event(), [0]

def chatter():  # another thread of the process (e.g. the Streamlit server) writing to fd 2
    while not stop.is_set():
        os.write(2, b"other thread\\n")
        written[0] += 1
        time.sleep(0.002)

th = threading.Thread(target=chatter)
th.start()
gaitcheck.extract(sys.argv[1], quiet=sys.argv[2] == "quiet")
stop.set()
th.join()
print(written[0])
"""


def test_an_analysis_hides_other_threads_output_only_when_asked_to_be_quiet(tmp_path: Path) -> None:
    # the silencer points fd 2 at the null device for the whole process while a landmarker starts or
    # closes: a library call (the page) must not, the command line asks for it (quiet=True)
    path = tmp_path / "c.mp4"
    clips.make_clip(path, n_frames=24, size=(192, 128))
    lines = {}
    for mode in ("loud", "quiet"):
        done = subprocess.run([sys.executable, "-c", _CHATTER, str(path), mode], capture_output=True, text=True,
                              check=True, timeout=120)
        lines[mode] = (done.stderr.count("other thread\n"), int(done.stdout))
    shown, written = lines["loud"]
    assert shown == written > 0  # every line of the other thread is there
    shown, written = lines["quiet"]
    assert shown < written  # some were lost while the landmarkers started and closed


def test_mediapipe_drawing_helpers_load_only_when_used() -> None:
    # importing mediapipe imports its drawing helpers, and they import matplotlib.pyplot (~0.6 s of
    # every analysis' start-up): gaitcheck defers them; they still work for whoever uses them
    code = (
        "import sys\n"
        "from gaitcheck.pose.landmarker import PoseEstimator, resolve_model\n"
        "PoseEstimator(resolve_model(), num_poses=1).close()\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
        "from mediapipe.tasks.python.vision import drawing_utils\n"
        "print(drawing_utils.DrawingSpec().thickness > 0, 'matplotlib.pyplot' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True", "True"]


def test_scan_stride_config() -> None:
    assert _passes.scan_stride(30.0, Config().pose.scan_interval_s) == 6
    with pytest.raises(gaitcheck.ConfigError, match="scan_interval_s"):
        Config().with_overrides("pose", scan_interval_s=2.0)


# ---- real clip -----------------------------------------------------------------------------

SPORTS2D = "sports2d_demo_park_side.mp4"


@pytest.mark.slow
def test_passes_side_by_side_give_what_they_give_one_after_the_other(analysed, monkeypatch) -> None:
    path = analysed.path(SPORTS2D)
    cfg = Config()
    again: list[int] = []
    real_follow = _live.follow_target
    monkeypatch.setattr(_live, "follow_target", lambda *a, **k: again.append(1) or real_follow(*a, **k))
    calls: list[tuple[int, int]] = []
    ex = gaitcheck.extract(path, cfg, progress=lambda done, total: calls.append((done, total)))
    # the bystander stands alone in view before the walker comes in: the follower may follow him
    # meanwhile, but must not have gone past the walker's first frames when she is chosen
    assert again == [], "the walker had to be followed again after the live pass"
    done = [d for d, _ in calls]
    assert done == sorted(done) and done[-1] == len(ex.t) == calls[0][1] and len(done) > len(ex.t) // 3
    followed = [tr for tr in ex.tracks if tr.full and len(tr.frames) > 1]
    assert len(followed) == 1 and len(ex.tracks) >= 2
    stride = _passes.scan_stride(30.0, cfg.pose.scan_interval_s)
    assert all(tr.stride == stride for tr in ex.tracks if tr is not followed[0] and len(tr.frames) > 1)
    # the same passes one after the other
    from gaitcheck.pose.landmarker import MediaPipeLandmarkers, resolve_model

    clip = _passes.Clip(path, cfg, MediaPipeLandmarkers(resolve_model(), cfg.pose), 30.0)
    found = _passes.scan(clip, stride)
    stats = track_summary(found.tracks, (found.info.width, found.info.height), 1 / 30)
    target = choose_walker(found.tracks, stats)
    assert [tr.frames for tr in ex.tracks if tr is not followed[0]] == [tr.frames for tr in found.tracks
                                                                       if tr is not target]
    (alone,) = _passes.follow(clip, [target], found.tracks, stride)
    (walker,) = followed
    assert walker.track_id == target.track_id and walker.frames == alone.frames
    for a, b in zip(walker.image, alone.image, strict=True):
        np.testing.assert_array_equal(a, b)
    # and the person chosen by hand can be followed on every frame afterwards
    man = max((tr for tr in ex.tracks if tr.times[0] < 1.0), key=lambda tr: len(tr.frames))
    again = follow_track(path, ex, man.track_id, cfg)
    redone = next(tr for tr in again.tracks if tr.track_id == man.track_id)
    assert redone.full and len(redone.frames) > 3 * len(man.frames)
    d = gaitcheck.score(again, track_id=man.track_id).to_dict()
    assert not any("only looked at" in w for w in d["warnings"])


@pytest.mark.parametrize(("max_people", "interval"), [(2, 0.2), (2, 0.0), (1, 0.2)])
def test_extraction_reports_progress_frame_by_frame(tmp_path: Path, max_people: int, interval: float) -> None:
    path = tmp_path / "c.mp4"
    clips.make_clip(path, n_frames=24, size=(192, 128))
    cfg = Config().with_overrides("pose", max_people=max_people, scan_interval_s=interval)
    calls: list[tuple[int, int]] = []
    ex = gaitcheck.extract(path, cfg, progress=lambda done, total: calls.append((done, total)))
    assert len(ex.t) == 24
    done = [d for d, _ in calls]
    assert done == sorted(done) and done[-1] == 24 and {total for _, total in calls} == {24}
    if interval == 0.0 or max_people == 1:  # one pass over every frame: it moves along frame by frame
        assert len(done) >= 12
    # (with nobody to follow, the two passes end as soon as the scan has: the real-clip test checks the
    # progress of a clip with people in it)
