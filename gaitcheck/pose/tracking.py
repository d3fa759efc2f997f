"""Link per-frame pose detections into tracks (one per person), and stitch broken tracklets.

A clip can hold bystanders, a person standing on a box, or the walker's reflection in a mirror.
Every detection is linked into a track by landmark distance (Hungarian assignment with a gate);
:mod:`gaitcheck.pose.walker` then chooses which track is the walker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..landmarks import NUM_LANDMARKS, TORSO, Landmark
from ..series import PoseSeries

__all__ = ["MIN_TRACK_FRAMES", "STITCH_OVERLAP_LOOKS", "Track", "Tracker", "box_of", "centre_of",
           "size_of", "stitch_tracks", "track_series"]

L = Landmark
_TORSO = list(TORSO)
MAX_LINK_COST = 0.5  # link cost (body sizes) above which a detection is someone else
DUPLICATE_OVERLAP = 0.7  # two poses whose boxes overlap this much (of the smaller box) are one person
MAX_TRACK_GAP_S = 1.0  # a track not seen for this long is closed
STITCH_OVERLAP_LOOKS = 3  # a tracklet may start this many looks before the one it continues ends
MIN_TRACK_FRAMES = 5  # shorter tracks are noise (a spurious pose for a few frames)


@dataclass
class Track:
    """One person followed through the clip (mutable while tracking; read-only afterwards)."""

    track_id: int
    frames: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    image: list[NDArray[np.float32]] = field(default_factory=list)  # (33, 5) per frame, x, y, z in pixels
    world: list[NDArray[np.float32]] = field(default_factory=list)  # (33, 3) per frame, metres
    #: Frames between the pose model's looks at this person, set by the pass that made the track:
    #: 1 = looked for on every frame (full landmarks, even where the model missed them), k = only
    #: every k-th frame was looked at (a scan sampling everyone, see ``pose.scan_interval_s``).
    stride: int = field(default=1, kw_only=True)
    #: Clothing colours per look, (3, 3) L*a*b* of torso, thighs and shins (see
    #: :func:`gaitcheck.pose.appearance.appearance`; NaN where not seen): one per frame, or none at all.
    colours: list[NDArray[np.float32]] = field(default_factory=list, kw_only=True)
    #: Frames between the frames the pose model runs on at all (the clip's model step: 2 for a 60 fps
    #: clip, see ``pose.min_model_fps``); ``stride`` is a multiple of it.
    step: int = field(default=1, kw_only=True)

    def copy(self) -> Track:
        """A copy whose lists can grow apart from this track's (the arrays in them are shared)."""
        return Track(self.track_id, list(self.frames), list(self.times), list(self.image), list(self.world),
                     stride=self.stride, colours=list(self.colours), step=self.step)

    def add(self, frame: int, t_s: float, image_px: NDArray[np.float32], world: NDArray[np.float32],
            colours: NDArray[np.float32] | None = None) -> None:
        """Append one look (``colours`` None: this track keeps no colours)."""
        self.frames.append(frame)
        self.times.append(t_s)
        self.image.append(image_px)
        self.world.append(world)
        if colours is not None:
            self.colours.append(colours)

    @property
    def full(self) -> bool:
        """True when the pose model followed this person on every frame it ran on (not only sampled)."""
        return self.stride <= self.step

    def ref_size(self) -> float:
        """Median body size over the last few detections (robust to one partial pose)."""
        return float(np.median([size_of(x) for x in self.image[-9:]]))

    def predict(self, t_s: float) -> NDArray[np.float64]:
        """Torso centre expected at ``t_s`` (constant velocity over the last detections)."""
        c1 = centre_of(self.image[-1])
        if len(self.image) < 3:
            return c1
        k = max(0, len(self.image) - 6)
        dt = self.times[-1] - self.times[k]
        v = (c1 - centre_of(self.image[k])) / dt if dt > 0 else 0.0
        return c1 + v * (t_s - self.times[-1])


def box_size(lm: NDArray[np.floating[Any]]) -> NDArray[np.float64]:
    """The size of a pose in pixels: the larger side of its landmarks' bounding box, at least 1 px.

    This is the tracker's measure of how big a person looks (any pose, any view, partial or not);
    :func:`gaitcheck.angles.body_size` is the walker's segment length, for the measures.
    ``lm`` is (..., 33, >=2) pixel landmarks; the result has the leading shape.

    >>> lm = np.zeros((33, 2)); lm[0] = (40, 10); float(box_size(lm))
    40.0
    """
    xy = np.asarray(lm[..., :2], np.float64)
    return np.asarray(np.maximum(np.ptp(xy, axis=-2).max(axis=-1), 1.0), np.float64)


def size_of(lm: NDArray[np.float32]) -> float:
    """:func:`box_size` of one pose, as a float."""
    return float(box_size(lm))


def centre_of(lm: NDArray[np.float32]) -> NDArray[np.float64]:
    """(..., 2) centre of the landmarks' bounding box, in pixels."""
    return np.asarray(lm[_TORSO, :2].astype(np.float64).mean(axis=0), np.float64)


def box_of(lm: NDArray[np.float32]) -> NDArray[np.float64]:
    """(..., 4) bounding box x0, y0, x1, y1 of the landmarks, in pixels."""
    xy = lm[:, :2].astype(np.float64)
    return np.concatenate([xy.min(axis=0), xy.max(axis=0)])


def _overlap(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    """Intersection of two boxes over the smaller box's area (1 = one inside the other)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return float(w * h / max(small, 1.0))


def assign(cost: NDArray[np.float64]) -> list[tuple[int, int]]:
    """(row, column) pairs of a minimum-total-cost assignment of ``min(n, m)`` pairs in an (n, m) matrix.

    The matrices here are tiny (open tracks x people in one frame): an exact search over column
    subsets is quicker than importing ``scipy.optimize`` (~0.4 s), which large ones still use.

    >>> assign(np.array([[1.0, 0.0], [0.0, 5.0], [2.0, 2.0]]))
    [(0, 1), (1, 0)]
    """
    n, m = cost.shape
    if n > m:
        return sorted((r, c) for c, r in assign(cost.T))
    if n * (1 << m) > 4096:
        from scipy.optimize import linear_sum_assignment  # lazy: slow to import

        rows, cols = linear_sum_assignment(cost)
        return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True)]
    best: dict[int, tuple[float, tuple[int, ...]]] = {0: (0.0, ())}  # columns used -> (cost, column per row)
    for i in range(n):
        nxt: dict[int, tuple[float, tuple[int, ...]]] = {}
        for used, (total, cols) in best.items():
            for j in range(m):
                if not used >> j & 1:
                    c = total + float(cost[i, j])
                    key = used | 1 << j
                    if key not in nxt or c < nxt[key][0]:
                        nxt[key] = (c, (*cols, j))
        best = nxt
    _, cols = min(best.values(), key=lambda v: v[0])
    return list(enumerate(cols))


def _suppress_duplicates(image_px: NDArray[np.float32]) -> list[int]:
    """Indices of detections to keep: of two poses on the same body, keep the more visible one.

    The model sometimes returns a second, partial pose on a person it already found (legs only,
    half hidden behind an obstacle); its box then lies mostly inside the first one's.
    """
    order = sorted(range(len(image_px)), key=lambda j: -float(np.mean(image_px[j][:, 3])))
    keep: list[int] = []
    for j in order:
        if all(_overlap(box_of(image_px[j]), box_of(image_px[k])) < DUPLICATE_OVERLAP for k in keep):
            keep.append(j)
    return sorted(keep)


class Tracker:
    """Link detections frame by frame. Feed ``update`` in frame order; read ``tracks`` at the end.

    Detections are passed in *pixels* so that distances are not skewed by the frame's aspect.
    The link cost is the distance between the torso centre and where the track was heading, in
    body sizes, plus the change of size; a gate stops links between different people.
    """

    def __init__(self, stride: int = 1, step: int = 1) -> None:
        self.tracks: list[Track] = []
        self._open: list[Track] = []
        self.stride = stride  # the frames fed are every ``stride``-th: each new track's Track.stride
        self.step = step  # ... of a clip whose model runs on every ``step``-th frame (Track.step)

    def update(self, frame: int, t_s: float, image_px: NDArray[np.float32], world: NDArray[np.float32],
               colours: NDArray[np.float32] | None = None) -> None:
        """Add one frame's detections.

        ``image_px`` (n, 33, 5) with x, y, z in pixels, ``world`` (n, 33, 3) and, if given, their clothing
        ``colours`` (n, 3, 3).
        """
        self._open = [tr for tr in self._open if t_s - tr.times[-1] <= MAX_TRACK_GAP_S]
        keep = _suppress_duplicates(image_px)
        assigned: dict[int, Track] = {}
        if keep and self._open:
            cost = np.full((len(self._open), len(keep)), np.inf)
            for i, tr in enumerate(self._open):
                ref, pred = tr.ref_size(), tr.predict(t_s)
                for jj, j in enumerate(keep):
                    size = size_of(image_px[j])
                    c = np.linalg.norm(centre_of(image_px[j]) - pred) / ref + 0.5 * abs(np.log(size / ref))
                    cost[i, jj] = c
            for i, jj in assign(np.minimum(cost, 1e6)):
                if cost[i, jj] <= MAX_LINK_COST:
                    assigned[keep[jj]] = self._open[i]
        for j in keep:
            if j in assigned:
                tr = assigned[j]
            else:
                tr = Track(len(self.tracks) + 1, stride=self.stride, step=self.step)
                self.tracks.append(tr)
                self._open.append(tr)
            tr.add(frame, t_s, image_px[j], world[j], None if colours is None else colours[j])


def stitch_tracks(tracks: list[Track], max_gap_s: float = MAX_TRACK_GAP_S) -> list[Track]:
    """Join tracklets of one person broken by a few bad detections.

    Track B continues track A when B starts at most ``max_gap_s`` after A ends (or overlaps it by
    at most :data:`STITCH_OVERLAP_LOOKS` looks), and B's first torso centre is within one body size
    of where A was heading.
    Each track gets at most one successor, the nearest; ids of the joined tracks are the first one's.
    """
    ordered = sorted(tracks, key=lambda tr: tr.frames[0])
    result: list[Track] = []
    overlap = STITCH_OVERLAP_LOOKS * max((tr.stride for tr in tracks), default=1)
    for b in ordered:
        best, best_cost = None, np.inf
        for a in result:
            if a.frames[-1] >= b.frames[0] + overlap or b.times[0] - a.times[-1] > max_gap_s:
                continue
            cost = float(np.linalg.norm(centre_of(b.image[0]) - a.predict(b.times[0])) / a.ref_size())
            cost += 0.5 * abs(float(np.log(size_of(b.image[0]) / a.ref_size())))
            if cost < best_cost:
                best, best_cost = a, cost
        if best is not None and best_cost <= 1.0:
            start = next((i for i, f in enumerate(b.frames) if f > best.frames[-1]), None)
            if start is not None:
                best.frames += b.frames[start:]
                best.times += b.times[start:]
                best.image += b.image[start:]
                best.world += b.world[start:]
                best.colours += b.colours[start:] if best.colours and b.colours else []
                if len(best.colours) != len(best.frames):  # one of them had none: colours unknown
                    best.colours = []
        else:
            result.append(b)
    for new_id, tr in enumerate(result, start=1):
        tr.track_id = new_id
    return result


def track_series(tracks: Track | Sequence[Track], t: NDArray[np.float64], frame_size: tuple[int, int],
                 source: str = "") -> PoseSeries:
    """One person's track, or several tracks of one person, as a series over the whole clip.

    Several tracks never overlap in time (they are the passes); the result is a :class:`PoseSeries` over all
    ``len(t)`` frames (NaN where they were not seen).

    ``meta["track_id"]`` is the first track's id, ``meta["track_ids"]`` all of them; where two
    tracks share a frame, the one listed first is kept. A track followed on every frame the pose
    model ran on, when that is every ``step``-th frame (``pose.min_model_fps``), is interpolated
    linearly between two looks ``step`` frames apart (not across a miss): as if followed on every frame.
    """
    group = [tracks] if isinstance(tracks, Track) else list(tracks)
    n = len(t)
    w, h = frame_size
    xyz = np.full((n, NUM_LANDMARKS, 3), np.nan, np.float32)
    vis = np.full((n, NUM_LANDMARKS), np.nan, np.float32)
    world = np.full((n, NUM_LANDMARKS, 3), np.nan, np.float32)
    for track in reversed(group):
        idx = np.asarray(track.frames)
        img = np.stack(track.image)
        xyz[idx] = img[:, :, :3] / np.array([w, h, w], np.float32)
        vis[idx] = img[:, :, 3]
        world[idx] = np.stack(track.world)
        if track.step > 1 and track.full:
            _between(idx, track.step, xyz, vis, world)
    meta = {"track_id": group[0].track_id, "track_ids": [tr.track_id for tr in group]}
    return PoseSeries(xyz, vis, world, t, frame_size, source, meta=meta)


def _between(idx: NDArray[np.int64], step: int, *series: NDArray[np.float32]) -> None:
    """Fill, in place, the frames between looks ``idx[j]`` and ``idx[j] + step`` of each (T, ...) series.

    Linearly (the frames the pose model skipped; a look it missed leaves its whole span empty).

    >>> x = np.full((5, 1), np.nan, np.float32); x[[0, 2]] = [[0.0], [1.0]]
    >>> _between(np.array([0, 2]), 2, x); x[:, 0].tolist()[:3]
    [0.0, 0.5, 1.0]
    """
    a = idx[:-1][np.diff(idx) == step]
    for k in range(1, step):
        w = np.float32(k / step)
        for s in series:
            s[a + k] = (1 - w) * s[a] + w * s[a + step]
