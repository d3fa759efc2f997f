"""Everything the Streamlit page needs that is not a widget: no ``streamlit`` import here.

The page (``app.py``) only draws widgets and calls these functions; the analysis is the same
:func:`gaitcheck.extract` / :func:`gaitcheck.score` the CLI uses. An upload lives in the browser
session (:class:`Upload`); it is written to a private temporary folder only for one step at a time
and deleted right after, and a bounded store of decoded frames lets reruns redraw pictures without
decoding the clip again.

Modules: :mod:`.upload` (the session's clip and its caches), :mod:`.frames` (temporary copies, the
frame store), :mod:`.precheck` (the quick look before the analysis), :mod:`.words` (cards and
captions), :mod:`.pictures`, :mod:`.charts` (Vega-Lite), :mod:`.files` (downloads), :mod:`.guide`,
:mod:`.history` (the therapist view's tables, trend charts, stored sessions' PDFs, QR codes).
"""

from __future__ import annotations

from .charts import MOMENT, ChartSpec, chart_rows, chart_specs, measure_chart, steps_chart
from .files import annotated_video_bytes, comparison, download_name, pdf_bytes
from .frames import VIDEO_TYPES, FrameStore, content_hash, temporary_video
from .guide import GUIDE_POINTS, guide_svg
from .pictures import (
    Moment,
    first_moment,
    frame_picture,
    key_moment_images,
    key_moments,
    track_thumbnails,
    verdict_moments,
    whole_body_frames,
)
from .precheck import Precheck, precheck_video
from .upload import Upload, extract_video_bytes, follow_person_bytes
from .words import (
    Card,
    cards,
    clip_caption,
    evidence_words,
    frame_caption,
    friendly,
    metres,
    pass_table,
    refilm_advice,
    view_words,
)

__all__ = ["GUIDE_POINTS", "MOMENT", "VIDEO_TYPES", "Card", "ChartSpec", "FrameStore", "Moment", "Precheck",
           "Upload", "annotated_video_bytes", "cards", "chart_rows", "chart_specs", "clip_caption", "comparison",
           "content_hash", "download_name", "evidence_words", "extract_video_bytes", "first_moment",
           "follow_person_bytes", "frame_caption", "frame_picture", "friendly", "guide_svg", "key_moment_images",
           "key_moments", "measure_chart", "metres", "pass_table", "pdf_bytes", "precheck_video", "refilm_advice",
           "steps_chart", "temporary_video", "track_thumbnails", "verdict_moments", "view_words", "whole_body_frames"]
