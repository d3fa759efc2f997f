"""What a session takes from the clip itself: when it was recorded, and small key-moment pictures."""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray

from ..report import Report
from .sessions import Thumbnail

__all__ = ["THUMBNAIL_WIDTH", "recorded_time", "thumbnails"]

THUMBNAIL_WIDTH = 320  # pixels; a JPEG of about 15 kB
_JPEG_QUALITY = 80


def recorded_time(video: str | os.PathLike[str]) -> tuple[datetime, str]:
    """When ``video`` was recorded (UTC) and how that is known.

    ``"clip"`` (the container's or the video stream's ``creation_time``) or ``"file"`` (the file's modification
    time, as a fallback).

    Raises:
        OSError: the file cannot be read.
    """
    import av

    try:
        with av.open(os.fspath(video), mode="r", metadata_errors="replace") as c:
            tags = [c.metadata.get("creation_time")] + [s.metadata.get("creation_time") for s in c.streams.video]
    except av.FFmpegError:
        tags = []
    for tag in tags:
        when = _parse_time(tag)
        if when is not None:
            return when, "clip"
    return datetime.fromtimestamp(os.stat(video).st_mtime, UTC), "file"


def _parse_time(tag: str | None) -> datetime | None:
    """An ISO 8601 ``creation_time`` tag as UTC; None when missing, unparsable or the 1904/1970 "unset" zero.

    >>> _parse_time("2023-12-03T09:12:28.000000Z")
    datetime.datetime(2023, 12, 3, 9, 12, 28, tzinfo=datetime.timezone.utc)
    >>> _parse_time("1970-01-01T00:00:00Z") is None, _parse_time("soon") is None
    (True, True)
    """
    if not tag:
        return None
    try:
        when = datetime.fromisoformat(tag.strip())
    except ValueError:
        return None
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return None if when.year <= 1970 else when


def _jpeg(image: NDArray[np.uint8]) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="JPEG", quality=_JPEG_QUALITY, optimize=True)
    return buf.getvalue()


def thumbnails(video: str | os.PathLike[str], report: Report) -> list[Thumbnail]:
    """The report's key moments (as in the PDF report) as small annotated JPEG pictures.

    Empty when the report carries no landmarks (a report read back from JSON).

    Raises:
        VideoReadError: the video cannot be read.
    """
    from ..evidence.keyframes import choose_key_frames, key_frame_images

    if report.series is None:
        return []
    keys = choose_key_frames(report)
    images = key_frame_images(video, report, keys, width=THUMBNAIL_WIDTH)
    pairs = zip(keys, images, strict=True)
    return [Thumbnail(i, k.frame, k.t_s, k.label, k.title, _jpeg(img)) for i, (k, img) in enumerate(pairs)]
