"""The pose stage's entry points: decode the clip, find everyone, follow the walker on every frame.

The stage is two passes (see :mod:`gaitcheck.pose.passes`): a scan that samples everyone every
``pose.scan_interval_s``, then the walker followed on every frame; :mod:`gaitcheck.pose.live` runs
both at once.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from ..angles import TURN_WORDS, upright_turn_deg
from ..config import Config
from ..video import VideoInfo, frame_step, measured_fps, probe_video
from .landmarker import LandmarkerFactory, MediaPipeLandmarkers, ModelInfo, resolve_model
from .live import live, load_scoring
from .passes import (
    Bar,
    Chooser,
    Clip,
    Passes,
    Progress,
    Scan,
    Strategy,
    follow,
    follow_target,
    likely_walker,
    scan,
    sequential,
)
from .tracking import Track
from .walker import choose_walker, track_summary, walk_tracks

__all__ = ["MAX_SECOND_LOOKS", "Extraction", "Progress", "extract", "extract_following", "follow_track",
           "follow_tracks", "load_scoring", "turn_needed_deg"]

MAX_SECOND_LOOKS = 2  # people followed on every frame after the walker, where the scan's looks rated them higher


@dataclass(frozen=True, eq=False)
class Extraction:
    """Everyone the pose model found in a clip, linked into tracks (the expensive stage's output).

    The walker chosen while extracting, with all their passes, has landmarks on every frame the
    model found them; the others were looked at every few frames only (``Track.stride``), which is enough to list them
    and to choose among them: :func:`follow_track` follows one of them on every frame.
    """

    info: VideoInfo
    t: NDArray[np.float64]
    tracks: tuple[Track, ...]
    warnings: tuple[str, ...]
    model: ModelInfo


def extract(path: str | os.PathLike[str], config: Config | None = None, *, model: str | os.PathLike[str] | None = None,
            progress: Progress | None = None, quiet: bool = False,
            passes: Literal["live", "sequential"] = "live") -> Extraction:
    """Decode the clip, find everyone with the pose model, link them into tracks and follow the walker.

    Everyone is looked for every ``config.pose.scan_interval_s`` (their tracks are sampled: see
    :attr:`Track.stride <gaitcheck.pose.tracking.Track.stride>`); the walker (:func:`choose_walker`)
    is then followed on every frame, and so are the walker's other passes (tracks of the same
    person after they left the picture and came back: :func:`~gaitcheck.pose.walker.choose_walk`),
    all in one more decode. ``scan_interval_s = 0`` follows everyone on every frame.
    ``quiet=True`` hides mediapipe's C++ log lines on file descriptor 2, for the whole process
    while a landmarker starts or closes (the command line's choice; a library stays loud).
    ``passes="sequential"`` runs the scan and the follow one after the other instead of side by side
    (the same landmarks, bit for bit): for a process that shares the cores with others doing the
    same (batch workers), where a second thread only adds overhead.

    Raises:
        VideoReadError, InputTooLargeError: the file cannot be used.
        ModelError: the pose model cannot be loaded.
    """
    cfg = config or Config()
    strategy = sequential if passes == "sequential" else None
    return extract_following(path, cfg, resolve_model(model), progress, quiet=quiet, strategy=strategy)[0]


def extract_following(path: str | os.PathLike[str], cfg: Config, model: ModelInfo, progress: Progress | None, *,
                      track_id: int | None = None, point: tuple[float, float, float] | None = None,
                      quiet: bool = False, landmarkers: LandmarkerFactory | None = None,
                      strategy: Strategy | None = None) -> tuple[Extraction, int | None]:
    """:func:`extract`, following the person named by ``track_id`` or ``point`` (else the walker).

    ``landmarkers`` replaces the pose model ``model`` names (e.g. a fake one in tests; ``model`` is
    then only recorded); ``strategy`` how the passes run (default: :func:`gaitcheck.pose.live.live`
    for the walker, :func:`gaitcheck.pose.passes.sequential` for someone named).
    Returns the extraction and the id of the person followed on every frame (None: everyone was).

    Raises:
        NoWalkerError: ``track_id`` or ``point`` names no one (the scan's tracks).
    """
    info = probe_video(path, max_duration_s=cfg.limits.max_duration_s, max_pixels=cfg.limits.max_pixels)
    fps = measured_fps(path) or info.fps  # what the frames say, not what the container declares
    clip = Clip(path, cfg, landmarkers or MediaPipeLandmarkers(model, cfg.pose, quiet), fps)
    bar = Bar(progress, info.frame_count)
    if cfg.pose.turn != "auto":  # the user's turn (0: never turned), whatever the people look like
        asked = int(cfg.pose.turn)
        ex, followed = _extract_clip(dataclasses.replace(clip, turn_deg=asked), model, bar, track_id, point, strategy)
        if asked:
            ex = dataclasses.replace(ex, warnings=(*ex.warnings, turned_note(asked, asked=True)))
        return ex, followed
    ex, followed = _extract_clip(clip, model, bar, track_id, point, strategy)
    turn = upright_turn_deg(_looks(ex.tracks))
    if not turn:
        return ex, followed
    # Everybody lies on their side in the picture: the video's rotation was lost (re-encoded, sent
    # through a messenger). Every angle would be 90° out; the model reads people best upright. Run
    # again on the frames turned upright, and keep that only if it shows the people upright.
    bar.restart(len(ex.t))
    again, followed_again = _extract_clip(dataclasses.replace(clip, turn_deg=turn), model, bar, track_id, point,
                                          strategy)
    if upright_turn_deg(_looks(again.tracks)):
        return ex, followed  # still not upright: score() says the checks are unknown, and why
    return dataclasses.replace(again, warnings=(*again.warnings, turned_note(turn))), followed_again


def turned_note(turn_deg: int, *, asked: bool = False) -> str:
    """The report's note on a video turned upright before the analysis (``asked``: by ``pose.turn``).

    >>> turned_note(270)[:75]
    'The video was on its side (its rotation was probably lost when it was copie'
    >>> turned_note(90, asked=True)[:71]
    'The video was turned a quarter turn clockwise before the analysis, as a'
    """
    how = TURN_WORDS[turn_deg]
    if asked:
        return (f"The video was turned {how} before the analysis, as asked (--turn {turn_deg}, or pose.turn in the "
                "config), and its pictures are shown turned.")
    lying = "upside down" if turn_deg == 180 else "on its side"
    return (f"The video was {lying} (its rotation was probably lost when it was copied or converted): it was turned "
            f"{how} before the analysis, and its pictures are shown turned.")


def turn_needed_deg(extraction: Extraction) -> int:
    """The clockwise turn that would put the people of ``extraction`` upright (0: they are upright, or unknown)."""
    return upright_turn_deg(_looks(extraction.tracks))


def _looks(tracks: Collection[Track]) -> NDArray[np.float64]:
    """(N, 33, 2) the pixel landmarks of every look at everyone."""
    looks = [im[:, :2] for tr in tracks for im in tr.image]
    return np.asarray(looks, np.float64).reshape(-1, 33, 2)


def _extract_clip(clip: Clip, model: ModelInfo, bar: Bar, track_id: int | None,
                  point: tuple[float, float, float] | None,
                  strategy: Strategy | None) -> tuple[Extraction, int | None]:
    """The passes of :func:`extract_following` over ``clip``."""
    cfg = clip.cfg
    stride = clip.step if cfg.pose.max_people == 1 else clip.stride(cfg.pose.scan_interval_s)
    if stride == clip.step:  # everyone on every frame (the model runs on), in one pass: the scan is the whole bar
        bar.scan_share = 1.0
        found = scan(clip, stride, bar.scan)
        bar.end(len(found.t))
        return _extraction(found, model), None
    named = track_id is not None or point is not None
    choose = _named(track_id, point) if named else likely_walker
    run = strategy or (sequential if named else live)
    passes = run(clip, stride, choose, bar)
    ex, followed = _checked(clip, passes, model, bar)
    bar.end(len(ex.t))
    if followed is not None:
        ex = _follow_walk(clip, ex, followed, bar, people=passes.scan.tracks, ready=passes.more)
        if not named:
            ex, followed = _choose_again(clip, ex, followed, bar, passes.scan.tracks)
    return ex, followed


def _choose_again(clip: Clip, extraction: Extraction, followed: int, bar: Bar, people: Sequence[Track],
                  ) -> tuple[Extraction, int]:
    """Follow on every frame anyone the scan's looks rate above the walker so followed, and choose again.

    The walker is chosen on the scan's looks, every ``pose.scan_interval_s``; followed on every frame, a
    person bouncing on the spot (a man exercising on a box) can turn out to walk for less time than
    those looks made it seem, and to score below someone else's looks (the tracks' score: time seen
    walking, by size in the picture). The choice then rests on estimates that the closer look has
    contradicted: the other person (with their passes) is followed on every frame too, and the walker
    is chosen again on the full looks (:func:`~gaitcheck.pose.walker.choose_walker` among the tracks
    followed on every frame). At
    most :data:`MAX_SECOND_LOOKS` people more are followed; the report notes who, and why.
    """
    info = extraction.info
    size, dt = (info.width, info.height), frame_step(extraction.t, info.fps)
    tracks = list(extraction.tracks)
    stats = track_summary(tracks, size, dt)
    for _ in range(MAX_SECOND_LOOKS):
        full = {tr.track_id for tr in tracks if tr.full}
        walker = next((s for s in stats if s.track_id == followed), None)
        rival = None if walker is None else next(
            (s for s in stats if s.track_id not in full and s.score > walker.score), None)
        if walker is None or rival is None:  # (a walker seen too briefly to judge has no stats: score() says so)
            break
        extraction = _follow_walk(clip, extraction, rival.track_id, bar, people=people)
        tracks = list(extraction.tracks)
        if not any(tr.full for tr in tracks if tr.track_id == rival.track_id):
            break  # could not be followed on its own (a warning says so): the choice stands
        stats = track_summary(tracks, size, dt)
        chosen = choose_walker(tracks, stats).track_id
        note = (f"Track {rival.track_id} was followed on every frame too: on the looks every "
                f"{clip.cfg.pose.scan_interval_s:g} s that choose the walker it seemed the likelier walker "
                f"({rival.walking_s:.1f} s seen walking) than track {followed} ({walker.walking_s:.1f} s once followed "
                "on every frame; the time seen walking counts with the size in the picture). The walker chosen "
                f"again on every frame's looks: track {chosen}.")
        extraction = dataclasses.replace(extraction, warnings=(*extraction.warnings, note))
        followed = chosen
    return extraction, followed


def _named(track_id: int | None, point: tuple[float, float, float] | None) -> Chooser:
    """The :data:`Chooser` of the person the user named (raising NoWalkerError if nobody is there)."""
    def choose(found: Scan) -> Track:
        stats = track_summary(found.tracks, (found.info.width, found.info.height), frame_step(found.t, found.info.fps))
        return choose_walker(found.tracks, stats, track_id=track_id, point=point,
                             frame_size=(found.info.width, found.info.height))

    return choose


def _extraction(found: Scan, model: ModelInfo, tracks: tuple[Track, ...] | None = None,
                warnings: tuple[str, ...] = ()) -> Extraction:
    return Extraction(found.info, found.t, tuple(found.tracks) if tracks is None else tracks,
                      (*found.warnings, *warnings), model)


def _checked(clip: Clip, passes: Passes, model: ModelInfo, bar: Bar) -> tuple[Extraction, int | None]:
    """The extraction of ``passes``, and the id of the person followed on every frame (None: nobody, or everyone).

    If the person is found on fewer frames than the scan saw them on, something went wrong (e.g.
    the model kept to someone else): everyone is then followed on every frame instead (the bar
    grows by a pass over the clip; the tracks, and so their ids, are the new pass's).
    """
    found, target, dense = passes.scan, passes.walker, passes.followed
    if target is None or dense is None:
        return _extraction(found, model), None  # nobody: score() says so
    if len(dense.frames) < len(target.frames):
        bar.again(len(found.t))
        full = scan(clip, clip.step, bar.scan)
        note = (f"The walker could not be followed on their own (found on {len(dense.frames)} frames, seen by "
                f"the scan on {len(target.frames)}); everyone was followed on every frame instead.")
        return _extraction(full, model, warnings=(note,)), None
    return _extraction(found, model, tuple(dense if tr is target else tr for tr in found.tracks)), target.track_id


def _follow_walk(clip: Clip, extraction: Extraction, track_id: int, bar: Bar, *,
                 people: Sequence[Track] | None = None, ready: Mapping[int, Track] | None = None) -> Extraction:
    """``extraction`` with all passes of the walker whose first track is ``track_id`` followed on every frame.

    ``people`` and ``ready`` as for :func:`_follow_tracks`.
    """
    info = extraction.info
    walk = walk_tracks(list(extraction.tracks), (info.width, info.height), frame_step(extraction.t, info.fps),
                       track_id)
    return _follow_tracks(clip, extraction, [tr.track_id for tr in walk], bar, people=people, ready=ready)


def _follow_tracks(clip: Clip, extraction: Extraction, track_ids: Collection[int], bar: Bar, *,
                   people: Sequence[Track] | None = None, ready: Mapping[int, Track] | None = None) -> Extraction:
    """``extraction`` with the sampled tracks among ``track_ids`` followed on every frame, in one decode.

    ``people``: everyone as the scan sampled them, painted over where the scan saw them (default:
    the extraction's tracks). ``ready``: tracks already followed so, by track id (the live
    follower's), used instead of following those again. A track the model finds on fewer frames
    than the scan did (it kept to someone else) stays as sampled, with a warning.
    """
    tracks = list(extraction.tracks)
    targets = [tr for tr in tracks if tr.track_id in track_ids and not tr.full]
    if not targets:
        return extraction
    have = ready or {}
    done = {id(tr): have[tr.track_id] for tr in targets if tr.track_id in have}
    todo = [tr for tr in targets if id(tr) not in done]
    if todo:
        stride = max(tr.stride for tr in todo)
        n = len(extraction.t)
        frames = {f for tr in todo for f in range(max(0, tr.frames[0] - stride + 1), min(n, tr.frames[-1] + stride))}
        dense = follow(clip, todo, tracks if people is None else people, stride, bar.more(frames))
        done.update(zip(map(id, todo), dense, strict=True))
        bar.end(len(frames))
    kept = {id(tr): done[id(tr)] for tr in targets if len(done[id(tr)].frames) >= len(tr.frames)}
    notes = tuple(f"Track {tr.track_id} could not be followed on its own (found on {len(done[id(tr)].frames)} frames, "
                  f"seen by the scan on {len(tr.frames)}); it stays looked at every {tr.stride} frames."
                  for tr in targets if id(tr) not in kept)
    return dataclasses.replace(extraction, tracks=tuple(kept.get(id(tr), tr) for tr in tracks),
                               warnings=(*extraction.warnings, *notes))


def follow_tracks(path: str | os.PathLike[str], extraction: Extraction, track_ids: Collection[int],
                  config: Config | None = None) -> Extraction:
    """``extraction`` with the people ``track_ids`` followed on every frame (several in one decode).

    Tracks already followed on every frame are left as they are; returns ``extraction`` itself
    when all of them are.

    Args:
        path: the same video the extraction came from.
        extraction: what :func:`extract` returned for it (its model is used again).
        track_ids: track ids of ``extraction`` (ids that are not there are ignored).
        config: the settings used for the extraction.
    """
    cfg = config or Config()
    clip = Clip(path, cfg, MediaPipeLandmarkers(extraction.model, cfg.pose), extraction.info.fps,
                extraction.info.turned_deg)
    return _follow_tracks(clip, extraction, track_ids, Bar(None, 0))


def follow_track(path: str | os.PathLike[str], extraction: Extraction, track_id: int, config: Config | None = None,
                 ) -> Extraction:
    """``extraction`` with person ``track_id`` followed on every frame, with all their passes.

    Used for choosing another walker.

    :func:`extract` follows only the walker it chose on every frame; the others are sampled. Pass
    the result to :func:`score` with ``track_id`` for a full analysis of that person; their other
    passes (:func:`gaitcheck.pose.walker.choose_walk`) are followed too. Returns ``extraction``
    itself when all of them are already followed on every frame.

    Args:
        path: the same video the extraction came from.
        extraction: what :func:`extract` returned for it (its model is used again).
        track_id: a track id of ``extraction``.
        config: the settings used for the extraction.

    Raises:
        NoWalkerError: there is no such track.
    """
    cfg = config or Config()
    info = extraction.info
    tracks = list(extraction.tracks)
    stats = track_summary(tracks, (info.width, info.height), frame_step(extraction.t, info.fps))
    target = choose_walker(tracks, stats, track_id=track_id)
    clip = Clip(path, cfg, MediaPipeLandmarkers(extraction.model, cfg.pose), info.fps, info.turned_deg)
    bar = Bar(None, 0)
    if not target.full:
        found = Scan(info, extraction.t, tracks, [tr.track_id for tr in tracks], target.stride, extraction.warnings)
        extraction, followed = _checked(clip, Passes(found, target, follow_target(clip, found, target, bar)),
                                        extraction.model, bar)
        if followed is None:  # everyone was followed on every frame instead
            return extraction
    return _follow_walk(clip, extraction, track_id, bar)
