"""Clips made from real ones inside the tests: stretches of real clips, mirrored or not, one after another.

The source clips stay in ../shared/videos; what this writes goes to a test's temporary folder
(never into the project).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np
from conftest import SHARED_VIDEOS as VIDEOS
from numpy.typing import NDArray


@dataclass(frozen=True)
class Part:
    """Frames ``first`` to ``last`` (inclusive) of ``clip`` (a file name in the shared videos), mirrored or not."""

    clip: str
    first: int
    last: int
    mirror: bool = False


def _frames(part: Part, size: tuple[int, int]) -> list[NDArray[np.uint8]]:
    out = []
    with av.open(os.fspath(VIDEOS / part.clip)) as video:
        for i, frame in enumerate(video.decode(video=0)):
            if i > part.last:
                break
            if i < part.first:
                continue
            img = frame.to_ndarray(format="rgb24")
            if (img.shape[1], img.shape[0]) != size:
                img = _fit(img, size)
            out.append(img[:, ::-1] if part.mirror else img)
    return out


def _fit(img: NDArray[np.uint8], size: tuple[int, int]) -> NDArray[np.uint8]:
    """``img`` scaled to fit a (W, H) frame, centred on black."""
    w, h = size
    k = min(w / img.shape[1], h / img.shape[0])
    small = cv2.resize(img, (round(img.shape[1] * k), round(img.shape[0] * k)), interpolation=cv2.INTER_AREA)
    out = np.zeros((h, w, 3), np.uint8)
    y, x = (h - small.shape[0]) // 2, (w - small.shape[1]) // 2
    out[y:y + small.shape[0], x:x + small.shape[1]] = small
    return out


def montage(path: str | os.PathLike[str], parts: Sequence[Part], *, size: tuple[int, int] = (1280, 720),
            fps: int = 30) -> Path:
    """Write ``parts`` one after the other as an H.264 clip of ``size`` at ``fps``; returns its path."""
    with av.open(os.fspath(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps, options={"crf": "20", "preset": "veryfast"})
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        n = 0
        for part in parts:
            for img in _frames(part, size):
                frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")
                frame.pts = n
                n += 1
                container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return Path(path)
