"""The landmark cache: an Extraction survives the round trip to disk exactly (fast, synthetic walkers)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from _synth import make_extraction, make_walker

import gaitcheck
from gaitcheck._io import sha256_file as file_sha256
from gaitcheck.batch import cache as cache_module
from gaitcheck.batch.cache import (
    LandmarkCache,
    cache_variant,
    load_extraction,
    save_extraction,
)
from gaitcheck.config import Config, PoseConfig
from gaitcheck.errors import CacheError, CacheMissError
from gaitcheck.pose.tracking import Track

SHA = "ab" * 32


@pytest.fixture(scope="module")
def extraction() -> gaitcheck.Extraction:
    """A walker and a bystander, the walker missing for a few frames (two tracks, gaps); the
    bystander sampled as a scan does (every 6th frame, ``stride`` 6); the walker with clothing
    colours on every look (some regions unseen: NaN), the bystander with none."""
    walker = make_walker(120, trunk_lean_deg=14.0, head_pitch_deg=30.0)
    other = make_walker(120, start_x=1100.0, speed_px_s=0.0)
    present = np.ones(120, bool)
    present[40:47] = False
    ext = make_extraction(walker, other, present=[present, np.ones(120, bool)])
    full, by = ext.tracks
    sampled = Track(by.track_id, by.frames[::6], by.times[::6], by.image[::6], by.world[::6], stride=6)
    colours = np.random.default_rng(0).uniform(-50, 100, (len(full.frames), 3, 3)).astype(np.float32)
    colours[::7, 2] = np.nan
    full = dataclasses.replace(full, colours=list(colours))
    return dataclasses.replace(ext, tracks=(full, sampled),
                               warnings=("The video is damaged: 1 frame(s) could not be decoded.",))


def assert_same_extraction(a: gaitcheck.Extraction, b: gaitcheck.Extraction) -> None:
    assert a.info == b.info and a.model == b.model and a.warnings == b.warnings
    assert a.t.dtype == b.t.dtype and np.array_equal(a.t, b.t)
    assert len(a.tracks) == len(b.tracks)
    for ta, tb in zip(a.tracks, b.tracks, strict=True):
        assert (ta.track_id, ta.stride, ta.frames, ta.times) == (tb.track_id, tb.stride, tb.frames, tb.times)
        for xa, xb in ((ta.image, tb.image), (ta.world, tb.world), (ta.colours, tb.colours)):
            assert len(xa) == len(xb)
            assert all(u.dtype == v.dtype == np.float32 and np.array_equal(u, v, equal_nan=True)
                       for u, v in zip(xa, xb, strict=True))


def test_round_trip_is_exact_and_scores_the_same(tmp_path: Path, extraction: gaitcheck.Extraction) -> None:
    assert len(extraction.tracks) == 2
    assert [len(tr.colours) for tr in extraction.tracks] == [len(extraction.tracks[0].frames), 0]
    save_extraction(extraction, tmp_path / "entry")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["entry.json", "entry.npz"]  # no temporary files left
    loaded = load_extraction(tmp_path / "entry", extraction.info.path)
    assert_same_extraction(extraction, loaded)
    for cfg in (Config(), Config().with_overrides("slouch", trunk_lean_max_deg=20.0)):
        assert gaitcheck.score(loaded, cfg).to_dict() == gaitcheck.score(extraction, cfg).to_dict()


def test_no_file_name_is_stored_and_the_path_is_given_back(tmp_path: Path, extraction) -> None:
    named = dataclasses.replace(extraction, info=dataclasses.replace(extraction.info, path="/clinic/Jane Doe.mp4"))
    save_extraction(named, tmp_path / "entry")
    assert b"Jane" not in (tmp_path / "entry.json").read_bytes() + (tmp_path / "entry.npz").read_bytes()
    assert load_extraction(tmp_path / "entry", "elsewhere/walk.mp4").info.path == "elsewhere/walk.mp4"


def test_the_stride_is_stored_not_guessed_from_the_frames(tmp_path: Path, extraction) -> None:
    # a walker followed on every frame but found on alternate frames only is still a full track
    full, sampled = extraction.tracks
    alternate = Track(full.track_id, full.frames[::2], full.times[::2], full.image[::2], full.world[::2])
    ex = dataclasses.replace(extraction, tracks=(alternate, sampled))
    save_extraction(ex, tmp_path / "entry")
    back = load_extraction(tmp_path / "entry", ex.info.path).tracks
    assert [(tr.stride, tr.full) for tr in back] == [(1, True), (6, False)]
    assert_same_extraction(ex, load_extraction(tmp_path / "entry", ex.info.path))


def test_entries_of_the_format_before_strides_are_misses(tmp_path: Path, extraction, monkeypatch) -> None:
    cache = LandmarkCache(tmp_path / "cache")
    monkeypatch.setattr(cache_module, "CACHE_FORMAT", 1)
    cache.save(SHA, PoseConfig(), extraction)  # as the format without strides named its entries
    monkeypatch.undo()
    with pytest.raises(CacheMissError, match="older gaitcheck"):
        cache.load(SHA, extraction.model.sha256, PoseConfig(), "walk.mp4")


def test_empty_extraction_round_trips(tmp_path: Path, extraction) -> None:
    empty = dataclasses.replace(extraction, tracks=(), t=np.zeros(0))
    save_extraction(empty, tmp_path / "empty")
    assert_same_extraction(empty, load_extraction(tmp_path / "empty", empty.info.path))


def test_variant_depends_on_model_and_pose_settings_only() -> None:
    base = cache_variant("0" * 64, PoseConfig())
    assert cache_variant("1" * 64, PoseConfig()) != base
    assert cache_variant("0" * 64, PoseConfig(max_people=1)) != base
    assert len(base) == 16 and base == cache_variant("0" * 64, Config().with_overrides("slouch", min_episode_s=1).pose)


def test_the_automatic_turn_keeps_the_entries_made_before_the_setting_existed() -> None:
    # pose.turn = "auto" (the default) is left out of the key: the value before the setting was added (when
    # max_people was 2 by default; the entries made with 2 stay apart from those made with today's 3)
    assert cache_variant("0" * 64, PoseConfig(max_people=2)) == "52260edeaa3a378d"
    assert cache_variant("0" * 64, PoseConfig(turn="90")) != cache_variant("0" * 64, PoseConfig(turn="0"))
    assert cache_variant("0" * 64, PoseConfig(max_people=2, turn="0")) != "52260edeaa3a378d"
    assert cache_variant("0" * 64, PoseConfig()) != "52260edeaa3a378d"


def test_cache_miss_says_what_to_do(tmp_path: Path, extraction) -> None:
    cache = LandmarkCache(tmp_path / "cache")
    with pytest.raises(CacheMissError, match=r"'walk.mp4' is not in the landmark cache .*run gaitcheck batch"):
        cache.load(SHA, extraction.model.sha256, PoseConfig(), "walk.mp4")
    cache.save(SHA, PoseConfig(), extraction)
    assert_same_extraction(extraction, cache.load(SHA, extraction.model.sha256, PoseConfig(), extraction.info.path))
    with pytest.raises(CacheMissError, match="only with another pose model or other"):
        cache.load(SHA, extraction.model.sha256, PoseConfig(max_people=2), "walk.mp4")
    with pytest.raises(CacheMissError):
        cache.load(SHA, "f" * 64, PoseConfig(), "walk.mp4")


@pytest.mark.parametrize("damage", ["truncated npz", "bad json", "other format", "missing array"])
def test_damaged_entry_is_a_cache_error(tmp_path: Path, extraction, damage: str) -> None:
    stem = tmp_path / "entry"
    save_extraction(extraction, stem)
    npz, meta = stem.with_suffix(".npz"), stem.with_suffix(".json")
    if damage == "truncated npz":
        npz.write_bytes(npz.read_bytes()[:200])
    elif damage == "bad json":
        meta.write_text("{not json", encoding="utf-8")
    elif damage == "other format":
        meta.write_text(json.dumps({**json.loads(meta.read_text(encoding="utf-8")), "format": 99}), encoding="utf-8")
    else:
        with np.load(npz) as data:
            arrays = {k: data[k] for k in data.files if k != "world"}
        np.savez_compressed(npz, **arrays)
    with pytest.raises(CacheError):
        load_extraction(stem, "walk.mp4")


def test_file_sha256(tmp_path: Path) -> None:
    p = tmp_path / "x.bin"
    p.write_bytes(b"abc")
    assert file_sha256(p) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def _lying(extraction: gaitcheck.Extraction) -> gaitcheck.Extraction:
    """The extraction with every look turned a quarter turn (a video whose rotation was lost)."""
    def turn(im: np.ndarray) -> np.ndarray:
        out = im.copy()
        out[:, 0], out[:, 1] = 720.0 - im[:, 1], im[:, 0]
        return out

    tracks = tuple(dataclasses.replace(tr, image=[turn(im) for im in tr.image]) for tr in extraction.tracks)
    return dataclasses.replace(extraction, tracks=tracks)


def _as_if_older(stem: Path) -> None:
    """Make an entry look written by a gaitcheck from before pose.turn (no turn in its pose settings)."""
    meta = stem.with_suffix(".json")
    doc = json.loads(meta.read_text())
    del doc["pose"]["turn"]
    meta.write_text(json.dumps(doc))


def test_an_older_entry_of_a_video_on_its_side_is_a_miss_so_that_it_is_turned(tmp_path: Path, extraction) -> None:
    # gaitcheck before pose.turn did not turn such videos upright: its entry would give every check unknown
    cache = LandmarkCache(tmp_path / "cache")
    lying = _lying(extraction)
    assert gaitcheck.pose.extraction.turn_needed_deg(lying) in (90, 270)
    stem = cache.save(SHA, PoseConfig(), lying)
    assert len(cache.load(SHA, lying.model.sha256, PoseConfig(), "walk.mp4").tracks) == len(lying.tracks)
    _as_if_older(stem)
    with pytest.raises(CacheMissError, match="'walk.mp4' was cached lying on its side by an older gaitcheck"):
        cache.load(SHA, lying.model.sha256, PoseConfig(), "walk.mp4")
    # an asked-for turn, or no turn, takes what is there (other entries); an older upright entry still loads
    with pytest.raises(CacheMissError, match="only with another pose model or other"):
        cache.load(SHA, lying.model.sha256, PoseConfig(turn="0"), "walk.mp4")
    upright = cache.save("cd" * 32, PoseConfig(), extraction)
    _as_if_older(upright)
    assert gaitcheck.pose.extraction.turn_needed_deg(extraction) == 0
    assert len(cache.load("cd" * 32, extraction.model.sha256, PoseConfig(), "walk.mp4").tracks) == 2
