"""The upload in memory for one browser session: its bytes, a private temporary copy for one step at a
time, and a bounded store of decoded frames so that reruns (every slider move) decode nothing again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..video import VideoReader

__all__ = ["VIDEO_TYPES", "FrameStore", "content_hash", "temporary_video"]

VIDEO_TYPES = ("mp4", "mov", "m4v", "avi")
Image = NDArray[np.uint8]


def content_hash(data: bytes) -> str:
    """sha256 of an upload, the key of every cached result.

    >>> content_hash(b"")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def temporary_video(data: bytes, name: str) -> Iterator[Path]:
    """Write an upload to a private temporary folder, yield its path, and delete it afterwards.

    The folder is readable by this user only and is removed even when the step fails.
    """
    suffix = Path(name).suffix.lower() if Path(name).suffix.lower().lstrip(".") in VIDEO_TYPES else ".mp4"
    with tempfile.TemporaryDirectory(prefix="gaitcheck-") as folder:
        os.chmod(folder, 0o700)
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        yield path


class FrameStore:
    """Decoded frames of one clip, kept in memory as JPEG and at most ``budget_bytes`` in all.

    :meth:`get` returns the frames asked for; those not kept are decoded in one pass over a
    temporary copy of the clip (made by ``open_video`` and deleted right after), which also keeps
    every other frame it passes while there is room, so that later asks (the next slider move)
    find theirs. When the budget is full, the least recently used frames make room for the ones
    asked for.

    Attributes:
        passes: decoding passes made so far (each one wrote a temporary copy of the clip).
    """

    def __init__(self, open_video: Callable[[], AbstractContextManager[Path]], *, budget_bytes: int = 64 * 2**20,
                 max_side: int = 1280, quality: int = 85) -> None:
        """Args:
        open_video: yields a path to the clip for one pass, deleting it afterwards.
        budget_bytes: at most this many bytes of JPEG are kept.
        max_side: frames with a longer side are kept this size (and given back at full size).
        quality: JPEG quality, 1-95.
        """
        self._open = open_video
        self.budget_bytes = budget_bytes
        self._max_side = max_side
        self._quality = quality
        self._kept: OrderedDict[int, bytes] = OrderedDict()
        self._bytes = 0
        self._size: tuple[int, int] | None = None  # (width, height) of the full frame
        self.passes = 0
        self.turn_deg = 0  # clockwise turn beyond the file's rotation (a video on its side): see :meth:`turn`

    def turn(self, turn_deg: int) -> None:
        """Give the frames turned ``turn_deg`` clockwise from now on (the analysis found the video on its side)."""
        if turn_deg != self.turn_deg:
            self.turn_deg = turn_deg
            self._kept.clear()
            self._bytes = 0
            self._size = None

    @property
    def nbytes(self) -> int:
        """Bytes of JPEG kept now (never above ``budget_bytes``)."""
        return self._bytes

    def __contains__(self, index: object) -> bool:
        return index in self._kept

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, indices: Iterable[int]) -> dict[int, Image]:
        """The frames ``indices`` as (H, W, 3) RGB at full size; frames past the clip's end are left out.

        Raises:
            VideoReadError: the clip cannot be decoded.
        """
        wanted = sorted(set(indices))
        found: dict[int, Image] = {}
        for i in wanted:
            if i in self._kept:
                self._kept.move_to_end(i)
                found[i] = self._decode(self._kept[i])
        missing = {i for i in wanted if i not in found}
        if missing:
            found.update(self._fill(missing, set(wanted)))
        return {i: found[i] for i in wanted if i in found}

    def _fill(self, missing: set[int], protect: set[int]) -> dict[int, Image]:
        last = max(missing)
        room = [self._bytes < self.budget_bytes]
        out: dict[int, Image] = {}

        def select(index: int, _t: float) -> bool | None:  # runs in the decoding thread
            if index in missing:
                return True
            if index > last and not room[0]:
                return None
            return room[0] and index not in self._kept

        self.passes += 1
        with self._open() as path, VideoReader(path, select=select, turn_deg=self.turn_deg) as reader:
            for frame in reader:
                i = frame.index
                self._size = (frame.image.shape[1], frame.image.shape[0])
                if i in missing:
                    out[i] = frame.image
                    self._put(i, frame.image, protect)
                elif i not in self._kept:
                    self._put(i, frame.image, None)
                room[0] = self._bytes < self.budget_bytes
        return out

    def _put(self, index: int, image: Image, protect: set[int] | None) -> None:
        import cv2  # the project's one image library (mediapipe's opencv-contrib)

        h, w = image.shape[:2]
        if max(w, h) > self._max_side:
            f = self._max_side / max(w, h)
            size = (max(1, round(w * f)), max(1, round(h * f)))
            image = np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_LINEAR), np.uint8)
        ok, buf = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY,
                                                                                 self._quality])
        if not ok:
            return
        data = buf.tobytes()
        if protect is not None:  # asked for now: older frames make room
            for old in [k for k in self._kept if k not in protect]:
                if self._bytes + len(data) <= self.budget_bytes:
                    break
                self._bytes -= len(self._kept.pop(old))
        if self._bytes + len(data) <= self.budget_bytes:
            self._kept[index] = data
            self._bytes += len(data)

    def _decode(self, data: bytes) -> Image:
        import cv2

        bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        assert bgr is not None, "a JPEG this store encoded failed to decode"
        image = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        if self._size is not None and (image.shape[1], image.shape[0]) != self._size:
            image = cv2.resize(image, self._size, interpolation=cv2.INTER_LINEAR)
        return np.ascontiguousarray(image, np.uint8)
