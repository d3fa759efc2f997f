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


def _person_mask(img: NDArray[np.uint8], background: NDArray[np.int16]) -> NDArray[np.bool_]:
    """Where ``img`` differs from its clip's ``background``, kept to the largest blob's box (the walker)."""
    moved = (np.abs(img.astype(np.int16) - background).max(axis=2) > 30).astype(np.uint8)
    moved = cv2.morphologyEx(moved, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(moved)
    box = np.zeros(moved.shape, bool)
    if n > 1:
        x, y, w, h = stats[1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA])), :4]
        box[y:y + h, x:x + w] = True
    return (cv2.dilate(moved, np.ones((9, 9), np.uint8)) > 0) & box


def together(path: str | os.PathLike[str], front: str, behind: str, *, delay: int,
             tint: tuple[float, float, float] = (1.0, 1.0, 1.0), mirror: bool = False, fps: int = 30) -> Path:
    """Two people in one picture: ``behind``'s walker pasted ``delay`` frames late into ``front``.

    Both clips must be filmed by one camera in one room (the Biomechanics-of-gait clips are): the
    walker of ``behind`` is cut out where its frames differ from its clip's background (the median
    frame) and pasted over ``front``'s frames, each RGB channel times ``tint`` (other clothes: the
    same person of those clips in red, say), mirrored if asked (walking the other way: the two
    cross). H.264 at ``fps``, ``front``'s size; returns the path.
    """
    with av.open(os.fspath(VIDEOS / front)) as video:
        s = video.streams.video[0]
        size = (s.codec_context.width, s.codec_context.height)
    first = _frames(Part(front, 0, 10**6), size)
    second = _frames(Part(behind, 0, 10**6, mirror=mirror), size)
    background = np.median(np.stack(second[::4]), axis=0).astype(np.int16)
    gain = np.array(tint, np.float32)
    with av.open(os.fspath(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps, options={"crf": "18", "preset": "veryfast"})
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        for n in range(max(len(first), len(second) + delay)):
            img = first[min(n, len(first) - 1)].copy()
            if 0 <= n - delay < len(second):
                other = second[n - delay]
                mask = _person_mask(other, background)
                img[mask] = (other[mask] * gain).clip(0, 255).astype(np.uint8)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = n
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return Path(path)
