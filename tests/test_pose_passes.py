"""The pose stage's two strategies give the same tracks, bit for bit (fast: a fake pose model).

:func:`gaitcheck.pose.passes.sequential` (scan the whole clip, choose, follow) is the reference;
:func:`gaitcheck.pose.live.live` runs the scan in a thread while the main thread follows whom the
scan so far makes the likely walker. On tiny synthetic clips (``_scene``) with a fake landmarker
that honours the follower's grey paint-over and ``num_poses``, and whose output depends on what
each landmarker was shown and in which order, both must give identical tracks: with a bystander,
with a bystander alone in view before the walker comes in, and when the speculation followed the
wrong person and the walker has to be followed again. The real-clip version is in test_speed.py.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import av
import numpy as np
import pytest
from _scene import FakeLandmarkers, Scene, person, write_scene
from _synth import make_walker

import gaitcheck
from gaitcheck.config import Config
from gaitcheck.pose import extraction as _extraction
from gaitcheck.pose import live as _live
from gaitcheck.pose import passes as _passes
from gaitcheck.pose.extraction import extract_following
from gaitcheck.pose.landmarker import ModelInfo
from gaitcheck.pose.tracking import Track

N = 90
STRIDE = 6  # a scan interval of 0.2 s at 30 fps
CFG = Config().with_overrides("pose", scan_interval_s=0.2)  # what extract() makes STRIDE of
MODEL = ModelInfo("fake.task", "0" * 64, False)

SCENES = {
    # a bystander standing at the right the whole time, a walker crossing the left two thirds
    "bystander": Scene((person(N, start_x=270, speed=0, scale=0.2, cadence=0.001), person(N, start_x=30))),
    # the bystander stands alone in view for 40 frames before the walker comes in
    "bystander first": Scene((person(120, start_x=260, speed=0, cadence=0.001),
                              person(120, first=40, start_x=20 - 60 * 40 / 30))),
    # a small person walks from the start (high in the frame); a larger one comes in at frame 45
    # walking the other way and is the walker in the end: the follower, kept close behind the scan,
    # has followed the small one past the larger one's first frames, so she is followed again
    "re-follow": Scene((person(120, scale=0.08, start_x=20, speed=40, dy=-95),
                        person(120, first=45, start_x=300 + 90 * 1.5, speed=90, direction=-1))),
}
LEADS = {"re-follow": 50}  # the scan waits for the follower to be within 50 frames (> the planner's reach)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("scenes")
    return {name: write_scene(scene, folder / f"{name.replace(' ', '_')}.mp4") for name, scene in SCENES.items()}


def run(strategy: _passes.Strategy, name: str, path: Path, choose: _passes.Chooser = _passes.likely_walker,
        ) -> tuple[_passes.Passes, FakeLandmarkers]:
    fake = FakeLandmarkers(SCENES[name], LEADS.get(name))
    clip = _passes.Clip(path, Config(), fake, 30.0)
    return strategy(clip, STRIDE, choose, _passes.Bar(None, 0)), fake


def assert_same_track(a: Track | None, b: Track | None) -> None:
    assert (a is None) == (b is None)
    if a is None or b is None:
        return
    assert (a.track_id, a.stride, a.frames, a.times) == (b.track_id, b.stride, b.frames, b.times)
    for xa, xb in ((a.image, b.image), (a.world, b.world), (a.colours, b.colours)):
        assert len(xa) == len(xb) and all(np.array_equal(u, v, equal_nan=True) for u, v in zip(xa, xb, strict=True))


def assert_same_passes(a: _passes.Passes, b: _passes.Passes) -> None:
    assert np.array_equal(a.scan.t, b.scan.t) and a.scan.keys == b.scan.keys and a.scan.stride == b.scan.stride
    assert len(a.scan.tracks) == len(b.scan.tracks)
    for ta, tb in zip(a.scan.tracks, b.scan.tracks, strict=True):
        assert_same_track(ta, tb)
    assert_same_track(a.walker, b.walker)
    assert_same_track(a.followed, b.followed)


def person_followed(fake: FakeLandmarkers, k: int) -> list[int]:
    """The followers (indices among them) that found scene person ``k``."""
    return [j for j, lm in enumerate(fake.followers()) if any(k in found for _, found in lm.looks)]


@pytest.mark.parametrize("name", list(SCENES))
def test_live_passes_give_the_sequential_tracks_bit_for_bit(clips: dict[str, Path], name: str) -> None:
    ref, ref_fake = run(_passes.sequential, name, clips[name])
    got, fake = run(_live.live, name, clips[name])
    assert_same_passes(ref, got)
    # what the reference did: one scan looking for max_people, one follower; every landmarker closed
    assert [lm.num_poses for lm in ref_fake.made] == [Config().pose.max_people, 1]
    assert all(lm.closed for lm in ref_fake.made + fake.made)
    walker = SCENES[name].people[-1]  # the walker is the last person of every scene
    assert ref.walker is not None and ref.followed is not None and ref.followed.full and not ref.walker.full
    assert ref.walker.stride == STRIDE and all(tr.stride == STRIDE for tr in ref.scan.tracks)
    assert ref.followed.frames == list(np.flatnonzero(walker.present))  # found on every frame she is in view
    assert person_followed(ref_fake, len(SCENES[name].people) - 1) == [0]


@pytest.mark.parametrize(("scan_until", "follower_misses", "last"), [
    (60, None, N - 1),  # the scan's last look at 60: followed on to the walker's last frame (89)
    (30, None, 30 + STRIDE - 1 + 30),  # ... at 30: followed on for 1 s (30 frames) past the guide's end (35)
    (48, 70, 69),  # ... and no further than the first frame the follower misses her
])
def test_the_walker_is_followed_on_past_the_scans_last_look_while_found(
        clips: dict[str, Path], scan_until: int, follower_misses: int | None, last: int) -> None:
    # the scan stops finding anyone (a sparse scan losing a walker near the edge) while the walker
    # is still in view: both strategies follow her on, the same way, bit for bit
    def miss(num_poses: int, frame: int) -> bool:
        return frame > scan_until if num_poses > 1 else frame == follower_misses

    got = []
    for strategy in (_passes.sequential, _live.live):
        fake = FakeLandmarkers(SCENES["bystander"], miss=miss)
        passes = strategy(_passes.Clip(clips["bystander"], Config(), fake, 30.0), STRIDE, _passes.likely_walker,
                          _passes.Bar(None, 0))
        assert all(lm.closed for lm in fake.made)
        assert passes.followed is not None and passes.walker is not None
        assert passes.walker.frames[-1] == scan_until
        assert passes.followed.frames == list(range(last + 1))
        assert len(fake.followers()) == 1  # live: the follower's looks were kept, not followed again
        got.append(passes)
    assert_same_passes(*got)


def test_the_follower_sees_the_others_painted_over(clips: dict[str, Path]) -> None:
    ref, fake = run(_passes.sequential, "bystander", clips["bystander"])
    (follower,) = fake.followers()
    # the bystander is the larger person: a single-person model shown him takes him (and keeps to
    # him); painted grey, he is never found, and the walker is found on every frame
    assert all(found == (1,) for _, found in follower.looks)
    assert ref.followed is not None and len(ref.followed.frames) == N
    frame = next(i for i, _ in follower.looks if i % STRIDE)  # a frame between two looks of the scan
    shown = FakeLandmarkers(SCENES["bystander"])(1)
    with av.open(str(clips["bystander"])) as video:
        image = next(f for k, f in enumerate(video.decode(video=0)) if k == frame).to_ndarray(format="rgb24")
    lm, _ = shown.detect(image, round(frame * 1000 / 30))
    assert shown.looks == [(frame, (0,))] and len(lm) == 1  # unpainted: the bystander


def test_speculation_paths_are_taken(clips: dict[str, Path]) -> None:
    # bystander first: the live follower follows the bystander while he is alone (the fake's record)
    _, fake = run(_live.live, "bystander first", clips["bystander first"])
    assert 0 in person_followed(fake, 0)
    # re-follow: the first follower followed the small person; the walker was followed again afterwards
    got, fake = run(_live.live, "re-follow", clips["re-follow"])
    followers = fake.followers()
    assert person_followed(fake, 0)[:1] == [0] and len(followers) >= 2
    assert got.walker is not None and got.followed is not None
    first = got.walker.frames[0] - (STRIDE - 1)  # from where the scan's estimates start
    assert [i for i, _ in followers[-1].looks] == list(range(first, 120))


def test_a_person_named_by_hand_is_followed_the_same_by_both(clips: dict[str, Path]) -> None:
    ref, _ = run(_passes.sequential, "bystander", clips["bystander"])
    stander = next(tr for tr in ref.scan.tracks if tr is not ref.walker)

    def choose(found: _passes.Scan) -> Track:
        return next(tr for tr in found.tracks if tr.track_id == stander.track_id)

    a, _ = run(_passes.sequential, "bystander", clips["bystander"], choose)
    b, _ = run(_live.live, "bystander", clips["bystander"], choose)
    assert_same_passes(a, b)
    assert a.walker is not None and a.walker.track_id == stander.track_id and a.followed is not None


def test_a_walker_followed_on_every_frame_but_found_on_alternate_ones_is_full(tmp_path: Path) -> None:
    # the model misses the walker on every odd frame while following her: her track has steps of 2,
    # but she was looked for on every frame (stride 1): no "looked at every 2 frames" warning, and she
    # stays the default walker (a stride guessed from the frame steps took her for a sampled track)
    walker = person(N, start_x=30)
    stander = person(N, start_x=270, speed=0, cadence=0.001)
    scene = Scene((stander, walker))
    path = write_scene(scene, tmp_path / "c.mp4")
    fake = FakeLandmarkers(scene, miss=lambda num_poses, frame: num_poses == 1 and frame % 2 == 1)
    ex, followed = extract_following(path, CFG, MODEL, None, landmarkers=fake)
    (full,) = [tr for tr in ex.tracks if tr.full]
    assert followed == full.track_id and full.frames == list(range(0, N, 2)) and full.stride == 1
    report = gaitcheck.score(ex).to_dict()
    assert report["subject"]["track_id"] == full.track_id
    assert not any("only looked at" in w for w in report["warnings"]), report["warnings"]


def test_the_fallback_rescan_reports_its_progress(tmp_path: Path) -> None:
    # the follower loses the walker (a fake that finds nobody after frame 9): everyone is followed
    # on every frame instead, and that second pass moves the progress on, frame by frame
    scene = SCENES["bystander"]
    path = write_scene(scene, tmp_path / "c.mp4")
    fake = FakeLandmarkers(scene, miss=lambda num_poses, frame: num_poses == 1 and frame > 9)
    calls: list[tuple[int, int]] = []
    ex, followed = extract_following(path, CFG, MODEL, lambda d, e: calls.append((d, e)),
                                     landmarkers=fake, strategy=_passes.sequential)
    m = CFG.pose.max_people
    assert [lm.num_poses for lm in fake.made] == [m, 1, m]  # the scan, the follower, the full rescan
    assert any("could not be followed on their own" in w for w in ex.warnings) and followed is None
    assert all(tr.full for tr in ex.tracks)
    done = [d for d, _ in calls]
    assert done == sorted(done) and calls[-1][0] == calls[-1][1] == 2 * N
    rescan = [d for d, e in calls if e == 2 * N]
    assert len(rescan) >= N // 2 and rescan[0] <= N + 2  # the rescan counts on from the first pass's frames


def test_extract_through_the_injected_model_matches_the_strategies(clips: dict[str, Path]) -> None:
    ref, _ = run(_passes.sequential, "bystander first", clips["bystander first"])
    fake = FakeLandmarkers(SCENES["bystander first"])
    ex, followed = extract_following(clips["bystander first"], CFG, MODEL, None, landmarkers=fake)
    assert ref.followed is not None and followed == ref.followed.track_id and ex.model == MODEL
    expected = [ref.followed if tr is ref.walker else tr for tr in ref.scan.tracks]
    for a, b in zip(ex.tracks, expected, strict=True):
        assert_same_track(a, b)
    assert dataclasses.replace(ex.info, path="") == dataclasses.replace(ref.scan.info, path="")


# ---- every pass of the walker ------------------------------------------------------------------

RED, BLUE = (230, 60, 40), (40, 90, 230)
M = 180  # frames of the there-and-back scenes: there on 0-50, nobody on 51-109 (2 s), back on 110-170


def there_and_back(back_colour: tuple[int, int, int] = RED, *, back_first: int = 110, back_speed: float = 60.0,
                   back_cadence: float = 110.0, back_dy: float = 0.0) -> Scene:
    """A walker in red crossing left to right, gone for a while, then someone walking back right to left."""
    there = person(M, first=0, last=50, start_x=30, speed=150, colour=RED)  # leaves at the right edge
    x0 = 300 + back_speed * back_first / 30  # at x = 300 on their first frame
    back = person(M, first=back_first, last=back_first + 60, start_x=x0, speed=back_speed, direction=-1,
                  cadence=back_cadence, colour=back_colour, dy=back_dy)
    return Scene((there, back))


def analysed_scene(scene: Scene, path: Path, **kw: object) -> tuple[gaitcheck.Extraction, gaitcheck.Report]:
    fake = FakeLandmarkers(scene)
    ex, _ = extract_following(write_scene(scene, path), Config(), MODEL, None, landmarkers=fake, **kw)  # type: ignore[arg-type]
    assert all(lm.closed for lm in fake.made)
    return ex, gaitcheck.score(ex)


def test_a_walker_who_leaves_and_comes_back_in_the_same_clothes_is_joined_and_followed(tmp_path: Path) -> None:
    scene = there_and_back()
    ex, report = analysed_scene(scene, tmp_path / "c.mp4")
    assert len(ex.tracks) == 2 and all(tr.full for tr in ex.tracks)  # both passes followed on every frame
    for tr, p in zip(sorted(ex.tracks, key=lambda tr: tr.frames[0]), scene.people, strict=True):
        assert tr.frames == list(np.flatnonzero(p.present))
        assert len(tr.colours) == len(tr.frames)  # colours on every look
    subject = report.subject
    (join,) = subject.joined
    first = subject.track_id
    assert {join.track_id, first} == {tr.track_id for tr in ex.tracks}
    assert f"never seen together with track {first}" in join.reason, join.reason
    assert ("came back 2.0 s after leaving at the right edge (came in at the right edge)" in join.reason
            or "left at the right edge 2.0 s before track" in join.reason), join.reason
    assert (subject.seen_from_s, subject.seen_to_s) == (0.0, pytest.approx(170 / 30))
    assert [p.direction for p in report.passes] == ["left to right", "right to left"]
    assert [p.track_ids for p in report.passes] == [(1,), (2,)]
    assert all(row.chosen for row in subject.tracks)
    assert not any("only looked at" in w for w in report.warnings), report.warnings
    d = report.to_dict()
    assert d["subject"]["joined"] == [{"track_id": join.track_id, "reason": join.reason}]
    assert gaitcheck.Report.from_dict(d).to_dict() == d  # the joins read back


def test_the_walkers_passes_are_followed_beside_the_scan_each_once(tmp_path: Path) -> None:
    # Who comes back is a new person to the scan. The follower follows, where the person it names is out of
    # view, the pass of their walk in view then (as joined on the scan so far): each pass once, one
    # landmarker each, in the one decode. The code before followed the first pass a second time afterwards.
    scene = there_and_back()
    fake = FakeLandmarkers(scene)
    ex, _ = extract_following(write_scene(scene, tmp_path / "c.mp4"), CFG, MODEL, None, landmarkers=fake)
    assert all(tr.full for tr in ex.tracks)
    followers = fake.followers()
    assert [person_followed(fake, k) for k in range(len(scene.people))] == [[0], [1]]
    for lm in followers:
        frames = [f for f, _ in lm.looks]
        assert frames == sorted(set(frames))


def test_the_passes_one_after_the_other_follow_every_pass_of_the_walker_in_one_decode(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # batch workers run the passes one after the other: the walker's other passes on the scan are followed
    # beside the walker chosen, in the same follow (the code before decoded the clip once more for them)
    scene = there_and_back()
    calls: list[list[int]] = []
    real = _passes.follow

    def counted(clip, targets, *a, **k):  # type: ignore[no-untyped-def]
        calls.append([tr.track_id for tr in targets])
        return real(clip, targets, *a, **k)

    monkeypatch.setattr(_passes, "follow", counted)
    monkeypatch.setattr(_extraction, "follow", counted)
    path = write_scene(scene, tmp_path / "c.mp4")
    ex, _ = extract_following(path, CFG, MODEL, None, landmarkers=FakeLandmarkers(scene), strategy=_passes.sequential)
    assert all(tr.full for tr in ex.tracks) and len(ex.tracks) == 2
    assert [sorted(c) for c in calls] == [sorted(tr.track_id for tr in ex.tracks)]


@pytest.mark.parametrize("case", ["other clothes", "standing", "seen together"])
def test_someone_else_is_not_joined(tmp_path: Path, case: str) -> None:
    if case == "other clothes":  # a walker in blue comes by after the one in red has left
        scene = there_and_back(BLUE)
    elif case == "standing":  # someone in red stands in view after the walker has left
        scene = there_and_back(back_speed=0.0, back_cadence=0.001)
    else:  # someone in red walks the other way, further back, while the walker is still in view (a reflection)
        scene = there_and_back(back_first=30, back_dy=-40)
    ex, report = analysed_scene(scene, tmp_path / "c.mp4")
    assert len(ex.tracks) == 2 and report.subject.joined == ()
    walker = next(tr for tr in ex.tracks if tr.track_id == report.subject.track_id)
    assert walker.full and not all(tr.full for tr in ex.tracks)  # the other one is only sampled
    assert all(p.track_ids == (walker.track_id,) for p in report.passes)


def test_the_walkers_passes_are_the_same_from_both_strategies_and_when_named(tmp_path: Path) -> None:
    scene = there_and_back()
    path = write_scene(scene, tmp_path / "c.mp4")
    runs = {}
    for name, kw in {"live": {}, "sequential": {"strategy": _passes.sequential}, "named": {"track_id": 2}}.items():
        ex, followed = extract_following(path, CFG, MODEL, None, landmarkers=FakeLandmarkers(scene), **kw)
        assert all(tr.full for tr in ex.tracks), name  # the pass named by hand gets the other one joined too
        runs[name] = (ex, followed)
    for a, b in zip(runs["live"][0].tracks, runs["sequential"][0].tracks, strict=True):
        assert_same_track(a, b)
    assert runs["named"][1] == 2 and gaitcheck.score(runs["named"][0], track_id=2).subject.joined[0].track_id == 1


def test_following_several_people_in_one_decode_is_following_each_alone(clips: dict[str, Path]) -> None:
    found, _ = run(_passes.sequential, "re-follow", clips["re-follow"])
    clip = _passes.Clip(clips["re-follow"], Config(), FakeLandmarkers(SCENES["re-follow"]), 30.0)
    both = _passes.follow(clip, found.scan.tracks, found.scan.tracks, STRIDE)
    assert len(both) == 2 and all(len(tr.frames) > 30 for tr in both)
    for tr, dense in zip(found.scan.tracks, both, strict=True):
        alone = _passes.follow(clip, [tr], found.scan.tracks, STRIDE)[0]
        assert_same_track(alone, dense)
    # the two are in view together: each was shown a frame with the other painted over
    assert both[0].frames[-1] > both[1].frames[0]


class _ScriptedScan:
    """The scan, looking only as far as the follower waits for (no further): the planner's worst case.

    Stands in for :class:`gaitcheck.pose.live._LiveScan`: ``looks`` are (frame, t_s, (n, 33, 5) pixel
    landmarks) fed to a real tracker one at a time, as the planner asks.
    """

    def __init__(self, looks: list[tuple[int, float, np.ndarray]], stride: int,
                 extra: list[tuple[np.ndarray, np.ndarray]] | None = None) -> None:
        self.looks, self.done, self.extra = looks, 0, extra  # extra: each look's world landmarks and colours
        self.tracker = _live.Tracker(stride, 1)

    @property
    def head(self) -> int:
        return self.looks[self.done - 1][0] if self.done else -1

    def wait_past(self, frame: int) -> None:
        while self.done < len(self.looks) and self.head < frame:
            f, t, px = self.looks[self.done]
            if self.extra is None:
                self.tracker.update(f, t, px, np.zeros((len(px), 33, 3), np.float32))
            else:
                self.tracker.update(f, t, px, *self.extra[self.done])
            self.done += 1

    def wait_after(self, head: int) -> None:
        self.wait_past(head + 1)

    def snapshot(self) -> _live._Snapshot:
        return _live.snapshot_of([tr.copy() for tr in self.tracker.tracks], self.head, 1 / 30,
                                 done=self.done == len(self.looks))


def _planner_matches_the_whole_scan(looks: list[tuple[int, float, np.ndarray]], n: int, size: tuple[int, int],
                                    people: int) -> int:
    """Check the planner against the whole scan on every frame; return how many (frame, person) were checked."""
    whole = _ScriptedScan(looks, STRIDE)
    whole.wait_past(n)
    final = whole.snapshot()
    assert len(final.people) == people
    final_guides = dict(zip(final.keys, _passes.guides(final.people, STRIDE), strict=True))
    scan = _ScriptedScan(looks, STRIDE)
    planner = _live._Planner(scan, STRIDE, size, _passes.bridge_frames(30.0, STRIDE), 120,  # type: ignore[arg-type]
                             _passes.extend_frames(30.0))
    checked = 0
    for frame in range(n):
        for key, guide, others in planner.at(frame):
            if not guide.covers(frame):
                continue
            mine = final_guides[key]
            rest = [g for k, g in final_guides.items() if k != key]
            assert _passes.target_at(guide, others, frame, size) == _passes.target_at(mine, rest, frame, size), frame
            checked += 1
    return checked


def test_the_estimates_the_follower_is_given_are_final_when_a_lost_person_is_found_again() -> None:
    # A walker the scan loses for two looks (frames 48 and 54 place them 0.7 body sizes off their
    # path: a new tracklet), then finds again on their path (frame 60 links to the first tracklet).
    # Seen at frame 54, the two tracklets are stitched into one person; at frame 60 they are two, and
    # the second is someone else, painted over. The planner hands out estimates only once final: for
    # every frame, what it gives is what the whole scan gives (the code before took the stitched
    # person's last look, 54, for the last one of both tracklets, and handed frames 43-48 out early).
    n, size = 120, (640, 360)
    t = np.arange(n) / 30
    img, _, _ = make_walker(t=t, frame_size=size, scale=0.5, start_x=60, speed_px_s=150)
    body = float(np.ptp(img[0, :, 1]))
    img[[48, 54], :, 0] += 0.7 * body
    looks = [(f, float(t[f]), img[f][None].astype(np.float32)) for f in range(0, n, STRIDE)]
    assert _planner_matches_the_whole_scan(looks, n, size, people=2) >= n - 2 * STRIDE


def test_the_estimates_are_final_for_two_people_who_come_in_together() -> None:
    # Two walkers come into view at the same look, 0.6 body sizes apart: seen once, the second is
    # stitched into the first (it could continue them), and only three looks later are they two.
    n, size = 120, (640, 360)
    t = np.arange(n) / 30
    a, _, _ = make_walker(t=t, frame_size=size, scale=0.4, start_x=60, speed_px_s=150)
    body = float(np.ptp(a[0, :, 1]))
    b = a.copy()
    b[:, :, 0] += 0.6 * body
    looks = [(f, float(t[f]), np.stack([a[f], b[f]]).astype(np.float32)) for f in range(30, n, STRIDE)]
    assert _planner_matches_the_whole_scan(looks, n, size, people=2) > 0


def test_the_follower_waits_for_the_scan_to_join_a_walker_back_in_view() -> None:
    # A walker crosses the picture, is out of view for 2 s, and comes back the other way in the same
    # clothes (a there-and-back walk), with the scan looking only as far as the follower waits for: on
    # every frame of the second pass the planner hands it out as the walk's, as the whole scan joins it.
    # The planner before handed its first frames out as nobody's (the scan had not seen them walking
    # long enough to join them), so they were not followed, and the pass was followed again afterwards.
    n, size, fps = 300, (640, 360), 30.0
    t = np.arange(n) / fps
    there, world, _ = make_walker(t=t, frame_size=size, scale=0.5, start_x=60, speed_px_s=200)
    back, _, _ = make_walker(t=t, frame_size=size, scale=0.5, start_x=580 + 200 * 5.2, speed_px_s=200, direction=-1)
    red = np.array([[[200, 30, 30], [180, 40, 40], [60, 60, 160]]], np.float32)  # (1, 3, 3): the same clothes
    looks, extra = [], []
    for f in range(0, n, STRIDE):
        on = [img[f] for img in (there, back) if 40 < float(np.median(img[f, :, 0])) < size[0] - 40]
        if on:
            looks.append((f, float(t[f]), np.stack(on).astype(np.float32)))
            extra.append((np.repeat(world[f][None], len(on), 0).astype(np.float32), np.repeat(red, len(on), 0)))
    whole = _ScriptedScan(looks, STRIDE, extra)
    whole.wait_past(n)
    final = whole.snapshot()
    assert len(final.people) == 2
    first, second = sorted(_passes.guides(final.people, STRIDE), key=lambda g: g.first)
    assert first.last + fps < second.first  # out of view in between
    assert len(_live.walk_keys(final, final.keys[0], size)) == 2  # the whole scan joins them
    scan = _ScriptedScan(looks, STRIDE, extra)
    planner = _live._Planner(scan, STRIDE, size, _passes.bridge_frames(fps, STRIDE), 120,  # type: ignore[arg-type]
                             _passes.extend_frames(fps), round(_live.JOIN_WAIT_S * fps))
    handed = [f for f in range(n) if any(g.covers(f) and g.first == second.first for _, g, _ in planner.at(f))]
    assert handed == list(range(second.first, second.last + 1))


def test_a_walker_the_full_look_shows_walking_less_than_another_seemed_to_is_chosen_again(
        clips: dict[str, Path]) -> None:
    # The scan's looks (every 0.2 s) can make a person bouncing on the spot seem to walk: here the
    # bystander standing still is followed on every frame (named by hand) while the walker is sampled,
    # as the scan's looks would leave them had they rated the bystander higher. The second look follows
    # the walker on every frame too, and chooses them, with a note; where the one followed walks
    # longest, nothing more is followed.
    path = clips["bystander"]
    fake = FakeLandmarkers(SCENES["bystander"])
    ex, followed = extract_following(path, CFG, MODEL, None, landmarkers=fake, track_id=1)
    by_id = {tr.track_id: tr for tr in ex.tracks}
    assert followed == 1 and by_id[1].full and not by_id[2].full
    clip = _passes.Clip(path, CFG, fake, 30.0)
    made = len(fake.made)
    again, chosen = _extraction._choose_again(clip, ex, 1, _passes.Bar(None, 0), ex.tracks)
    assert chosen == 2 and all(tr.full for tr in again.tracks)
    assert len(fake.made) == made + 1  # one more follow, of the walker
    assert gaitcheck.score(again).subject.track_id == 2
    (note,) = [w for w in again.warnings if "followed on every frame too" in w]
    assert note.startswith("Track 2 was followed") and note.endswith("track 2."), note
    made = len(fake.made)
    same, kept = _extraction._choose_again(clip, again, 2, _passes.Bar(None, 0), again.tracks)
    assert (kept, same) == (2, again) and len(fake.made) == made
