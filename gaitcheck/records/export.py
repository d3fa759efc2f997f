"""Export everything stored for one patient as a zip file.

Layout (``CODE`` is the patient's code; one folder per session, oldest first)::

    CODE/sessions.csv           the key numbers, one row per session
    CODE/history.json           what ``gaitcheck history CODE --json`` prints
    CODE/trend.png              the trend charts
    CODE/001-2026-03-14-session-7/report.json   the report, exactly as saved
    CODE/001-2026-03-14-session-7/report.pdf    its PDF report, compared with the session before
    CODE/001-2026-03-14-session-7/key-moment-A.jpg ...
    CODE/001-2026-03-14-session-7/<clip>        only when the clip itself was stored

The zip is written through a temporary file beside ``out`` (mode 0600: it holds health data) and
renamed into place; the PDFs are made in a private temporary folder, deleted when done.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from .._io import atomic_path
from ..report import Report
from .sessions import Session, history_csv

if TYPE_CHECKING:
    from .store import RecordStore

__all__ = ["export_patient", "session_folder"]


def session_folder(position: int, session: Session) -> str:
    """The folder of a session in the zip: its position (1 = oldest), recording date and id.

    >>> from datetime import datetime, UTC
    >>> from gaitcheck.records.sessions import KeyNumbers
    >>> s = Session(id=7, patient="P-1", recorded_at=datetime(2026, 3, 14, tzinfo=UTC), recorded_at_source="given",
    ...             analysed_at=datetime(2026, 3, 14, tzinfo=UTC), clip_name=None, clip_sha256=None, note=None,
    ...             numbers=KeyNumbers(look_ahead="pass", slouch="pass", gait="pass"), thresholds={})
    >>> session_folder(1, s)
    '001-2026-03-14-session-7'
    """
    return f"{position:03d}-{session.recorded_at:%Y-%m-%d}-session-{session.id}"


def _pdf_bytes(report: Report, previous: Report | None, session: Session, folder: Path) -> bytes:
    from ..evidence.pdf.report import write_pdf_report

    path = folder / f"session-{session.id}.pdf"
    write_pdf_report(report, path, compare_to=previous, generated=session.analysed_at)
    data = path.read_bytes()
    path.unlink()
    return data


def _png_bytes(store: RecordStore, patient: str) -> bytes:
    from .plot import trend_figure

    buf = io.BytesIO()
    trend_figure(store.history(patient)).savefig(buf, format="png", dpi=110)
    return buf.getvalue()


def export_patient(store: RecordStore, patient: str, out: str | os.PathLike[str]) -> Path:
    """Write everything stored for ``patient`` to the zip file ``out`` (replaced if it exists).

    Raises:
        RecordNotFoundError: no such patient.
        OSError: ``out`` cannot be written.
    """
    history = store.history(patient)
    code = history.patient
    dst = Path(out)
    with tempfile.TemporaryDirectory(prefix="gaitcheck-export-") as scratch, atomic_path(dst) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f, zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr(f"{code}/sessions.csv", history_csv(history))
            z.writestr(f"{code}/history.json", json.dumps(history.to_dict(), indent=1, ensure_ascii=False) + "\n")
            z.writestr(f"{code}/trend.png", _png_bytes(store, code))
            previous: Report | None = None
            for position, session in enumerate(history.sessions, start=1):
                folder = f"{code}/{session_folder(position, session)}"
                data = store.report(session.id)
                report = Report.from_dict(data)
                z.writestr(f"{folder}/report.json", json.dumps(data, indent=1, ensure_ascii=False) + "\n")
                z.writestr(f"{folder}/report.pdf", _pdf_bytes(report, previous, session, Path(scratch)))
                for t in store.thumbnails(session.id):
                    z.writestr(f"{folder}/key-moment-{t.label}.jpg", t.jpeg)
                clip = store.video(session.id)
                if clip is not None:
                    z.writestr(f"{folder}/{Path(clip[0]).name or 'clip'}", clip[1])
                previous = report
    return dst
