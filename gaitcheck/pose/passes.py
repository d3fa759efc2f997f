"""The two passes of the pose stage: a sampled scan that finds everyone, then the walker on every frame.

Why (measured with ``benchmarks/bench_speed.py`` on a 2-core machine): the model costs ~18-20 ms
per person per frame whatever the frame size (1280x720 to 3840x2160; a crop around the person
costs the same as the whole frame), and looking for two people costs ~1.8x one on every frame,
because while fewer people are in view than asked for, the person detector runs again on every
frame. So the scan looks for ``pose.max_people`` people only every ``pose.scan_interval_s``
(every 6th frame at 30 fps): enough to link everyone into tracks and to choose the walker
(:func:`gaitcheck.pose.walker.choose_walker` scores the time seen walking and the size, which
sampling keeps). Then a single-person model follows the chosen person on every frame of their time
in view, in the full frame (so the landmarks keep the full frame's coordinates), with everyone
else the scan found painted over so that the model cannot lock onto them; a detection must lie
where the scan saw that person.

Two strategies run the passes, behind one signature (:data:`Strategy`): :func:`sequential`, the
reference (the whole scan, the choice, then the follow), and :func:`gaitcheck.pose.live.live`,
which runs both at once and gives the same tracks, bit for bit. The pose model is injected (a
:data:`~gaitcheck.pose.landmarker.LandmarkerFactory` in the :class:`Clip`), so tests can prove
that with a fake one.

Frames are shown to the model as they are: mirroring the frames of a walker going left (to show
the model every walk in one direction) moved the head pitch by a few degrees on the real clips and
made the model miss small people more often, away from what the verdicts were checked against.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..config import Config
from ..landmarks import TORSO
from ..video import VideoInfo, VideoReader, frame_step
from .appearance import appearance
from .landmarker import Landmarker, LandmarkerFactory
from .tracking import MAX_TRACK_GAP_S, Track, Tracker, box_size, stitch_tracks
from .walker import choose_walker, track_summary, walk_tracks

__all__ = ["Bar", "Chooser", "Clip", "Found", "Guide", "Passes", "Progress", "Scan", "Strategy", "Target",
           "bridge_frames", "extend_frames", "follow", "follow_target", "follow_targets", "guides", "likely_walker",
           "look", "mask_others", "next_target", "scan", "scan_stride", "sequential", "target_at"]

Step = Callable[[int], None]  # called with the index of the frame just done
Progress = Callable[[int, int], None]  # (frames done, frames expected or 0)
SCAN_SHARE = 0.25  # share of the progress bar the scan fills when it runs first (about its share of the time)


Box = tuple[int, int, int, int]  # x0, y0, x1, y1 slice bounds in pixels
MASK_GREY = 128  # the flat colour painted over other people
OTHER_PAD = 0.15  # others are painted over their landmarks' box grown by this share of their size
KEEP_PAD = 0.25  # ... except within the walker's expected box grown by this share of the walker's size
GATE_BODY_SIZES = 0.5  # a detection this far (body sizes) from where the scan saw the walker is someone else
SIZE_RATIO = 2.0  # ... or this many times larger or smaller
EXTEND_S = MAX_TRACK_GAP_S  # past the scan's last look, a person is followed on for at most this long
PREFETCH = 3  # decoded frames waiting per pass (each is W x H x 3 bytes: 6 MB at 1080p); the model is slower anyway


def scan_stride(fps: float, interval_s: float) -> int:
    """Frames between two looks of the scan: ``interval_s`` at ``fps``, at least 1 (1 = every frame).

    >>> scan_stride(30.0, 0.2), scan_stride(10.0, 0.2), scan_stride(30.0, 0.0)
    (6, 2, 1)
    """
    if interval_s <= 0 or fps <= 0:
        return 1
    return max(1, round(interval_s * fps))


def model_step(fps: float, min_model_fps: float) -> int:
    """Frames between the frames the pose model runs on.

    The largest step keeping ``min_model_fps`` (0: every frame). A 60 fps clip is looked at 30 times a
    second, like its 30 fps original.

    >>> model_step(30.0, 25.0), model_step(50.0, 25.0), model_step(59.94, 25.0), model_step(120.0, 25.0)
    (1, 2, 2, 4)
    >>> model_step(60.0, 0.0), model_step(0.0, 25.0)
    (1, 1)
    """
    if min_model_fps <= 0 or fps <= 0:
        return 1
    return max(1, int(fps // min_model_fps))


def model_frames(first: int, last: int, step: int) -> range:
    """The frames from ``first`` to ``last`` (both included) the pose model runs on (multiples of ``step``).

    >>> list(model_frames(3, 9, 2)), list(model_frames(3, 9, 1))[:2]
    ([4, 6, 8], [3, 4])
    """
    return range(-(-first // step) * step, last + 1, step)


def bridge_frames(fps: float, stride: int) -> int:
    """Frames after a person's last look during which a later tracklet may still be stitched onto them.

    >>> bridge_frames(30.0, 6)
    36
    """
    return stride + int(np.ceil(MAX_TRACK_GAP_S * max(fps, 1.0)))


def extend_frames(fps: float) -> int:
    """Frames past a person's time in view (their guide's last frame) they are followed on while found.

    >>> extend_frames(30.0)
    30
    """
    return int(np.ceil(EXTEND_S * max(fps, 1.0)))


@dataclass(frozen=True)
class Clip:
    """What every pass over a clip needs: the video, the settings, its frame rate and the pose model.

    ``landmarkers(num_poses)`` makes a fresh landmarker for each pass (and for each person the live
    follower changes to); ``fps`` is the rate the frames' timestamps say (it sets the scan stride
    and the :attr:`step`).
    """

    path: str | os.PathLike[str]
    cfg: Config
    landmarkers: LandmarkerFactory
    fps: float
    #: clockwise turn of the frames beyond the file's rotation (a video on its side; VideoInfo.turned_deg)
    turn_deg: int = 0

    @property
    def step(self) -> int:
        """The pose model runs on every ``step``-th frame only (:func:`model_step`; 1 = every frame)."""
        return model_step(self.fps, self.cfg.pose.min_model_fps)

    def stride(self, interval_s: float) -> int:
        """Frames between two looks of a scan every ``interval_s``: a multiple of :attr:`step`."""
        return self.step * scan_stride(self.fps / self.step, interval_s)


@dataclass(frozen=True, eq=False)
class Scan:
    """Everyone the scan found: tracks sampled every ``stride`` frames, and every frame's time.

    ``keys[j]`` is the id, in the scan's own tracker, of the first tracklet stitched into
    ``tracks[j]``: it names a person before the stitching renumbers them.
    """

    info: VideoInfo
    t: NDArray[np.float64]  # (T,) seconds, every decoded frame
    tracks: list[Track]  # stitched; x, y, z in pixels of the upright frame
    keys: list[int]
    stride: int
    warnings: tuple[str, ...]


def stitched(tracklets: Sequence[Track]) -> tuple[list[Track], list[int]]:
    """Stitch copies of ``tracklets`` (left unchanged); return the people and their first tracklet's id."""
    copies = [tr.copy() for tr in tracklets if tr.frames]
    first = {id(tr): tr.track_id for tr in copies}
    people = stitch_tracks(copies)
    return people, [first[id(tr)] for tr in people]


def scan(clip: Clip, stride: int, step: Step | None = None, *, tracker: Tracker | None = None,
         stop: threading.Event | None = None, ready: threading.Event | None = None, threads: int = 0) -> Scan:
    """Look for up to ``cfg.pose.max_people`` people on every ``stride``-th frame and link them into tracks.

    With ``stride`` 1 this is a full multi-person pass (every person's landmarks on every frame).
    Skipped frames are decoded (later frames depend on them) but not converted to RGB. The tracks
    get ``Track.stride = stride``.

    Args:
        clip: the video, the settings and the pose model.
        stride: frames between two looks.
        step: called with the index of each frame looked at.
        tracker: link the detections with this tracker (e.g. one that others read while it runs;
            made with the same ``stride``).
        stop: when set, stop early (the result is then incomplete).
        ready: set once the landmarker is created (e.g. for something else to create its own after).
        threads: decoder threads (0 = all cores; 1 when something else runs beside the scan).
    """
    tracker = tracker if tracker is not None else Tracker(stride, clip.step)
    limits = clip.cfg.limits
    with VideoReader(clip.path, max_duration_s=limits.max_duration_s, max_pixels=limits.max_pixels,
                     select=lambda i, _t: i % stride == 0, prefetch=PREFETCH, threads=threads,
                     turn_deg=clip.turn_deg) as reader:
        info = reader.info
        scale = np.array([info.width, info.height, info.width, 1, 1], np.float32)
        with contextlib.closing(clip.landmarkers(clip.cfg.pose.max_people)) as estimator:
            if ready is not None:
                ready.set()
            for frame in reader:
                if stop is not None and stop.is_set():
                    break
                lm, world = estimator.detect(frame.image, round(frame.t_s * 1000))
                px = lm * scale
                tracker.update(frame.index, frame.t_s, px, world, appearance(frame.image, px))
                if step is not None:
                    step(frame.index)
        t = np.asarray(reader.times, np.float64)
        warnings = tuple(reader.warnings)
    people, keys = stitched(tracker.tracks)
    return Scan(info, t, people, keys, stride, warnings)


def _boxes(image_px: NDArray[np.float32]) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Landmark boxes (n, 4) x0 y0 x1 y1, torso centres (n, 2) and body sizes (n,) of (n, 33, >=2) landmarks."""
    xy = image_px[:, :, :2].astype(np.float64)
    boxes = np.concatenate([xy.min(axis=1), xy.max(axis=1)], axis=1)
    centres = xy[:, list(TORSO)].mean(axis=1)
    sizes = box_size(image_px)
    return boxes, centres, sizes


class Guide:
    """Where a sampled track's person is expected on every frame of their time in view.

    Between two looks of the scan (every ``stride`` frames) the box, torso centre and size are
    interpolated linearly; for ``stride - 1`` frames before the first look and after the last one
    they are held.

    The estimates for a frame depend only on the looks up to ``stride`` frames past it: they are
    final once the scan has looked that far, unless the person was last seen before that and a
    tracklet starting within :func:`bridge_frames` may still be stitched onto them.
    """

    def __init__(self, track: Track, stride: int) -> None:
        looks = np.asarray(track.frames, np.int64)
        boxes, centres, sizes = _boxes(np.stack(track.image))
        self.stride = stride
        margin = stride - 1
        self.first = max(0, int(looks[0]) - margin)
        self.last_look = int(looks[-1])
        self.last = self.last_look + margin
        frames = np.arange(self.first, self.last + 1)
        cols = np.column_stack([boxes, centres, sizes])
        self._est = np.column_stack([np.interp(frames, looks, c) for c in cols.T])  # (m, 7)
        after = np.minimum(np.searchsorted(looks, frames), len(looks) - 1)
        before = np.maximum(after - 1, 0)
        self._gap = np.minimum(np.abs(frames - looks[before]), np.abs(looks[after] - frames))

    def covers(self, frame: int) -> bool:
        """Whether ``frame`` lies within this guide's time in view."""
        return self.first <= frame <= self.last

    def estimate(self, frame: int) -> tuple[float, ...]:
        """Expected landmark box x0, y0, x1, y1, torso centre x, y and body size, in pixels."""
        return tuple(float(v) for v in self._est[frame - self.first])

    def gap(self, frame: int) -> int:
        """Frames from ``frame`` to the nearest look."""
        return int(self._gap[frame - self.first])


def guides(tracks: Sequence[Track], stride: int) -> list[Guide]:
    """One guide per track: where each person is expected on every frame between the scan's looks."""
    return [Guide(tr, stride) for tr in tracks]


@dataclass(frozen=True)
class Target:
    """What following a person on one frame needs: where they are expected, and whom to paint over."""

    estimate: tuple[float, ...]  # box x0, y0, x1, y1, torso centre x, y, body size (pixels)
    tolerance: float  # how far (body sizes) the detection's torso centre may be from the expected one
    others: tuple[Box, ...]  # boxes painted over
    #: the body size (pixels) the detection's size and the tolerance are measured against (None: the
    #: estimate's): the person's own on the previous frame, once followed (the scan, seeing a dim or
    #: partly hidden walker, sometimes returns half a pose)
    size: float | None = None


def _grow(box: Sequence[float], pad: float, size: tuple[int, int]) -> Box:
    """``box`` grown by ``pad`` pixels on every side, as integer slice bounds clipped to a (W, H) frame."""
    w, h = size
    x0, y0 = max(0, int(np.floor(box[0] - pad))), max(0, int(np.floor(box[1] - pad)))
    x1, y1 = min(w, int(np.ceil(box[2] + pad))), min(h, int(np.ceil(box[3] + pad)))
    return x0, y0, max(x0, x1), max(y0, y1)


def target_at(guide: Guide, others: Sequence[Guide], frame: int, size: tuple[int, int]) -> Target:
    """The :class:`Target` for following ``guide``'s person on ``frame`` of a (W, H) video."""
    boxes = []
    for g in others:
        if g.covers(frame):
            est = g.estimate(frame)
            boxes.append(_grow(est[:4], OTHER_PAD * est[6], size))
    tolerance = GATE_BODY_SIZES + 0.1 * guide.gap(frame) / max(1, guide.stride)
    return Target(guide.estimate(frame), tolerance, tuple(boxes))


def next_target(guide: Guide, others: Sequence[Guide], frame: int, size: tuple[int, int],
                prev: NDArray[np.float32] | None, extend: int) -> Target | None:
    """The :class:`Target` for following ``guide``'s person on ``frame``, or None: do not look there.

    ``prev``: the person's pixel landmarks (33, 5) on the frame the model ran on last, if it found
    them there (else None). Up to the scan's last look, :func:`target_at`, with ``prev``'s size as
    the body size. After it, where ``prev`` was, as long as ``prev`` was found (within the guide's
    time in view the guide's held estimate otherwise), and for at most ``extend`` frames past the
    guide (:func:`extend_frames`): the scan, looking every few frames and following loosely, loses a
    walker leaving the picture sooner than a look at every frame does (at 0.4 s between looks, the
    last 0.6 s of lab_lowlight_side's walk), and its last box, held, is left behind by a walker who
    walks on. Where someone else the scan saw is expected near ``prev``, the guide's estimate again,
    or (past the guide) None.
    """
    def from_scan(ref: float | None) -> Target | None:
        if not guide.covers(frame):
            return None
        return dataclasses.replace(target_at(guide, others, frame, size), size=ref)

    if prev is None:
        return from_scan(None)
    boxes, centres, sizes = _boxes(prev[None])
    ref = float(sizes[0])
    if frame <= guide.last_look:
        return from_scan(ref)
    if frame > guide.last + extend:
        return None
    est = (*(float(v) for v in boxes[0]), float(centres[0, 0]), float(centres[0, 1]), ref)
    painted = []
    for g in others:
        if g.covers(frame):
            other = g.estimate(frame)
            if np.hypot(other[4] - est[4], other[5] - est[5]) <= GATE_BODY_SIZES * max(other[6], ref):
                return from_scan(ref)  # someone else the scan saw is there: the guide's estimate, or stop
            painted.append(_grow(other[:4], OTHER_PAD * other[6], size))
    return Target(est, GATE_BODY_SIZES, tuple(painted), ref)


def mask_others(image: NDArray[np.uint8], others: Collection[Box], keep: Box, fill: int = MASK_GREY) -> None:
    """Paint the boxes ``others`` of ``image`` (H, W, 3) flat, in place, except where they overlap ``keep``.

    >>> img = np.zeros((4, 6, 3), np.uint8)
    >>> mask_others(img, [(0, 0, 4, 4)], keep=(2, 0, 6, 4), fill=9)
    >>> img[0, :, 0].tolist()
    [9, 9, 0, 0, 0, 0]
    """
    if not others:
        return
    kx0, ky0, kx1, ky1 = keep
    saved = image[ky0:ky1, kx0:kx1].copy()
    for x0, y0, x1, y1 in others:
        image[y0:y1, x0:x1] = fill
    image[ky0:ky1, kx0:kx1] = saved


Found = tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.float32]]  # image px, world, colours


def look(estimator: Landmarker, image: NDArray[np.uint8], t_s: float, target: Target) -> Found | None:
    """Run the single-person ``estimator`` on ``image`` with the others painted over.

    Returns the image landmarks (33, 5) in pixels, the world landmarks (33, 3) and the clothing
    colours (3, 3) (:func:`~gaitcheck.pose.appearance.appearance`), or None when nobody was found
    or the person found is not where ``target`` expects.
    """
    h, w = image.shape[:2]
    est = target.estimate
    if target.others:
        if not image.flags.writeable:
            image = image.copy()
        mask_others(image, target.others, _grow(est[:4], KEEP_PAD * est[6], (w, h)))
    lm, world = estimator.detect(image, round(t_s * 1000))
    if not len(lm):
        return None
    px = lm[0] * np.array([w, h, w, 1, 1], np.float32)
    _, centre, found = _boxes(px[None])
    ref = est[6] if target.size is None else target.size
    near = np.hypot(centre[0, 0] - est[4], centre[0, 1] - est[5]) <= target.tolerance * ref
    if not near or not 1 / SIZE_RATIO <= found[0] / ref <= SIZE_RATIO:
        return None
    return px, world[0], appearance(image, px[None])[0]


def follow(clip: Clip, targets: Sequence[Track], people: Sequence[Track], stride: int, step: Step | None = None,
           ) -> list[Track]:
    """Follow each of ``targets`` with a single-person model on every frame of their time in view, in one decode.

    Each target has a landmarker of its own, made at their first frame and closed after their
    last (what following each one on their own does: the tracks are the same, bit for bit); on a
    frame where several are in view each is shown its own copy, with everyone else painted over.
    Past the scan's last look at a target, they are followed on while found (:func:`next_target`).

    Args:
        clip: the video, the settings and the pose model (the scan's).
        targets: the people to follow, as the scan sampled them (some of ``people``).
        people: everyone the scan found: all but the one followed are painted over where the scan saw them.
        stride: frames between the scan's looks.
        step: called with each frame's index.

    Returns:
        Each target's track on every frame where the model found them where the scan saw them
        (same id; ``stride`` 1: every frame was looked at), in the order of ``targets``.
    """
    extend = extend_frames(clip.fps)
    plans = []
    everyone = guides(people, stride)
    for track in targets:
        guide = Guide(track, stride)
        others = [g for tr, g in zip(people, everyone, strict=True)
                  if tr is not track and g.last >= guide.first and g.first <= guide.last + extend]
        plans.append((guide, others, Track(track.track_id, stride=clip.step, step=clip.step)))
    if not plans:
        return []
    limits = clip.cfg.limits
    open_: dict[int, Landmarker] = {}
    ends = [g.last + extend for g, _, _ in plans]  # the last frame each may still be looked at (shrinks)
    step_ = clip.step

    def select(i: int, _t: float) -> bool | None:
        if i > max(ends):
            return None
        return i % step_ == 0 and any(g.first <= i <= end for (g, _, _), end in zip(plans, ends, strict=True))

    try:
        with VideoReader(clip.path, max_duration_s=limits.max_duration_s, max_pixels=limits.max_pixels,
                         select=select, prefetch=PREFETCH, threads=1, turn_deg=clip.turn_deg) as reader:
            size = (reader.info.width, reader.info.height)
            for frame in reader:
                i = frame.index
                active = []
                for k, (guide, others, out) in enumerate(plans):
                    if not guide.first <= i <= ends[k]:
                        continue
                    prev = out.image[-1] if out.frames and out.frames[-1] == i - step_ else None
                    target = next_target(guide, others, i, size, prev, extend)
                    if target is None:
                        ends[k] = min(ends[k], i - 1)  # past their time in view and no longer found
                    else:
                        active.append((k, target))
                for n, (k, target) in enumerate(active):
                    out = plans[k][2]
                    if k not in open_:
                        open_[k] = clip.landmarkers(1)
                    image = frame.image if n == len(active) - 1 else frame.image.copy()
                    found = look(open_[k], image, frame.t_s, target)
                    if found is not None:
                        out.add(i, frame.t_s, *found)
                for k in [k for k in open_ if ends[k] <= i]:
                    open_.pop(k).close()
                if step is not None:
                    step(i)
    finally:
        for estimator in open_.values():
            estimator.close()
    return [out for _, _, out in plans]


# ---- the strategies --------------------------------------------------------------------------


class Bar:
    """Maps the passes onto one ``progress(done, expected)`` over the clip's frames; it never goes back.

    ``scan_share``: the share of the bar the scan fills on its own (0: it runs beside the follower,
    whose frames move the bar). A pass over the whole clip again (:meth:`again`) moves the bar's
    end on by the clip's length, so that the frames done keep counting up.
    """

    def __init__(self, progress: Progress | None, expected: int) -> None:
        self._progress, self._expected, self._done = progress, expected, 0
        self._base = 0  # frames counted by earlier passes over the whole clip
        self.scan_share = 0.0

    def _report(self, done: float) -> None:
        n = self._base + int(done)
        if self._progress is not None and n > self._done:
            self._done = n
            self._progress(n, self._expected)

    def scan(self, index: int) -> None:
        """The scan looked at frame ``index``: move the bar on."""
        self._report(self.scan_share * (index + 1))

    def frame(self, index: int) -> None:
        """A follow pass finished frame ``index``: move the bar on."""
        self._report(index + 1)

    def follow(self, first: int, last: int, total: int) -> Step:
        """The step of a follow over frames ``first`` to ``last`` of ``total``: it fills the rest of the bar."""
        base, rest = self.scan_share * total, 1.0 - self.scan_share
        return lambda i: self._report(base + rest * total * (i - first + 1) / max(1, last - first + 1))

    def again(self, total: int) -> None:
        """A scan of all ``total`` frames starts (e.g. a fallback): the bar grows by ``total`` frames."""
        self._base, self._expected, self.scan_share = self._done, self._done + total, 1.0

    def restart(self, total: int) -> None:
        """All the passes run again over ``total`` frames (e.g. on the frames turned upright): the bar grows by them."""
        self._base, self._expected, self.scan_share = self._done, self._done + total, 0.0

    def more(self, frames: Collection[int]) -> Step:
        """A pass over ``frames`` follows: the bar grows by their number; the step moves it on frame by frame."""
        order = {f: k for k, f in enumerate(sorted(frames))}
        self._base, self._expected, self.scan_share = self._done, self._done + len(order), 1.0
        return lambda i: self._report(order.get(i, -1) + 1)

    def end(self, total: int) -> None:
        """The passes are done: fill the bar to ``total``."""
        self._report(total)


@dataclass(frozen=True, eq=False)
class Passes:
    """What a :data:`Strategy` found: everyone (sampled), the person chosen, and them on every frame.

    ``walker`` is the scan's track of the person the :data:`Chooser` chose (None: nobody) and
    ``followed`` that person followed on every frame (``stride`` 1; same id). ``more``: others of
    the scan's people already followed on every frame, by track id, each what :func:`follow` gives
    for them, bit for bit (the walker's other passes, followed in the same decode).
    """

    scan: Scan
    walker: Track | None
    followed: Track | None
    more: Mapping[int, Track] = dataclasses.field(default_factory=dict)


#: Chooses, from the whole scan, the person to follow on every frame (None: nobody to follow).
Chooser = Callable[[Scan], Track | None]
#: Runs the scan (every ``stride`` frames) and the follow of the person ``choose`` names.
Strategy = Callable[[Clip, int, Chooser, Bar], Passes]


def likely_walker(found: Scan) -> Track | None:
    """The default :data:`Chooser`: :func:`gaitcheck.pose.walker.choose_walker` on the scan (None: nobody)."""
    stats = track_summary(found.tracks, (found.info.width, found.info.height), frame_step(found.t, found.info.fps))
    return choose_walker(found.tracks, stats) if stats else None


def follow_targets(clip: Clip, found: Scan, targets: Sequence[Track], bar: Bar) -> list[Track]:
    """:func:`follow` the scan's people ``targets``, each with everyone else painted over, moving ``bar``."""
    n, margin = len(found.t), found.stride - 1
    step = bar.follow(max(0, min(tr.frames[0] for tr in targets) - margin),
                      min(n - 1, max(tr.frames[-1] for tr in targets) + margin), n)
    return follow(clip, targets, found.tracks, found.stride, step)


def follow_target(clip: Clip, found: Scan, target: Track, bar: Bar) -> Track:
    """:func:`follow` the scan's person ``target``, with everyone else painted over, moving ``bar``."""
    return follow_targets(clip, found, [target], bar)[0]


def sequential(clip: Clip, stride: int, choose: Chooser, bar: Bar) -> Passes:
    """The reference :data:`Strategy`: scan the whole clip, choose, then follow the person chosen.

    Their other passes on the scan (:func:`gaitcheck.pose.walker.choose_walk`) are followed in the
    same decode (each as if alone: :func:`follow`).
    """
    bar.scan_share = SCAN_SHARE
    found = scan(clip, stride, bar.scan)
    target = choose(found)
    if target is None:
        return Passes(found, None, None)
    walk = walk_tracks(found.tracks, (found.info.width, found.info.height), frame_step(found.t, found.info.fps),
                       target.track_id)
    dense = {tr.track_id: d for tr, d in zip(walk, follow_targets(clip, found, walk, bar), strict=True)}
    return Passes(found, target, dense.pop(target.track_id), dense)
