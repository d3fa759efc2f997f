"""Cleaning the walker's landmark series: legs' labels kept, mask, drop identity jumps, fill short gaps, low-pass.

Missing data is normal: low-visibility landmarks become NaN, only short gaps are filled, and the
zero-phase Butterworth low-pass (``SignalConfig.lowpass_hz``, default 6 Hz, order 4, run forwards
and backwards so it adds no delay) is applied to each contiguous run of samples separately.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np
from numpy.typing import NDArray

from .angles import body_size
from .config import SignalConfig
from .landmarks import Landmark as L
from .series import PoseSeries

__all__ = ["LEG_PAIRS", "UNEVEN_STEP", "clean_series", "effective_cutoff_hz", "fill_short_gaps", "identity_jumps",
           "leg_swaps", "lowpass", "unswap_legs"]

#: The left and right landmarks of the legs, swapped together when the model swaps the legs' labels.
LEG_PAIRS = ((L.LEFT_HIP, L.RIGHT_HIP), (L.LEFT_KNEE, L.RIGHT_KNEE), (L.LEFT_ANKLE, L.RIGHT_ANKLE),
             (L.LEFT_HEEL, L.RIGHT_HEEL), (L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX))
_LEG_POINTS = ((L.LEFT_KNEE, L.RIGHT_KNEE), (L.LEFT_ANKLE, L.RIGHT_ANKLE), (L.LEFT_HEEL, L.RIGHT_HEEL),
               (L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX))


def identity_jumps(px: NDArray[np.float64], t: NDArray[np.float64], max_speed: float) -> NDArray[np.bool_]:
    """(T,) True for frames where the hips move faster than ``max_speed`` body sizes per second.

    Walking moves the hips well under 2 body heights per second; a faster jump between two
    detections means the landmarks now belong to someone (or something) else.

    Args:
        px: (T, 33, 2) pixel landmarks (NaN rows where not detected).
        t: (T,) seconds.
        max_speed: body sizes (shoulder-to-hip plus hip-to-ankle) per second.
    """
    hip = (px[:, L.LEFT_HIP] + px[:, L.RIGHT_HIP]) / 2
    size = body_size(px)
    jumps = np.zeros(len(t), bool)
    idx = np.flatnonzero(~np.isnan(hip[:, 0]) & (size > 0))
    if len(idx) < 2:
        return jumps
    typical = np.median(size[idx])
    step = np.linalg.norm(np.diff(hip[idx], axis=0), axis=1) / typical
    dt = np.maximum(np.diff(t[idx]), 1e-3)
    bad = step / dt > max_speed
    # a single wrong frame produces two fast steps (there and back); mark the frame in between
    jumps[idx[1:][bad]] = True
    return jumps


def leg_swaps(px: NDArray[np.float64], t: NDArray[np.float64], *, penalty_rel: float = 0.05,
              max_dt_s: float = 0.05) -> NDArray[np.bool_]:
    """(T,) True on the frames where the model swapped the left and right legs' labels.

    The pose model at times labels the legs the other way round for a few frames, mostly as the
    swinging foot passes or lands beside the other one: a foot then seems to jump to the other
    foot's place and back. The labelling that makes the knees, ankles, heels and toes move least
    from frame to frame, over each run of consecutive frames, is found exactly (a two-state Viterbi
    path); every frame relabelled costs ``penalty_rel`` body sizes, so the model's own labels stand
    unless the other labelling is clearly smoother. Frames more than ``max_dt_s`` apart (below
    20 fps) break a run: there a foot can move more than the feet's distance between two frames.

    >>> px = np.zeros((6, 33, 2)); px[:, [L.LEFT_SHOULDER, L.RIGHT_SHOULDER], 1] = -100.0
    >>> left = [L.LEFT_KNEE, L.LEFT_ANKLE, L.LEFT_HEEL, L.LEFT_FOOT_INDEX]
    >>> right = [L.RIGHT_KNEE, L.RIGHT_ANKLE, L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX]
    >>> px[:, left + [L.LEFT_HIP], 0] = np.arange(6)[:, None] * 5.0; px[:, right, 0] = 60.0; px[:, right, 1] = 200.0
    >>> px[:, left, 1] = 200.0; px[2:4, left + right] = px[2:4, right + left]  # labels swapped on frames 2-3
    >>> leg_swaps(px, np.arange(6) / 30).nonzero()[0]
    array([2, 3])
    """
    n = len(t)
    out = np.zeros(n, bool)
    if n < 2:
        return out
    left = px[:, [a for a, _ in _LEG_POINTS]]
    right = px[:, [b for _, b in _LEG_POINTS]]
    ok = ~(np.isnan(left).any(axis=(1, 2)) | np.isnan(right).any(axis=(1, 2)))
    size = body_size(px)
    typical = float(np.nanmedian(size[ok])) if ok.any() and np.isfinite(size[ok]).any() else 0.0
    if typical <= 0:
        return out
    penalty = penalty_rel * typical

    def moved(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
        """(T - 1,) how far the points of ``a`` on each frame lie from those of ``b`` on the frame before."""
        return np.asarray(np.linalg.norm(a[1:] - b[:-1], axis=2).sum(axis=1))

    same_all = moved(left, left) + moved(right, right)
    cross_all = moved(left, right) + moved(right, left)
    idx = np.flatnonzero(ok)
    runs: list[list[int]] = []
    for i in idx:
        if runs and i - runs[-1][-1] == 1 and t[i] - t[runs[-1][-1]] <= max_dt_s:
            runs[-1].append(int(i))
        else:
            runs.append([int(i)])
    for run in runs:
        if len(run) < 3:
            continue
        # cost[s]: the least motion of a labelling of the run so far that ends in state s (1 = swapped)
        cost = np.array([0.0, penalty])
        back = np.zeros((len(run), 2), np.int8)
        for k in range(1, len(run)):
            same, cross = same_all[run[k] - 1], cross_all[run[k] - 1]  # runs are of consecutive frames
            stay = cost + same  # state kept: unswapped after unswapped, or swapped after swapped
            move = cost[::-1] + cross
            back[k] = np.where(stay <= move, [0, 1], [1, 0])
            cost = np.minimum(stay, move) + np.array([0.0, penalty])
        s = int(np.argmin(cost))
        for k in range(len(run) - 1, -1, -1):
            out[run[k]] = bool(s)
            s = int(back[k, s])
    return out


def unswap_legs(series: PoseSeries) -> tuple[PoseSeries, NDArray[np.bool_]]:
    """``series`` with the legs' labels put back where the model swapped them (:func:`leg_swaps`).

    Returns the series (the same object when nothing was swapped) and the (T,) mask of the frames relabelled.
    """
    swapped = leg_swaps(series.pixels(), series.t)
    if not swapped.any():
        return series, swapped
    order = np.arange(series.xyz.shape[1])
    for a, b in LEG_PAIRS:
        order[a], order[b] = b, a
    changes = {}
    for name in ("xyz", "world", "visibility"):
        arr = getattr(series, name).copy()
        arr[swapped] = arr[swapped][:, order]
        changes[name] = arr
    return series.replace(**changes), swapped


def fill_short_gaps(x: NDArray[np.float64], t: NDArray[np.float64], max_gap_s: float) -> NDArray[np.float64]:
    """Linearly interpolate NaN gaps inside a 1-D series where the bridge is short.

    A gap is filled when the time from the last sample before it to the first sample after it is
    at most ``max_gap_s``; longer gaps stay NaN.

    >>> fill_short_gaps(np.array([0.0, np.nan, 2.0, np.nan, np.nan, np.nan, 6.0]), np.arange(7.0), 2.0)
    array([ 0.,  1.,  2., nan, nan, nan,  6.])
    """
    out = x.copy()
    ok = ~np.isnan(x)
    idx = np.flatnonzero(ok)
    if len(idx) < 2:
        return out
    for a, b in itertools.pairwise(idx):
        if b - a > 1 and t[b] - t[a] <= max_gap_s + 1e-9:
            out[a + 1 : b] = np.interp(t[a + 1 : b], [t[a], t[b]], [x[a], x[b]])
    return out


UNEVEN_STEP = 0.1  # frame gaps further than this share from the typical gap make a run uneven (resampled)


@functools.lru_cache(maxsize=16)
def _butter_sos(order: int, cutoff_hz: float, fs: float) -> NDArray[np.float64]:
    """The Butterworth low-pass design, once per setting (a series filters ~200 coordinates alike)."""
    from scipy.signal import butter

    sos: NDArray[np.float64] = butter(order, cutoff_hz, fs=fs, output="sos")
    sos.flags.writeable = False  # shared: callers get copies (scipy's filters want writable ones)
    return sos


def effective_cutoff_hz(cutoff_hz: float, fs: float) -> float:
    """The low-pass cut-off actually used at sampling rate ``fs``: at most 0.4 x ``fs`` (0.8 x Nyquist).

    >>> effective_cutoff_hz(6.0, 30.0), effective_cutoff_hz(6.0, 10.0)
    (6.0, 4.0)
    """
    return min(cutoff_hz, 0.4 * fs)


def _even(t: NDArray[np.float64]) -> bool:
    """True if the times step evenly (every gap within ``UNEVEN_STEP`` of the median gap)."""
    d = np.diff(t)
    step = float(np.median(d))
    return step > 0 and bool(np.all(np.abs(d - step) <= UNEVEN_STEP * step))


def lowpass(x: NDArray[np.float64], fs: float, cutoff_hz: float, order: int = 4,
            t: NDArray[np.float64] | None = None) -> NDArray[np.float64]:
    """Zero-phase Butterworth low-pass of each contiguous non-NaN run of a 1-D series.

    Runs too short to filter are left as they are. The cut-off is kept below 0.8 x Nyquist
    (:func:`effective_cutoff_hz`). Without ``t`` the samples are taken to be ``1 / fs`` apart. With
    ``t`` (the samples' times, s), each run is filtered at its own typical rate, and a run whose
    samples are not evenly spaced (a variable frame rate, dropped frames) is first resampled onto
    an even clock at that rate, filtered there and read back at its own times, so that the
    cut-off is one in seconds whatever the spacing.

    >>> y = lowpass(np.ones(50), fs=30.0, cutoff_hz=6.0); bool(np.allclose(y, 1.0))
    True
    """
    out = x.copy()
    if cutoff_hz <= 0 or (t is None and fs <= 0):
        return out
    from scipy.signal import sosfiltfilt  # lazy: slow to import (pose.live.load_scoring)

    ok = ~np.isnan(x)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], ok.astype(np.int8), [0]])))
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        if b - a <= 3 * (2 * (order // 2 + order % 2) + 1):
            continue
        even = True
        if t is None:
            rate, seg = fs, x[a:b]
        else:
            tt = t[a:b]
            step = float(np.median(np.diff(tt)))
            if step <= 0 or tt[-1] <= tt[0]:
                continue
            even = _even(tt)
            rate = (len(tt) - 1) / float(tt[-1] - tt[0]) if even else 1.0 / step
            grid = tt if even else np.arange(tt[0], tt[-1] + step / 2, step)
            seg = x[a:b] if even else np.interp(grid, tt, x[a:b])
            if len(seg) <= 3 * (2 * (order // 2 + order % 2) + 1):
                continue
        sos = _butter_sos(order, effective_cutoff_hz(cutoff_hz, rate), rate).copy()
        y = sosfiltfilt(sos, seg)
        out[a:b] = y if t is None or even else np.interp(t[a:b], grid, y)
    return out


def clean_series(series: PoseSeries, cfg: SignalConfig | None = None) -> tuple[PoseSeries, NDArray[np.bool_]]:
    """Mask, de-jump, gap-fill and low-pass a walker's series.

    Returns:
        The cleaned series (same length, same timestamps) and a (T,) mask of the frames dropped as
        identity jumps.
    """
    cfg = cfg or SignalConfig()
    if len(series) == 0:
        return series, np.zeros(0, bool)
    xyz = series.xyz.astype(np.float64)
    world = series.world.astype(np.float64)
    vis = np.nan_to_num(series.visibility, nan=0.0)
    low = vis < cfg.min_visibility
    xyz[low] = np.nan
    world[low] = np.nan
    jumps = identity_jumps(series.pixels(), series.t, cfg.max_jump_body_heights_per_s)
    xyz[jumps] = np.nan
    world[jumps] = np.nan
    t = series.t
    for arr in (xyz, world):
        flat = arr.reshape(len(t), -1)
        for k in range(flat.shape[1]):  # each run at its own rate, on an even clock (lowpass's t=)
            flat[:, k] = lowpass(fill_short_gaps(flat[:, k], t, cfg.max_gap_s), 0.0, cfg.lowpass_hz,
                                 cfg.filter_order, t=t)
    vis_out = np.where(np.isnan(xyz[:, :, 0]), np.nan, series.visibility)
    return series.replace(xyz=xyz.astype(np.float32), world=world.astype(np.float32),
                          visibility=vis_out.astype(np.float32)), jumps
