"""The PDF report a therapist can file (matplotlib figures, no pyplot).

:mod:`.report` composes the pages, :mod:`.sections` draws the later sections, :mod:`.charts` the
timelines and :mod:`.layout` places blocks on A4 pages.
"""

from __future__ import annotations

from .report import DISCLAIMER, render_pages, write_pdf_report

__all__ = ["DISCLAIMER", "render_pages", "write_pdf_report"]
