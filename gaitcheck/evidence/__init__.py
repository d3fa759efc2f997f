"""Evidence for the therapist: overlays drawn on frames, the annotated video, key moments, the PDF.

:mod:`.marks` decides what to draw from a report (pure numpy), :mod:`.draw` draws it (the only
OpenCV user), :mod:`.video` writes the annotated MP4, :mod:`.keyframes` picks and pictures the
moments to look at, and :mod:`.pdf` lays out the report pages.
"""

from __future__ import annotations

from .draw import annotate_frame, thumbnail
from .keyframes import KeyFrame, choose_key_frames, key_frame_images
from .marks import ClipOverlay, FrameMarks, clip_overlay
from .pdf import render_pages, write_pdf_report
from .video import write_annotated_video

__all__ = ["ClipOverlay", "FrameMarks", "KeyFrame", "annotate_frame", "choose_key_frames", "clip_overlay",
           "key_frame_images", "render_pages", "thumbnail", "write_annotated_video", "write_pdf_report"]
