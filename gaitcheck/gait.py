"""Gait: initial contacts and toe-offs per foot, steps, cadence, timing, step length, foot strike.

Side view (pure numpy on the levelled pixel landmarks):

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

Front or back view: no events can be placed, so the cadence comes from the period of the
left-right ankle oscillation (autocorrelation), and the step count is estimated from it.

Lengths are in leg lengths (hip-to-ankle of the straight leg, in pixels). With the walker's
height they become metres: the hip-to-ankle length is 0.491 x body height (thigh 0.245 + shank
0.246, Drillis & Contini 1966), which sets the metres per pixel at the walker's depth.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .config import GaitConfig
from .landmarks import FOOT, SOLES
from .landmarks import Landmark as L

__all__ = ["GaitEvent", "GaitResult", "analyze_gait", "detect_initial_contacts", "detect_toe_offs", "leg_length_px",
           "oscillation_cadence_spm", "step_period_s", "uneven_steps"]

F = NDArray[np.float64]
B = NDArray[np.bool_]
_FEET = FOOT
_HEEL, _ANKLE, _TOE = 0, 1, 2


@dataclass(frozen=True)
class GaitEvent:
    """One gait event: ``type`` is "initial_contact" or "toe_off", ``foot`` "left" or "right"."""

    frame: int
    t_s: float
    foot: str
    type: str

    def to_dict(self) -> dict[str, Any]:
        return {"frame": self.frame, "t_s": round(self.t_s, 4), "foot": self.foot, "type": self.type}


@dataclass(frozen=True)
class GaitResult:
    """Gait measures; ``to_dict()`` gives the report's ``gait`` section."""

    status: str  # pass | flag | unknown
    reason: str | None
    method: str  # "events" (side view), "oscillation" (front/back), or "none"
    steps: int | None
    cadence_spm: float | None
    step_time_s: dict[str, float | None]
    step_time_asymmetry_pct: float | None
    stance_pct: dict[str, float | None]
    step_length_rel_leg: float | None
    stride_length_rel_leg: float | None
    step_length_m: float | None
    stride_length_m: float | None
    speed_m_s: float | None
    overstride: dict[str, Any]
    foot_strike: str
    foot_strike_detail: dict[str, Any]
    bouts: tuple[dict[str, Any], ...]
    events: tuple[GaitEvent, ...]
    feedback: str
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        def r(v: float | None, nd: int = 3) -> float | None:
            return None if v is None or not np.isfinite(v) else round(float(v), nd)

        return {
            "status": self.status, "reason": self.reason, "method": self.method, "steps": self.steps,
            "cadence_spm": r(self.cadence_spm, 1),
            "step_time_s": {k: r(v) for k, v in self.step_time_s.items()},
            "step_time_asymmetry_pct": r(self.step_time_asymmetry_pct, 1),
            "stance_pct": {k: r(v, 1) for k, v in self.stance_pct.items()},
            "step_length_rel_leg": r(self.step_length_rel_leg), "stride_length_rel_leg": r(self.stride_length_rel_leg),
            "step_length_m": r(self.step_length_m), "stride_length_m": r(self.stride_length_m),
            "speed_m_s": r(self.speed_m_s), "overstride": self.overstride, "foot_strike": self.foot_strike,
            "foot_strike_detail": self.foot_strike_detail, "bouts": list(self.bouts), "feedback": self.feedback,
            "notes": list(self.notes), "events": [e.to_dict() for e in self.events],
        }


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
    for r in _runs(np.isfinite(sig)):
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
    runs = _runs(valid)
    if not runs:
        return None
    run = max(runs, key=len)
    if t[run[-1]] - t[run[0]] < 2.0:
        return None
    stride_s = _period_s(t[run], px[run, L.LEFT_ANKLE, 1] - px[run, L.RIGHT_ANKLE, 1], 0.6, 2.4)
    return None if stride_s is None else float(2 * 60.0 / stride_s)


def _valid_for_events(px: F, facing: F, base: B, frame_w: float, t: F, cfg: GaitConfig) -> B:
    """Frames where events may be placed: ``base`` (walking, side view, detected), both feet inside
    the frame, and a steady direction; each run is trimmed at both ends so that entering, leaving
    and turning do not produce events."""
    feet_x = px[:, list(SOLES), 0]
    margin = cfg.edge_margin_rel * frame_w
    inside = np.all(np.isfinite(feet_x) & (feet_x > margin) & (feet_x < frame_w - margin), axis=1)
    ok = base & inside & np.isfinite(facing)
    ok[1:] &= ~(np.isfinite(facing[:-1]) & (facing[1:] != facing[:-1]))  # a turn starts a new run
    out = ok.copy()
    for run in _runs(ok):
        out[run[t[run] - t[run[0]] < cfg.run_trim_s]] = False
        out[run[t[run[-1]] - t[run] < cfg.run_trim_s]] = False
    return np.asarray(out, dtype=bool)


def _median(values: list[float]) -> float | None:
    v = [x for x in values if np.isfinite(x)]
    return float(np.median(v)) if v else None


def uneven_steps(left: list[float], right: list[float], cfg: GaitConfig, alpha: float = 0.05,
                 ) -> tuple[bool, str | None]:
    """Judge left/right symmetry from the step times (s) ending on each foot: (uneven, why not judged).

    Uneven when the medians differ by more than ``cfg.asymmetry_max_pct`` of their mean *and* the
    difference is beyond chance: a permutation test (every split of the steps into two groups of
    the same sizes, or 4000 random ones) finds ranks at least as far apart in fewer than ``alpha``
    of the splits. Step times that scatter from one step to the next (noisy
    contacts, a hesitant walker) cannot show a difference between the sides, however far apart
    their medians happen to fall.

    >>> cfg = GaitConfig()
    >>> uneven_steps([0.50, 0.50, 0.53, 0.50], [0.63, 0.60, 0.60, 0.60], cfg)
    (True, None)
    >>> uneven_steps([0.40, 0.53, 0.50, 0.53], [0.60, 0.30, 0.70, 0.43, 0.77], cfg)[0]
    False
    >>> uneven_steps([0.5, 0.5], [0.6, 0.6], cfg)[1]
    'Too few steps per side (fewer than 4) to judge left/right symmetry.'
    """
    if min(len(left), len(right)) < cfg.min_steps_per_side:
        return False, f"Too few steps per side (fewer than {cfg.min_steps_per_side}) to judge left/right symmetry."
    ml, mr = float(np.median(left)), float(np.median(right))
    if abs(ml - mr) / ((ml + mr) / 2) * 100 <= cfg.asymmetry_max_pct:
        return False, None
    if _split_p(np.asarray(left, float), np.asarray(right, float)) >= alpha:
        return False, ("Left and right step times vary too much from one step to the next to judge whether "
                       "one side is slower.")
    return True, None


def _split_p(a: F, b: F, max_splits: int = 4000) -> float:
    """Permutation p-value of the rank-sum difference between ``a`` and ``b`` (a Mann-Whitney test).

    The share of the splits of the pooled values into groups of the same sizes (all of them, or
    ``max_splits`` random ones) whose mean ranks differ at least as much as ``a``'s and ``b``'s.

    >>> round(_split_p(np.array([1.0, 1, 1, 1]), np.array([2.0, 2, 2, 2])), 3)  # 2 of the 70 splits
    0.029
    """
    pooled, n = np.concatenate([a, b]), len(a)
    _, inverse, counts = np.unique(pooled, return_inverse=True, return_counts=True)
    ranks = (np.cumsum(counts) - (counts - 1) / 2)[inverse]  # ties share their mean rank
    if math.comb(len(pooled), n) <= max_splits:
        picks = np.array(list(itertools.combinations(range(len(pooled)), n)))
    else:
        rng = np.random.default_rng(0)  # the same answer every time
        picks = np.argsort(rng.random((max_splits, len(pooled))), axis=1)[:, :n]
    in_a = ranks[picks].sum(axis=1)
    diff = np.abs(in_a / n - (ranks.sum() - in_a) / (len(pooled) - n))
    observed = abs(float(ranks[:n].mean() - ranks[n:].mean()))
    return float(np.mean(diff >= observed - 1e-9))


def _runs(mask: B) -> list[NDArray[np.int64]]:
    idx = np.flatnonzero(mask)
    return [] if len(idx) == 0 else np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)


def _unknown(reason: str, method: str = "none", cadence: float | None = None, steps: int | None = None,
             bouts: tuple[dict[str, Any], ...] = ()) -> GaitResult:
    fb = f"We could not measure your steps from this video: {reason}."
    status = "unknown"
    if cadence is not None:
        fb = (f"Seen from the front or behind, only your cadence can be measured: about {cadence:.0f} steps per "
              "minute. Film from the side to see step length and how your foot lands.")
    return GaitResult(status, reason, method, steps, cadence, {"left": None, "right": None}, None,
                      {"left": None, "right": None}, None, None, None, None, None,
                      {"status": "unknown", "median_rel": None, "feedback": "Needs a side view with steps."},
                      "unknown", {"status": "unknown", "median_foot_angle_deg": None, "counts": {}}, bouts, (), fb)


def analyze_gait(px: F, facing: F, t: F, base_valid: B, frontal_valid: B, frame_w: float,
                 height_cm: float | None, cfg: GaitConfig) -> GaitResult:
    """Gait measures of one walker (see the module docstring).

    Args:
        px: (T, 33, 2) levelled pixel landmarks of the walker (NaN where missing).
        facing: (T,) walking direction in the image, +1 / -1.
        t: (T,) seconds.
        base_valid: (T,) frames walking, seen from the side, detected, not identity jumps.
        frontal_valid: (T,) frames walking, seen from the front or back, detected.
        frame_w: frame width in pixels (for the edge margin).
        height_cm: the walker's height, or None (then no metres).
        cfg: gait settings.
    """
    valid = _valid_for_events(px, facing, base_valid, frame_w, t, cfg)
    ics = detect_initial_contacts(px, facing, t, valid, cfg)
    if len(ics) < 2:
        cad = oscillation_cadence_spm(px, t, frontal_valid) if frontal_valid.sum() > valid.sum() else None
        if cad is not None:
            dur = float(sum(t[r[-1]] - t[r[0]] for r in _runs(frontal_valid)))
            return _unknown("step events need a side view", "oscillation", cad, round(cad * dur / 60))
        why = ("fewer than two steps were seen from the side with both feet in view" if valid.any()
               else "the walker is not seen walking from the side with both feet in view")
        return _unknown(why, steps=len(ics) if valid.any() else None)
    leg = leg_length_px(px)
    tos = detect_toe_offs(px, facing, t, valid, cfg)
    notes: list[str] = []
    alternating = sum(a[1] != b[1] for a, b in pairwise(ics)) / (len(ics) - 1)
    if alternating < 0.8:
        notes.append("The model mixed up left and right feet; per-side numbers assume the feet alternate.")
        first = ics[0][1]
        other = "right" if first == "left" else "left"
        ics = [(f, first if i % 2 == 0 else other) for i, (f, _) in enumerate(ics)]

    # step times and bouts: consecutive contacts no more than max_step_s apart and, so that a missed
    # contact does not pass for one long step, within 0.6-1.6 x the median step time
    gaps = np.diff([t[f] for f, _ in ics])
    typical = float(np.median(gaps[gaps <= cfg.max_step_s])) if (gaps <= cfg.max_step_s).any() else 0.0
    step_times: dict[str, list[float]] = {"left": [], "right": []}
    bouts: list[dict[str, Any]] = []
    for (f0, _), (f1, foot1) in pairwise(ics):
        dt = float(t[f1] - t[f0])
        if dt <= cfg.max_step_s and 0.6 * typical <= dt <= 1.6 * typical:
            step_times[foot1].append(dt)
            if bouts and bouts[-1]["_last"] == f0:
                bouts[-1].update(end_s=round(float(t[f1]), 3), steps=bouts[-1]["steps"] + 1, _last=f1)
            else:
                bouts.append({"start_s": round(float(t[f0]), 3), "end_s": round(float(t[f1]), 3), "steps": 1,
                              "_last": f1})
    for b in bouts:
        del b["_last"]
    intervals = step_times["left"] + step_times["right"]
    if not intervals:
        return _unknown("no two consecutive steps were seen in one stretch of walking", steps=len(ics))
    cadence = 60.0 * len(intervals) / float(sum(intervals))
    # Two independent estimates: the contacts' timing (errors at the first and last contact) and the
    # periodicity of the feet (errors from occluded stretches). When they agree within 15%, their
    # mean is steadier than either (on the annotated clips: within 2% of the hand count, each alone 4%).
    period = step_period_s(px, facing, t, valid)
    if period is not None and abs(60.0 / period - cadence) <= 0.15 * cadence:
        cadence = (cadence + 60.0 / period) / 2
    st = {k: _median(v) for k, v in step_times.items()}
    asym = (abs(st["left"] - st["right"]) / ((st["left"] + st["right"]) / 2) * 100
            if st["left"] is not None and st["right"] is not None else None)

    # stance share: IC -> the same foot's toe-off, over IC -> the same foot's next IC
    stance: dict[str, list[float]] = {"left": [], "right": []}
    for i, (f0, foot) in enumerate(ics):
        nxt = next((f for f, ft in ics[i + 1 :] if ft == foot), None)
        to = next((f for f, ft in tos if ft == foot and f > f0), None)
        if nxt is not None and to is not None and to < nxt and t[nxt] - t[f0] <= 2 * cfg.max_step_s:
            stance[foot].append(100.0 * float(t[to] - t[f0]) / float(t[nxt] - t[f0]))

    # geometry at each initial contact, from the foot in front (whatever the model calls it)
    hip_x = (px[:, L.LEFT_HIP, 0] + px[:, L.RIGHT_HIP, 0]) / 2
    over, steps_rel, angles = [], [], []
    for f, _ in ics:
        d = facing[f]
        heels = [px[f, _FEET[k][_HEEL]] for k in _FEET]
        toes = [px[f, _FEET[k][_TOE]] for k in _FEET]
        front = int(np.argmax([d * h[0] for h in heels]))
        heel, toe, back = heels[front], toes[front], heels[1 - front]
        over.append(float(d * (heel[0] - hip_x[f]) / leg))
        steps_rel.append(float(d * (heel[0] - back[0]) / leg))
        angles.append(float(np.degrees(np.arctan2(heel[1] - toe[1], d * (toe[0] - heel[0])))))
    step_rel = _median(steps_rel)
    over_med = _median(over)
    angle_med = _median(angles)

    def strike(a: float) -> str:
        return "heel" if a >= cfg.heel_strike_min_deg else "forefoot" if a <= cfg.forefoot_max_deg else "flat"

    counts = {k: sum(strike(a) == k for a in angles if np.isfinite(a)) for k in ("heel", "flat", "forefoot")}
    foot_strike = strike(angle_med) if angle_med is not None else "unknown"
    over_flag = over_med is not None and over_med > cfg.overstride_max_rel
    if over_flag:
        over_fb = "Your heel lands far ahead of your body; try shorter, quicker steps that land under you."
    else:
        over_fb = "Your feet land close under your body. Good."
    strike_flag = foot_strike == "heel" and over_flag
    strike_fb = ("You reach forward onto your heel. Aim to land on the middle of the foot, under your hips."
                 if strike_flag else f"Your foot lands {'on the heel' if foot_strike == 'heel' else foot_strike}, "
                 "close to your body.")
    leg_m = None if height_cm is None else cfg.leg_length_ratio * height_cm / 100
    step_m = None if leg_m is None or step_rel is None else step_rel * leg_m
    # One frame of timing error is ~6% of a step at 30 fps: judge symmetry only with several steps a side.
    asym_flag, unjudged = uneven_steps(step_times["left"], step_times["right"], cfg)
    enough = unjudged is None
    if asym is not None and unjudged is not None:
        notes.append(unjudged)
    flagged = over_flag or asym_flag
    parts = [f"You took {len(ics)} steps at about {cadence:.0f} steps per minute."]
    if over_flag:
        parts.append(over_fb)
    if asym_flag:
        parts.append(f"Your left and right steps differ in timing by about {asym:.0f}%; "
                     "a therapist can look at what makes one side slower.")
    if not flagged:
        parts.append("Your steps land under your body" + (" and are even on both sides." if enough else "."))
    return GaitResult(
        "flag" if flagged else "pass", None, "events", len(ics), cadence, st, asym,
        {k: _median(v) for k, v in stance.items()}, step_rel, None if step_rel is None else 2 * step_rel,
        step_m, None if step_m is None else 2 * step_m, None if step_m is None else step_m * cadence / 60,
        {"status": "flag" if over_flag else "pass", "median_rel": None if over_med is None else round(over_med, 3),
         "feedback": over_fb},
        foot_strike,
        {"status": "flag" if strike_flag else "pass",
         "median_foot_angle_deg": None if angle_med is None else round(angle_med, 1), "counts": counts,
         "feedback": strike_fb},
        tuple(bouts),
        tuple(sorted([GaitEvent(f, float(t[f]), ft, "initial_contact") for f, ft in ics]
                     + [GaitEvent(f, float(t[f]), ft, "toe_off") for f, ft in tos], key=lambda e: (e.frame, e.type))),
        " ".join(parts), tuple(notes))
