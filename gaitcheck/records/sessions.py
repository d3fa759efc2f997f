"""What a saved session is, its key numbers, and a patient's history (pure: no database, no files).

The key numbers are read from the report's JSON contract (``Report.to_dict()``), so a session
saved from the command line, a batch or the page holds the same numbers as its report.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

from ..compare import Change, compare_reports
from ..errors import ConfigError
from ..report import Report, report_medians

__all__ = ["CODE_PATTERN", "History", "HistoryEntry", "KeyNumbers", "PatientSummary", "Session", "Thumbnail",
           "check_code", "history_csv", "history_text", "key_numbers", "text_table"]

#: A patient code: pseudonymous, 1-64 letters, digits, ``.``, ``_`` or ``-``, starting with a letter or digit.
CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
STATUSES = ("pass", "flag", "unknown")


def check_code(code: str) -> str:
    """``code`` if it is a valid patient code (see :data:`CODE_PATTERN`).

    >>> check_code("P-0042")
    'P-0042'

    Raises:
        ConfigError: it is not one (e.g. a name with spaces, or a path).
    """
    if not isinstance(code, str) or not CODE_PATTERN.fullmatch(code):
        raise ConfigError(f"{code!r} is not a patient code: use 1-64 letters, digits, '.', '_' or '-' "
                          "(a pseudonym such as P-0042, not the patient's name)")
    return code


@dataclass(frozen=True, kw_only=True)
class KeyNumbers:
    """A session's verdicts and key measures, as stored in their own columns (None = unknown).

    Attributes:
        look_ahead, slouch, gait: each check's status, ``"pass"``, ``"flag"`` or ``"unknown"``.
        median_gaze_distance_m: where the gaze meets the floor (None also when the head points at
            or above the horizon; then ``median_head_pitch_deg`` is set).
        median_head_pitch_deg: + = head down. median_trunk_lean_deg: + = forward.
        median_forward_head_rel: ear ahead of the shoulder, in trunk lengths.
        cadence_spm: steps per minute. step_time_asymmetry_pct: left/right step-time difference.
        analysable_s: seconds of walking seen well enough to judge posture (the evidence).
        look_ahead_flagged_fraction, slouch_flagged_fraction: share of that time flagged.
    """

    look_ahead: str
    slouch: str
    gait: str
    median_gaze_distance_m: float | None = None
    median_head_pitch_deg: float | None = None
    median_trunk_lean_deg: float | None = None
    median_forward_head_rel: float | None = None
    cadence_spm: float | None = None
    step_time_asymmetry_pct: float | None = None
    analysable_s: float | None = None
    look_ahead_flagged_fraction: float | None = None
    slouch_flagged_fraction: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, rounded as the report documents."""
        return asdict(self)


STATUS_FIELDS = ("look_ahead", "slouch", "gait")
NUMBER_FIELDS = tuple(f.name for f in fields(KeyNumbers) if f.name not in STATUS_FIELDS)


def _get(d: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(d, Mapping):
            return None
        d = d.get(k)
    return d


def _num(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        return None
    return float(v) + 0.0  # + 0.0: -0.0 (a rounded tiny negative) reads as 0


def _status(v: Any) -> str:
    return v if v in STATUSES else "unknown"


def key_numbers(report: Mapping[str, Any]) -> KeyNumbers:
    """The key numbers of a report dict (``Report.to_dict()`` or a loaded JSON report).

    >>> k = key_numbers({"checks": {"look_ahead": {"status": "flag", "median_head_pitch_deg": 31.5},
    ...                             "slouch": {"status": "pass"}}})
    >>> k.look_ahead, k.slouch, k.gait, k.median_head_pitch_deg, k.cadence_spm
    ('flag', 'pass', 'unknown', 31.5, None)
    """
    la, sl, gait = _get(report, "checks", "look_ahead"), _get(report, "checks", "slouch"), _get(report, "gait")
    shown = report_medians(report)  # a median resting on a frame or two is not kept as a visit's number
    la_m, sl_m = shown.get("look_ahead", {}), shown.get("slouch", {})
    return KeyNumbers(
        look_ahead=_status(_get(la, "status")), slouch=_status(_get(sl, "status")), gait=_status(_get(gait, "status")),
        median_gaze_distance_m=_num(la_m.get("median_gaze_distance_m")),
        median_head_pitch_deg=_num(la_m.get("median_head_pitch_deg")),
        median_trunk_lean_deg=_num(sl_m.get("median_trunk_lean_deg")),
        median_forward_head_rel=_num(sl_m.get("median_forward_head_rel")),
        cadence_spm=_num(_get(gait, "cadence_spm")),
        step_time_asymmetry_pct=_num(_get(gait, "step_time_asymmetry_pct")),
        analysable_s=_num(_get(report, "subject", "analysable_s")),
        look_ahead_flagged_fraction=_num(_get(la, "flagged_fraction")),
        slouch_flagged_fraction=_num(_get(sl, "flagged_fraction")),
    )


@dataclass(frozen=True, kw_only=True)
class Session:
    """One saved analysis of a patient's clip (without its report, thumbnails and clip: ask the store).

    Attributes:
        id: the session's number in the database.
        patient: the patient's code.
        recorded_at: when the clip was recorded (UTC), from ``recorded_at_source``: ``"given"``
            (by the user), ``"clip"`` (the video's own creation time) or ``"file"`` (the file's
            modification time, when the video carries none).
        analysed_at: when it was analysed (UTC).
        clip_name: the clip's file name (no folder). clip_sha256: the hash of its bytes.
        note: the therapist's note.
        numbers: the verdicts and key measures.
        thresholds: the settings the verdicts used (``Config.to_dict()``) and, as ``height_cm``,
            the body height the gaze distance was computed with.
        gaitcheck_version, model_name, model_sha256: what produced it.
        has_video: the clip itself was stored too (only when asked).
    """

    id: int
    patient: str
    recorded_at: datetime
    recorded_at_source: str
    analysed_at: datetime
    clip_name: str | None
    clip_sha256: str | None
    note: str | None
    numbers: KeyNumbers
    thresholds: Mapping[str, Any] = field(compare=False, repr=False)
    gaitcheck_version: str | None = None
    model_name: str | None = None
    model_sha256: str | None = None
    has_video: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The session as JSON-ready data (times as ISO 8601 with the UTC offset)."""
        return {"id": self.id, "recorded_at": self.recorded_at.isoformat(),
                "recorded_at_source": self.recorded_at_source, "analysed_at": self.analysed_at.isoformat(),
                "clip_name": self.clip_name,
                "clip_sha256": self.clip_sha256, "note": self.note, **self.numbers.to_dict(),
                "gaitcheck_version": self.gaitcheck_version, "model": self.model_name,
                "model_sha256": self.model_sha256, "has_video": self.has_video}


@dataclass(frozen=True)
class PatientSummary:
    """A patient in the store: code, display name, number of sessions, and the last visit (None if none)."""

    code: str
    display_name: str | None
    sessions: int
    last_visit: datetime | None


@dataclass(frozen=True)
class Thumbnail:
    """A key moment's small picture: position (0 first), decoded frame, time, letter, words, JPEG bytes."""

    position: int
    frame: int
    t_s: float
    label: str
    title: str
    jpeg: bytes = field(repr=False)


@dataclass(frozen=True)
class HistoryEntry:
    """A session and what changed since the previous one (empty for the first)."""

    session: Session
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class History:
    """A patient's sessions in the order they were recorded (oldest first)."""

    patient: str
    display_name: str | None
    entries: tuple[HistoryEntry, ...]

    @property
    def sessions(self) -> tuple[Session, ...]:
        """The sessions, oldest first."""
        return tuple(e.session for e in self.entries)

    def to_dict(self) -> dict[str, Any]:
        """What ``gaitcheck history --json`` prints.

        ``{"patient": CODE, "sessions": [...]}``: each session's fields and ``changes``.
        """
        return {"patient": self.patient,
                "sessions": [{**e.session.to_dict(), "changes": [asdict(c) for c in e.changes]}
                             for e in self.entries]}


def changes_between(old: Report, new: Report) -> tuple[Change, ...]:
    """What changed from one report to the next (the lines of :func:`gaitcheck.compare_reports` not "same")."""
    c = compare_reports(old, new)
    return tuple(x for x in (*c.verdicts, *c.measures) if x.direction != "same")


def build_history(patient: str, display_name: str | None, sessions: Sequence[Session],
                  reports: Sequence[Report]) -> History:
    """The history of ``sessions`` (oldest first) with ``reports`` (theirs, in the same order)."""
    entries = [HistoryEntry(s, changes_between(reports[i - 1], reports[i]) if i else ())
               for i, s in enumerate(sessions)]
    return History(patient, display_name, tuple(entries))


_COLUMNS = ("id", "recorded_at", "clip_name", *STATUS_FIELDS, *NUMBER_FIELDS, "clip_sha256", "gaitcheck_version",
            "note")


def history_csv(history: History) -> str:
    """The sessions' key numbers as CSV text, one row per session (empty cell = unknown)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=_COLUMNS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for s in history.sessions:
        w.writerow({k: ("" if v is None else v) for k, v in s.to_dict().items()})
    return buf.getvalue()


def _show(v: float | None, nd: int) -> str:
    return "-" if v is None else f"{v:.{nd}f}"


def text_table(rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows of cells as left-aligned columns, two spaces apart.

    >>> text_table([("id", "status"), ("12", "pass")])
    ['id  status', '12  pass']
    """
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))] if rows else []
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def history_text(history: History) -> str:
    """The history as plain text: one line per session, then what changed at each visit."""
    name = f" ({history.display_name})" if history.display_name else ""
    n = len(history.entries)
    lines = [f"Patient {history.patient}{name}: {n} session{'s' if n != 1 else ''}", ""]
    head = ("id", "recorded", "look ahead", "slouch", "gait", "gaze m", "head°", "trunk°", "fwd head", "cadence",
            "asym %", "seen s")
    rows = [head]
    for s in history.sessions:
        k = s.numbers
        rows.append((str(s.id), s.recorded_at.strftime("%Y-%m-%d %H:%M"), k.look_ahead, k.slouch, k.gait,
                     _show(k.median_gaze_distance_m, 1), _show(k.median_head_pitch_deg, 0),
                     _show(k.median_trunk_lean_deg, 0), _show(k.median_forward_head_rel, 2), _show(k.cadence_spm, 0),
                     _show(k.step_time_asymmetry_pct, 1), _show(k.analysable_s, 1)))
    lines += text_table(rows)
    for e in history.entries:
        s = e.session
        if s.note:
            lines += ["", f"Note on session {s.id}: {s.note}"]
        if e is not history.entries[0]:
            lines += ["", f"Session {s.id} ({s.recorded_at:%Y-%m-%d}) compared with the one before:"]
            lines += [f"  {c.label}: {c.old} -> {c.new} ({c.direction})" for c in e.changes] or ["  nothing changed"]
    return "\n".join(lines)
