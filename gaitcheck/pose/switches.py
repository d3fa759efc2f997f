"""Where the person followed changes: a track split in two when the clothes before and after are another's.

The follower keeps to where the scan saw the walker. Where two people walk close together (a
therapist beside or behind a patient, a bystander crossing), the pose model often finds only one
of them per look, and the follower can move from one to the other and stay: the landmarks after
that are someone else's, and measures over the whole track would mix two people. A jump of the
landmarks alone cannot tell this from a cut between two shots of one walker (the phone clip jumps
the same way at each cut), but the clothes can.

:func:`split_switches` splits a track followed on every frame where the clothing colours
(:func:`~gaitcheck.pose.appearance.colour_distance`) differ by more than :data:`SWITCH_COLOUR`
both just before and after (:data:`SWITCH_WINDOW_S` each side) and between everything before
and everything after (a lasting change, not a passing one: a leg behind a piece of furniture, a
shadow). The later piece becomes a track of its own; :func:`~gaitcheck.pose.walker.choose_walk`
then chooses between them as between any two people, and joins them again if they match after
all. A passing change of all the clothes is a *detour* (:func:`detour_looks`): the walker hidden
for a moment behind someone crossing in front, the landmarks on that person meanwhile; those looks
are left out of the track.

Measured on the real clips (0.5 s windows, the lower of the two distances): one walker followed
through a whole clip reaches 0.015-0.17 (the most where the picture's edge or a black bar cuts the
legs; 0.08 across the cuts of the phone clip, 0.07-0.14 with a box hiding the feet); a walker
followed onto a second person in other clothes (a real clip's walker pasted in 0.5 s behind,
tinted red) 0.35. People in alike clothes are not told apart this way: a split needs twice the
most seen within one person. A single look's colours scatter more (up to 0.37 from the track's
median on the real clips, but never 3 looks in a row over 0.25); a detour onto a bystander in blue
crossing in front: 16 looks in a row at 0.25-0.43.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..landmarks import TORSO
from .appearance import colour_distances
from .tracking import Track, box_size

__all__ = ["DETOUR_AWAY", "DETOUR_S", "HANDOVER_SPEED", "SWITCH_COLOUR", "SWITCH_WINDOW_S", "Detour", "Switch",
           "detour_looks", "handover", "one_person_each", "split_switches", "switch_at"]

SWITCH_COLOUR = 0.25  # clothing colour distance across a point above which the person followed changed there
SWITCH_WINDOW_S = 0.5  # ... measured over this long each side; each piece is at least this long
HANDOVER_SPEED = 1.5  # body sizes per second the torso moves beyond the walk's own pace: sliding to the other person
DETOUR_S = 0.1  # looks in a row this long (at least 3) in clothes not the track's own: landmarks on someone else ...
DETOUR_AWAY = 0.15  # ... if they leave the walker's path by this many body sizes (not: the walker in a shadow)
_MIN_SHARE = 0.5  # a window needs colours on at least this share of its frames


@dataclass(frozen=True)
class Detour:
    """Looks of track ``track_id`` from ``start_s`` to ``end_s`` on someone else's clothes, left out of it."""

    track_id: int
    start_s: float
    end_s: float
    looks: int


@dataclass(frozen=True)
class Switch:
    """A track split where the person followed changed: ``track_id`` up to ``t_s``, ``new_id`` from then on."""

    track_id: int
    new_id: int
    t_s: float
    colour: float  # the clothing colour distance across the switch (the lower of just-around and before/after)


def _torso(tr: Track, a: int, b: int) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
    """Looks ``a..b-1``: the torso's centre (shoulders and hips, pixels), the times, the median body size."""
    img = np.stack(tr.image[a:b]).astype(np.float64)
    return (img[:, list(TORSO), :2].mean(axis=1), np.asarray(tr.times[a:b], np.float64),
            float(np.median(box_size(img))))


def _runs(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """``(start, end)`` (exclusive) of each run of True in ``mask``."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _medians(cols: NDArray[np.float64]) -> NDArray[np.float64]:
    """The per-region median colour over the first axis (NaN where a region is never seen)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN regions stay NaN
        return np.asarray(np.nanmedian(cols, axis=0), np.float64)


def switch_at(tr: Track, window_s: float = SWITCH_WINDOW_S, threshold: float = SWITCH_COLOUR,
              ) -> tuple[int, int, float] | None:
    """``(end, start, distance)``: where ``tr`` follows someone else, or None.

    ``tr`` follows one person up to look ``end`` (exclusive) and someone else from look ``start`` on; the
    looks between are the hand-over (:func:`handover`), neither's. Only tracks followed on every frame
    with clothing colours are judged (a scan's few looks per second are too noisy for this).
    """
    n = len(tr.frames)
    if not tr.full or len(tr.colours) != n or n < 4:
        return None
    t = np.asarray(tr.times, np.float64)
    cols = np.stack(tr.colours).astype(np.float64)  # (n, 3, 3)
    dt = float(np.median(np.diff(t)))
    w = max(3, round(window_s / dt)) if dt > 0 else 3
    if n < 2 * w:
        return None
    coloured = np.asarray(np.isfinite(cols).all(axis=2), bool).any(axis=1)
    win = np.lib.stride_tricks.sliding_window_view(cols, w, axis=0)  # (n - w + 1, 3, 3, w): looks k..k+w-1
    win_seen = np.lib.stride_tricks.sliding_window_view(coloured, w).sum(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        med = np.asarray(np.nanmedian(win, axis=-1), np.float64)  # (n - w + 1, 3, 3)
    cuts = np.arange(w, n - w + 1)  # a cut before look i: the window before is i-w..i-1, after i..i+w-1
    before, after = med[cuts - w], med[cuts]
    near = colour_distances(before, after)
    enough = (win_seen[cuts - w] >= _MIN_SHARE * w) & (win_seen[cuts] >= _MIN_SHARE * w)
    # each window spans about window_s: not across a long stretch where the person was not found
    compact = (t[cuts - 1] - t[cuts - w] <= 2 * window_s) & (t[cuts + w - 1] - t[cuts] <= 2 * window_s)
    best: tuple[int, float] | None = None
    for k in np.flatnonzero(enough & compact & (near > threshold)):
        i = int(cuts[k])
        far = float(colour_distances(_medians(cols[:i]), _medians(cols[i:])))
        d = min(float(near[k]), far)
        if d > threshold and _steady(cols[i - w:i], threshold) and _steady(cols[i:i + w], threshold) and (
                best is None or d > best[1]):
            best = (i, d)
    if best is None:
        return None
    end, start = handover(tr, best[0], w // 2)
    return end, start, best[1]


def handover(tr: Track, i: int, reach: int) -> tuple[int, int]:
    """``(end, start)``: the looks ``end..start-1`` near look ``i`` where the landmarks slide to the other person.

    The model's own smoothing moves them over a few frames; ``(i, i)`` if they jump at once. A slide is
    a run of looks within ``reach`` of ``i`` where the torso moves faster than :data:`HANDOVER_SPEED`
    beyond the walk's own pace (the median step around it).
    """
    lo, hi = max(1, i - reach), min(len(tr.frames), i + reach + 1)
    centre, t, size = _torso(tr, lo - 1, hi)
    steps = np.diff(centre, axis=0)
    beyond = np.linalg.norm(steps - np.median(steps, axis=0), axis=1) / size / np.maximum(np.diff(t), 1e-3)
    fast = np.flatnonzero(beyond > HANDOVER_SPEED) + lo  # look k: the step from look k - 1 to k is fast
    if not len(fast):
        return i, i
    return int(fast[0]), int(fast[-1])


def _steady(cols: NDArray[np.float64], threshold: float) -> bool:
    """True if the two halves of a window of looks show one person's colours (the cut is not inside it)."""
    h = len(cols) // 2
    d = float(colour_distances(_medians(cols[:h]), _medians(cols[h:])))
    return not d > threshold  # NaN (a half without colours): nothing against it


def _piece(tr: Track, track_id: int, a: int, b: int) -> Track:
    return Track(track_id, tr.frames[a:b], tr.times[a:b], tr.image[a:b], tr.world[a:b], stride=tr.stride,
                 colours=tr.colours[a:b], step=tr.step)


def split_switches(tracks: Sequence[Track], window_s: float = SWITCH_WINDOW_S,
                   threshold: float = SWITCH_COLOUR) -> tuple[list[Track], tuple[Switch, ...]]:
    """``tracks`` with each split where the person followed changed (:func:`switch_at`), and the splits.

    The earliest piece keeps the track's id; the others get new ids above every other track's, in
    the order of time (the same ids on every run: tracks are looked at in the order of their ids).
    Tracks not split are returned as they are, and all in the order given.
    """
    next_id = max((tr.track_id for tr in tracks), default=0) + 1
    found: list[Switch] = []
    pieces: dict[int, list[Track]] = {}
    for tr in sorted(tracks, key=lambda tr: tr.track_id):
        cuts: dict[tuple[int, int], float] = {}  # (end, start) looks in tr -> colour distance
        todo = [(0, len(tr.frames))]
        while todo:
            a, b = todo.pop()
            hit = switch_at(_piece(tr, tr.track_id, a, b), window_s, threshold)
            if hit is not None:
                end, start, d = a + hit[0], a + hit[1], hit[2]
                cuts[(end, start)] = d
                todo += [(a, end), (start, b)]
        order = sorted(cuts)
        spans = list(zip([0, *(st for _, st in order)], [*(e for e, _ in order), len(tr.frames)], strict=True))
        ids = [tr.track_id, *range(next_id, next_id + len(cuts))]  # in the order of time
        next_id += len(cuts)
        pieces[id(tr)] = [tr] if not cuts else [_piece(tr, i, a, b) for i, (a, b) in zip(ids, spans, strict=True)]
        found += [Switch(ids[k], ids[k + 1], float(tr.times[st]), cuts[(e, st)]) for k, (e, st) in enumerate(order)]
    return [p for tr in tracks for p in pieces[id(tr)]], tuple(found)


def detour_looks(tr: Track, threshold: float = SWITCH_COLOUR, min_s: float = DETOUR_S) -> NDArray[np.bool_]:
    """(looks,) True on the runs of looks, at least ``min_s`` long (and 3 looks), whose clothes are not the track's.

    A look's colours more than ``threshold`` from the track's median (:func:`colour_distance`, the
    regions seen), and its torso's on their own: the walker hidden for a moment behind someone
    crossing in front, the landmarks on that person meanwhile. Only between looks in the track's own
    clothes (at a track's ends the colours are often the background's: the walker half out of the
    picture), and only where the landmarks leave the walker's path on the way (:func:`_strays`; the
    walker crossing a hard shadow changes colours too, but stays on their path); the hand-overs there
    and back (:func:`handover`) are part of the detour. Judged on tracks followed on every frame only.
    """
    n = len(tr.frames)
    out = np.zeros(n, bool)
    if not tr.full or len(tr.colours) != n or n < 4:
        return out
    cols = np.stack(tr.colours).astype(np.float64)
    med = _medians(cols)[None]
    # the torso too (someone in front hides all of the walker; a box in front of the legs, only the legs)
    far = ((np.nan_to_num(colour_distances(cols, med), nan=0.0) > threshold)
           & (np.nan_to_num(colour_distances(cols[:, :1], med[:, :1]), nan=0.0) > threshold))
    dt = float(np.median(np.diff(tr.times)))
    need = max(3, round(min_s / dt)) if dt > 0 else 3
    for a, b in _runs(far):
        if b - a >= need and a > 0 and b < n:  # back on the track's own clothes after (the ends: the picture's edge)
            # with the hand-overs there and back, where the landmarks slide across
            reach = max(1, min(need, (b - a) // 2))
            a, b = min(a, handover(tr, a, reach)[0]), max(b, handover(tr, b, reach)[1])
            if a > 0 and b < n and _strays(tr, a, b):
                out[a:b] = True
    return out


def _strays(tr: Track, a: int, b: int) -> bool:
    """True if the torso leaves the walker's path over looks ``a..b-1`` by over :data:`DETOUR_AWAY` body sizes.

    The path: straight from look ``a - 1`` to look ``b`` (the walker's own, either side), at their times.
    """
    centre, t, size = _torso(tr, a - 1, b + 1)
    share = ((t - t[0]) / (t[-1] - t[0]))[:, None] if t[-1] > t[0] else np.zeros((len(t), 1))
    path = centre[0] + share * (centre[-1] - centre[0])
    return bool(np.linalg.norm(centre - path, axis=1).max() > DETOUR_AWAY * size)


def _keep(tr: Track, keep: NDArray[np.bool_]) -> Track:
    idx = np.flatnonzero(keep)
    return Track(tr.track_id, [tr.frames[i] for i in idx], [tr.times[i] for i in idx], [tr.image[i] for i in idx],
                 [tr.world[i] for i in idx], stride=tr.stride, colours=[tr.colours[i] for i in idx], step=tr.step)


def one_person_each(tracks: Sequence[Track]) -> tuple[list[Track], tuple[Switch, ...], tuple[Detour, ...]]:
    """``tracks`` made one person's each, with the splits and the detours.

    Split where the person followed changed (:func:`split_switches`), and without their detours onto
    someone else (:func:`detour_looks`).
    """
    pieces, switches = split_switches(tracks)
    out, detours = [], []
    for tr in pieces:
        away = detour_looks(tr)
        if not away.any():
            out.append(tr)
            continue
        detours += [Detour(tr.track_id, tr.times[a], tr.times[b - 1], b - a) for a, b in _runs(away)]
        out.append(_keep(tr, ~away))
    return out, switches, tuple(detours)
