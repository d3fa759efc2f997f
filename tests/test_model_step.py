"""High frame rates: the pose model on every k-th frame only (``pose.min_model_fps``), fast, with a fake model.

A 50-60 fps clip costs what its 30 fps original does if the model runs on every other frame: the
scan's stride and the follower's looks are on multiples of the step, both strategies still give
the same tracks bit for bit, the walker followed on every such frame is "full" (no "looked at every
2 frames" warning), and the frames in between are interpolated for scoring. Here the 30 fps scenes
of ``_scene`` with ``min_model_fps = 15`` give a step of 2 (the real 60 fps clip is in
test_model_step_real.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _scene import FakeLandmarkers, Scene, person, write_scene
from test_pose_passes import MODEL, SCENES, N, assert_same_passes

import gaitcheck
from gaitcheck.config import Config
from gaitcheck.pose import live as _live
from gaitcheck.pose import passes as _passes
from gaitcheck.pose.extraction import extract_following
from gaitcheck.pose.tracking import track_series

CFG = Config().with_overrides("pose", min_model_fps=15.0, scan_interval_s=0.2)  # 30 fps clips: the model on every
# 2nd frame; the scan on every 6th


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("scenes")
    return {name: write_scene(scene, folder / f"{name.replace(' ', '_')}.mp4") for name, scene in SCENES.items()}


def test_the_step_keeps_at_least_min_model_fps() -> None:
    steps = {fps: _passes.model_step(fps, Config().pose.min_model_fps) for fps in (24.0, 30.0, 48.0, 50.0, 60.0, 120.0)}
    assert steps == {24.0: 1, 30.0: 1, 48.0: 1, 50.0: 2, 60.0: 2, 120.0: 4}
    clip = _passes.Clip("x.mp4", Config(), FakeLandmarkers(SCENES["bystander"]), 60.0)
    assert clip.step == 2 and clip.stride(0.2) == 12  # the same looks per second as at 30 fps
    with pytest.raises(gaitcheck.ConfigError, match="min_model_fps"):
        Config().with_overrides("pose", min_model_fps=5.0)


@pytest.mark.parametrize("name", list(SCENES))
def test_both_strategies_look_only_at_every_other_frame_and_agree(clips: dict[str, Path], name: str) -> None:
    got = {}
    for strategy in (_passes.sequential, _live.live):
        fake = FakeLandmarkers(SCENES[name], {"re-follow": 50}.get(name))
        clip = _passes.Clip(clips[name], CFG, fake, 30.0)
        stride = clip.stride(CFG.pose.scan_interval_s)
        got[strategy] = strategy(clip, stride, _passes.likely_walker, _passes.Bar(None, 0))
        assert stride == 6 and all(lm.closed for lm in fake.made)
        assert all(i % 2 == 0 for lm in fake.made for i, _ in lm.looks)  # the model never saw an odd frame
    ref, live = got[_passes.sequential], got[_live.live]
    assert_same_passes(ref, live)
    walker = SCENES[name].people[-1]
    assert ref.followed is not None and ref.walker is not None
    assert ref.followed.full and ref.followed.stride == ref.followed.step == 2 and not ref.walker.full
    present = np.flatnonzero(walker.present)
    assert ref.followed.frames == [int(i) for i in present if i % 2 == 0]


def test_the_frames_in_between_are_interpolated_and_the_walker_is_full(tmp_path: Path) -> None:
    scene = Scene((person(N, start_x=270, speed=0, scale=0.2, cadence=0.001), person(N, start_x=30)))
    path = write_scene(scene, tmp_path / "c.mp4")
    ex, followed = extract_following(path, CFG, MODEL, None, landmarkers=FakeLandmarkers(scene))
    (walker,) = [tr for tr in ex.tracks if tr.track_id == followed]
    assert walker.full and walker.frames == list(range(0, N, 2))
    series = track_series(walker, ex.t, (ex.info.width, ex.info.height))
    assert np.isfinite(series.xyz[: walker.frames[-1] + 1]).all()  # every frame up to the last look
    assert np.isnan(series.xyz[walker.frames[-1] + 1:]).all()  # nothing made up past it
    odd = series.xyz[1:-1:2][: len(walker.frames) - 1]
    np.testing.assert_allclose(odd, (series.xyz[0:-2:2] + series.xyz[2::2])[: len(odd)] / 2, atol=1e-6)
    report = gaitcheck.score(ex, CFG).to_dict()
    assert report["subject"]["track_id"] == followed and report["subject"]["detection_rate"] > 0.95
    assert not any("only looked at" in w for w in report["warnings"]), report["warnings"]


def test_a_missed_look_is_not_bridged(tmp_path: Path) -> None:
    scene = Scene((person(N, start_x=30),))
    path = write_scene(scene, tmp_path / "c.mp4")
    fake = FakeLandmarkers(scene, miss=lambda num_poses, frame: num_poses == 1 and frame == 40)
    ex, followed = extract_following(path, CFG, MODEL, None, landmarkers=fake)
    (walker,) = [tr for tr in ex.tracks if tr.track_id == followed]
    assert 40 not in walker.frames and {38, 42} <= set(walker.frames)
    series = track_series(walker, ex.t, (ex.info.width, ex.info.height))
    assert np.isnan(series.xyz[39:42]).all() and np.isfinite(series.xyz[[37, 38, 42, 43]]).all()
