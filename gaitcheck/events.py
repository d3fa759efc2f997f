"""Gait events from the levelled pixel landmarks of a side view: initial contacts and toe-offs per foot.

* **Initial contact (IC)**: the coordinate method of Zeni et al. (2008, Gait & Posture 27:710) per
  foot: each peak of a foot's ankle position relative to the pelvis along the walking direction
  (the foot swings forward, lands, and the pelvis passes over it), timed to a fraction of a frame.
  Each foot's own peaks count, so a step-to gait (one foot brought up beside the other, as in a
  limp) has all its steps, not only those of the foot that leads.
* **Toe-off (TO)**: each foot's troughs of the toe relative to the pelvis (Zeni's toe-off rule), at
  least ``GaitConfig.toe_off_height_rel`` behind it.
* **Timing**: on motion-capture trajectories the plain peak is the heel strike (-11 +- 29 ms:
  tests/test_events_mocap.py). The pose model's foot landmarks trail the foot on video, so every
  event is moved earlier by ``GaitConfig.foot_lag_s``, measured on hand-marked clips (0 for
  trajectories that do not come from the pose model).
* **Seen feet**: an event of a foot needs that foot seen (inside the picture, clear of its edges)
  and the pelvis. The first and last steps of a pass therefore count while the rest of the walker
  is still at the edge; a peak whose swing (or stance) runs out of view is judged on the side that
  is in view.
* The walking direction is the walker's facing per frame, so there-and-back clips and both walking
  directions work; no events are placed within ``run_trim_s`` of a turn, or where the walker
  stands or is not seen from the side.
* Periods: the step time from the feet's fore-aft separation (side views), the stride time from the
  left-right ankle oscillation (front or back views), by autocorrelation.

Pure numpy: (T, 33, 2) pixel landmarks in, frame indices and seconds out.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .config import GaitConfig
from .landmarks import FOOT
from .landmarks import Landmark as L

__all__ = ["detect_initial_contacts", "detect_toe_offs", "feet_in_frame", "leg_length_px", "oscillation_cadence_spm",
           "pelvis_x", "runs", "step_period_s", "valid_for_events"]

F = NDArray[np.float64]
B = NDArray[np.bool_]
_FEET = FOOT  # each foot's heel, ankle and toe, by side
_HEEL, _ANKLE, _TOE = 0, 1, 2  # positions in a _FEET entry
# The pelvis moves steadily while the foot lands; its landmark jitters from frame to frame (and is
# misplaced while the walker is cut by the frame edge): events are timed against its moving average.
PELVIS_WINDOW_S = 0.3
_FLAT = 0.02  # leg lengths: the landmarks' jitter from frame to frame
SEEN_GAP_S = 0.1  # a foot unseen for this long in mid-stride (grazing the picture's edge margin, a dip) is bridged


def leg_length_px(px: F) -> float:
    """Straight-leg hip-to-ankle length in pixels: the 90th percentile over frames of both legs.

    >>> px = np.zeros((3, 33, 2)); px[:, L.LEFT_ANKLE, 1] = px[:, L.RIGHT_ANKLE, 1] = 100.0
    >>> leg_length_px(px)
    100.0
    """
    lengths = np.concatenate([np.linalg.norm(px[:, L.LEFT_ANKLE] - px[:, L.LEFT_HIP], axis=1),
                              np.linalg.norm(px[:, L.RIGHT_ANKLE] - px[:, L.RIGHT_HIP], axis=1)])
    lengths = lengths[np.isfinite(lengths)]
    return float(np.percentile(lengths, 90)) if len(lengths) else float("nan")


def pelvis_x(px: F) -> F:
    """(T,) the pelvis's x in pixels: the mid-point of the hips.

    >>> px = np.zeros((1, 33, 2)); px[0, L.LEFT_HIP, 0], px[0, L.RIGHT_HIP, 0] = 10.0, 20.0
    >>> pelvis_x(px)
    array([15.])
    """
    return np.asarray((px[:, L.LEFT_HIP, 0] + px[:, L.RIGHT_HIP, 0]) / 2)


def _pace(x: F) -> float:
    """The median distance ``x`` (pixels; NaN where not counted) moves from one frame to the next (0 where none).

    >>> _pace(np.array([0.0, 4.0, 8.0, np.nan, 20.0, 26.0]))
    4.0
    """
    moves = np.abs(np.diff(x))
    moves = moves[np.isfinite(moves)]
    return float(np.median(moves)) if len(moves) else 0.0


def _rel(px: F, facing: F, part: int, leg: float, t: F | None = None) -> F:
    """(2, T) position of a foot part of each foot ahead of the pelvis, in leg lengths.

    With ``t``, ahead of the pelvis's moving average over ``PELVIS_WINDOW_S``.
    """
    hip_x = pelvis_x(px)
    if t is not None:
        hip_x = _moving_average(hip_x, t, PELVIS_WINDOW_S)
    return np.stack([facing * (px[:, f[part], 0] - hip_x) / leg for f in _FEET.values()])


def _moving_average(x: F, t: F, window_s: float) -> F:
    """The mean of ``x`` over the frames within ``window_s / 2`` of each frame.

    Taken within each run of finite values (frames may be irregular).

    >>> _moving_average(np.array([0.0, 3.0, 0.0, np.nan, 5.0]), np.arange(5.0), 2.0).tolist()
    [1.5, 1.0, 1.5, nan, 5.0]
    """
    out = np.full(len(x), np.nan)
    for r in runs(np.isfinite(x)):
        tr, cum = t[r], np.concatenate([[0.0], np.cumsum(x[r])])
        lo = np.searchsorted(tr, tr - window_s / 2, side="left")
        hi = np.searchsorted(tr, tr + window_s / 2, side="right")
        out[r] = (cum[hi] - cum[lo]) / (hi - lo)
    return out


def _peaks(x: F, prominence: float, open_start: bool, open_end: bool) -> list[tuple[int, bool]]:
    """Peaks of ``x`` (one foot's run of judged frames) that stand out by ``prominence``, as ``(index, fall seen)``.

    On both sides, or on the one side that is seen when the other runs into an open start or end of ``x``:
    a foot that came into view late in its swing (``open_start``), or left the view soon after
    landing (``open_end``). ``fall seen`` is False for a peak whose fall runs out of view.
    """
    from scipy.signal import find_peaks, peak_prominences  # lazy: slow to import (pose.live.load_scoring)

    cand, _ = find_peaks(x)
    if not len(cand):
        return []
    _, left, right = peak_prominences(x, cand)
    out = []
    for p, lb, rb in zip(cand, left, right, strict=True):
        rise, fall = x[p] - x[lb], x[p] - x[rb]
        # a side runs out of view when nothing lower than its first (last) value is seen before (after) the peak
        if (rise >= prominence or (open_start and x[0] - x[lb] <= _FLAT)) and \
                (fall >= prominence or (open_end and x[-1] - x[rb] <= _FLAT)) and max(rise, fall) >= prominence:
            out.append((int(p), bool(fall >= prominence)))
    return out


def _reaches(rel: F, found: list[tuple[int, int, bool]], p: int, k: int, prominence: float) -> bool:
    """Whether foot ``k``'s peak at frame ``p`` comes within ``prominence`` of where the walker's peaks lie.

    That is, of the median of that foot's peaks whose fall was seen (both feet's where it has none;
    True where there are none): where their feet land (or, for toe-offs, where the toes leave the
    floor). ``found`` holds ``(frame, foot, fall seen)``.

    >>> rel = np.array([[0.4, 0.0, 0.38], [0.0, 0.0, 0.0]])
    >>> found = [(0, 0, True), (1, 0, False), (2, 0, False)]  # the peak at frame 0 was seen falling
    >>> _reaches(rel, found, 2, 0, 0.15), _reaches(rel, found, 1, 0, 0.15)
    (True, False)
    """
    own = [rel[j, q] for q, j, fell in found if fell and j == k]
    ref = own or [rel[j, q] for q, j, fell in found if fell]
    return not ref or bool(rel[k, p] >= float(np.median(ref)) - prominence)


def _comes_to_rest(x: F, p: int, pace: float, frames: int = 3) -> bool:
    """Whether a foot at ``x`` (pixels, one foot part; NaN where not seen) is at rest in the picture after frame ``p``.

    Over the next ``frames`` frames (the last of them seen, at least two frames on) it moves less than half
    the pelvis's ``pace`` (pixels a frame, walking) would: a foot that has landed stays put, seen by a still
    camera, however its landmarks jitter; one the model squeezes into the picture at its edge moves on at
    about the pelvis's pace.

    >>> _comes_to_rest(np.array([0.0, 50.0, 100.0, 104.0, 101.0, 97.0]), 2, 4.0)
    True
    >>> _comes_to_rest(np.array([0.0, 50.0, 100.0, 104.0, 107.0, 111.0]), 2, 4.0)
    False
    """
    ahead = x[p + 1 : p + frames + 1]
    seen = np.flatnonzero(np.isfinite(ahead))
    if not np.isfinite(x[p]) or not len(seen) or seen[-1] < 1:
        return False
    n = int(seen[-1]) + 1
    return bool(abs(ahead[n - 1] - x[p]) <= 0.5 * pace * n)


def _subframe_t(t: F, x: F, p: int) -> float:
    """The time of the peak of ``x`` at frame ``p``.

    The vertex of the parabola through it and its neighbours (frames may be irregular), or ``t[p]`` when a
    neighbour is missing.
    """
    if not 0 < p < len(x) - 1 or not np.isfinite(x[p - 1 : p + 2]).all():
        return float(t[p])
    coef = np.polyfit(t[p - 1 : p + 2] - t[p], x[p - 1 : p + 2], 2)
    if coef[0] >= 0:
        return float(t[p])
    return float(t[p] + np.clip(-coef[1] / (2 * coef[0]), t[p - 1] - t[p], t[p + 1] - t[p]))


def _at(t: F, when: float) -> int:
    """The frame nearest the time ``when``."""
    return int(np.argmin(np.abs(t - when)))


def _bridge(x: F, whole: F, t: F, valid: B, max_s: float = SEEN_GAP_S) -> B:
    """Fill (in place) the gaps of ``x`` up to ``max_s`` long inside its runs of ``valid`` frames; where it filled.

    A foot is not seen on a frame or two in mid-stride where its heel grazes the margin at the picture's
    edge (a portrait phone's narrow picture), or its landmarks dip under the visibility limit for a
    moment: there ``x`` takes the cleaned track
    ``whole`` (filled and smoothed over such dips), or a straight line between the frames around
    where that has none, so that the step is not cut in two (and lost).

    >>> x = np.array([0.0, 1.0, np.nan, 3.0, np.nan, np.nan, np.nan, np.nan, 8.0])
    >>> _bridge(x, np.full(9, np.nan), np.arange(9.0), np.ones(9, bool), max_s=3.0).tolist(), float(x[2])
    ([False, False, True, False, False, False, False, False, False], 2.0)
    """
    out = np.zeros(len(x), bool)
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 1.0
    longest = max(1, round(max_s / dt)) if dt > 0 else 1
    for r in runs(~np.isfinite(x) & valid):
        a, b = int(r[0]) - 1, int(r[-1]) + 1
        if len(r) <= longest and a >= 0 and b < len(x) and np.isfinite(x[a]) and np.isfinite(x[b]):
            x[r] = whole[r] if np.isfinite(whole[r]).all() else np.interp(t[r], [t[a], t[b]], [x[a], x[b]])
            out[r] = True
    return out


def _events(px: F, facing: F, t: F, valid: B, feet: B | None, cfg: GaitConfig, part: int, sign: float,
            height: float) -> list[tuple[int, str]]:
    """Each foot's peaks of ``sign`` x its ``part`` ahead of the pelvis (leg lengths).

    Over the frames where events may be placed and that foot was seen, at least ``height``; of two peaks closer
    than ``min_step_s`` (either foot: the model swaps the feet at times) the higher; as
    ``(frame, foot)``, moved earlier by the foot lag. A stretch of frames is open at an end where
    the foot goes out of view or the clip ends (not where the walker starts or stops walking, or
    turns).
    """
    leg = leg_length_px(px)
    if not np.isfinite(leg) or leg <= 0:
        return []
    seen = np.ones((2, len(t)), bool) if feet is None else np.asarray(feet, bool)
    whole = sign * _rel(px, facing, part, leg, t)
    rel = np.where(valid[None, :] & seen, whole, np.nan)
    seen = seen.copy()
    for k in range(2):
        seen[k] |= _bridge(rel[k], whole[k], t, valid)
    n = len(t)
    found = [(int(r[0]) + q, k, fell) for k in range(2) for r in runs(np.isfinite(rel[k]))
             for q, fell in _peaks(rel[k, r], cfg.peak_prominence_rel, r[0] == 0 or not seen[k, r[0] - 1],
                                    r[-1] == n - 1 or not seen[k, r[-1] + 1])
             if rel[k, r[0] + q] >= height]
    # A peak whose fall runs out of view counts where it lies where this walker's peaks lie, or, for a landing,
    # where the foot is seen at rest after it (the last step of a walker who stops). A foot swinging out of
    # the picture is squeezed into it by the model on its last frames in view, so that it seems to stop short
    # in mid-swing and then moves on at about the pelvis's pace: neither.
    doubtful = {(p, k) for p, k, fell in found if not fell and not _reaches(rel, found, p, k, cfg.peak_prominence_rel)}
    if sign > 0 and doubtful:
        pace, parts = _pace(np.where(valid, pelvis_x(px), np.nan)), [f[part] for f in _FEET.values()]
        doubtful = {(p, k) for p, k in doubtful
                    if not _comes_to_rest(np.where(np.isfinite(rel[k]), px[:, parts[k], 0], np.nan), p, pace)}
    cand = [(p, k) for p, k, _ in found if (p, k) not in doubtful]
    kept: list[tuple[int, int]] = []
    for p, k in sorted(cand, key=lambda c: -rel[c[1], c[0]]):
        if all(abs(t[p] - t[q]) >= cfg.min_step_s for q, _ in kept):
            kept.append((p, k))
    names = list(_FEET)
    return sorted({(_at(t, _subframe_t(t, rel[k], p) - cfg.foot_lag_s), names[k]) for p, k in kept})


def detect_initial_contacts(px: F, facing: F, t: F, valid: B, cfg: GaitConfig, feet: B | None = None,
                            ) -> list[tuple[int, str]]:
    """Initial contacts as ``(frame, foot)``, in frame order (see the module docstring).

    Args:
        px: (T, 33, 2) levelled pixel landmarks.
        facing: (T,) +1 / -1 walking direction in the image.
        t: (T,) seconds.
        valid: (T,) frames where events may be placed (walking, seen from the side).
        cfg: gait settings.
        feet: (2, T) where the left and right foot were seen, and the pelvis (default: everywhere).
    """
    return _events(px, facing, t, valid, feet, cfg, _ANKLE, 1.0, cfg.peak_height_rel)


def detect_toe_offs(px: F, facing: F, t: F, valid: B, cfg: GaitConfig, feet: B | None = None,
                    ) -> list[tuple[int, str]]:
    """Toe-offs as ``(frame, foot)``: troughs of the rearmost toe relative to the pelvis (Zeni 2008)."""
    return _events(px, facing, t, valid, feet, cfg, _TOE, -1.0, cfg.toe_off_height_rel)


def _period_s(t: F, x: F, lo_s: float, hi_s: float, rate_hz: float = 120.0) -> float | None:
    """The period of ``x(t)`` (NaN samples skipped).

    Resampled to ``rate_hz``, the first autocorrelation peak between ``lo_s`` and ``hi_s`` at least half as high
    as the highest (and
    above 0.2), refined by a parabola.

    >>> tt = np.arange(0, 6, 1 / 30); round(float(_period_s(tt, np.sin(2 * np.pi * tt / 0.8), 0.3, 1.2)), 3)
    0.8
    """
    ok = np.isfinite(x)
    if ok.sum() < 10:
        return None
    grid = np.arange(t[ok][0], t[ok][-1], 1 / rate_hz)
    y = np.interp(grid, t[ok], x[ok])
    y = y - y.mean()
    from scipy.signal import correlate, find_peaks  # lazy: slow to import (pose.live.load_scoring)

    ac = correlate(y, y, "full", method="fft")[len(y) - 1 :]  # by FFT: a long stretch costs n log n, not n^2
    if len(ac) == 0 or ac[0] <= 0:
        return None
    ac = ac / ac[0]
    lo, hi = int(lo_s * rate_hz), min(int(hi_s * rate_hz), len(ac) - 2)
    if hi <= lo:
        return None
    peaks, _ = find_peaks(ac[lo : hi + 1])
    if not len(peaks) or ac[lo + peaks].max() < 0.2:
        return None
    heights = ac[lo + peaks]
    k = float(lo + peaks[np.flatnonzero(heights >= 0.5 * heights.max())[0]])
    i = int(k)
    denom = ac[i - 1] - 2 * ac[i] + ac[i + 1]
    if denom < 0:
        k += 0.5 * (ac[i - 1] - ac[i + 1]) / denom
    return k / rate_hz


def step_period_s(px: F, facing: F, t: F, valid: B, max_gap_s: float = 0.35, lo_s: float = 0.3,
                  hi_s: float = 1.2) -> float | None:
    """Step time from the periodicity of the feet's fore-aft separation (side views).

    ``|ankle_left - ankle_right|`` along the walking direction repeats once per step, whichever
    foot the model calls left (once per stride where the two steps differ much, as in a limp).
    Its period (:func:`_period_s`, ``lo_s``-``hi_s``) over the longest stretch of valid frames
    (gaps up to ``max_gap_s`` bridged) is the step time. It uses every frame, so it is steadier
    than timing a few contacts, and it sees steps closer than any contact may be.
    """
    leg = leg_length_px(px)
    if np.count_nonzero(valid) < 10 or not np.isfinite(leg) or leg <= 0:
        return None
    rel = _rel(px, facing, _ANKLE, leg)
    sig = np.abs(rel[0] - rel[1])
    sig[~valid] = np.nan
    spans: list[list[int]] = []  # runs of samples, joined across short gaps
    for r in runs(np.isfinite(sig)):
        if spans and t[r[0]] - t[spans[-1][1]] <= max_gap_s:
            spans[-1][1] = int(r[-1])
        else:
            spans.append([int(r[0]), int(r[-1])])
    a, b = max(spans, key=lambda s: t[s[1]] - t[s[0]])
    if t[b] - t[a] < 1.5:
        return None
    return _period_s(t[a : b + 1], sig[a : b + 1], lo_s, hi_s)


def oscillation_cadence_spm(px: F, t: F, valid: B) -> float | None:
    """Cadence from the period of the left-right ankle height difference (front/back views).

    The difference repeats once per stride (two steps); its period (:func:`_period_s`, 0.6-2.4 s)
    over the longest valid run gives the stride time.
    """
    found = runs(valid)
    if not found:
        return None
    run = max(found, key=len)
    if t[run[-1]] - t[run[0]] < 2.0:
        return None
    stride_s = _period_s(t[run], px[run, L.LEFT_ANKLE, 1] - px[run, L.RIGHT_ANKLE, 1], 0.6, 2.4)
    return None if stride_s is None else float(2 * 60.0 / stride_s)


def feet_in_frame(px: F, frame_w: float) -> B:
    """(2, T): where each foot's heel, ankle and toe lie inside the frame's width.

    Used when no finer :class:`~gaitcheck.posture.Seen` mask is at hand.
    """
    x = np.stack([px[:, list(f), 0] for f in _FEET.values()])  # (2, T, 3)
    return np.asarray(np.all(np.isfinite(x) & (x >= 0) & (x <= frame_w), axis=2), dtype=bool)


def valid_for_events(facing: F, base: B, t: F, cfg: GaitConfig) -> B:
    """Frames where events may be placed: ``base`` (walking, seen from the side) with a steady direction.

    A turn starts a new stretch, and ``run_trim_s`` is trimmed on both sides of it so
    that turning does not produce events; the ends of the walk are not trimmed (each foot's events
    need only that foot seen, so the first and last steps of a pass count).
    """
    ok = base & np.isfinite(facing)
    turn = np.zeros(len(ok), bool)
    turn[1:] = np.isfinite(facing[:-1]) & np.isfinite(facing[1:]) & (facing[1:] != facing[:-1])
    out = ok.copy()
    for i in np.flatnonzero(turn):
        out[np.abs(t - (t[i] + t[i - 1]) / 2) < cfg.run_trim_s] = False
    return np.asarray(out, dtype=bool)


def runs(mask: B) -> list[NDArray[np.int64]]:
    """Start and end (exclusive) of each run of True in ``mask``."""
    idx = np.flatnonzero(mask)
    return [] if len(idx) == 0 else np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)


