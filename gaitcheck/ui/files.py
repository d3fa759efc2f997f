"""Files for the user's records (PDF report, annotated video) made in a private temporary folder, and the
comparison with an earlier report.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..compare import compare_reports
from ..errors import InputError
from ..report import Report
from .upload import Upload

__all__ = ["annotated_video_bytes", "comparison", "download_name", "pdf_bytes"]


def download_name(upload_name: str, suffix: str) -> str:
    """The file name offered for a download made from the upload ``upload_name``.

    >>> download_name("My walk.MOV", ".gaitcheck.pdf")
    'My walk.gaitcheck.pdf'
    """
    return f"{Path(upload_name).stem}{suffix}"


def pdf_bytes(upload: Upload, report: Report) -> bytes:
    """The PDF report with the key moments' pictures (rendered in a private temporary folder, deleted after).

    Raises:
        VideoReadError: the clip cannot be read for the pictures.
    """
    from ..evidence.pdf import write_pdf_report

    def make() -> bytes:
        with upload.temporary() as path:
            out = path.with_name("report.pdf")
            write_pdf_report(report, out, video=path)
            return out.read_bytes()

    return upload.file("pdf", report, make)


def annotated_video_bytes(upload: Upload, report: Report) -> bytes:
    """The annotated H.264 MP4 as bytes (rendered in a private temporary folder, deleted after)."""
    from ..evidence.video import write_annotated_video

    def make() -> bytes:
        with upload.temporary() as path:
            out = path.with_name("annotated.mp4")
            write_annotated_video(path, report, out)
            return out.read_bytes()

    return upload.file("video", report, make)


def comparison(old: Mapping[str, Any], new: Report) -> tuple[list[dict[str, str]], str]:
    """An earlier report (its JSON, as uploaded) against this one: table rows and a one-paragraph summary.

    Raises:
        InputError: ``old`` is not a gaitcheck report.
    """
    if not isinstance(old, Mapping) or "checks" not in old or "schema_version" not in old:
        raise InputError("it has no gaitcheck checks")
    c = compare_reports(Report.from_dict(dict(old)), new)
    rows = [{"measure": ch.label, "earlier": ch.old, "now": ch.new, "change": ch.delta, "direction": ch.direction}
            for ch in (*c.verdicts, *c.measures)]
    words = (f"Since {c.old_name}: {c.count('better')} better, {c.count('worse')} worse, "
             f"{c.count('same')} about the same.")
    return rows, words
