"""Gait events from the levelled pixel landmarks of a side view: initial contacts and toe-offs per foot.

* **Initial contact (IC)**: the coordinate-based method of Zeni et al. (2008, Gait & Posture 27:710),
  with the ankle's position relative to the pelvis along the walking direction: each peak of the
  foremost ankle is a step. Because the pose model's foot landmarks lag a little in swing, each
  peak is refined back to the first frame in which the landing heel is within
  ``GaitConfig.contact_tol_rel`` leg lengths of the height it keeps in the following stance.
* **Toe-off (TO)**: troughs of the rearmost toe relative to the pelvis (Zeni's toe-off rule).
* The walking direction is the walker's facing per frame, so there-and-back clips and both
  walking directions work; a change of direction ends a pass, and only frames where the walker
  walks, is seen from the side and has both feet inside the frame count (no turns, standing,
  entering or leaving).
* Periods: the step time from the feet's fore-aft separation (side views), the stride time from the
  left-right ankle oscillation (front or back views), by autocorrelation.

Pure numpy: (T, 33, 2) pixel landmarks in, frame indices and seconds out.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .config import GaitConfig
from .landmarks import FOOT, SOLES
from .landmarks import Landmark as L

__all__ = ["detect_initial_contacts", "detect_toe_offs", "leg_length_px", "oscillation_cadence_spm", "runs",
           "step_period_s", "valid_for_events"]

F = NDArray[np.float64]
B = NDArray[np.bool_]
_FEET = FOOT  # each foot's heel, ankle and toe, by side
_HEEL, _ANKLE, _TOE = 0, 1, 2  # positions in a _FEET entry


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


def _rel(px: F, facing: F, part: int, leg: float) -> F:
    """(2, T) position of a foot part of each foot ahead of the pelvis, in leg lengths."""
    hip_x = (px[:, L.LEFT_HIP, 0] + px[:, L.RIGHT_HIP, 0]) / 2
    return np.stack([facing * (px[:, f[part], 0] - hip_x) / leg for f in _FEET.values()])


def _peaks(signal: F, t: F, valid: B, cfg: GaitConfig) -> list[int]:
    """Peaks of ``signal`` above the height and prominence limits, at least ``min_step_s`` apart in
    *time* (frames may be irregular), not at the edge of a valid run; the highest wins a conflict."""
    from scipy.signal import find_peaks  # lazy: slow to import (pipeline.load_scoring)

    cand, _ = find_peaks(signal, height=cfg.peak_height_rel, prominence=cfg.peak_prominence_rel)
    cand = [int(p) for p in cand if 0 < p < len(valid) - 1 and valid[p - 1] and valid[p + 1]]
    kept: list[int] = []
    for p in sorted(cand, key=lambda p: -signal[p]):
        if all(abs(t[p] - t[k]) >= cfg.min_step_s for k in kept):
            kept.append(p)
    return sorted(kept)


def detect_initial_contacts(px: F, facing: F, t: F, valid: B, cfg: GaitConfig) -> list[tuple[int, str]]:
    """Initial contacts as ``(frame, foot)``, in frame order (see the module docstring).

    Args:
        px: (T, 33, 2) levelled pixel landmarks.
        facing: (T,) +1 / -1 walking direction in the image.
        valid: (T,) frames where events may be placed.
        t: (T,) seconds.
        cfg: gait settings.
    """
    leg = leg_length_px(px)
    if not np.isfinite(leg) or leg <= 0:
        return []
    rel = _rel(px, facing, _ANKLE, leg)
    rel[:, ~valid] = np.nan
    front = np.nanmax(np.where(np.isnan(rel), -np.inf, rel), axis=0)
    front = np.where(np.isfinite(front), front, -9.0)
    out: list[tuple[int, str]] = []
    names = list(_FEET)
    for p in _peaks(front, t, valid, cfg):
        foot = names[int(np.nanargmax(rel[:, p]))]
        heel_y = px[:, _FEET[foot][_HEEL], 1]
        floor = np.nanmedian(heel_y[p : p + 6])
        k = p
        on_floor = np.isfinite(heel_y) & (heel_y >= floor - cfg.contact_tol_rel * leg)
        while k - 1 >= 0 and t[p] - t[k - 1] <= 0.27 and valid[k - 1] and on_floor[k - 1]:
            k -= 1
        out.append((k, foot))
    return sorted(set(out))


def detect_toe_offs(px: F, facing: F, t: F, valid: B, cfg: GaitConfig) -> list[tuple[int, str]]:
    """Toe-offs as ``(frame, foot)``: troughs of the rearmost toe relative to the pelvis (Zeni 2008)."""
    leg = leg_length_px(px)
    if not np.isfinite(leg) or leg <= 0:
        return []
    rel = _rel(px, facing, _TOE, leg)
    rel[:, ~valid] = np.nan
    back = np.nanmin(np.where(np.isnan(rel), np.inf, rel), axis=0)
    back = np.where(np.isfinite(back), back, 9.0)
    names = list(_FEET)
    return [(p, names[int(np.nanargmin(rel[:, p]))]) for p in _peaks(-back, t, valid, cfg)]


def _period_s(t: F, x: F, lo_s: float, hi_s: float, rate_hz: float = 120.0) -> float | None:
    """The period of ``x(t)`` (NaN samples skipped): resampled to ``rate_hz``, the first
    autocorrelation peak between ``lo_s`` and ``hi_s`` at least half as high as the highest (and
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
    ac = np.correlate(y, y, "full")[len(y) - 1 :]
    if len(ac) == 0 or ac[0] <= 0:
        return None
    ac = ac / ac[0]
    lo, hi = int(lo_s * rate_hz), min(int(hi_s * rate_hz), len(ac) - 2)
    if hi <= lo:
        return None
    from scipy.signal import find_peaks  # lazy: slow to import (pipeline.load_scoring)

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


def step_period_s(px: F, facing: F, t: F, valid: B, max_gap_s: float = 0.35) -> float | None:
    """Step time from the periodicity of the feet's fore-aft separation (side views).

    ``|ankle_left - ankle_right|`` along the walking direction repeats once per step, whichever
    foot the model calls left. Its period (:func:`_period_s`, 0.3-1.2 s) over the longest stretch of
    valid frames (gaps up to ``max_gap_s`` bridged) is the step time. It uses every frame, so it is
    steadier than timing a few contacts.
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
    return _period_s(t[a : b + 1], sig[a : b + 1], 0.3, 1.2)


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


def valid_for_events(px: F, facing: F, base: B, frame_w: float, t: F, cfg: GaitConfig) -> B:
    """Frames where events may be placed: ``base`` (walking, side view, detected), both feet inside
    the frame, and a steady direction; each run is trimmed at both ends so that entering, leaving
    and turning do not produce events."""
    feet_x = px[:, list(SOLES), 0]
    margin = cfg.edge_margin_rel * frame_w
    inside = np.all(np.isfinite(feet_x) & (feet_x > margin) & (feet_x < frame_w - margin), axis=1)
    ok = base & inside & np.isfinite(facing)
    ok[1:] &= ~(np.isfinite(facing[:-1]) & (facing[1:] != facing[:-1]))  # a turn starts a new run
    out = ok.copy()
    for run in runs(ok):
        out[run[t[run] - t[run[0]] < cfg.run_trim_s]] = False
        out[run[t[run[-1]] - t[run] < cfg.run_trim_s]] = False
    return np.asarray(out, dtype=bool)


def runs(mask: B) -> list[NDArray[np.int64]]:
    idx = np.flatnonzero(mask)
    return [] if len(idx) == 0 else np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)


