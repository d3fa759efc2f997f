"""Choose the walker among the tracked people, and find the walker's other passes.

Each track is scored by how long it is seen walking, times how large it is (:func:`walking_looks`):
a look counts as walking where the legs are in the picture, the body is upright, and the hips
travel across the picture (or the body grows or shrinks: walking towards or away) while the legs
swing, or the legs swing widely in place (a camera panning with the walker, a treadmill). A person
seen for long but mostly standing, bouncing, bending or cut by the picture's edge (a man exercising
on a box at the side of a portrait picture, a reflection that stays put) scores low against one
who walks across the picture however briefly. The user may override the choice with a track id or
a point in the frame at a time.

A walker who leaves the picture and comes back (down the hall and back; a panning phone that
loses them) is a new track. :func:`choose_walk` joins to the chosen track every other track that

- is never seen at the same time as any of the walker's tracks (passes of one walker never
  overlap: someone seen together with the walker, a bystander or the walker's reflection in a
  mirror, is someone else);
- walks (travels at least a body length and swings the legs, or half of that and swings them
  more: a walker the camera pans with stays in one place of the picture);
- wears the same clothes as the walker's tracks joined so far, pooled
  (:func:`gaitcheck.pose.appearance.colour_distance` of the torso, thigh and shin colours at
  most :data:`MAX_COLOUR`) and is built the same
  (:func:`~gaitcheck.pose.appearance.proportion_distance` at most :data:`MAX_BUILD`).

The thresholds were measured on the real clips (torso, thighs and shins; lightness at half
weight). The same person in the same light: 0.003-0.005 for a pass and its mirror image, up to
0.058 between two halves of one pass or two clips of one person in one room; across the shots of
the phone clip, from sun to shade, 0.03-0.105. Different people in one clip: 0.066 and more (the
woman and the man of the sports2d demo, 0.066-0.08; pedestrians 0.071-0.086). Dark, small or
backlit people all look alike to this descriptor, so the threshold keeps below every
different-people pair seen: a walker coming back in very different light may stay unjoined
(missing a pass: fewer steps, verdicts on less evidence) rather than a stranger be joined (a
confident wrong verdict). Body proportions from the world landmarks vary little between
people (0.01-0.2; the same person 0.01-0.06) and only rule out clearly different builds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..errors import NoWalkerError
from ..landmarks import Landmark as L
from .appearance import Looks, colour_distance, proportion_distance, summarise
from .tracking import MIN_TRACK_FRAMES, Track, box_of, box_size, centre_of, size_of

__all__ = ["MAX_BUILD", "MAX_COLOUR", "Join", "TrackStats", "WalkerChoice", "choose_walk", "choose_walker",
           "track_summary", "walk_tracks", "walking_looks"]

MAX_COLOUR = 0.06  # clothing colour distance up to which two tracks may be one person (see the module notes)
MAX_BUILD = 0.08  # body proportion distance, likewise
JOIN_TRAVEL = 1.0  # a track joined to the walker travels at least this many body sizes ...
JOIN_SWING = 0.05  # ... and swings the legs at least this much (body sizes; a frontal walk swings little),
PANNED_TRAVEL, PANNED_SWING = 0.5, 0.15  # or, filmed by a camera that pans with them, travels less but swings more
MIN_COLOURED_LOOKS = 3  # looks with clothing colours needed to compare a track at all
EDGE = 0.15  # within this share of the frame's width of a side, a person is "at the edge"

# What makes a look one of walking (see walking_looks). Measured on the scan's looks (every 0.2 s) of the real
# clips: walkers' hips cross the picture at 0.15-0.35 (the limp) to 1.0 body sizes/s (the larger side of the
# landmarks' box), their legs swing 0.07-0.35 in a 1-s window; the man on the sports2d demo's box bounces (his
# hips jump 0.17 body sizes up and down, his size by a fifth between looks) with the legs swinging 0.04-0.16.
# With these values the limp is walking on 80% of its looks, the other side-view walkers on 78-100%, the man on
# the box on 54% (he does walk along it for a while) and, half out of a portrait picture, on 18%.
WALK_WINDOW_S = 1.0  # the hips' speed across the picture and the legs' swing, over this window
GROWTH_WINDOW_S = 3.0  # growing or shrinking (walking towards or away), over a longer one: bouncing blurs it
WALK_SPEED = 0.15  # body sizes per second across the picture (or 2 x the rate of growth of the log size) ...
WALK_SWING = 0.06  # ... with the legs swinging this much (std of the ankle-to-ankle vector, body sizes),
IN_PLACE_SWING = 0.2  # or, the hips staying in place, the legs swinging this much
IDLE_SHARE = 0.05  # a second seen not walking counts this much of one walking (so that someone is chosen)
LEGS_MARGIN = 0.02  # hips, knees and ankles inside the picture by this share of its shorter side
_LEGS = (L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE, L.RIGHT_KNEE, L.LEFT_ANKLE, L.RIGHT_ANKLE)


@dataclass(frozen=True)
class TrackStats:
    """How walker-like a track is; ``score`` = (seconds seen walking + 5% of the other seconds seen) x size."""

    track_id: int
    frames: int  # frames of the clip the person was seen in (a sampled track: looks x stride)
    start_s: float
    end_s: float
    size_rel: float  # median body size / frame height
    travel_rel: float  # how far the hips travel (and the body grows or shrinks), in body sizes
    leg_swing_rel: float  # spread of the ankle-to-ankle vector over time, in body sizes
    score: float
    walking_s: float = 0.0  # seconds seen walking (:func:`walking_looks`)


def _span_frames(tr: Track) -> int:
    """How many frames of the clip a track covers.

    A sampled track stands for ``stride`` frames per look, but a single look for one frame (seen once, it
    may be a spurious pose: too short to judge).
    """
    return len(tr.frames) * tr.stride if len(tr.frames) > 1 else len(tr.frames)


def _window_sums(v: NDArray[np.float64], a: NDArray[np.intp], b: NDArray[np.intp]) -> NDArray[np.float64]:
    """Sums of ``v`` (n, ...) over the windows ``v[a[k]:b[k]]``."""
    c = np.concatenate([np.zeros((1, *v.shape[1:])), np.cumsum(v, axis=0)])
    return np.asarray(c[b] - c[a], np.float64)


def _windows(t: NDArray[np.float64], half_s: float) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """The looks ``[a, b)`` within ``half_s`` of each look.

    Near the track's ends, the first or last window of the whole length: a look at the ends is judged
    on as long a stretch as any other.
    """
    centre = np.clip(t, t[0] + half_s, t[-1] - half_s) if t[-1] - t[0] > 2 * half_s else np.full_like(
        t, (t[0] + t[-1]) / 2)
    eps = 1e-9
    return np.searchsorted(t, centre - half_s - eps), np.searchsorted(t, centre + half_s + eps, side="right")


def _window_slopes(t: NDArray[np.float64], v: NDArray[np.float64], half_s: float) -> NDArray[np.float64]:
    """Least-squares slope of ``v`` (n, d) against ``t`` in each look's window (NaN: under 3 looks)."""
    a, b = _windows(t, half_s)
    n = (b - a).astype(np.float64)[:, None]
    tt = (t - t[0])[:, None]
    st, sv = _window_sums(tt, a, b), _window_sums(v, a, b)
    stt, stv = _window_sums(tt * tt, a, b), _window_sums(tt * v, a, b)
    den = stt - st * st / n
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (stv - st * sv / n) / den
    out[(n[:, 0] < 3) | (den[:, 0] <= 0)] = np.nan
    return np.asarray(out, np.float64)


def walking_looks(tr: Track, frame_size: tuple[int, int]) -> NDArray[np.bool_]:
    """(looks,) True where ``tr`` is seen walking.

    A look is one of walking where the hips, knees and ankles lie inside the picture
    (:data:`LEGS_MARGIN`), the body is upright (shoulders above the hips by 0.15 of its size, the
    ankles below them by 0.25), and within :data:`WALK_WINDOW_S` the hips travel across the picture
    at :data:`WALK_SPEED` (or the body grows or shrinks that fast over :data:`GROWTH_WINDOW_S`) with
    the legs swinging :data:`WALK_SWING`, or the legs swing :data:`IN_PLACE_SWING` (in place). Up and
    down in the picture does not count as travel: a person bouncing on the spot moves so. Where the
    picture's bottom edge cuts both legs (the ankles below it, the hips and shoulders inside), the
    hips travelling across the picture at :data:`WALK_SPEED` is enough.
    """
    n = len(tr.frames)
    if n < 3:
        return np.zeros(n, bool)
    raw = np.stack(tr.image)
    lm = raw[..., :2].astype(np.float64)
    size = box_size(raw)
    t = np.asarray(tr.times, np.float64)
    w, h = frame_size
    m = LEGS_MARGIN * min(w, h)

    def within(points: tuple[L, ...]) -> NDArray[np.bool_]:
        xy = lm[:, list(points)]
        return np.asarray(((xy[..., 0] >= m) & (xy[..., 0] <= w - m) & (xy[..., 1] >= m) & (xy[..., 1] <= h - m))
                          .all(axis=1))

    inside = within(_LEGS)
    hip = (lm[:, L.LEFT_HIP] + lm[:, L.RIGHT_HIP]) / 2
    shoulder = (lm[:, L.LEFT_SHOULDER] + lm[:, L.RIGHT_SHOULDER]) / 2
    ankle = (lm[:, L.LEFT_ANKLE] + lm[:, L.RIGHT_ANKLE]) / 2
    upright = ((hip[:, 1] - shoulder[:, 1]) >= 0.15 * size) & ((ankle[:, 1] - hip[:, 1]) >= 0.25 * size)
    half = WALK_WINDOW_S / 2
    across = np.abs(_window_slopes(t, hip[:, :1], half)[:, 0]) / size
    growth = 2 * np.abs(_window_slopes(t, np.log(size)[:, None], GROWTH_WINDOW_S / 2)[:, 0])
    speed = np.fmax(across, growth)
    sep = (lm[:, L.LEFT_ANKLE] - lm[:, L.RIGHT_ANKLE]) / size[:, None]
    a, b = _windows(t, half)
    k = (b - a).astype(np.float64)[:, None]
    var = _window_sums(sep * sep, a, b) / k - (_window_sums(sep, a, b) / k) ** 2
    swing = np.sqrt(np.maximum(var, 0.0).sum(axis=1))
    with np.errstate(invalid="ignore"):
        moving = ((speed >= WALK_SPEED) & (swing >= WALK_SWING)) | (swing >= IN_PLACE_SWING)
        # the picture's bottom edge cutting both legs (a phone too close): the legs' swing cannot be seen,
        # so travel across the picture alone tells, with the hips and shoulders inside it
        above = within((L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_SHOULDER, L.RIGHT_SHOULDER))
        cut = above & (lm[:, [L.LEFT_ANKLE, L.RIGHT_ANKLE], 1] > h - m).all(axis=1) & (across >= WALK_SPEED)
    return np.asarray(((inside & moving) | cut) & upright & (k[:, 0] >= 3), bool)


def _stats(tr: Track, frame_size: tuple[int, int], dt: float) -> TrackStats:
    frame_h = frame_size[1]
    raw = np.stack(tr.image)
    lm = raw.astype(np.float64)
    sizes = box_size(raw)
    size = float(np.median(sizes))
    hips = (lm[:, L.LEFT_HIP, :2] + lm[:, L.RIGHT_HIP, :2]) / 2
    travel_px = np.percentile(hips, 95, axis=0) - np.percentile(hips, 5, axis=0)
    growth = abs(float(np.log(np.percentile(sizes, 90) / np.percentile(sizes, 10))))
    travel = float(np.hypot(*travel_px) / size + 2 * growth)
    ankles = (lm[:, L.LEFT_ANKLE, :2] - lm[:, L.RIGHT_ANKLE, :2]) / sizes[:, None]
    swing = float(np.sqrt(ankles.var(axis=0).sum())) if len(lm) > 1 else 0.0
    seen_s = _span_frames(tr) * dt
    walking_s = float(walking_looks(tr, frame_size).sum()) * seen_s / len(tr.frames)
    score = (walking_s + IDLE_SHARE * (seen_s - walking_s)) * (size / frame_h)
    return TrackStats(tr.track_id, _span_frames(tr), tr.times[0], tr.times[-1], size / frame_h, travel, swing, score,
                      walking_s)


def track_summary(tracks: list[Track], frame_size: tuple[int, int], dt: float) -> list[TrackStats]:
    """Stats of every track long enough to matter, best walker first (``frame_size``: width, height in pixels)."""
    stats = [_stats(tr, frame_size, dt) for tr in tracks if _span_frames(tr) >= MIN_TRACK_FRAMES]
    return sorted(stats, key=lambda s: -s.score)


def choose_walker(tracks: list[Track], stats: list[TrackStats], *, track_id: int | None = None,
                  point: tuple[float, float, float] | None = None, frame_size: tuple[int, int] = (1, 1)) -> Track:
    """Pick the walker: the best-scoring track followed on every frame, or the one the user named.

    An extraction follows one person on every frame (the walker it chose, see
    :func:`gaitcheck.pose.landmarker`) and only samples the others; that person is the default. Among
    tracks that are all full (or all sampled), the best-scoring one is.

    Args:
        tracks: all tracks.
        stats: their stats, best first (from :func:`track_summary`).
        track_id: choose this track (ids are listed in the report).
        point: ``(x, y, t_s)``: choose the person whose outline contains this point (x, y normalised
            0..1 in the upright frame, y down) within 0.5 s of this time; the nearest if several do.
        frame_size: (width, height) of the upright frame in pixels, to read ``point``.

    Raises:
        NoWalkerError: nobody was tracked, or the requested track or point matches no one.
    """
    by_id = {tr.track_id: tr for tr in tracks}
    if track_id is not None:
        if track_id not in by_id or _span_frames(by_id[track_id]) < MIN_TRACK_FRAMES:
            valid = ", ".join(str(s.track_id) for s in stats) or "none"
            raise NoWalkerError(f"there is no person with track id {track_id}; the tracks are: {valid}")
        return by_id[track_id]
    if point is not None:
        x, y, t = point[0] * frame_size[0], point[1] * frame_size[1], point[2]
        best, best_d = None, np.inf
        for s in stats:
            tr = by_id[s.track_id]
            k = int(np.argmin(np.abs(np.asarray(tr.times) - t)))
            box, size = box_of(tr.image[k]), size_of(tr.image[k])
            pad = 0.1 * size
            inside = box[0] - pad <= x <= box[2] + pad and box[1] - pad <= y <= box[3] + pad
            if abs(tr.times[k] - t) > 0.5 or not inside:
                continue
            d = float(np.hypot(*(centre_of(tr.image[k]) - (x, y)))) / size
            if d < best_d:
                best, best_d = tr, d
        if best is None:
            raise NoWalkerError(f"nobody was found at ({point[0]:.2f}, {point[1]:.2f}) at {point[2]:.1f} s")
        return best
    if not stats:
        raise NoWalkerError("no person was found in the clip (the pose model needs the whole body in view, in good "
                            "light, filling at least a quarter of the picture's height)")
    full = [s for s in stats if by_id[s.track_id].full]
    return by_id[(full or stats)[0].track_id]




@dataclass(frozen=True)
class Join:
    """A track joined to the walker's first one, and why (in words, for the report)."""

    track_id: int
    reason: str
    colour: float  # clothing colour distance to the walker's passes joined before it, pooled
    build: float  # body proportion distance to them
    gap_s: float  # time between this pass and the walker's nearest other pass


@dataclass(frozen=True, eq=False)
class WalkerChoice:
    """The walker: their tracks in time order, the one chosen first, and the others joined to it."""

    tracks: tuple[Track, ...]
    first: Track
    joined: tuple[Join, ...] = ()

    @property
    def track_ids(self) -> tuple[int, ...]:
        """The ids of the tracks joined into this walk, the first chosen first."""
        return tuple(tr.track_id for tr in self.tracks)


def _walks(s: TrackStats) -> bool:
    """True if the track walks: travels and swings the legs (less travel with more swing: a panning camera)."""
    return (s.travel_rel >= JOIN_TRAVEL and s.leg_swing_rel >= JOIN_SWING) or (
        s.travel_rel >= PANNED_TRAVEL and s.leg_swing_rel >= PANNED_SWING)


def _looks(tr: Track) -> Looks:
    return summarise(tr.colours, tr.world)


def _apart(a: Track, b: Track) -> bool:
    """True if ``a`` and ``b`` were never in view at the same time (their spans do not meet)."""
    return a.frames[-1] < b.frames[0] or b.frames[-1] < a.frames[0]


def _side(tr: Track, frame_w: int, end: bool) -> str:
    """Where ``tr`` left the picture (``end``) or came in.

    "at the left edge", "at the right edge" or "in the picture".
    """
    lm = tr.image[-1 if end else 0]
    x = float((lm[L.LEFT_HIP, 0] + lm[L.RIGHT_HIP, 0]) / 2) / max(frame_w, 1)
    return "at the left edge" if x < EDGE else "at the right edge" if x > 1 - EDGE else "in the picture"


def _reason(tr: Track, walk: Sequence[Track], colour: float, build: float, frame_w: int) -> tuple[str, float]:
    before = [w for w in walk if w.frames[-1] < tr.frames[0]]
    after = [w for w in walk if w.frames[0] > tr.frames[-1]]
    ids = ", ".join(str(w.track_id) for w in sorted(walk, key=lambda w: w.frames[0]))
    text = (f"same clothing colours ({colour:.2f}) and build ({build:.2f}), never seen together with "
            f"track{'s' if len(walk) > 1 else ''} {ids}")
    if before:
        prev = max(before, key=lambda w: w.frames[-1])
        gap = tr.times[0] - prev.times[-1]
        text += f", came back {gap:.1f} s after leaving {_side(prev, frame_w, True)}"
        where = _side(tr, frame_w, False)
        text += f" (came in {where})" if where != "in the picture" else " (seen again in the picture)"
    else:
        nxt = min(after, key=lambda w: w.frames[0])
        gap = nxt.times[0] - tr.times[-1]
        text += f", left {_side(tr, frame_w, True)} {gap:.1f} s before track {nxt.track_id} came in"
    return text, gap


def choose_walk(tracks: list[Track], stats: list[TrackStats], *, track_id: int | None = None,
                point: tuple[float, float, float] | None = None, frame_size: tuple[int, int] = (1, 1),
                join: bool = True) -> WalkerChoice:
    """The walker's tracks: the one :func:`choose_walker` picks (or the user named) and their other passes.

    Every other track long enough to judge is joined when it was never in view at the same time
    as a track of the walker, walks, and matches the walker's clothing colours and build (see the
    module notes), pooled over the tracks joined so far: the best match joins first, and the
    looks are pooled again, so that of two tracks seen at the same time only the more alike can
    join, and a pass in light between two others can bridge them (no chain of pairwise matches
    drifts to a stranger: each joins on the pooled looks of all).

    Args:
        tracks: everyone's tracks, as for :func:`choose_walker`.
        stats: their summaries, as for :func:`choose_walker`.
        track_id: the track the user named, if any.
        point: a point (x, y, t) near the walker the user named, if any.
        frame_size: the frame's (width, height) in pixels.
        join: False: the chosen track only.

    Raises:
        NoWalkerError: as :func:`choose_walker`.
    """
    first = choose_walker(tracks, stats, track_id=track_id, point=point, frame_size=frame_size)
    if not join:
        return WalkerChoice((first,), first)
    by_id = {tr.track_id: tr for tr in tracks}
    looks = {s.track_id: _looks(by_id[s.track_id]) for s in stats
             if by_id[s.track_id] is not first and _walks(s)}
    walk = [first]
    joined = []
    while True:  # the best match to the walker's looks pooled over the passes joined so far, one at a time
        ref = summarise([c for w in walk for c in w.colours], [x for w in walk for x in w.world])
        if ref.looks < MIN_COLOURED_LOOKS:
            break
        candidates = []
        for tid, lk in looks.items():
            tr = by_id[tid]
            if lk.looks < MIN_COLOURED_LOOKS or not all(_apart(tr, w) for w in walk):
                continue
            colour = colour_distance(ref.colours, lk.colours)
            build = proportion_distance(ref.proportions, lk.proportions)
            if colour <= MAX_COLOUR and build <= MAX_BUILD:
                candidates.append((colour + build, colour, build, tr))
        if not candidates:
            break
        _, colour, build, tr = min(candidates, key=lambda c: c[0])
        reason, gap = _reason(tr, walk, colour, build, frame_size[0])
        joined.append(Join(tr.track_id, reason, colour, build, gap))
        walk.append(tr)
        del looks[tr.track_id]
    return WalkerChoice(tuple(sorted(walk, key=lambda w: w.frames[0])), first, tuple(joined))


def walk_tracks(tracks: list[Track], frame_size: tuple[int, int], dt: float, track_id: int) -> tuple[Track, ...]:
    """The tracks of the walk of track ``track_id``, in time order: :func:`choose_walk` on :func:`track_summary`.

    Raises:
        NoWalkerError: ``track_id`` is not among ``tracks`` or too briefly seen to judge.
    """
    stats = track_summary(tracks, frame_size, dt)
    return choose_walk(tracks, stats, track_id=track_id, frame_size=frame_size).tracks
