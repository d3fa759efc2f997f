"""Two people walking close together on real footage: judged one at a time, never as a mix (slow: the real model).

Made inside the test from two real clips of one camera in one room (gait_slouch02's walker, bent
forward, and gait_normal01's, upright), one walker cut out of their clip and pasted into the other's:

- *behind*: a patient with a helper 15 frames (0.5 s) behind them. The pose model finds one of them
  per look, and the follower moves from one to the other as they overlap;
- *crossing*: a bystander walking the other way (the pasted walker mirrored), crossing in front.

In other clothes (the pasted walker tinted), the track is split where the clothes change, the looks
where the follower strays onto the bystander crossing in front are left out, and each person is
judged on their own frames. In the same clothes (the two clips show one man) the follower
stays on one of the two as they cross, and moves from one to the other and back when one walks just
behind the other: that one cannot be told apart yet (a strict xfail).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pytest
from _derive import derive
from _montage import together
from conftest import AnalysisCache

import gaitcheck
from gaitcheck.angles import body_size

pytestmark = pytest.mark.slow

SLOUCH, NORMAL = "gait_slouch02_indoor_side.mp4", "gait_normal01_indoor_side.mp4"
SAME, RED, BLUE = (1.0, 1.0, 1.0), (1.0, 0.45, 0.45), (0.45, 0.6, 1.0)


class Pair(NamedTuple):
    first: str  # the clip pasted into
    second: str  # the clip whose walker is pasted in
    delay: int  # frames the second walker comes in after the first
    tint: tuple[float, float, float]
    mirror: bool


PAIRS = {"behind, other clothes": Pair(SLOUCH, NORMAL, 15, RED, False),
         "behind, same clothes": Pair(SLOUCH, NORMAL, 15, SAME, False),
         "crossing, other clothes": Pair(NORMAL, SLOUCH, 0, BLUE, True),
         "crossing, same clothes": Pair(NORMAL, SLOUCH, 0, SAME, True)}


@pytest.fixture(scope="module")
def pairs(tmp_path_factory: pytest.TempPathFactory, shared_videos: Path) -> dict[str, gaitcheck.Extraction]:
    folder = tmp_path_factory.mktemp("together")
    return {name: gaitcheck.extract(together(folder / f"{k}.mp4", p.first, p.second, delay=p.delay, tint=p.tint,
                                             mirror=p.mirror))
            for k, (name, p) in enumerate(PAIRS.items())}


def _hips(report: gaitcheck.Report, mirror: bool = False) -> tuple[np.ndarray, float]:
    """The walker's hip centre per frame (NaN where not found) and their median body size, in pixels."""
    px = report.series.pixels()
    hips = (px[:, 23, :2] + px[:, 24, :2]) / 2
    if mirror:
        hips[:, 0] = report.video.width - 1 - hips[:, 0]
    return hips, float(np.nanmedian(body_size(px)))


def _whose(report: gaitcheck.Report, pair: Pair, analysed: AnalysisCache) -> dict[str, int]:
    """How many of the walker's frames are each source walker's: the one whose hips are nearer, where the
    two are apart by over a fifth of a body size (and within half a body size of the nearer)."""
    mine, size = _hips(report)
    first, _ = _hips(analysed.report(pair.first))
    second, _ = _hips(analysed.report(pair.second), pair.mirror)
    counts = {pair.first: 0, pair.second: 0}
    for n in np.flatnonzero(np.isfinite(mine[:, 0])):
        if n >= len(first) or not 0 <= n - pair.delay < len(second):
            continue
        a, b = first[n], second[n - pair.delay]
        if not (np.isfinite(a).all() and np.isfinite(b).all()) or np.linalg.norm(a - b) < 0.2 * size:
            continue
        da, db = np.linalg.norm(mine[n] - a), np.linalg.norm(mine[n] - b)
        if min(da, db) < 0.5 * size:
            counts[pair.first if da < db else pair.second] += 1
    return counts


def _one_persons(report: gaitcheck.Report, pair: Pair, analysed: AnalysisCache) -> str:
    """The source clip whose walker ``report`` judges, checking that it is that one person's frames and
    verdicts only (each check that person's own verdict, or unknown)."""
    counts = _whose(report, pair, analysed)
    assert sum(counts.values()) > 10 and min(counts.values()) == 0, counts
    person = max(counts, key=lambda k: counts[k])
    d, own = report.to_dict(), analysed.dict(person)
    for check in ("look_ahead", "slouch"):
        assert d["checks"][check]["status"] in (own["checks"][check]["status"], "unknown"), (check, person)
    assert d["gait"]["status"] in (own["gait"]["status"], "unknown"), person
    return person


@pytest.mark.parametrize("name", ["behind, other clothes", "crossing, other clothes", "crossing, same clothes"])
def test_two_people_walking_close_are_judged_one_at_a_time(pairs: dict[str, gaitcheck.Extraction],
                                                           analysed: AnalysisCache, name: str) -> None:
    ext, pair = pairs[name], PAIRS[name]
    report = gaitcheck.score(ext)
    _one_persons(report, pair, analysed)
    assert any("Someone else was seen walking too" in w for w in report.warnings) or name.startswith("behind")
    # where the follower went from one to the other (behind: from one to the other and back, a piece for
    # each), every piece the notes name is one person when chosen by its id
    notes = [w for w in report.warnings if "person followed changed" in w]
    assert notes or not name.startswith("behind"), report.warnings
    named = {int(w) for note in notes for w in re.findall(r"track (\d+)", note)}
    assert not notes or (report.subject.track_id in named and len(named) == len(notes) + 1)
    for track_id in sorted(named - {report.subject.track_id}):
        chosen = gaitcheck.score(ext, track_id=track_id)
        if chosen.subject.analysable_s > 0:  # a piece of 0.4 s may give no measure at all
            _one_persons(chosen, pair, analysed)


@pytest.mark.xfail(strict=True, reason="issue 19: two people in alike clothes, one just behind the other, are "
                   "followed as one, and judged as a mix")
def test_two_people_in_alike_clothes_one_behind_the_other_are_not_judged_as_a_mix(
        pairs: dict[str, gaitcheck.Extraction], analysed: AnalysisCache) -> None:
    counts = _whose(gaitcheck.score(pairs["behind, same clothes"]), PAIRS["behind, same clothes"], analysed)
    assert min(counts.values()) == 0, counts


def _one_walker_notes(d: dict[str, Any]) -> list[str]:
    return [w for w in d["warnings"] if "person followed changed" in w or "hidden behind someone" in w]


def test_no_real_clips_walker_is_split_or_loses_a_frame(analysed: AnalysisCache,
                                                        manifest: dict[str, dict[str, Any]]) -> None:
    for name in manifest:
        assert not _one_walker_notes(analysed.dict(name)), name


@pytest.mark.parametrize("name", [SLOUCH, "lab_woman_indoor_side.mp4"])
def test_a_walker_crossing_into_a_hard_shadow_stays_one_person(analysed: AnalysisCache, tmp_path: Path,
                                                                name: str) -> None:
    # the right half of the picture in deep, bluish shade: every colour of the clothes changes as the
    # walker crosses into it (on the slouch clip a detour of 4 frames was taken out, before the landmarks
    # had to leave the walker's path for one)
    d = gaitcheck.analyze(derive(analysed.path(name), tmp_path / "shade.mp4", shade=(0.35, 0.4, 0.55))).to_dict()
    own = analysed.dict(name)
    assert not _one_walker_notes(d), d["warnings"]
    assert {k: c["status"] for k, c in d["checks"].items()} == {k: c["status"] for k, c in own["checks"].items()}
