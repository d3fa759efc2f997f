"""The page's words: verdict cards whose headline gives the reason, captions, what to film differently.

Everything here reads the report's JSON contract (``Report.to_dict()``) and returns text; no
widget, no video. Numbers carry their units, and feet stand beside metres wherever the
"eyes 20 feet (6 m) ahead" rule is quoted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from statistics import median
from typing import Any

from ..errors import GaitcheckError, NoWalkerError, VideoReadError
from ..report import report_medians

__all__ = ["TRUNK_LENGTH_RATIO", "Card", "cards", "clip_caption", "evidence_words", "feet", "forward_head_cm",
           "frame_caption", "friendly", "metres", "pass_table", "refilm_advice", "view_words"]

#: Shoulder-to-hip distance / body height (shoulder 0.818 H, hip 0.530 H: Drillis & Contini 1966), to put the
#: forward-head offset (a share of trunk length) into centimetres.
TRUNK_LENGTH_RATIO = 0.288
#: What a table shows where a measure was not taken (an en dash).
NOT_MEASURED = "\u2013"
M_TO_FT = 3.28084

_VIEWS = {
    "side": "filmed from the side",
    "front": "filmed from the front",
    "back": "filmed from behind",
    "oblique": "filmed at an angle, between side-on and front or back",
    "mixed": "filmed from several directions",
    "unknown": "filmed from a direction we could not tell",
}
_SIDE_ADVICE = ("Film from the side: stand the phone at hip height, 3-4 m (10-13 ft) to the side of your path, and "
                "walk across the picture with your whole body in view.")
_LONGER_ADVICE = ("Film a longer walk from the side: at least 6 steps (about 5 s) across the picture, the whole body "
                  "in view; walking there and back is fine.")
_CLOSER_ADVICE = ("Film closer, at 720p or more: the phone 3-4 m (10-13 ft) to the side of your path, so that head to "
                  "feet fill most of the picture's height.")
_SPEED_ADVICE = ("Upload the clip as the phone filmed it, at normal speed (not slow motion or time-lapse), of an "
                 "ordinary walk.")
_TURN_ADVICE = ("Turn the video upright (most phones' photo apps have a rotate button under Edit), save it, and "
                "upload it again.")
_FEET_ADVICE = ("Film from the side with both feet in view all the time: the phone at hip height, 3-4 m (10-13 ft) "
                "away, so that head and feet stay inside the picture.")


def feet(m: float) -> str:
    """A distance in feet, rounded to whole feet.

    >>> feet(6.0)
    '20 ft'
    """
    return f"{m * M_TO_FT:.0f} ft"


def metres(m: float) -> str:
    """A distance in metres with feet beside it.

    >>> metres(2.087), metres(12.4)
    ('2.1 m (7 ft)', '12 m (41 ft)')
    """
    return f"{m:.1f} m ({feet(m)})" if m < 10 else f"{m:.0f} m ({feet(m)})"


def forward_head_cm(rel: float, height_cm: float) -> float:
    """The forward-head offset (share of trunk length) in centimetres for a walker ``height_cm`` tall.

    >>> round(forward_head_cm(0.2, 170), 1)
    9.8
    """
    return rel * TRUNK_LENGTH_RATIO * height_cm


def view_words(view: str) -> str:
    """How the clip was filmed, for a sentence ("... 7.7 s, filmed from the side").

    >>> view_words("mixed")
    'filmed from several directions'
    """
    return _VIEWS.get(view, _VIEWS["unknown"])


def clip_caption(report: Mapping[str, Any], name: str) -> str:
    """One line about the clip: name, length, view, how often the walker was found."""
    d = report
    found = d["subject"]["detection_rate"]
    return (f"{name}: {d['video']['duration_s']:.1f} s, {view_words(d['view'])}; the walker was found in "
            f"{found:.0%} of the frames.")


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) else None


def _flagged_median(frames: Sequence[Mapping[str, Any]], flag: str, key: str) -> float | None:
    values = [v for f in frames if f.get(flag) and (v := _num(f.get(key))) is not None]
    return median(values) if values else None


def _share(fraction: float | None) -> str:
    if fraction is not None and fraction > 0.5:
        return "for most of the walk"
    return f"for about {round((fraction or 0.0) * 100)}% of the walk"


def _height(report: Mapping[str, Any]) -> float:
    return _num(report.get("height_cm")) or 170.0


def _settings(report: Mapping[str, Any], part: str) -> Mapping[str, Any]:
    out: Mapping[str, Any] = (report.get("settings") or {}).get(part) or {}
    return out


def refilm_advice(report: Mapping[str, Any], reason: str | None) -> str:
    """What to film differently when a verdict is unknown for ``reason``.

    >>> refilm_advice({"view": "back"}, "the clip is filmed from behind")[:20]
    'Film from the side: '
    >>> refilm_advice({"view": "side"}, "steps were missed (is the clip sped up or slowed down?)")[:28]
    'Upload the clip as the phone'
    >>> refilm_advice({"view": "side"}, "the video is on its side (the walker's head points to the left ...)")[:24]
    'Turn the video upright ('
    >>> refilm_advice({"view": "side"}, "only 6 of the 13 intervals ... (is the clip slowed down, ...?)")[:28]
    'Upload the clip as the phone'
    """
    why = (reason or "").lower()
    if "video is on its side" in why or "video is upside down" in why:
        return _TURN_ADVICE
    if report.get("view") in ("front", "back"):
        return _SIDE_ADVICE
    if "too small" in why:
        return _CLOSER_ADVICE
    if "sped up" in why or "slowed down" in why:
        return _SPEED_ADVICE
    if "s of walking" in why or "step" in why:
        return _LONGER_ADVICE
    if "feet" in why or "foot" in why:
        return _FEET_ADVICE
    if "side" in why:
        return _SIDE_ADVICE
    return _LONGER_ADVICE


@dataclass(frozen=True)
class Card:
    """One verdict as the page shows it.

    Attributes:
        check: which verdict ("look_ahead", "slouch" or "gait").
        title: its name on the page.
        status: "pass", "flag" or "unknown".
        headline: the reason for the status, with numbers and units.
        feedback: what to do (for an unknown verdict: what to film differently).
        evidence: what the verdict rests on ("judged on 6.2 s of walking, 2 passes"; for an
            unknown one, what was seen); empty for a report without evidence.
    """

    check: str
    title: str
    status: str
    headline: str
    feedback: str
    evidence: str = ""


def _not_judged(reason: str | None) -> str:
    short = (reason or "the video does not show it").split(";")[0].strip().rstrip(".")
    return f"Not judged: {short}."


def _look_ahead_card(d: Mapping[str, Any]) -> Card:
    la = d["checks"]["look_ahead"]
    if la["status"] == "unknown":
        return Card("look_ahead", "Look ahead", "unknown", _not_judged(la.get("reason")),
                    refilm_advice(d, la.get("reason")))
    if la["status"] == "flag":
        gaze = _flagged_median(d["frames"], "look_down", "gaze_distance_m")
        where = f"about {metres(gaze)} ahead" if gaze is not None else "close ahead"
        head = f"Looking down: your head points at the floor {where} {_share(la.get('flagged_fraction'))}."
    else:
        g = _num(report_medians(d)["look_ahead"].get("median_gaze_distance_m"))
        head = ("Head up: your gaze stays at the horizon or above." if g is None
                else f"Head up: your gaze lands about {metres(g)} ahead.")
    return Card("look_ahead", "Look ahead", la["status"], head, la["feedback"])


def _slouch_card(d: Mapping[str, Any]) -> Card:
    sl = d["checks"]["slouch"]
    if sl["status"] == "unknown":
        return Card("slouch", "Slouch", "unknown", _not_judged(sl.get("reason")), refilm_advice(d, sl.get("reason")))
    height = _height(d)
    if sl["status"] == "flag":
        cfg = _settings(d, "slouch")
        lean_max = _num(cfg.get("trunk_lean_max_deg")) or 10.0
        fwd_max = _num(cfg.get("forward_head_max_rel")) or 0.2
        lean = _flagged_median(d["frames"], "slouch", "trunk_lean_deg")
        fwd = _flagged_median(d["frames"], "slouch", "forward_head_rel")
        lean_words = None if lean is None else f"your upper body leans forward about {lean:.0f}°"
        fwd_words = None if fwd is None else \
            f"your head is carried about {forward_head_cm(fwd, height):.0f} cm ahead of your shoulders"
        parts = [w for w, v, lim in ((lean_words, lean, lean_max), (fwd_words, fwd, fwd_max))
                 if w is not None and v is not None and v > lim]
        if not parts:  # the episodes crossed a limit although their median did not: name the nearer one
            ratios = [(v / lim, w) for w, v, lim in ((lean_words, lean, lean_max), (fwd_words, fwd, fwd_max))
                      if w is not None and v is not None]
            parts = [max(ratios)[1] + " at times"] if ratios else ["your posture slumps forward"]
        what = " and ".join(parts)
        head = f"{what[0].upper()}{what[1:]} {_share(sl.get('flagged_fraction'))}."
    else:
        shown = report_medians(d)["slouch"]
        lean_v, fwd_v = _num(shown.get("median_trunk_lean_deg")), _num(shown.get("median_forward_head_rel"))
        bits = []
        if lean_v is not None:
            bits.append("your trunk is upright" if abs(lean_v) < 1.5 else
                        f"your trunk typically leans about {abs(lean_v):.0f}° {'forward' if lean_v > 0 else 'back'}")
        if fwd_v is not None:
            cm = forward_head_cm(fwd_v, height)
            where = "ahead of" if cm > 0 else "behind"
            bits.append("your head sits over your shoulders" if abs(cm) < 1.5 else
                        f"your head typically sits about {abs(cm):.0f} cm {where} your shoulders")
        head = "Upright: " + (" and ".join(bits) or "no sustained slouch") + "."
    return Card("slouch", "Slouch", sl["status"], head, sl["feedback"])


def _gait_card(d: Mapping[str, Any], g: Mapping[str, Any]) -> Card:
    if g.get("status") == "unknown" or _num(g.get("cadence_spm")) is None:
        return Card("gait", "Steps", "unknown", _not_judged(g.get("reason")), refilm_advice(d, g.get("reason")))
    cadence = float(g["cadence_spm"])
    head = f"{g['steps']} steps at about {cadence:.0f} steps per minute"
    stride_m, stride_rel = _num(g.get("stride_length_m")), _num(g.get("stride_length_rel_leg"))
    if stride_m is not None:
        head += f"; stride about {stride_m:.2f} m ({stride_m * M_TO_FT:.1f} ft)"
    elif stride_rel is not None:
        head += f"; stride about {stride_rel:.1f} leg lengths"
    head += "."
    if g["status"] == "flag":
        cfg = _settings(d, "gait")
        over = g.get("overstride") or {}
        reasons = []
        if over.get("status") == "flag":
            rel = _num(over.get("median_rel"))
            reasons.append("Your heel lands far ahead of your body"
                           + (f" (about {rel:.2f} leg lengths ahead of the hips)" if rel is not None else ""))
        asym, limit = _num(g.get("step_time_asymmetry_pct")), _num(cfg.get("asymmetry_max_pct")) or 10.0
        if "uneven_step_times" in g:  # judged in gait.analyze_gait (its permutation test), not again here
            timing = g["uneven_step_times"] is True and asym is not None
        else:  # a report stored before the judgement was recorded
            timing = asym is not None and asym > limit and (
                not reasons or _steps_per_side(g) >= (cfg.get("min_steps_per_side") or 4))
        if timing:
            reasons.append(f"Your left and right steps differ in timing by about {asym:.0f}%")
        if g.get("shorter_steps") in ("left", "right"):  # judged in gait.analyze_gait, not again here
            reasons.append(f"Your steps onto the {g['shorter_steps']} foot are shorter than onto the other")
        reasons = reasons[:1] + [r[0].lower() + r[1:] for r in reasons[1:]]  # one sentence: "...; your steps..."
        head = "; ".join(reasons or ["Your steps are uneven"]) + f". {head}"
    return Card("gait", "Steps", g["status"], head, g["feedback"])


def _steps_per_side(g: Mapping[str, Any]) -> int:
    contacts = [e.get("foot") for e in g.get("events") or [] if e.get("type") == "initial_contact"]
    return min(contacts.count("left"), contacts.count("right"))


def evidence_words(check: Mapping[str, Any] | None) -> str:
    """What a check (its report dict) rests on, in words; for an unknown one, what was seen.

    >>> evidence_words({"status": "pass", "evidence": {"seen_s": 6.24, "steps": None, "passes": 2}})
    'Judged on 6.2 s of walking, 2 passes.'
    >>> evidence_words({"status": "unknown", "evidence": {"seen_s": 0.4, "steps": 2, "passes": 1}})
    'Seen: 0.4 s of walking, 2 steps, 1 pass.'
    """
    from ..verdicts import Evidence

    ev = (check or {}).get("evidence")
    if not isinstance(ev, Mapping):
        return ""
    words = Evidence.from_dict(ev).words(judged=(check or {}).get("status") != "unknown")
    return f"{words[0].upper()}{words[1:]}."


def cards(report: Mapping[str, Any]) -> list[Card]:
    """The verdict cards of a report dict: look ahead, slouch, and steps when the report has gait."""
    checks = report.get("checks") or {}
    out = [replace(_look_ahead_card(report), evidence=evidence_words(checks.get("look_ahead"))),
           replace(_slouch_card(report), evidence=evidence_words(checks.get("slouch")))]
    g = report.get("gait")
    if g is not None:
        out.append(replace(_gait_card(report, g), evidence=evidence_words(g)))
    return out


def _fmt(v: Any, unit: str, nd: int = 0) -> str:
    n = _num(v)
    return NOT_MEASURED if n is None else f"{n:.{nd}f}{unit}"


def pass_table(report: Mapping[str, Any]) -> list[dict[str, str]] | None:
    """The walker's passes as a table that reads on a phone: one row per measure, one column per pass.

    None when the walker made one pass (or the report has no passes): the verdicts say it all then.

    >>> rows = pass_table({"height_cm": 170, "passes": [
    ...     {"index": 0, "start_s": 0.0, "end_s": 4.1, "direction": "left to right", "seen_s": 3.9, "steps": 6,
    ...      "cadence_spm": 101.2, "median_head_pitch_deg": 21.4, "median_gaze_distance_m": 2.2,
    ...      "median_trunk_lean_deg": 3.1, "median_forward_head_rel": 0.12, "look_down_share": 0.5,
    ...      "slouch_share": 0.0},
    ...     {"index": 1, "start_s": 6.0, "end_s": 9.5, "direction": "right to left", "seen_s": 3.0, "steps": 5,
    ...      "cadence_spm": None, "median_head_pitch_deg": None, "median_gaze_distance_m": None,
    ...      "median_trunk_lean_deg": None, "median_forward_head_rel": None, "look_down_share": None,
    ...      "slouch_share": None}]})
    >>> [(r["measure"], r["Pass 1"], r["Pass 2"]) for r in rows[:3]]
    [('time', '0.0-4.1 s', '6.0-9.5 s'), ('direction', 'left to right', 'right to left'), ('seen', '3.9 s', '3.0 s')]
    >>> rows[5]["Pass 1"], rows[5]["Pass 2"] == NOT_MEASURED, rows[7]["Pass 1"]
    ('21° down', True, '6 cm')
    """
    passes = [p for p in report.get("passes") or [] if isinstance(p, Mapping)]
    if len(passes) < 2:
        return None
    height = _height(report)

    def head(p: Mapping[str, Any]) -> str:
        pitch = _num(p.get("median_head_pitch_deg"))
        return NOT_MEASURED if pitch is None else f"{abs(pitch):.0f}° {'down' if pitch >= 0 else 'up'}"

    def gaze(p: Mapping[str, Any]) -> str:
        g = _num(p.get("median_gaze_distance_m"))
        if g is None:
            return NOT_MEASURED if _num(p.get("median_head_pitch_deg")) is None else "horizon or above"
        return metres(g)

    def fwd(p: Mapping[str, Any]) -> str:
        rel = _num(p.get("median_forward_head_rel"))
        return NOT_MEASURED if rel is None else f"{forward_head_cm(rel, height):.0f} cm"

    def share(v: Any) -> str:
        n = _num(v)
        return NOT_MEASURED if n is None else f"{100 * n:.0f}%"

    measures: list[tuple[str, Any]] = [
        ("time", lambda p: f"{_fmt(p.get('start_s'), '', 1)}-{_fmt(p.get('end_s'), ' s', 1)}"),
        ("direction", lambda p: str(p.get("direction") or NOT_MEASURED)),
        ("seen", lambda p: _fmt(p.get("seen_s"), " s", 1)),
        ("steps", lambda p: str(p.get("steps") or 0)),
        ("cadence", lambda p: _fmt(p.get("cadence_spm"), " /min")),
        ("head pitch", head),
        ("gaze lands", gaze),
        ("head forward", fwd),
        ("trunk lean", lambda p: _fmt(p.get("median_trunk_lean_deg"), "°")),
        ("looking down", lambda p: share(p.get("look_down_share"))),
        ("slouching", lambda p: share(p.get("slouch_share"))),
    ]
    return [{"measure": name, **{f"Pass {int(p.get('index', i)) + 1}": get(p) for i, p in enumerate(passes)}}
            for name, get in measures]


def frame_caption(row: Mapping[str, Any], height_cm: float = 170.0) -> str:
    """A frame's measures in words, with units and what is flagged.

    >>> for part in frame_caption({"t_s": 2.39, "head_pitch_deg": 19.4, "gaze_distance_m": 2.31,
    ...                            "trunk_lean_deg": -4.6, "forward_head_rel": 0.249, "look_down": True,
    ...                            "slouch": True}).split("; "):
    ...     print(part)
    2.39 s: head 19° down, gaze 2.3 m (8 ft) ahead
    trunk 5° back
    head 12 cm ahead of the shoulders (flagged: looking down, slouching)
    """
    pitch, gaze, lean, fwd = (_num(row.get(k)) for k in ("head_pitch_deg", "gaze_distance_m", "trunk_lean_deg",
                                                         "forward_head_rel"))
    parts = []
    if pitch is not None:
        where = "at the horizon or above" if gaze is None else f"{metres(gaze)} ahead"
        parts.append(f"head {abs(pitch):.0f}° {'down' if pitch >= 0 else 'up'}, gaze {where}")
    if lean is not None:
        parts.append(f"trunk {abs(lean):.0f}° {'forward' if lean >= 0 else 'back'}")
    if fwd is not None:
        cm = forward_head_cm(fwd, height_cm)
        parts.append(f"head {abs(cm):.0f} cm {'ahead of' if cm >= 0 else 'behind'} the shoulders")
    words = "; ".join(parts) or "posture not measured in this frame (the walker is not seen from the side here)"
    flags = [w for k, w in (("look_down", "looking down"), ("slouch", "slouching")) if row.get(k)]
    return f"{float(row['t_s']):.2f} s: {words}" + (f" (flagged: {', '.join(flags)})" if flags else "")


def friendly(exc: GaitcheckError, name: str) -> str:
    """What to tell a patient when the clip ``name`` cannot be analysed (one line, never a stack trace).

    >>> friendly(NoWalkerError("no person was found in the clip"), "walk.mp4")[48:]
    'Film the whole body from the side, in good light, 3-4 m (10-13 ft) away.'
    """
    if isinstance(exc, NoWalkerError):
        return (f"We could not find a person walking in {name}. Film the whole body from the side, in good light, "
                "3-4 m (10-13 ft) away.")
    if isinstance(exc, VideoReadError):
        return (f"We could not read {name} as a video: it may be damaged, have no picture (sound only), or not be a "
                "video at all. Try the original file from your phone.")
    return " ".join(str(exc).replace("upload.", f"{Path(name).stem}.").split())
