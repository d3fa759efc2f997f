"""Verdicts: episodes with hysteresis, and the look-ahead and slouch checks with plain feedback.

Feedback, never a diagnosis: the words describe what the video shows and what to try.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .config import LimitsConfig, LookAheadConfig, SlouchConfig

__all__ = ["NEEDS_SIDE_STEPS", "Check", "Episode", "Evidence", "find_episodes", "foot_strike_words", "frame_durations",
           "gait_unknown_words", "gait_words", "judged_medians", "look_ahead_check", "overstride_words", "slouch_check"]

F = NDArray[np.float64]
B = NDArray[np.bool_]


@dataclass(frozen=True, kw_only=True)
class Episode:
    """A stretch of flagged frames: times in seconds, frames inclusive, and the worst value."""

    start_s: float
    end_s: float
    start_frame: int
    end_frame: int
    peak_frame: int
    peak: float

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, rounded as the report documents."""
        return {"start_s": round(self.start_s, 3), "end_s": round(self.end_s, 3), "peak": _num(self.peak),
                "start_frame": self.start_frame, "end_frame": self.end_frame, "peak_frame": self.peak_frame}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Episode:
        """Read back what ``to_dict`` wrote."""
        peak = d.get("peak")
        return cls(start_s=float(d["start_s"]), end_s=float(d["end_s"]), start_frame=int(d["start_frame"]),
                   end_frame=int(d["end_frame"]), peak_frame=int(d["peak_frame"]),
                   peak=float(peak) if isinstance(peak, int | float) else math.nan)


_CHECK_KEYS = ("status", "reason", "flagged_fraction", "episodes", "feedback", "evidence", "median_seen_s")


@dataclass(frozen=True, kw_only=True)
class Evidence:
    """What a verdict rests on: seconds of walking in which what it measures was seen, steps, passes."""

    seen_s: float
    steps: int | None = None  # the gait check's initial contacts (None for posture checks)
    passes: int = 0  # passes of the walker that contributed

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, rounded as the report documents."""
        return {"seen_s": round(self.seen_s, 2), "steps": self.steps, "passes": self.passes}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Evidence:
        """Read back what ``to_dict`` wrote."""
        steps = d.get("steps")
        return cls(seen_s=float(d.get("seen_s") or 0.0), steps=int(steps) if isinstance(steps, int) else None,
                   passes=int(d.get("passes") or 0))

    def words(self, judged: bool = True) -> str:
        """E.g. "judged on 6.2 s of walking, 2 passes" (with the steps when there are any).

        For a check that could not be judged (``judged=False``) it says what was seen.

        >>> Evidence(seen_s=6.24, steps=9, passes=2).words()
        'judged on 6.2 s of walking, 9 steps, 2 passes'
        >>> Evidence(seen_s=0.04, passes=1).words(judged=False)
        'seen: under 0.1 s of walking, 1 pass'
        """
        secs = "under 0.1" if 0 < self.seen_s < 0.05 else f"{self.seen_s:.1f}"
        parts = [f"{'judged on' if judged else 'seen:'} {secs} s of walking"]
        if self.steps is not None:
            parts.append(f"{self.steps} step{'s' if self.steps != 1 else ''}")
        parts.append(f"{self.passes} pass{'es' if self.passes != 1 else ''}")
        return ", ".join(parts)


@dataclass(frozen=True, eq=False, kw_only=True)
class Check:
    """One verdict: ``status`` is "pass", "flag" or "unknown" (then ``reason`` says why).

    Compared by identity (``flagged`` is an array); compare two checks by their ``to_dict()``.
    """

    status: str
    reason: str | None
    flagged_fraction: float | None
    episodes: tuple[Episode, ...]
    feedback: str
    medians: dict[str, float | None] = field(default_factory=dict)
    flagged: B | None = None  # (T,) per-frame flag, for the report's frames and the overlays
    evidence: Evidence | None = None
    median_seen_s: dict[str, float] | None = None  # seconds of seen frames each median rests on (None: not known)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, rounded as the report documents."""
        d: dict[str, Any] = {"status": self.status, "reason": self.reason,
                             "flagged_fraction": None if self.flagged_fraction is None else round(
                                 self.flagged_fraction, 4),
                             "episodes": [e.to_dict() for e in self.episodes],
                             **{k: _num(v) for k, v in self.medians.items()}, "feedback": self.feedback}
        if self.evidence is not None:
            d["evidence"] = self.evidence.to_dict()
        if self.median_seen_s is not None:
            d["median_seen_s"] = {k: round(v, 2) for k, v in self.median_seen_s.items()}
        return d

    def judged_medians(self, min_s: float) -> dict[str, float | None]:
        """The medians that rest on at least ``min_s`` seconds of seen frames, the others None.

        What a summary, a table or a patient's history shows: a median of a frame or two is no measure.
        """
        return _judged(self.medians, self.median_seen_s, self.status,
                       None if self.evidence is None else self.evidence.seen_s, min_s)

    def with_evidence(self, evidence: Evidence) -> Check:
        """The same verdict with what it rests on."""
        return replace(self, evidence=evidence)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], flagged: B | None = None) -> Check:
        """Read :meth:`to_dict` back; ``flagged`` is the per-frame flag (from the report's frames)."""
        frac = d.get("flagged_fraction")
        medians = {k: (float(v) if isinstance(v, int | float) else None) for k, v in d.items()
                   if k not in _CHECK_KEYS}
        return cls(status=str(d["status"]), reason=d.get("reason"),
                   flagged_fraction=float(frac) if isinstance(frac, int | float) else None,
                   episodes=tuple(Episode.from_dict(e) for e in d.get("episodes") or ()),
                   feedback=str(d.get("feedback", "")), medians=medians, flagged=flagged,
                   evidence=Evidence.from_dict(d["evidence"]) if isinstance(d.get("evidence"), Mapping) else None,
                   median_seen_s=_seen_seconds(d.get("median_seen_s")))


def _seen_seconds(v: Any) -> dict[str, float] | None:
    if not isinstance(v, Mapping):
        return None
    return {str(k): float(x) for k, x in v.items() if isinstance(x, int | float) and not isinstance(x, bool)}


def judged_medians(check: Mapping[str, Any], min_s: float) -> dict[str, float | None]:
    """A check's medians (its JSON form) that rest on at least ``min_s`` seconds of seen frames, the others None.

    The report keeps every median with the seconds it rests on (``median_seen_s``); what people read
    (the summary, the PDF, the history, a batch table) shows only these. A report without
    ``median_seen_s`` (an older one) keeps a median unless its check is unknown on too little time.

    >>> c = {"status": "unknown", "median_head_pitch_deg": -14.0, "median_seen_s": {"median_head_pitch_deg": 0.04}}
    >>> judged_medians(c, 1.5)
    {'median_head_pitch_deg': None}
    >>> judged_medians({"status": "pass", "median_trunk_lean_deg": 3.0}, 1.5)
    {'median_trunk_lean_deg': 3.0}
    """
    medians = {k: (float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None)
               for k, v in check.items() if k not in _CHECK_KEYS and k.startswith("median_")}
    ev = check.get("evidence")
    ev_s = ev.get("seen_s") if isinstance(ev, Mapping) else None
    return _judged(medians, _seen_seconds(check.get("median_seen_s")), check.get("status"),
                   float(ev_s) if isinstance(ev_s, int | float) else None, min_s)


def _judged(medians: Mapping[str, float | None], seen: Mapping[str, float] | None, status: Any,
            evidence_s: float | None, min_s: float) -> dict[str, float | None]:
    """:func:`judged_medians` on its parts (``seen``: the seconds per median, None in an older report)."""
    if seen is None:
        short = status == "unknown" and not (evidence_s is not None and evidence_s >= min_s)
        return {k: None if short else v for k, v in medians.items()}
    return {k: v if seen.get(k, 0.0) >= min_s - 1e-9 else None for k, v in medians.items()}


def _num(v: float | None, nd: int = 3) -> float | None:
    if v is None or not np.isfinite(v):
        return None
    return round(float(v), nd)


def frame_durations(t: F) -> F:
    """(T,) how long each frame is shown: the gap to the next timestamp (the last gets the median).

    >>> frame_durations(np.array([0.0, 0.1, 0.2, 0.4]))
    array([0.1, 0.1, 0.2, 0.1])
    """
    if len(t) == 0:
        return np.zeros(0)
    d = np.diff(t)
    last = float(np.median(d)) if len(d) else 0.0
    return np.append(d, last)


def find_episodes(on: F, off: F, t: F, valid: B, *, min_s: float, peak: F, max_gap_s: float = 0.25,
                  peak_mode: str = "max") -> list[Episode]:
    """Hysteresis episodes: start where ``on > 1``, end where ``off < 1``; keep those >= ``min_s``.

    Invalid frames are skipped; a run of invalid frames longer than ``max_gap_s`` ends an episode.
    ``peak`` is the value reported for each episode (its max, or min with ``peak_mode="min"``).

    >>> t = np.arange(10) / 10; on = np.array([0, 2, 2, 2, 0.95, 2, 2, 0, 0, 0.0]); off = 1.2 * on
    >>> [(e.start_frame, e.end_frame) for e in find_episodes(on, off, t, np.ones(10, bool), min_s=0.3, peak=on)]
    [(1, 6)]
    >>> [(e.start_frame, e.end_frame) for e in find_episodes(on, on, t, np.ones(10, bool), min_s=0.3, peak=on)]
    [(1, 3)]
    """
    dur = frame_durations(t)
    episodes: list[Episode] = []
    start = last = None
    gap = 0.0

    def close() -> None:
        if start is not None and last is not None and t[last] + dur[last] - t[start] >= min_s - 1e-9:
            seg = peak[start : last + 1]
            seg_ok = valid[start : last + 1] & ~np.isnan(seg)
            if seg_ok.any():
                vals = np.where(seg_ok, seg, -np.inf if peak_mode == "max" else np.inf)
                k = int(np.argmax(vals) if peak_mode == "max" else np.argmin(vals))
                episodes.append(Episode(start_s=float(t[start]), end_s=float(t[last] + dur[last]),
                                        start_frame=start, end_frame=last, peak_frame=start + k, peak=float(seg[k])))

    for i in range(len(t)):
        if not valid[i] or np.isnan(on[i]):
            if start is not None:
                gap += dur[i]
                if gap > max_gap_s:
                    close()
                    start = last = None
            continue
        gap = 0.0
        if start is None:
            if on[i] > 1:
                start = last = i
        elif off[i] < 1:
            close()
            start = last = None
        else:
            last = i
    close()
    return episodes


def _flag_mask(n: int, episodes: list[Episode], valid: B) -> B:
    mask = np.zeros(n, bool)
    for e in episodes:
        mask[e.start_frame : e.end_frame + 1] = True
    return mask & valid


def _fraction(mask: B, valid: B, dur: F) -> float:
    return float(dur[mask].sum() / dur[valid].sum())


def _unknown(reason: str, medians: dict[str, float | None], seen_s: dict[str, float]) -> Check:
    return Check(status="unknown", reason=reason, flagged_fraction=None, episodes=(),
                 feedback=f"We could not judge this from the video: {reason}.", medians=medians, median_seen_s=seen_s)


def _seen(dur: F, valid: B, series: Mapping[str, F]) -> dict[str, float]:
    """Seconds of ``valid`` frames on which each series is measured (what its median rests on)."""
    return {k: float(dur[valid & ~np.isnan(x)].sum()) for k, x in series.items()}


def look_ahead_check(pitch: F, gaze: F, t: F, valid: B, cfg: LookAheadConfig, limits: LimitsConfig,
                     why_invalid: str) -> Check:
    """The look-ahead rule: is the head pointing at the floor nearer than ``look_down_distance_m``?

    Args:
        pitch: (T,) head pitch, degrees, positive = down.
        gaze: (T,) gaze distance on the floor, metres (inf = at or above the horizon).
        t: (T,) seconds.
        valid: (T,) frames where head pitch can be judged (walking, side view, head visible).
        cfg: the look-ahead thresholds.
        limits: how much valid time a verdict needs.
        why_invalid: the reason to give when there is too little valid time.
    """
    valid = valid & ~np.isnan(pitch)
    dur = frame_durations(t)
    medians = {"median_head_pitch_deg": _median(pitch, valid), "median_gaze_distance_m": _median(gaze, valid)}
    seen = _seen(dur, valid, {"median_head_pitch_deg": pitch, "median_gaze_distance_m": gaze})
    if dur[valid].sum() < limits.min_analysable_s:
        return _unknown(why_invalid, medians, seen)
    with np.errstate(divide="ignore"):
        on = cfg.look_down_distance_m / gaze
        off = cfg.release_distance_m / gaze
    eps = find_episodes(on, off, t, valid, min_s=cfg.min_episode_s, peak=pitch)
    mask = _flag_mask(len(t), eps, valid)
    frac = _fraction(mask, valid, dur)
    status = "flag" if frac >= cfg.flag_fraction else "pass"
    g = medians["median_gaze_distance_m"]
    gd = _median(gaze, mask) if mask.any() else g
    if status == "flag":
        share = "Most of the time" if frac > 0.5 else f"For about {round(frac * 100)}% of the walk"
        fb = (f"{share} your head points at the floor about {_metres(gd)} ahead. Pick a point about 20 feet "
              "(6 m) ahead and keep your eyes there; lift your head rather than your eyes.")
    else:
        where = "at the horizon" if g is None or not np.isfinite(g) else f"about {_metres(g)} ahead"
        fb = (f"You kept your head up: it mostly points {where}. Keep your eyes on a point about "
              "20 feet (6 m) ahead.")
        if eps:
            fb += f" You looked down briefly {len(eps)} time{'s' if len(eps) > 1 else ''}."
    return Check(status=status, reason=None, flagged_fraction=frac, episodes=tuple(eps), feedback=fb,
                 medians=medians, flagged=mask, median_seen_s=seen)


def slouch_check(lean: F, fwd_head: F, t: F, valid: B, cfg: SlouchConfig, limits: LimitsConfig,
                 why_invalid: str, esh: F | None = None, why_no_head: str | None = None) -> Check:
    """Slouch check: trunk or head forward beyond their limits.

    Trunk leaning forward beyond ``trunk_lean_max_deg`` or head forward beyond ``forward_head_max_rel``,
    sustained for ``min_episode_s``. A lean alone can flag; a pass needs the head too (``fwd_head``
    measured on at least ``limits.min_analysable_s``): without it a head carried forward cannot be
    ruled out, and the check is unknown with ``why_no_head`` (default: the head was not seen).
    """
    valid = valid & ~np.isnan(lean)
    dur = frame_durations(t)
    medians = {"median_trunk_lean_deg": _median(lean, valid), "median_forward_head_rel": _median(fwd_head, valid)}
    series = {"median_trunk_lean_deg": lean, "median_forward_head_rel": fwd_head}
    if esh is not None:
        medians["median_ear_shoulder_hip_deg"] = _median(esh, valid)
        series["median_ear_shoulder_hip_deg"] = esh
    seen = _seen(dur, valid, series)
    if dur[valid].sum() < limits.min_analysable_s:
        return _unknown(why_invalid, medians, seen)
    fh = np.nan_to_num(fwd_head, nan=0.0)
    on = np.maximum(lean / cfg.trunk_lean_max_deg, fh / cfg.forward_head_max_rel)
    off = np.maximum(lean / (cfg.trunk_lean_max_deg - cfg.hysteresis_deg),
                     fh / (cfg.forward_head_max_rel - cfg.hysteresis_rel))
    eps = find_episodes(on, off, t, valid, min_s=cfg.min_episode_s, peak=lean)
    mask = _flag_mask(len(t), eps, valid)
    frac = _fraction(mask, valid, dur)
    status = "flag" if frac >= cfg.flag_fraction else "pass"
    lean_m = _median(lean, mask) if mask.any() else medians["median_trunk_lean_deg"]
    fh_m = _median(fwd_head, mask) if mask.any() else medians["median_forward_head_rel"]
    if status == "flag":
        parts = []
        if lean_m is not None and lean_m > cfg.trunk_lean_max_deg:
            parts.append(f"your upper body leans forward about {lean_m:.0f}°")
        if fh_m is not None and fh_m > cfg.forward_head_max_rel:
            parts.append("your head is carried forward of your shoulders")
        what = " and ".join(parts) or "your posture slumps forward"
        share = "Most of the time" if frac > 0.5 else f"For about {round(frac * 100)}% of the walk"
        fb = (f"{share} {what}. Walk tall: shoulders back, head up, core engaged, as if a string "
              "pulled the top of your head towards the sky.")
    elif dur[valid & ~np.isnan(fwd_head)].sum() < limits.min_analysable_s:
        why = why_no_head or "the head is not in view long enough"
        return _unknown(f"the trunk stays upright, but a head carried forward cannot be ruled out: {why}", medians,
                        seen)
    else:
        fb = (f"Your trunk stays upright (about {abs(medians['median_trunk_lean_deg'] or 0):.0f}° from vertical) "
              "and your head stays close over your shoulders. Keep walking tall.")
    return Check(status=status, reason=None, flagged_fraction=frac, episodes=tuple(eps), feedback=fb,
                 medians=medians, flagged=mask, median_seen_s=seen)


def _median(x: F, mask: B) -> float | None:
    v = x[mask & ~np.isnan(x)]
    if len(v) == 0:
        return None
    return float(np.median(v))


def _metres(m: float | None) -> str:
    if m is None or not np.isfinite(m):
        return "far"
    return f"{m:.1f} m" if m < 10 else f"{m:.0f} m"


# ---- the words of the gait check (its measures are in gaitcheck.gait) ------------------------------

NEEDS_SIDE_STEPS = "Needs a side view with steps."


def gait_unknown_words(reason: str, cadence_spm: float | None) -> str:
    """The feedback when steps cannot be measured (only the cadence, from the front or behind).

    >>> gait_unknown_words("step events need a side view", 96.4)[:60]
    'Seen from the front or behind, only your cadence can be meas'
    >>> gait_unknown_words("is the clip in slow motion?", None)
    'We could not measure your steps from this video: is the clip in slow motion?'
    """
    if cadence_spm is None:
        return f"We could not measure your steps from this video: {reason}{'' if reason.endswith(('?', '.')) else '.'}"
    return (f"Seen from the front or behind, only your cadence can be measured: about {cadence_spm:.0f} steps per "
            "minute. Film from the side to see step length and how your foot lands.")


def overstride_words(flagged: bool) -> str:
    """Where the heel lands against the body.

    >>> overstride_words(False)
    'Your feet land close under your body. Good.'
    """
    if flagged:
        return "Your heel lands far ahead of your body; try shorter, quicker steps that land under you."
    return "Your feet land close under your body. Good."


def foot_strike_words(pattern: str, overstriding: bool) -> str:
    """How the foot lands; it says "close to your body" only where the overstride check agrees.

    >>> foot_strike_words("flat", overstriding=True)
    'Your foot lands flat.'
    >>> foot_strike_words("heel", overstriding=False)
    'Your foot lands on the heel, close to your body.'
    """
    if pattern == "heel" and overstriding:
        return "You reach forward onto your heel. Aim to land on the middle of the foot, under your hips."
    if pattern == "unknown":
        return "How your foot lands could not be seen clearly."
    how = {"heel": "on the heel", "flat": "flat", "forefoot": "on the front of the foot"}.get(pattern, pattern)
    return f"Your foot lands {how}." if overstriding else f"Your foot lands {how}, close to your body."


def gait_words(steps: int, cadence_spm: float, overstriding: bool, uneven_pct: float | None,
               symmetry_judged: bool, shorter_side: tuple[str, float] | None = None) -> str:
    """The gait check's feedback: steps and cadence, then what to change (or that the steps look good).

    Args:
        steps: initial contacts seen.
        cadence_spm: steps per minute.
        overstriding: the heel lands far ahead of the body.
        uneven_pct: the left/right step-time difference when it was flagged, else None.
        symmetry_judged: there were enough steps a side to judge symmetry.
        shorter_side: when uneven step lengths were flagged, the foot whose steps are shorter and
            their length as a share of the other foot's.
    """
    parts = [f"You took {steps} steps at about {cadence_spm:.0f} steps per minute."]
    if overstriding:
        parts.append(overstride_words(True))
    if uneven_pct is not None:
        parts.append(f"Your left and right steps differ in timing by about {uneven_pct:.0f}%; "
                     "a therapist can look at what makes one side slower.")
    if shorter_side is not None:
        side, share = shorter_side
        other = "left" if side == "right" else "right"
        parts.append(f"Your steps onto the {side} foot are shorter than those onto the {other} (about {share:.0%} "
                     f"of their length), as when one foot steps ahead and the other is brought up beside it; a "
                     "therapist can look at why.")
    if not overstriding and uneven_pct is None and shorter_side is None:
        parts.append("Your steps land under your body" + (" and are even on both sides." if symmetry_judged else "."))
    return " ".join(parts)
