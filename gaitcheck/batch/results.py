"""The batch's results file: one row per input file, as CSV or JSON Lines, written crash-safely.

Rows are appended and flushed as files finish, so an interrupted batch leaves a valid file that
``--resume`` can continue; at the end the file is rewritten (atomically) in input order.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from .._io import atomic_write
from ..errors import ConfigError
from ..report import Report, report_medians

__all__ = ["COLUMNS", "FORMATS", "ResultsWriter", "error_row", "format_for", "read_results", "report_name",
           "report_row", "write_results"]

#: The results' columns, in order. Empty (CSV) or null (JSONL) = unknown or not applicable.
COLUMNS = ("path", "status", "error", "view", "detection_rate", "analysable_s",
           "look_ahead_status", "look_ahead_flagged_fraction", "median_head_pitch_deg", "median_gaze_distance_m",
           "slouch_status", "slouch_flagged_fraction", "median_trunk_lean_deg", "median_forward_head_rel",
           "steps", "cadence_spm", "duration_s", "frame_count", "n_warnings", "report", "sha256")
FORMATS = ("csv", "jsonl")
_GAIT_COLUMNS = ("steps", "cadence_spm")


def format_for(out: str | os.PathLike[str], fmt: str | None) -> str:
    """The format asked for, else the one the output's suffix says (``.jsonl``/``.ndjson``), else csv."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise ConfigError(f"unknown results format {fmt!r}; use one of: {', '.join(FORMATS)}")
        return fmt
    return "jsonl" if Path(out).suffix.lower() in (".jsonl", ".ndjson") else "csv"


def report_name(path: str) -> str:
    """The file name of a clip's JSON report: its name plus a hash of its absolute path.

    Clips with the same name in different folders get different reports; the same clip keeps its
    report name from one run to the next.

    >>> report_name("/clinic/a/walk.mp4") != report_name("/clinic/b/walk.mp4")
    True
    """
    digest = hashlib.sha256(os.path.abspath(path).encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{Path(path).stem}-{digest}.json"


def _blank(path: str, status: str, sha256: str | None) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(path=path, status=status, sha256=sha256)
    return row


def error_row(path: str, message: str, sha256: str | None = None) -> dict[str, Any]:
    """A ``status=error`` row; the message is made one line."""
    row = _blank(path, "error", sha256)
    row["error"] = " ".join(message.split())
    return row


def report_row(path: str, sha256: str, report: Report, report_file: str | None) -> dict[str, Any]:
    """The ``status=ok`` row of a clip from its report (numbers rounded as in the report's JSON)."""
    d = report.to_dict()
    row = _blank(path, "ok", sha256)
    la, sl, gait = d["checks"]["look_ahead"], d["checks"]["slouch"], d.get("gait") or {}
    shown = report_medians(d)  # blank where a median rests on too little seen time (the JSON keeps it)
    la_m, sl_m = shown["look_ahead"], shown["slouch"]
    row.update(
        view=d["view"], detection_rate=d["subject"]["detection_rate"], analysable_s=d["subject"]["analysable_s"],
        look_ahead_status=la["status"], look_ahead_flagged_fraction=la["flagged_fraction"],
        median_head_pitch_deg=la_m["median_head_pitch_deg"], median_gaze_distance_m=la_m["median_gaze_distance_m"],
        slouch_status=sl["status"], slouch_flagged_fraction=sl["flagged_fraction"],
        median_trunk_lean_deg=sl_m["median_trunk_lean_deg"], median_forward_head_rel=sl_m["median_forward_head_rel"],
        duration_s=d["video"]["duration_s"], frame_count=d["video"]["frame_count"], n_warnings=len(d["warnings"]),
        report=report_file, **{k: gait.get(k) for k in _GAIT_COLUMNS},
    )
    return row


def _csv_value(v: Any) -> Any:
    return "" if v is None else v


def _encode(rows: Iterable[dict[str, Any]], fmt: str, header: bool) -> str:
    buf = io.StringIO()
    if fmt == "csv":
        w = csv.DictWriter(buf, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
        if header:
            w.writeheader()
        for row in rows:
            w.writerow({k: _csv_value(row.get(k)) for k in COLUMNS})
    else:
        for row in rows:
            buf.write(json.dumps({k: row.get(k) for k in COLUMNS}, ensure_ascii=False, allow_nan=False) + "\n")
    return buf.getvalue()


def write_results(path: str | os.PathLike[str], rows: Iterable[dict[str, Any]], fmt: str) -> None:
    """Write the whole results file atomically (a temporary file beside it, then a rename)."""
    atomic_write(path, _encode(rows, fmt, header=True))


def read_results(path: str | os.PathLike[str], fmt: str) -> list[dict[str, Any]]:
    """The rows of an existing results file (CSV values stay strings, empty = None); [] when it is missing.

    Raises:
        ConfigError: the file is not a gaitcheck results file of this format.
    """
    p = Path(path)
    if not p.is_file():
        return []
    try:
        text = p.read_text(encoding="utf-8")
        if fmt == "csv":
            reader = csv.DictReader(io.StringIO(text))
            if not {"path", "status", "sha256"} <= set(reader.fieldnames or ()):
                raise ValueError("the columns path, status and sha256 are missing")
            rows = [{k: (None if v in ("", None) else v) for k, v in r.items() if k in COLUMNS} for r in reader]
        else:
            rows = []
            for line in text.splitlines():
                if line.strip():
                    obj = json.loads(line)
                    if not isinstance(obj, dict) or "path" not in obj or "status" not in obj:
                        raise ValueError("a line is not a results row")
                    rows.append(obj)
    except (OSError, UnicodeDecodeError, ValueError, csv.Error) as exc:
        raise ConfigError(f"cannot resume from {p}: not a gaitcheck {fmt} results file ({exc})") from None
    return rows


class ResultsWriter:
    """Appends rows to the results file, flushing each, after writing its header and any kept rows."""

    def __init__(self, path: str | os.PathLike[str], fmt: str, initial: Iterable[dict[str, Any]] = ()) -> None:
        self.path, self.fmt = Path(path), fmt
        write_results(self.path, initial, fmt)
        self._f: IO[str] | None = self.path.open("a", encoding="utf-8", newline="")

    def append(self, row: dict[str, Any]) -> None:
        """Append one row and flush it to disk."""
        assert self._f is not None, "writer is closed"
        self._f.write(_encode([row], self.fmt, header=False))
        self._f.flush()

    def close(self) -> None:
        """Close the results file."""
        if self._f is not None:
            self._f.close()
            self._f = None

    def __enter__(self) -> ResultsWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
