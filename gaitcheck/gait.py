"""Gait: steps, cadence, timing, step length and foot strike from the events of :mod:`gaitcheck.events`.

Side view: initial contacts and toe-offs per foot give the step times per side, their symmetry
(judged only beyond chance), stance share, walking bouts, step length and, at each contact, how
far ahead of the hip the heel lands (overstride) and the foot's angle (foot strike).

Front or back view: no events can be placed, so the cadence comes from the period of the
left-right ankle oscillation (autocorrelation), and the step count is estimated from it.

Lengths are in leg lengths (hip-to-ankle of the straight leg, in pixels). With the walker's
height they become metres: the hip-to-ankle length is 0.491 x body height (thigh 0.245 + shank
0.246, Drillis & Contini 1966), which sets the metres per pixel at the walker's depth.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import verdicts
from .config import GaitConfig
from .events import (
    _FEET,
    _HEEL,
    _TOE,
    detect_initial_contacts,
    detect_toe_offs,
    feet_in_frame,
    leg_length_px,
    oscillation_cadence_spm,
    pelvis_x,
    runs,
    step_period_s,
    valid_for_events,
)
from .verdicts import Evidence

__all__ = ["Bout", "FootStrike", "GaitEvent", "GaitResult", "Overstride", "analyze_gait", "rhythm_disagrees",
           "step_time_fit_s", "uneven_steps"]

#: The feet's rhythm (:func:`gaitcheck.events.step_period_s`) is looked for between these step times (s):
#: wider than any walk, so that it also sees steps the contacts cannot (closer than ``gait.min_step_s``).
RHYTHM_RANGE_S = (0.2, 2.0)
#: At least this share of the intervals between consecutive contacts must be steps of a steady walk (a bout).
MIN_STEADY_SHARE = 2 / 3

F = NDArray[np.float64]
B = NDArray[np.bool_]


def _r(v: float | None, nd: int = 3) -> float | None:
    return None if v is None or not np.isfinite(v) else round(float(v), nd)


def _f(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


@dataclass(frozen=True, kw_only=True)
class GaitEvent:
    """One gait event: ``type`` is "initial_contact" or "toe_off", ``foot`` "left" or "right"."""

    frame: int
    t_s: float
    foot: str
    type: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, rounded as the report documents."""
        return {"frame": self.frame, "t_s": round(self.t_s, 4), "foot": self.foot, "type": self.type}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> GaitEvent:
        """Read back what ``to_dict`` wrote."""
        return cls(frame=int(d["frame"]), t_s=float(d["t_s"]), foot=str(d["foot"]), type=str(d["type"]))


@dataclass(frozen=True, kw_only=True)
class Bout:
    """A stretch of consecutive steps: from the first contact to the last, and how many steps."""

    start_s: float
    end_s: float
    steps: int

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, rounded as the report documents."""
        return {"start_s": round(self.start_s, 3), "end_s": round(self.end_s, 3), "steps": self.steps}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Bout:
        """Read back what ``to_dict`` wrote."""
        return cls(start_s=float(d["start_s"]), end_s=float(d["end_s"]), steps=int(d["steps"]))


@dataclass(frozen=True, kw_only=True)
class Overstride:
    """How far ahead of the hip the heel lands (median, leg lengths) and its verdict."""

    status: str  # pass | flag | unknown
    median_rel: float | None
    feedback: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, rounded as the report documents."""
        return {"status": self.status, "median_rel": _r(self.median_rel), "feedback": self.feedback}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Overstride:
        """Read back what ``to_dict`` wrote."""
        return cls(status=str(d.get("status", "unknown")), median_rel=_f(d.get("median_rel")),
                   feedback=str(d.get("feedback", "")))


@dataclass(frozen=True, kw_only=True)
class FootStrike:
    """How the foot lands: ``pattern`` heel, flat, forefoot or unknown, from the foot's angle at contact."""

    pattern: str
    status: str  # flag = reaching forward onto the heel
    median_foot_angle_deg: float | None  # + = toes up at contact
    counts: dict[str, int]
    feedback: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, rounded as the report documents."""
        return {"status": self.status, "median_foot_angle_deg": _r(self.median_foot_angle_deg, 1),
                "counts": dict(self.counts), "feedback": self.feedback}

    @classmethod
    def from_dict(cls, pattern: str, d: Mapping[str, Any]) -> FootStrike:
        """Read back what ``to_dict`` wrote."""
        return cls(pattern=pattern, status=str(d.get("status", "unknown")),
                   median_foot_angle_deg=_f(d.get("median_foot_angle_deg")),
                   counts={str(k): int(v) for k, v in (d.get("counts") or {}).items()},
                   feedback=str(d.get("feedback", "")))


def _sides(d: Any) -> dict[str, float | None]:
    d = d if isinstance(d, Mapping) else {}
    return {"left": _f(d.get("left")), "right": _f(d.get("right"))}


@dataclass(frozen=True, kw_only=True)
class GaitResult:
    """Gait measures; ``to_dict()`` gives the report's ``gait`` section, ``from_dict`` reads it back."""

    status: str  # pass | flag | unknown
    reason: str | None
    method: str  # "events" (side view), "oscillation" (front/back), or "none"
    steps: int | None
    cadence_spm: float | None
    step_time_s: dict[str, float | None]  # median per side ("left", "right")
    step_time_asymmetry_pct: float | None
    stance_pct: dict[str, float | None]
    step_length_rel_leg: float | None
    stride_length_rel_leg: float | None
    # median length of the steps landing on each foot (that foot ahead of the other), leg lengths
    step_length_by_side_rel_leg: dict[str, float | None] = field(default_factory=lambda: {"left": None, "right": None})
    step_length_asymmetry_pct: float | None = None
    shorter_steps: str | None = None  # "left" / "right" when uneven step lengths were flagged, else None
    uneven_step_times: bool = False  # left/right step times flagged as uneven (beyond chance)
    step_length_m: float | None
    stride_length_m: float | None
    speed_m_s: float | None
    overstride: Overstride
    foot_strike: FootStrike
    bouts: tuple[Bout, ...]
    events: tuple[GaitEvent, ...]
    feedback: str
    notes: tuple[str, ...] = ()
    evidence: Evidence | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, rounded as the report documents."""
        return {**self._dict(), **({"evidence": self.evidence.to_dict()} if self.evidence is not None else {})}

    def _dict(self) -> dict[str, Any]:
        return {
            "status": self.status, "reason": self.reason, "method": self.method, "steps": self.steps,
            "cadence_spm": _r(self.cadence_spm, 1),
            "step_time_s": {k: _r(v) for k, v in self.step_time_s.items()},
            "step_time_asymmetry_pct": _r(self.step_time_asymmetry_pct, 1),
            "stance_pct": {k: _r(v, 1) for k, v in self.stance_pct.items()},
            "step_length_rel_leg": _r(self.step_length_rel_leg),
            "step_length_by_side_rel_leg": {k: _r(v) for k, v in self.step_length_by_side_rel_leg.items()},
            "step_length_asymmetry_pct": _r(self.step_length_asymmetry_pct, 1),
            "shorter_steps": self.shorter_steps, "uneven_step_times": self.uneven_step_times,
            "stride_length_rel_leg": _r(self.stride_length_rel_leg),
            "step_length_m": _r(self.step_length_m), "stride_length_m": _r(self.stride_length_m),
            "speed_m_s": _r(self.speed_m_s), "overstride": self.overstride.to_dict(),
            "foot_strike": self.foot_strike.pattern, "foot_strike_detail": self.foot_strike.to_dict(),
            "bouts": [b.to_dict() for b in self.bouts], "feedback": self.feedback,
            "notes": list(self.notes), "events": [e.to_dict() for e in self.events],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> GaitResult:
        """Read :meth:`to_dict` back (a report's ``gait`` section)."""
        steps = d.get("steps")
        return cls(
            status=str(d.get("status", "unknown")), reason=d.get("reason"), method=str(d.get("method", "none")),
            steps=int(steps) if isinstance(steps, int) else None, cadence_spm=_f(d.get("cadence_spm")),
            step_time_s=_sides(d.get("step_time_s")), step_time_asymmetry_pct=_f(d.get("step_time_asymmetry_pct")),
            stance_pct=_sides(d.get("stance_pct")), step_length_rel_leg=_f(d.get("step_length_rel_leg")),
            stride_length_rel_leg=_f(d.get("stride_length_rel_leg")), step_length_m=_f(d.get("step_length_m")),
            step_length_by_side_rel_leg=_sides(d.get("step_length_by_side_rel_leg")),
            step_length_asymmetry_pct=_f(d.get("step_length_asymmetry_pct")),
            shorter_steps=d.get("shorter_steps") if d.get("shorter_steps") in ("left", "right") else None,
            uneven_step_times=d.get("uneven_step_times") is True,
            stride_length_m=_f(d.get("stride_length_m")), speed_m_s=_f(d.get("speed_m_s")),
            overstride=Overstride.from_dict(d.get("overstride") or {}),
            foot_strike=FootStrike.from_dict(str(d.get("foot_strike", "unknown")), d.get("foot_strike_detail") or {}),
            bouts=tuple(Bout.from_dict(b) for b in d.get("bouts") or ()),
            events=tuple(GaitEvent.from_dict(e) for e in d.get("events") or ()),
            feedback=str(d.get("feedback", "")), notes=tuple(str(n) for n in d.get("notes") or ()),
            evidence=Evidence.from_dict(d["evidence"]) if isinstance(d.get("evidence"), Mapping) else None)


def _median(values: list[float]) -> float | None:
    v = [x for x in values if np.isfinite(x)]
    return float(np.median(v)) if v else None


def step_time_fit_s(bouts: list[list[float]], max_residual: float = 0.3) -> float:
    """The step time: the slope of contact time against step number.

    Fitted by least squares within each bout (the bouts share the slope). Unlike (last - first) / steps it does
    not rest on the first and last contacts alone, the likeliest to be mistimed (a walker entering or leaving).
    Where the first or last contact of a bout of four or more lies further than ``max_residual`` of a
    step from the robust line (Sen's: the median over pairs of contacts of their time apart per step
    apart), as when the foot is hidden behind furniture and found a third of a step late, it is left
    out (the worse of the two ends, one per bout). The detector's ordinary error, a frame or two
    (a tenth of a step), stays in and is averaged.

    >>> round(step_time_fit_s([[0.0, 0.5, 1.0, 1.5], [5.0, 5.5]]), 3)
    0.5
    >>> round(step_time_fit_s([[0.0, 0.6, 1.0, 1.6, 2.0]]), 3)  # uneven steps: the mean step
    0.5
    >>> round(step_time_fit_s([[0.0, 0.6, 1.17, 1.77, 2.64]]), 3)  # the last 0.27 s late: 0.645 with it
    0.588
    """
    if not any(len(b) >= 2 for b in bouts):
        raise ValueError("a step time needs a bout of at least two contacts")
    series = [(np.arange(len(b), dtype=float), np.asarray(b, float)) for b in bouts]

    def pair_slopes(x: F) -> F:
        a, b = np.triu_indices(len(x), k=1)
        return np.asarray((x[b] - x[a]) / (b - a))

    slope0 = float(np.median(np.concatenate([pair_slopes(x) for _, x in series])))
    kept = []
    for i, x in series:
        if len(x) >= 4:
            res = np.abs(x - slope0 * i - np.median(x - slope0 * i))
            end = 0 if res[0] >= res[-1] else len(x) - 1
            if res[end] > max_residual * abs(slope0):
                i, x = np.delete(i, end), np.delete(x, end)
        kept.append((i, x))
    num = sum(float(np.sum((i - i.mean()) * (x - x.mean()))) for i, x in kept)
    den = sum(float(np.sum((i - i.mean()) ** 2)) for i, _ in kept)
    return num / den


def rhythm_disagrees(step_s: float, rhythm_s: float | None) -> str | None:
    """Why the contacts' step time ``step_s`` does not fit the feet's rhythm ``rhythm_s``, or None if it does.

    The feet's fore-aft separation repeats once per step (``step_s`` within 0.8-1.25 of it) or, where
    the two steps differ much (a limp), once per stride (within 0.4-0.6). Else steps were missed
    (contacts every other step: twice the rhythm, as in a clip sped up past ``gait.min_step_s``) or
    found between steps (a clip slowed down: each step drawn out over seconds).

    >>> rhythm_disagrees(0.52, 0.52) is None, rhythm_disagrees(0.62, 1.27) is None  # even; a limp
    (True, True)
    >>> rhythm_disagrees(0.59, 0.26)[:39]
    'the steps found come every 0.59 s, but '
    """
    if rhythm_s is None or rhythm_s <= 0:
        return None
    r = step_s / rhythm_s
    if 0.8 <= r <= 1.25 or 0.4 <= r <= 0.6:
        return None
    return (f"the steps found come every {step_s:.2f} s, but the feet pass each other every {rhythm_s:.2f} s: "
            "steps were missed or found twice (is the clip sped up or slowed down?)")


def uneven_steps(left: list[float], right: list[float], cfg: GaitConfig, alpha: float = 0.05, *,
                 max_pct: float | None = None, what: str = "step times") -> tuple[bool, str | None]:
    """Judge left/right symmetry from the step times (s) ending on each foot: (uneven, why not judged).

    The same test judges step lengths with ``max_pct=cfg.step_length_asymmetry_max_pct`` and
    ``what="step lengths"``.

    Uneven when the medians differ by more than ``max_pct`` (default ``cfg.asymmetry_max_pct``) of their mean *and* the
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
    'Too few steps per side (fewer than 4) to judge whether left and right step times differ.'
    """
    if min(len(left), len(right)) < cfg.min_steps_per_side:
        return False, (f"Too few steps per side (fewer than {cfg.min_steps_per_side}) to judge whether left and right "
                       f"{what} differ.")
    ml, mr = float(np.median(left)), float(np.median(right))
    limit = cfg.asymmetry_max_pct if max_pct is None else max_pct
    if ml + mr <= 0 or abs(ml - mr) / ((ml + mr) / 2) * 100 <= limit:
        return False, None
    if _split_p(np.asarray(left, float), np.asarray(right, float)) >= alpha:
        side = "one side is slower" if what == "step times" else "one side takes shorter steps"
        return False, f"Left and right {what} vary too much from one step to the next to judge whether {side}."
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


def _unknown(reason: str, method: str = "none", cadence: float | None = None, steps: int | None = None,
             ) -> GaitResult:
    none: dict[str, float | None] = {"left": None, "right": None}
    return GaitResult(
        status="unknown", reason=reason, method=method, steps=steps, cadence_spm=cadence, step_time_s=none,
        step_time_asymmetry_pct=None, stance_pct=dict(none), step_length_rel_leg=None, stride_length_rel_leg=None,
        step_length_m=None, stride_length_m=None, speed_m_s=None,
        overstride=Overstride(status="unknown", median_rel=None, feedback=verdicts.NEEDS_SIDE_STEPS),
        foot_strike=FootStrike(pattern="unknown", status="unknown", median_foot_angle_deg=None, counts={},
                               feedback=verdicts.NEEDS_SIDE_STEPS),
        bouts=(), events=(), feedback=verdicts.gait_unknown_words(reason, cadence))


def analyze_gait(px: F, facing: F, t: F, base_valid: B, frontal_valid: B, frame_w: float,
                 height_cm: float | None, cfg: GaitConfig, feet: B | None = None,
                 why_unseen: str | None = None) -> GaitResult:
    """Gait measures of one walker (see the module docstring).

    Args:
        px: (T, 33, 2) levelled pixel landmarks of the walker (NaN where missing).
        facing: (T,) walking direction in the image, +1 / -1.
        t: (T,) seconds.
        base_valid: (T,) frames walking, seen from the side, detected, not identity jumps.
        frontal_valid: (T,) frames walking, seen from the front or back, detected.
        frame_w: frame width in pixels (a foot outside it is not seen, when ``feet`` is not given).
        height_cm: the walker's height, or None (then no metres).
        cfg: gait settings.
        feet: (2, T) where the left and right foot were seen together with the pelvis, the events'
            reference (:class:`gaitcheck.posture.Seen`: ``feet & hips``); default: where each foot
            lies inside the frame's width.
        why_unseen: the reason to give when the feet are never seen from the side (default: that
            they are not; e.g. that the walker is too small in the picture).
    """
    feet = feet_in_frame(px, frame_w) if feet is None else np.asarray(feet, bool)
    valid = valid_for_events(facing, base_valid, t, cfg)
    ics = detect_initial_contacts(px, facing, t, valid, cfg, feet)
    if len(ics) < cfg.min_steps:
        cad = oscillation_cadence_spm(px, t, frontal_valid) if frontal_valid.sum() > valid.sum() else None
        if cad is not None:
            dur = float(sum(t[r[-1]] - t[r[0]] for r in runs(frontal_valid)))
            return _unknown("step events need a side view", "oscillation", cad, round(cad * dur / 60))
        if not (valid & feet.any(axis=0)).any():
            return _unknown(why_unseen or "the walker is not seen walking from the side with the feet in view")
        n = len(ics)
        return _unknown(f"too few steps: {n} seen from the side with the feet in view, and the steps are judged "
                        f"on at least {cfg.min_steps}", steps=n)
    leg = leg_length_px(px)
    tos = detect_toe_offs(px, facing, t, valid, cfg, feet)
    notes: list[str] = []
    alternating = sum(a[1] != b[1] for a, b in pairwise(ics)) / (len(ics) - 1)
    if alternating < 0.8:
        notes.append("The model mixed up left and right feet; per-side numbers assume the feet alternate.")
        first = ics[0][1]
        other = "right" if first == "left" else "left"
        ics = [(f, first if i % 2 == 0 else other) for i, (f, _) in enumerate(ics)]

    # step times and bouts: consecutive contacts no more than max_step_s apart, in one walking
    # direction (a turn or a cut between shots ends a bout) and, so that a missed contact does not
    # pass for one long step, within 0.6-1.6 x the median step time
    stretch = np.cumsum(np.r_[0, np.isfinite(facing[1:]) & np.isfinite(facing[:-1]) & (facing[1:] != facing[:-1])])
    gaps = np.diff([t[f] for f, _ in ics])
    typical = float(np.median(gaps[gaps <= cfg.max_step_s])) if (gaps <= cfg.max_step_s).any() else 0.0
    step_times: dict[str, list[float]] = {"left": [], "right": []}
    bouts: list[Bout] = []
    bout_times: list[list[float]] = []  # the contact times of each bout
    last = -1  # the contact the last bout ends on
    for (f0, _), (f1, foot1) in pairwise(ics):
        dt = float(t[f1] - t[f0])
        if dt <= cfg.max_step_s and 0.6 * typical <= dt <= 1.6 * typical and stretch[f0] == stretch[f1]:
            step_times[foot1].append(dt)
            if bouts and last == f0:
                bouts[-1] = Bout(start_s=bouts[-1].start_s, end_s=float(t[f1]), steps=bouts[-1].steps + 1)
                bout_times[-1].append(float(t[f1]))
            else:
                bouts.append(Bout(start_s=float(t[f0]), end_s=float(t[f1]), steps=1))
                bout_times.append([float(t[f0]), float(t[f1])])
            last = f1
    if not bouts:
        return _unknown("no two consecutive steps were seen in one stretch of walking", steps=len(ics))
    # Contacts of a steady walk follow each other at the step time: on every real clip here each interval
    # between consecutive contacts (in one walking direction) is a step of a bout. A clip slowed down 3x
    # (steps 1.55 s apart, over max_step_s) keeps 6 of 13: the cadence would rest on contacts found between steps.
    pairs = int(sum(stretch[f0] == stretch[f1] for (f0, _), (f1, _) in pairwise(ics)))
    steady = sum(b.steps for b in bouts)
    if steady < MIN_STEADY_SHARE * pairs:
        return _unknown(f"the steps found are irregular: only {steady} of the {pairs} intervals between them are "
                        "steps of a steady walk (is the clip slowed down, or the walk interrupted?)", steps=len(ics))
    cadence = 60.0 / step_time_fit_s(bout_times)
    rhythm = step_period_s(px, facing, t, valid, lo_s=RHYTHM_RANGE_S[0], hi_s=RHYTHM_RANGE_S[1])
    why = rhythm_disagrees(60.0 / cadence, rhythm)
    if why is not None:
        return _unknown(why, steps=len(ics))
    if cadence > cfg.max_cadence_spm:
        return _unknown(f"the steps come faster than walking ({cadence:.0f} steps/min, walking stays under "
                        f"{cfg.max_cadence_spm:.0f}): is the clip sped up, or is the person running?", steps=len(ics))
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
    hip_x = pelvis_x(px)
    over, steps_rel, angles = [], [], []
    by_side: dict[str, list[float]] = {"left": [], "right": []}  # step lengths by the foot landing
    for f, foot in ics:
        d = facing[f]
        heels = [px[f, _FEET[k][_HEEL]] for k in _FEET]
        toes = [px[f, _FEET[k][_TOE]] for k in _FEET]
        front = int(np.argmax([d * h[0] for h in heels]))
        heel, toe, back = heels[front], toes[front], heels[1 - front]
        over.append(float(d * (heel[0] - hip_x[f]) / leg))
        steps_rel.append(float(d * (heel[0] - back[0]) / leg))
        by_side[foot].append(steps_rel[-1])
        angles.append(float(np.degrees(np.arctan2(heel[1] - toe[1], d * (toe[0] - heel[0])))))
    step_rel = _median(steps_rel)
    if step_rel is not None and cadence < cfg.slow_cadence_spm and step_rel / cadence > cfg.max_walk_ratio:
        return _unknown(f"the steps are long for how slowly they come ({step_rel:.2f} leg lengths at {cadence:.0f} "
                        "steps/min, where a walk this slow takes shorter steps): is the clip in slow motion?",
                        steps=len(ics))
    over_med = _median(over)
    angle_med = _median(angles)

    def strike(a: float) -> str:
        return "heel" if a >= cfg.heel_strike_min_deg else "forefoot" if a <= cfg.forefoot_max_deg else "flat"

    counts = {k: sum(strike(a) == k for a in angles if np.isfinite(a)) for k in ("heel", "flat", "forefoot")}
    pattern = strike(angle_med) if angle_med is not None else "unknown"
    over_flag = over_med is not None and over_med > cfg.overstride_max_rel
    strike_flag = pattern == "heel" and over_flag
    leg_m = None if height_cm is None else cfg.leg_length_ratio * height_cm / 100
    step_m = None if leg_m is None or step_rel is None else step_rel * leg_m
    # One frame of timing error is ~6% of a step at 30 fps: judge symmetry only with several steps a side.
    asym_flag, unjudged = uneven_steps(step_times["left"], step_times["right"], cfg)
    lengths = {k: [x for x in v if np.isfinite(x)] for k, v in by_side.items()}
    side_len = {k: _median(v) for k, v in lengths.items()}
    ll, lr = side_len["left"], side_len["right"]
    len_asym = abs(ll - lr) / ((ll + lr) / 2) * 100 if ll is not None and lr is not None and ll + lr > 0 else None
    len_flag, len_unjudged = uneven_steps(lengths["left"], lengths["right"], cfg,
                                          max_pct=cfg.step_length_asymmetry_max_pct, what="step lengths")
    time_note = unjudged if asym is not None else None
    len_note = len_unjudged if len_asym is not None else None
    few = cfg.min_steps_per_side
    if time_note and len_note and min(map(len, step_times.values())) < few and min(map(len, lengths.values())) < few:
        notes.append(time_note.replace("step times", "step times and lengths"))  # too few of both: one note
    else:
        notes += [n for n in (time_note, len_note) if n]
    shorter = None
    if len_flag and ll is not None and lr is not None:
        shorter = ("right" if lr < ll else "left", min(ll, lr) / max(ll, lr))
    events = sorted([GaitEvent(frame=f, t_s=float(t[f]), foot=ft, type="initial_contact") for f, ft in ics]
                    + [GaitEvent(frame=f, t_s=float(t[f]), foot=ft, type="toe_off") for f, ft in tos],
                    key=lambda e: (e.frame, e.type))
    return GaitResult(
        status="flag" if over_flag or asym_flag or len_flag else "pass", reason=None, method="events",
        steps=len(ics),
        cadence_spm=cadence, step_time_s=st, step_time_asymmetry_pct=asym,
        stance_pct={k: _median(v) for k, v in stance.items()}, step_length_rel_leg=step_rel,
        stride_length_rel_leg=None if step_rel is None else 2 * step_rel, step_length_m=step_m,
        step_length_by_side_rel_leg=side_len, step_length_asymmetry_pct=len_asym,
        shorter_steps=None if shorter is None else shorter[0], uneven_step_times=asym_flag,
        stride_length_m=None if step_m is None else 2 * step_m,
        speed_m_s=None if step_m is None else step_m * cadence / 60,
        overstride=Overstride(status="flag" if over_flag else "pass", median_rel=over_med,
                              feedback=verdicts.overstride_words(over_flag)),
        foot_strike=FootStrike(pattern=pattern, status="flag" if strike_flag else "pass",
                               median_foot_angle_deg=angle_med, counts=counts,
                               feedback=verdicts.foot_strike_words(pattern, over_flag)),
        bouts=tuple(bouts), events=tuple(events),
        feedback=verdicts.gait_words(len(ics), cadence, over_flag, asym if asym_flag else None, unjudged is None,
                                     shorter_side=shorter),
        notes=tuple(notes))
