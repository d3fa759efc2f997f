"""Both passes at once: the scan runs in a thread while the main thread already follows the walker.

On two cores the scan (looking for everyone every few frames) takes a third to a half of the
time of following the walker on every frame (each alone, warm: 1.75 vs 4.83 s on the lab_woman
clip, 2.39 vs 4.29 s on the sports2d demo); run one after the other it adds that, run side by
side it is almost free. But who the walker is depends on the whole clip, so the follower *speculates*: it
follows the person the scan so far says is most likely the walker: the best-scoring one who
has walked at least a body length. With nobody walking yet, it follows the only person found so
far (most clips hold just the walker, who needs a second or more to walk a body length: waiting
for that would leave this thread idle); with several people and nobody walking it waits, where
it is, for at most ``MAX_WAIT_S`` of scan ahead (a bystander often stands in view before the
walker comes in: following the bystander on could take it past the walker's first frames), then
takes the best-scoring person. Where that person is out of view, it follows the pass of their
walk in view then (a walker who leaves the picture and comes back is a new person to the scan;
:func:`gaitcheck.pose.walker.choose_walk` joins them on the scan so far), so that every pass of
the walker is followed in the one decode. It stays just far enough behind the scan that every estimate it
uses (where the person is, whom to paint over) is already final, and it starts a fresh
landmarker whenever it changes person.

The result is the same as running the passes one after the other, bit for bit: it is kept only
if the follower followed the person finally chosen on every frame of their time in view, from
their first frame on, with one landmarker and the final estimates (and so for each of the walker's
other passes); otherwise that person is followed again afterwards
(:func:`gaitcheck.pose.passes.follow`), which is all the speculation can cost.
:func:`live` is this, as a :data:`~gaitcheck.pose.passes.Strategy`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from ..errors import NoWalkerError
from ..video import VideoReader, frame_step
from .landmarker import Landmarker
from .passes import (
    PREFETCH,
    Bar,
    Chooser,
    Clip,
    Found,
    Guide,
    Passes,
    Scan,
    Step,
    Target,
    bridge_frames,
    extend_frames,
    follow_target,
    guides,
    look,
    model_frames,
    next_target,
    scan,
    stitched,
)
from .tracking import STITCH_OVERLAP_LOOKS, Track, Tracker
from .walker import track_summary, walk_tracks

__all__ = ["Looked", "follow_live", "kept_track", "live", "load_scoring", "speculate"]

WALKER_TRAVEL = 1.0  # body sizes travelled: this person walks (a bystander shifting on the spot does not)
MAX_WAIT_S = 4.0  # with nobody walking yet, wait for at most this much scan ahead
# A walker back in view is a new person to the scan, joined to their walk (walker.choose_walk) once seen
# walking (over walker.WALK_WINDOW_S) on a few looks: with nobody of the walk to follow on a frame and
# someone new in view there, the follower waits for this much of the scan past their first look.
JOIN_WAIT_S = 2.0
SCAN_NICENESS = 10  # the scan thread's nice value, relative to the follower's (0)
HEARTBEAT = 15  # with nobody to follow, one frame in this many is still handed to the follower (progress)
WAIT: Literal["wait"] = "wait"


class _SharedTracker(Tracker):
    """A Tracker the scan thread updates while the follower reads it (under ``cond``)."""

    def __init__(self, cond: threading.Condition, stride: int, step: int) -> None:
        super().__init__(stride, step)
        self._cond = cond
        self.head = -1  # the last frame looked at
        self.look_times: list[float] = []

    def update(self, frame: int, t_s: float, image_px: NDArray[np.float32], world: NDArray[np.float32],
               colours: NDArray[np.float32] | None = None) -> None:
        with self._cond:
            super().update(frame, t_s, image_px, world, colours)
            self.head = frame
            self.look_times.append(t_s)
            self._cond.notify_all()


@dataclass(frozen=True, eq=False)
class _Snapshot:
    people: list[Track]
    keys: list[int]
    head: int
    done: bool
    dt: float
    #: the first and last look of each of the scan's tracklets, before stitching: how they are stitched
    #: may change with later looks (see :class:`_Planner`)
    spans: tuple[tuple[int, int], ...] = ()


def snapshot_of(tracklets: list[Track], head: int, dt: float, done: bool = False) -> _Snapshot:
    """What the scan has found once it has looked at frame ``head``: its ``tracklets`` (copies), stitched."""
    people, keys = stitched(tracklets)
    spans = tuple((tr.frames[0], tr.frames[-1]) for tr in tracklets if tr.frames)
    return _Snapshot(people, keys, head, done, dt, spans)


def _lower_priority() -> None:
    """Make the calling thread (and the threads it starts: decoder, model) yield the CPU to the follower.

    Best effort: Linux schedules threads one by one and lets each be made nicer (``setpriority``
    on its thread id); elsewhere this does nothing. The follower is the critical path; the scan
    only has to stay ahead of it, and it gets every cycle the follower leaves.
    """
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), SCAN_NICENESS)
    except (AttributeError, OSError):  # not available, or not allowed: run at the same priority
        pass


class _LiveScan:
    """:func:`gaitcheck.pose.passes.scan` in a thread, readable while it runs."""

    def __init__(self, clip: Clip, stride: int, after: Callable[[], object] | None = None) -> None:
        self._cond = threading.Condition()
        self._after = after
        self._tracker = _SharedTracker(self._cond, stride, clip.step)
        self._stop = threading.Event()
        self.ready = threading.Event()  # the scan's landmarker exists (or the scan has ended)
        self._stride = stride
        self.result: Scan | None = None
        self._error: BaseException | None = None
        self._done = False
        self._thread = threading.Thread(target=self._run, args=(clip,), name="gaitcheck-scan", daemon=True)
        self._thread.start()

    def _run(self, clip: Clip) -> None:
        _lower_priority()
        try:
            found = scan(clip, self._stride, tracker=self._tracker, stop=self._stop, ready=self.ready, threads=1)
            with self._cond:
                self.result = found
        except BaseException as exc:  # handed to the follower, who raises it
            with self._cond:
                self._error = exc
        finally:
            self.ready.set()
            with self._cond:
                self._done = True
                self._cond.notify_all()
        if self._after is not None and self._error is None:
            self._after()  # the follower is still at work: this core is free for what comes next

    def _check(self) -> None:
        if self._error is not None:
            raise self._error

    def wait_past(self, frame: int) -> None:
        """Block until the scan has looked at ``frame`` or beyond, or has ended."""
        with self._cond:
            while not self._done and self._tracker.head < frame:
                self._cond.wait()
            self._check()

    @property
    def head(self) -> int:
        """The last frame the scan has looked at (-1 before the first)."""
        return self._tracker.head

    def wait_after(self, head: int) -> None:
        """Block until the scan has looked past ``head`` or has ended."""
        self.wait_past(head + 1)

    def snapshot(self) -> _Snapshot:
        """Everyone found so far, stitched (or the final result once the scan has ended)."""
        with self._cond:
            self._check()
            if self._done and self.result is not None:
                r = self.result
                dt = frame_step(r.t, r.info.fps)
                return _Snapshot(r.tracks, r.keys, len(r.t) - 1, True, dt)
            tracklets = [tr.copy() for tr in self._tracker.tracks]
            head, times = self._tracker.head, list(self._tracker.look_times)
        return snapshot_of(tracklets, head, frame_step(times) / self._stride)

    def finish(self) -> Scan:
        """Wait for the scan to end and return it."""
        self._thread.join()
        self._check()
        assert self.result is not None
        return self.result

    def close(self) -> None:
        """Stop the scan early (if it is still running) and wait for its thread."""
        self._stop.set()
        self._thread.join(timeout=30)


def speculate(people: list[Track], keys: list[int], frame_size: tuple[int, int], dt: float, *, ahead: int,
              max_wait: int, final: bool) -> int | Literal["wait"] | None:
    """Whom to follow: the key of a person, None for nobody, or ``"wait"`` for more of the scan.

    Args:
        people: everyone found so far (stitched).
        keys: the keys naming ``people``.
        frame_size: the frame's width and height in pixels.
        dt: the time between frames (s).
        ahead: how many frames the scan has looked past the frame to follow next.
        max_wait: wait for at most this many frames of scan ahead.
        final: the scan has ended: the choice is :func:`gaitcheck.pose.tracking.choose_walker`'s.

    Before the scan ends: the best-scoring person who walks; with nobody walking yet, the only
    person found so far (the follower would otherwise sit idle; were they a bystander, the scan,
    sharing the CPU with the follower meanwhile, finds the walker later: 0.6-0.8 s on the sports2d
    demo, against 0.2-2.2 s gained on most clips of one person); with several and nobody walking, wait
    for at most ``max_wait`` frames of scan ahead, then the best one. Waiting blocks the follower
    where it is: a person it followed while alone and chooses again afterwards is followed on from
    there, with no gap.
    """
    stats = track_summary(people, frame_size, dt)
    if not stats:  # nobody, or only people seen too briefly to judge yet
        return WAIT if people and not final and ahead < max_wait else None
    key_of = {tr.track_id: k for tr, k in zip(people, keys, strict=True)}
    if final:
        return key_of[stats[0].track_id]
    walking = [s for s in stats if s.travel_rel >= WALKER_TRAVEL]
    if walking:
        return key_of[walking[0].track_id]
    if len(stats) == 1 or ahead >= max_wait:
        return key_of[stats[0].track_id]
    return WAIT


class _Planner:
    """Decides, frame by frame, whom the follower follows and with which estimates.

    The estimates for a frame (:class:`gaitcheck.pose.passes.Guide`) are final once the scan has
    looked ``reach`` frames past it (a stride), no tracklet last seen before that can still take a
    later look or have a later one stitched onto it (``bridge`` frames after its last look), and
    every tracklet begun by then is stitched for good: once each open one begun no later has been
    seen past its start by the stitch's overlap, or has closed (``bridge`` frames after its last look).
    Tracklets, not the people stitched of them: a person the tracker lost for a look or two is a
    tracklet of their own, stitched into them or not as the scan goes on, and who is where changes.

    Whom: the person :func:`speculate` names and, where they are out of view, their other passes
    as :func:`gaitcheck.pose.walker.choose_walk` joins them on the scan so far (a walker who leaves
    the picture and comes back is tracked as a new person): each pass is followed in the one
    decode, where it would otherwise be followed again afterwards. Such a pass is joined once the
    scan has seen it walking for a while: where nobody of the walk is to be followed on a frame and
    someone new to the scan is in view there, the follower waits for ``join_wait`` frames of the scan
    past their first look (without, a scan only just ahead of the follower left the start of the
    walker's next pass unfollowed, and the pass was followed again after the scan).
    """

    def __init__(self, live: _LiveScan, stride: int, frame_size: tuple[int, int], bridge: int, max_wait: int,
                 extend: int, join_wait: int = 0) -> None:
        self._live, self._stride, self._frame_size = live, stride, frame_size
        self._bridge, self._max_wait, self._extend, self._join_wait = bridge, max_wait, extend, join_wait
        self._reach = stride
        self._snap: _Snapshot | None = None
        self._spans: tuple[tuple[int, int], ...] = ()
        self._overlap = STITCH_OVERLAP_LOOKS * stride  # a tracklet may start this long before the one it continues ends
        self.key: int | None = None
        # everyone's guides by key, and the keys of the walk of ``key`` in time order (``key`` among them):
        # one tuple, replaced whole, as the decoding thread reads it (:meth:`needed`)
        self._plan: tuple[dict[int, Guide], list[int]] = ({}, [])
        self._dropped: set[int] = set()  # keys no longer worth following (see :meth:`drop`)

    @property
    def final(self) -> bool:
        return self._snap is not None and self._snap.done

    @property
    def walk(self) -> list[tuple[int, Guide]]:
        """The keys and guides of the passes to follow, in time order."""
        guides_, walk = self._plan
        return [(k, guides_[k]) for k in walk if k not in self._dropped]

    def drop(self, key: int) -> None:
        """Follow ``key`` no further (its looks so far are not what following it alone gives)."""
        self._dropped.add(key)

    def _settled(self, frame: int) -> bool:
        """True if the current snapshot's estimates for ``frame`` are final."""
        s = self._snap
        if s is None:
            return False
        if s.done:
            return True
        far, head, bridge = frame + self._reach, s.head, self._bridge
        if head < far or any(last < far and head < last + bridge for _, last in self._spans):
            return False
        return stitched_for_good(self._spans, far, head, self._overlap, bridge)

    def _refresh(self, frame: int) -> None:
        while True:
            snap = self._live.snapshot()
            choice = speculate(snap.people, snap.keys, self._frame_size, snap.dt, ahead=snap.head - frame,
                               max_wait=self._max_wait, final=snap.done)
            if choice != WAIT:
                break
            self._live.wait_after(snap.head)
        self._snap, self.key, self._spans = snap, choice, snap.spans
        self._plan = (dict(zip(snap.keys, guides(snap.people, self._stride), strict=True)),
                      [] if choice is None else walk_keys(snap, choice, self._frame_size))

    def at(self, frame: int) -> list[tuple[int, Guide, list[Guide]]]:
        """Whom to follow on ``frame``, best first: keys, guides and the others' guides, final for it.

        The person :func:`speculate` names while within their time in view or after it, followed
        on (``extend`` frames); then the pass of their walk whose time in view ``frame`` is in. A
        guide may not cover ``frame``: the person may be followed on past it
        (:func:`gaitcheck.pose.passes.next_target`).
        """
        s = self._snap
        if s is None or not s.done:
            # refresh when the estimates are not final yet, and now and then to speculate on more of the scan
            if s is None or not self._settled(frame) or self._live.head >= s.head + max(self._bridge, s.head // 8):
                self._live.wait_past(frame + self._reach)
                self._refresh(frame)
            while not self._settled(frame) or self._joining(frame):
                assert self._snap is not None
                self._live.wait_after(self._snap.head)
                self._refresh(frame)
        picks = self._picks(frame)
        everyone = self._plan[0]
        return [(k, g, [o for j, o in everyone.items() if j != k]) for k, g in picks]

    def _picks(self, frame: int) -> list[tuple[int, Guide]]:
        passes = self.walk
        main = next(((k, g) for k, g in passes if k == self.key), None)
        picks = [main] if main is not None and main[1].first <= frame <= main[1].last + self._extend else []
        return picks + [(k, g) for k, g in passes if g.covers(frame) and (k, g) not in picks]

    def _joining(self, frame: int) -> bool:
        """True if nobody of the walk is to be followed on ``frame`` but someone new is in view there.

        New: seen by the scan for under ``join_wait`` frames, too briefly to be joined to the walk yet (a walker
        back in view).
        """
        s = self._snap
        if s is None or s.done or self.key is None or self._picks(frame):
            return False
        walk = set(self._plan[1])
        return any(g.covers(frame) and s.head < g.first + self._join_wait
                   for k, g in self._plan[0].items() if k not in walk)

    def needed(self, frame: int) -> bool:
        """False if ``frame`` will not be followed as things stand (called from the decoding thread).

        Only a hint: a frame skipped here that turns out to be needed after all (the choice of
        person changed) leaves a gap in that person's looks, so they are followed again later.
        """
        snap, passes = self._snap, self.walk
        if snap is None:
            return True
        if not passes:
            return frame > snap.head - self._bridge  # nobody there as far as the estimates are final
        return frame >= min(g.first for _, g in passes)

    def beyond(self, frame: int) -> bool:
        """True once the scan has ended and no pass to follow has time in view left from ``frame`` on.

        The person followed may still be followed on past it (:func:`gaitcheck.pose.passes.next_target`).
        """
        return self.final and all(frame > g.last for _, g in self.walk)


def stitched_for_good(spans: Sequence[tuple[int, int]], far: int, head: int, overlap: int, bridge: int) -> bool:
    """True if every tracklet begun by frame ``far`` is stitched as it will stay, the scan having looked at ``head``.

    ``spans``: each tracklet's first and last look. A tracklet may be stitched onto an open one begun
    no later (or not) until that one has been seen past its start by ``overlap`` frames, or has closed
    (``bridge`` frames after its last look); one begun over ``overlap + bridge`` frames ago is settled.

    >>> stitched_for_good([(0, 42), (48, 54)], 49, 54, 18, 42)  # the first may still take a look at 60
    False
    >>> stitched_for_good([(0, 66), (48, 54)], 49, 66, 18, 42)  # seen past 48 + 18: two for good
    True
    """
    recent = [(j, b) for j, (b, _) in enumerate(spans) if b <= far and head < b + overlap + bridge]
    return not any(i != j and a_first <= b and a_last < b + overlap and head < a_last + bridge
                   for j, b in recent for i, (a_first, a_last) in enumerate(spans))


def walk_keys(snap: _Snapshot, key: int, frame_size: tuple[int, int]) -> list[int]:
    """The keys of person ``key``'s passes on the scan so far, in time order (:func:`~.walker.walk_tracks`)."""
    by_key = dict(zip(snap.keys, snap.people, strict=True))
    try:
        walk = walk_tracks(snap.people, frame_size, snap.dt, by_key[key].track_id)
    except NoWalkerError:  # too briefly seen to judge yet
        return [key]
    key_of = {tr.track_id: k for k, tr in by_key.items()}
    return [key_of[tr.track_id] for tr in walk]


@dataclass(frozen=True, eq=False)
class Looked:
    """One frame the follower looked at: for whom (key), with which landmarker (gen) and target."""

    frame: int
    t_s: float
    key: int
    gen: int
    target: Target
    found: Found | None


def follow_live(clip: Clip, stride: int, step: Step | None = None, after_scan: Callable[[], object] | None = None,
                ) -> tuple[Scan, list[Looked]]:
    """Run the scan in a thread and follow the likely walker meanwhile; return the scan and the looks.

    ``stride``: frames between the scan's looks. ``after_scan`` is called in the scan's thread once
    it is done (e.g. to load what comes next).
    """
    live = _LiveScan(clip, stride, after_scan)
    looked: list[Looked] = []
    planners: list[_Planner] = []

    every = clip.step  # frames the pose model skips are not converted either

    def select(i: int, _t: float) -> bool:  # frames nobody needs are not converted; one in HEARTBEAT still is,
        if i % every:  # so that the progress moves on
            return False
        return not planners or planners[0].needed(i) or i % (HEARTBEAT * every) == 0

    try:
        limits = clip.cfg.limits
        with VideoReader(clip.path, max_duration_s=limits.max_duration_s, max_pixels=limits.max_pixels,
                         select=select, prefetch=PREFETCH, threads=1, turn_deg=clip.turn_deg) as reader:
            info = reader.info
            size = (info.width, info.height)
            rate = max(clip.fps, 1.0)
            extend = extend_frames(clip.fps)
            planner = _Planner(live, stride, size, bridge_frames(rate, stride), round(MAX_WAIT_S * rate), extend,
                               round(JOIN_WAIT_S * rate))
            planners.append(planner)
            # created once the scan's landmarker is (the scan leads at the start: two landmarkers created
            # at once slow each other down), while the scan looks at its first frames
            live.ready.wait()
            estimator: Landmarker | None = clip.landmarkers(1)
            gen, key, checked, fresh = 0, None, False, True
            try:
                for frame in reader:
                    i = frame.index
                    plan = planner.at(i)
                    if planner.final and not checked:  # the walker is known: is following on still of use?
                        checked = True
                        for k, g in planner.walk:  # a pass followed off course is followed again afterwards
                            if not _on_course(looked, k, g, i, every):
                                planner.drop(k)
                        plan = planner.at(i)
                    last = looked[-1] if looked else None
                    prev = (last.found[0] if last is not None and last.found is not None and last.key == key
                            and last.gen == gen and last.frame == i - every else None)
                    if planner.beyond(i) and (prev is None or all(whom != key for whom, _, _ in plan)):
                        break
                    if step is not None:
                        step(i)
                    # the first of them to look for there (a pass that has ended is followed on while found)
                    whom, target = next(((whom, t) for whom, guide, others in plan
                                         if (t := next_target(guide, others, i, size, prev if whom == key else None,
                                                              extend)) is not None), (None, None))
                    if whom is None or target is None:
                        continue
                    if whom != key:  # another person: a landmarker without the last one's history
                        if not fresh and estimator is not None:
                            estimator.close()
                            estimator = None
                            estimator = clip.landmarkers(1)
                        gen, key, fresh = gen + 1, whom, False
                    assert estimator is not None
                    found = look(estimator, frame.image, frame.t_s, target)
                    looked.append(Looked(i, frame.t_s, key, gen, target, found))
            finally:
                if estimator is not None:
                    estimator.close()
        return live.finish(), looked
    finally:
        live.close()


def _on_course(looked: list[Looked], key: int, guide: Guide, frame: int, step: int = 1) -> bool:
    """True if the looks for ``key`` so far are what following it alone would be, as far as ``guide`` covers.

    Following looks at every ``step``-th frame of the guide's time in view (what it does past that
    is checked by :func:`kept_track`).
    """
    mine = [lk for lk in looked if lk.key == key and lk.frame <= guide.last]
    if frame <= guide.first:
        return not mine
    return ([lk.frame for lk in mine] == list(model_frames(guide.first, min(frame - 1, guide.last), step))
            and len({lk.gen for lk in mine}) <= 1)


def kept_track(found: Scan, index: int, looked: list[Looked], extend: int) -> Track | None:
    """Person ``found.tracks[index]`` followed on every frame, from the follower's looks, or None.

    None unless the looks are exactly what following that person on their own would have done
    (:func:`gaitcheck.pose.passes.follow`): every frame of their time in view and then while found,
    for at most ``extend`` frames, in order, one landmarker, the final estimates.
    """
    person, key = found.tracks[index], found.keys[index]
    guide = Guide(person, found.stride)
    others = guides([p for j, p in enumerate(found.tracks) if j != index], found.stride)
    others = [g for g in others if g.last >= guide.first and g.first <= guide.last + extend]
    mine = [lk for lk in looked if lk.key == key]
    if len({lk.gen for lk in mine}) > 1:
        return None
    size = (found.info.width, found.info.height)
    step = person.step
    out = Track(person.track_id, stride=step, step=step)
    done, prev = 0, None
    for f in model_frames(guide.first, min(guide.last + extend, len(found.t) - 1), step):
        target = next_target(guide, others, f, size, prev, extend)
        if target is None:
            break
        if done == len(mine) or mine[done].frame != f or mine[done].target != target:
            return None
        lk = mine[done]
        done += 1
        prev = lk.found[0] if lk.found is not None else None
        if lk.found is not None:
            out.add(lk.frame, lk.t_s, *lk.found)
    return out if done == len(mine) else None


def load_scoring() -> None:
    """Import what :func:`gaitcheck.score` needs that is slow to import (scipy's signal and ndimage: ~1 s).

    Those modules load on first use, so that a process starts quickly; :func:`live` calls this on
    its scan thread once the scan is done, while the walker is still being followed.
    """
    import scipy.ndimage
    import scipy.signal  # noqa: F401


def live(clip: Clip, stride: int, choose: Chooser, bar: Bar) -> Passes:
    """The passes at once (a :data:`~gaitcheck.pose.passes.Strategy`).

    The same result as :func:`gaitcheck.pose.passes.sequential`, bit for bit.

    The follower's looks are kept when they are what following the person ``choose`` names on
    their own gives (:func:`kept_track`); otherwise that person is followed again.
    """
    found, looked = follow_live(clip, stride, bar.frame, after_scan=load_scoring)
    target = choose(found)
    if target is None:
        return Passes(found, None, None)
    extend = extend_frames(clip.fps)
    dense = kept_track(found, found.tracks.index(target), looked, extend)
    keys = {lk.key for lk in looked}
    more = {tr.track_id: kept for j, (tr, key) in enumerate(zip(found.tracks, found.keys, strict=True))
            if tr is not target and key in keys and (kept := kept_track(found, j, looked, extend)) is not None}
    return Passes(found, target, dense if dense is not None else follow_target(clip, found, target, bar), more)
