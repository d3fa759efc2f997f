"""The report: a typed object whose ``to_dict()`` is the JSON contract, plus JSON/CSV writers.

Contract (schema_version 1; other tools read these keys, more may be added beside them)::

    {"schema_version": 1,
     "video": {"path", "fps", "frame_count", "duration_s", "width", "height", "rotation_deg"},
     "view": "side|front|back|oblique|mixed|unknown",
     "subject": {"track_id", "detection_rate"},
     "checks": {"look_ahead": {"status", "flagged_fraction", "episodes", "median_head_pitch_deg", "feedback"},
                "slouch": {"status", "flagged_fraction", "episodes", "median_trunk_lean_deg", "feedback"}},
     "gait": {"status", "reason", "steps", "cadence_spm", "step_time_s": {"left", "right"},
              "step_time_asymmetry_pct", "stride_length_m", "stride_length_rel_leg",
              "foot_strike": "heel|flat|forefoot|unknown", "overstride": {"status", "median_rel", "feedback"},
              "events": [{"frame", "t_s", "foot", "type"}]},
     "warnings": [],
     "frames": [{"frame", "t_s", "detected", "hip_x", "hip_y", "head_pitch_deg", "trunk_lean_deg"}]}

Numbers that cannot be measured are ``null``. ``gaze_distance_m`` is ``null`` both where the head
pitch is unknown and where the head points at or above the horizon (then ``head_pitch_deg`` is set).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from dataclasses import dataclass, field
from typing import Any

from ._io import atomic_write
from .gait import GaitResult
from .series import PoseSeries
from .verdicts import Check

__all__ = ["FRAME_FIELDS", "Report", "csv_text", "json_text", "write_csv", "write_json"]

SCHEMA_VERSION = 1
FRAME_FIELDS = ("frame", "t_s", "detected", "hip_x", "hip_y", "head_pitch_deg", "trunk_lean_deg",
                "gaze_distance_m", "forward_head_rel", "ear_shoulder_hip_deg", "view", "walking",
                "identity_jump", "look_down", "slouch", "gait_event")


@dataclass(frozen=True)
class Report:
    """Everything gaitcheck found in one clip. ``to_dict()`` gives the JSON contract."""

    video: dict[str, Any]
    view: str
    subject: dict[str, Any]
    look_ahead: Check
    slouch: Check
    warnings: tuple[str, ...]
    frames: tuple[dict[str, Any], ...]
    extra: dict[str, Any] = field(default_factory=dict)
    gait: GaitResult | None = None
    #: The walker's cleaned landmarks (for overlays); not part of the JSON.
    series: PoseSeries | None = field(default=None, repr=False, compare=False)

    @property
    def checks(self) -> dict[str, Check]:
        return {"look_ahead": self.look_ahead, "slouch": self.slouch}

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data (NaN and infinity become null)."""
        d = {"schema_version": SCHEMA_VERSION, "video": self.video, "view": self.view, "subject": self.subject,
             "checks": {k: c.to_dict() for k, c in self.checks.items()},
             **({"gait": self.gait.to_dict()} if self.gait is not None else {}), "warnings": list(self.warnings),
             **self.extra, "frames": list(self.frames)}
        out: dict[str, Any] = _clean(d)
        return out


def _clean(x: Any) -> Any:
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    return x


def json_text(report: Report) -> str:
    """The report as JSON text (UTF-8 safe, indented)."""
    return json.dumps(report.to_dict(), indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def csv_text(report: Report) -> str:
    """The per-frame fields as CSV text, one row per decoded frame (empty cell = unknown)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=FRAME_FIELDS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for row in report.to_dict()["frames"]:
        w.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in FRAME_FIELDS})
    return buf.getvalue()


def write_json(report: Report, path: str | os.PathLike[str]) -> None:
    """Write the report as JSON (UTF-8, indented)."""
    atomic_write(path, json_text(report))


def write_csv(report: Report, path: str | os.PathLike[str]) -> None:
    """Write the per-frame fields, one row per decoded frame (empty cell = unknown)."""
    atomic_write(path, csv_text(report))
