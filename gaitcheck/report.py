"""The report: typed parts whose ``to_dict()`` is the JSON contract, ``from_dict`` to read it back, and writers.

Contract (schema_version 1; other tools read these keys, more may be added beside them)::

    {"schema_version": 1,
     "video": {"path", "fps", "frame_count", "duration_s", "width", "height", "rotation_deg", "turned_deg", ...},
     "view": "side|front|back|oblique|mixed|unknown",
     "subject": {"track_id", "detection_rate", "seen_from_s", "seen_to_s", "analysable_s", "tracks": [...]},
     "checks": {"look_ahead": {"status", "reason", "flagged_fraction", "episodes", "median_head_pitch_deg",
                               "median_gaze_distance_m", "feedback"},
                "slouch": {"status", "reason", "flagged_fraction", "episodes", "median_trunk_lean_deg",
                           "median_forward_head_rel", "median_ear_shoulder_hip_deg", "feedback"}},
     "gait": {"status", "reason", "steps", "cadence_spm", "step_time_s": {"left", "right"}, ...,
              "events": [{"frame", "t_s", "foot", "type"}]},
     "warnings": [],
     "camera_tilt_deg", "height_cm", "height_given", "settings": {...}, "software": {...},
     "frames": [{"frame", "t_s", "detected", "hip_x", "hip_y", "head_pitch_deg", "trunk_lean_deg", ...}]}

Numbers that cannot be measured are ``null``. ``gaze_distance_m`` is ``null`` both where the head
pitch is unknown and where the head points at or above the horizon (then ``head_pitch_deg`` is set).
``to_dict()`` is the one place where numbers are rounded; the typed parts hold them as measured.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._io import atomic_write
from .config import Config, LimitsConfig
from .errors import InputError
from .gait import GaitResult
from .series import PoseSeries
from .verdicts import Check, judged_medians

__all__ = ["FRAME_FIELDS", "SCHEMA_VERSION", "Frames", "JoinedTrack", "Pass", "Report", "Software", "Subject",
           "TrackRow", "VideoSummary", "csv_text", "json_text", "report_medians", "write_csv", "write_json"]

SCHEMA_VERSION = 1
FRAME_FIELDS = ("frame", "t_s", "detected", "hip_x", "hip_y", "head_pitch_deg", "trunk_lean_deg",
                "gaze_distance_m", "forward_head_rel", "ear_shoulder_hip_deg", "facing", "view", "walking",
                "seen_head", "seen_trunk", "seen_feet", "identity_jump", "look_down", "slouch", "gait_event", "pass")

F = NDArray[np.float64]
B = NDArray[np.bool_]
Data = Mapping[str, Any]


def rounded(v: float | None, nd: int) -> float | None:
    """``v`` rounded to ``nd`` decimals; None for None, NaN and infinity (JSON has no such numbers).

    >>> rounded(2.04567, 2), rounded(float("inf"), 2), rounded(None, 1)
    (2.05, None, None)
    """
    if v is None or not math.isfinite(v):
        return None
    return round(float(v), nd)


def _num(v: Any) -> float:
    """A JSON number as a float; NaN for null (or anything that is not a number)."""
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else math.nan


def _opt(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


@dataclass(frozen=True, kw_only=True)
class VideoSummary:
    """The clip as analysed: ``frame_count`` frames decoded (``declared_frame_count`` in the container)."""

    path: str
    fps: float
    frame_count: int
    duration_s: float
    width: int
    height: int
    rotation_deg: int  # clockwise turn applied to the stored frames (the file's own, plus turned_deg)
    codec: str
    declared_frame_count: int
    turned_deg: int = 0  # of that, the turn gaitcheck added to a video on its side (its rotation lost)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, rounded as the report documents."""
        return {"path": self.path, "fps": rounded(self.fps, 3), "frame_count": self.frame_count,
                "duration_s": rounded(self.duration_s, 3), "width": self.width, "height": self.height,
                "rotation_deg": self.rotation_deg, "codec": self.codec,
                "declared_frame_count": self.declared_frame_count, "turned_deg": self.turned_deg}

    @classmethod
    def from_dict(cls, d: Data) -> VideoSummary:
        """Read back what ``to_dict`` wrote."""
        return cls(path=str(d.get("path", "")), fps=_num(d.get("fps")), frame_count=int(d.get("frame_count") or 0),
                   duration_s=_num(d.get("duration_s")), width=int(d.get("width") or 0),
                   height=int(d.get("height") or 0), rotation_deg=int(d.get("rotation_deg") or 0),
                   codec=str(d.get("codec", "")), declared_frame_count=int(d.get("declared_frame_count") or 0),
                   turned_deg=int(d.get("turned_deg") or 0))


@dataclass(frozen=True, kw_only=True)
class TrackRow:
    """One tracked person as the report lists them (see :class:`gaitcheck.pose.walker.TrackStats`)."""

    track_id: int
    frames: int
    start_s: float
    end_s: float
    size_rel: float
    travel_rel: float
    leg_swing_rel: float
    score: float
    chosen: bool
    walking_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, rounded as the report documents."""
        return {"track_id": self.track_id, "frames": self.frames, "start_s": rounded(self.start_s, 3),
                "end_s": rounded(self.end_s, 3), "size_rel": rounded(self.size_rel, 3),
                "travel_rel": rounded(self.travel_rel, 3), "leg_swing_rel": rounded(self.leg_swing_rel, 3),
                "score": rounded(self.score, 3), "walking_s": rounded(self.walking_s, 2), "chosen": self.chosen}

    @classmethod
    def from_dict(cls, d: Data) -> TrackRow:
        """Read back what ``to_dict`` wrote."""
        return cls(track_id=int(d["track_id"]), frames=int(d.get("frames") or 0), start_s=_num(d.get("start_s")),
                   end_s=_num(d.get("end_s")), size_rel=_num(d.get("size_rel")),
                   travel_rel=_num(d.get("travel_rel")), leg_swing_rel=_num(d.get("leg_swing_rel")),
                   score=_num(d.get("score")), chosen=bool(d.get("chosen")), walking_s=_num(d.get("walking_s")))


@dataclass(frozen=True, kw_only=True)
class JoinedTrack:
    """Another pass of the walker: a track joined to the first one, and why (see :func:`gaitcheck.pose.choose_walk`)."""

    track_id: int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, rounded as the report documents."""
        return {"track_id": self.track_id, "reason": self.reason}

    @classmethod
    def from_dict(cls, d: Data) -> JoinedTrack:
        """Read back what ``to_dict`` wrote."""
        return cls(track_id=int(d["track_id"]), reason=str(d.get("reason", "")))


@dataclass(frozen=True, kw_only=True)
class Subject:
    """The walker and everyone else who was tracked.

    Which track (the first chosen, and the passes joined to it) and how often it was found.
    """

    track_id: int
    detection_rate: float
    seen_from_s: float
    seen_to_s: float
    analysable_s: float  # walking, seen from the side, detected: the time the posture verdicts rest on
    tracks: tuple[TrackRow, ...] = ()
    joined: tuple[JoinedTrack, ...] = ()  # the walker's other tracks (their other passes), best match first

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, rounded as the report documents."""
        return {"track_id": self.track_id, "detection_rate": rounded(self.detection_rate, 4),
                "seen_from_s": rounded(self.seen_from_s, 3), "seen_to_s": rounded(self.seen_to_s, 3),
                "analysable_s": rounded(self.analysable_s, 3), "tracks": [tr.to_dict() for tr in self.tracks],
                "joined": [j.to_dict() for j in self.joined]}

    @classmethod
    def from_dict(cls, d: Data) -> Subject:
        """Read back what ``to_dict`` wrote."""
        return cls(track_id=int(d.get("track_id") or 0), detection_rate=_num(d.get("detection_rate")),
                   seen_from_s=_num(d.get("seen_from_s")), seen_to_s=_num(d.get("seen_to_s")),
                   analysable_s=_num(d.get("analysable_s")),
                   tracks=tuple(TrackRow.from_dict(tr) for tr in d.get("tracks") or ()),
                   joined=tuple(JoinedTrack.from_dict(j) for j in d.get("joined") or ()))


@dataclass(frozen=True, kw_only=True)
class Software:
    """What made the report: gaitcheck's version and the pose model."""

    gaitcheck: str
    model: str
    model_sha256: str
    model_bundled: bool

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, rounded as the report documents."""
        return {"gaitcheck": self.gaitcheck, "model": self.model, "model_sha256": self.model_sha256,
                "model_bundled": self.model_bundled}

    @classmethod
    def from_dict(cls, d: Data) -> Software:
        """Read back what ``to_dict`` wrote."""
        return cls(gaitcheck=str(d.get("gaitcheck", "")), model=str(d.get("model", "")),
                   model_sha256=str(d.get("model_sha256", "")), model_bundled=bool(d.get("model_bundled")))


@dataclass(frozen=True, kw_only=True)
class Pass:
    """One pass of the walker across the picture (see :func:`gaitcheck.posture.pass_spans`) and its numbers."""

    index: int
    start_s: float
    end_s: float
    start_frame: int
    end_frame: int
    direction: str  # "left to right", "right to left", "towards the camera", "away from the camera" or ""
    track_ids: tuple[int, ...]  # the tracked people joined into this pass (the walker's tracks)
    seen_s: float  # walking in a side or oblique view with the head or the trunk seen
    steps: int  # initial contacts in it
    cadence_spm: float | None  # from its contacts (at least three)
    median_head_pitch_deg: float | None
    median_gaze_distance_m: float | None  # None: at or above the horizon, or unknown
    median_trunk_lean_deg: float | None
    median_forward_head_rel: float | None
    look_down_share: float | None  # share of its judged time flagged looking down
    slouch_share: float | None
    # the slope (degrees, + = rising to the right) of the head's path head pitch was measured against
    # (:func:`gaitcheck.posture.head_path_slope`); None: against the picture's horizontal
    head_path_slope_deg: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, rounded as the report documents."""
        return {"index": self.index, "start_s": rounded(self.start_s, 3), "end_s": rounded(self.end_s, 3),
                "start_frame": self.start_frame, "end_frame": self.end_frame, "direction": self.direction,
                "track_ids": list(self.track_ids), "seen_s": rounded(self.seen_s, 2), "steps": self.steps,
                "cadence_spm": rounded(self.cadence_spm, 1),
                "median_head_pitch_deg": rounded(self.median_head_pitch_deg, 2),
                "median_gaze_distance_m": rounded(self.median_gaze_distance_m, 2),
                "median_trunk_lean_deg": rounded(self.median_trunk_lean_deg, 2),
                "median_forward_head_rel": rounded(self.median_forward_head_rel, 3),
                "look_down_share": rounded(self.look_down_share, 3), "slouch_share": rounded(self.slouch_share, 3),
                "head_path_slope_deg": rounded(self.head_path_slope_deg, 2)}

    @classmethod
    def from_dict(cls, d: Data) -> Pass:
        """Read back what ``to_dict`` wrote."""
        return cls(index=int(d["index"]), start_s=_num(d.get("start_s")), end_s=_num(d.get("end_s")),
                   start_frame=int(d["start_frame"]), end_frame=int(d["end_frame"]),
                   direction=str(d.get("direction") or ""), track_ids=tuple(int(x) for x in d.get("track_ids") or ()),
                   seen_s=_num(d.get("seen_s")), steps=int(d.get("steps") or 0), cadence_spm=_opt(d.get("cadence_spm")),
                   median_head_pitch_deg=_opt(d.get("median_head_pitch_deg")),
                   median_gaze_distance_m=_opt(d.get("median_gaze_distance_m")),
                   median_trunk_lean_deg=_opt(d.get("median_trunk_lean_deg")),
                   median_forward_head_rel=_opt(d.get("median_forward_head_rel")),
                   look_down_share=_opt(d.get("look_down_share")), slouch_share=_opt(d.get("slouch_share")),
                   head_path_slope_deg=_opt(d.get("head_path_slope_deg")))


def _frozen(arr: NDArray[Any]) -> NDArray[Any]:
    out = np.array(arr, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False, kw_only=True)
class Frames:
    """The walker's per-frame measures: (T,) arrays (``hip_xy`` (T, 2)), row ``i`` = decoded frame ``i``.

    NaN where a measure is unknown; ``gaze_distance_m`` is infinity where the head points at or above
    the horizon. ``view`` and ``gait_event`` are strings, "" where none. Arrays are read-only.
    """

    t_s: F
    detected: B
    hip_xy: F  # normalised 0..1 in the upright frame, y down
    head_pitch_deg: F
    trunk_lean_deg: F
    gaze_distance_m: F
    forward_head_rel: F
    ear_shoulder_hip_deg: F
    facing: F  # +1 facing image-right, -1 image-left, NaN unknown
    view: NDArray[np.object_]
    walking: B
    seen_head: B  # the head (nose, eyes, ears) inside the picture, clear of its edges
    seen_trunk: B  # the shoulders and hips likewise
    seen_feet: B  # both feet likewise
    identity_jump: B
    gait_event: NDArray[np.object_]  # e.g. "initial_contact_left"
    pass_index: NDArray[np.int64]  # the walker's pass this frame belongs to (0, 1, ...), -1 none

    def __post_init__(self) -> None:
        for name in ("t_s", "detected", "hip_xy", "head_pitch_deg", "trunk_lean_deg", "gaze_distance_m",
                     "forward_head_rel", "ear_shoulder_hip_deg", "facing", "view", "walking", "seen_head",
                     "seen_trunk", "seen_feet", "identity_jump", "gait_event", "pass_index"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    def __len__(self) -> int:
        return len(self.t_s)

    def rows(self, look_down: B | None, slouch: B | None) -> list[dict[str, Any]]:
        """The JSON rows, with the checks' per-frame flags (None where a check is unknown)."""
        def r(v: float, nd: int = 2) -> float | None:
            return rounded(float(v), nd)

        out = []
        for i in range(len(self)):
            out.append({
                "frame": i, "t_s": round(float(self.t_s[i]), 4), "detected": bool(self.detected[i]),
                "hip_x": r(self.hip_xy[i, 0], 4), "hip_y": r(self.hip_xy[i, 1], 4),
                "head_pitch_deg": r(self.head_pitch_deg[i]), "trunk_lean_deg": r(self.trunk_lean_deg[i]),
                "gaze_distance_m": r(self.gaze_distance_m[i]), "forward_head_rel": r(self.forward_head_rel[i], 3),
                "ear_shoulder_hip_deg": r(self.ear_shoulder_hip_deg[i]),
                "facing": None if not np.isfinite(self.facing[i]) else int(self.facing[i]),
                "view": self.view[i] or None, "walking": bool(self.walking[i]),
                "seen_head": bool(self.seen_head[i]), "seen_trunk": bool(self.seen_trunk[i]),
                "seen_feet": bool(self.seen_feet[i]), "identity_jump": bool(self.identity_jump[i]),
                "look_down": None if look_down is None else bool(look_down[i]),
                "slouch": None if slouch is None else bool(slouch[i]),
                "gait_event": self.gait_event[i] or None,
                "pass": None if self.pass_index[i] < 0 else int(self.pass_index[i]),
            })
        return out

    @classmethod
    def from_rows(cls, rows: Sequence[Data]) -> Frames:
        """Read the JSON rows back (the inverse of :meth:`rows`, up to their rounding)."""
        def col(key: str) -> F:
            return np.array([_num(r.get(key)) for r in rows], np.float64)

        pitch = col("head_pitch_deg")
        gaze = col("gaze_distance_m")
        gaze = np.where(np.isnan(gaze) & ~np.isnan(pitch), np.inf, gaze)  # null with a pitch = at/above the horizon
        hip = np.column_stack([col("hip_x"), col("hip_y")]) if rows else np.zeros((0, 2))

        def flag(key: str) -> B:
            return np.array([bool(r.get(key)) for r in rows], bool)

        passes = np.array([p if isinstance(p := r.get("pass"), int) else -1 for r in rows], np.int64)
        return cls(t_s=col("t_s"), detected=np.array([bool(r.get("detected")) for r in rows], bool), hip_xy=hip,
                   head_pitch_deg=pitch, trunk_lean_deg=col("trunk_lean_deg"), gaze_distance_m=gaze,
                   forward_head_rel=col("forward_head_rel"), ear_shoulder_hip_deg=col("ear_shoulder_hip_deg"),
                   facing=col("facing"), view=np.array([r.get("view") or "" for r in rows], dtype=object),
                   walking=flag("walking"), seen_head=flag("seen_head"), seen_trunk=flag("seen_trunk"),
                   seen_feet=flag("seen_feet"), identity_jump=flag("identity_jump"),
                   gait_event=np.array([r.get("gait_event") or "" for r in rows], dtype=object), pass_index=passes)


def _flags(rows: Sequence[Data], key: str) -> B | None:
    """A check's per-frame flags from the rows, None where the check was not judged (all null)."""
    values = [r.get(key) for r in rows]
    if not values or all(v is None for v in values):
        return None
    return np.array([bool(v) for v in values], bool)


@dataclass(frozen=True, eq=False, kw_only=True)
class Report:
    """Everything gaitcheck found in one clip. ``to_dict()`` gives the JSON contract.

    Compared by identity (it holds arrays); compare two reports by their ``to_dict()``.
    """

    video: VideoSummary
    view: str
    subject: Subject
    look_ahead: Check
    slouch: Check
    gait: GaitResult | None
    warnings: tuple[str, ...]
    frames: Frames
    camera_tilt_deg: float | None  # the camera roll that was corrected, None if it could not be estimated
    height_cm: float  # the walker's height used for metres (given, or assumed: see height_given)
    height_given: bool
    settings: Config
    software: Software
    passes: tuple[Pass, ...] = ()
    #: The walker's cleaned landmarks (for overlays); not part of the JSON (None when read from JSON).
    series: PoseSeries | None = field(default=None, repr=False)

    @property
    def checks(self) -> dict[str, Check]:
        """The checks by name (``look_ahead``, ``slouch``)."""
        return {"look_ahead": self.look_ahead, "slouch": self.slouch}

    def shown_medians(self, check: str) -> dict[str, float | None]:
        """A check's medians as people read them: None where they rest on too little seen time."""
        return self.checks[check].judged_medians(self.settings.limits.min_analysable_s)

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data (NaN and infinity become null)."""
        d: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION, "video": self.video.to_dict(), "view": self.view,
            "subject": self.subject.to_dict(), "checks": {k: c.to_dict() for k, c in self.checks.items()}}
        if self.gait is not None:
            d["gait"] = self.gait.to_dict()
        d.update({"warnings": list(self.warnings), "camera_tilt_deg": rounded(self.camera_tilt_deg, 2),
                  "height_cm": self.height_cm, "height_given": self.height_given,
                  "settings": self.settings.to_dict(), "software": self.software.to_dict(),
                  "passes": [p.to_dict() for p in self.passes],
                  "frames": self.frames.rows(self.look_ahead.flagged, self.slouch.flagged)})
        return d

    @classmethod
    def from_dict(cls, d: Data) -> Report:
        """Read a report back from its JSON contract (e.g. ``json.load`` of ``gaitcheck analyze --json``).

        The result has no landmarks (``series`` is None), so the evidence that draws on the video
        (annotated video, key-moment pictures) cannot be made from it; everything else can.

        Raises:
            InputError: ``d`` is not a gaitcheck report of a schema version this gaitcheck reads.
        """
        if not isinstance(d, Mapping) or "schema_version" not in d:
            raise InputError("not a gaitcheck report (no schema_version)")
        if d["schema_version"] != SCHEMA_VERSION:
            raise InputError(f"report schema_version {d['schema_version']!r}; this gaitcheck reads {SCHEMA_VERSION}")
        checks = d.get("checks")
        if not isinstance(checks, Mapping) or not all(isinstance(checks.get(k), Mapping) and "status" in checks[k]
                                                      for k in ("look_ahead", "slouch")):
            raise InputError("not a complete gaitcheck report (its checks are missing)")
        if not isinstance(d.get("video"), Mapping):
            raise InputError("not a complete gaitcheck report (its video is missing)")
        rows = d.get("frames") or []
        try:
            return cls(video=VideoSummary.from_dict(d["video"]), view=str(d.get("view", "unknown")),
                       subject=Subject.from_dict(d.get("subject") or {}),
                       look_ahead=Check.from_dict(checks["look_ahead"], _flags(rows, "look_down")),
                       slouch=Check.from_dict(checks["slouch"], _flags(rows, "slouch")),
                       gait=GaitResult.from_dict(d["gait"]) if isinstance(d.get("gait"), Mapping) else None,
                       warnings=tuple(str(w) for w in d.get("warnings") or ()), frames=Frames.from_rows(rows),
                       camera_tilt_deg=_opt(d.get("camera_tilt_deg")), height_cm=_num(d.get("height_cm")),
                       height_given=bool(d.get("height_given")),
                       settings=Config.from_dict(d.get("settings") or {}),
                       software=Software.from_dict(d.get("software") or {}),
                       passes=tuple(Pass.from_dict(p) for p in d.get("passes") or ()))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"a damaged gaitcheck report ({type(exc).__name__}: {exc})") from None


def report_medians(d: Mapping[str, Any]) -> dict[str, dict[str, float | None]]:
    """Each check's medians in a report dict as people read them (:func:`gaitcheck.verdicts.judged_medians`).

    A median resting on less than the report's ``limits.min_analysable_s`` of seen frames is None.

    >>> report_medians({"checks": {"look_ahead": {"status": "unknown", "median_head_pitch_deg": -14.0,
    ...                                           "median_seen_s": {"median_head_pitch_deg": 0.04}}}})
    {'look_ahead': {'median_head_pitch_deg': None}}
    """
    settings = d.get("settings")
    limits = settings.get("limits") if isinstance(settings, Mapping) else None
    min_s = limits.get("min_analysable_s") if isinstance(limits, Mapping) else None
    if not isinstance(min_s, int | float):
        min_s = LimitsConfig().min_analysable_s
    checks = d.get("checks")
    if not isinstance(checks, Mapping):
        return {}
    return {k: judged_medians(c, float(min_s)) for k, c in checks.items() if isinstance(c, Mapping)}


def json_text(report: Report) -> str:
    """The report as JSON text (UTF-8 safe, indented)."""
    return json.dumps(report.to_dict(), indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def csv_text(report: Report) -> str:
    """The per-frame fields as CSV text, one row per decoded frame (empty cell = unknown)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=FRAME_FIELDS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for row in report.frames.rows(report.look_ahead.flagged, report.slouch.flagged):
        w.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in FRAME_FIELDS})
    return buf.getvalue()


def write_json(report: Report, path: str | os.PathLike[str]) -> None:
    """Write the report as JSON (UTF-8, indented)."""
    atomic_write(path, json_text(report))


def write_csv(report: Report, path: str | os.PathLike[str]) -> None:
    """Write the per-frame fields, one row per decoded frame (empty cell = unknown)."""
    atomic_write(path, csv_text(report))
