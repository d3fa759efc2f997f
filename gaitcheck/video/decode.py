"""Read a video as upright RGB frames timed by their presentation timestamps (the only decoder).

Applies the display rotation phones store beside the pixels, times frames by pts (phone clips have a
variable frame rate), decodes in a background thread into a bounded queue, and turns unusable files into
a one-line VideoReadError and damaged-but-readable ones into frames plus ``VideoReader.warnings``.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from fractions import Fraction
from types import TracebackType

import av
import av.error
import numpy as np
from numpy.typing import NDArray

from gaitcheck.errors import InputTooLargeError

from .metadata import _AV_ERRORS, _fail, _fmt, _no_frame_error, _open, _probe

__all__ = ["Frame", "Select", "VideoReader"]

_MIN_STEP_S = 1e-3  # consecutive frames are at least 1 ms apart (MediaPipe wants increasing ms)
_END = object()  # end-of-stream marker put on the queue by the decoding thread
_DAMAGED = "The video is damaged: "

Select = Callable[[int, float], bool | None]
"""``select(index, t_s)``: True = hand this frame over, False = skip it (not converted to RGB), None = stop."""


@dataclass(frozen=True, eq=False)
class Frame:
    """One decoded frame (compared by identity: it holds an array)."""

    index: int  # 0-based among decoded frames
    t_s: float  # presentation time from the first frame; increasing, consecutive frames >= 1 ms apart
    image: NDArray[np.uint8]  # (H, W, 3) RGB, upright, C-contiguous



def _tolerant_decode(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, stats: dict[str, int]
) -> Generator[av.VideoFrame, None, None]:
    """Yield every frame that decodes; count packets, undecodable packets and a broken-off demux."""
    demux = container.demux(stream)
    while True:
        try:
            packet = next(demux)
        except StopIteration:
            return
        except _AV_ERRORS:  # damaged container data: flush what the decoder holds, then stop
            stats["stopped"] = 1
            with contextlib.suppress(*_AV_ERRORS):
                yield from stream.codec_context.decode(None)
            return
        stats["packets"] += packet.size > 0
        try:
            frames = packet.decode()
        except av.error.FFmpegError:
            stats["bad"] += 1
            continue
        yield from frames


class _Clock:
    """Turns frame timestamps into strictly increasing seconds relative to the first frame."""

    def __init__(self, fps: float, tb: Fraction | None, name: str, warn: Callable[[str], None]) -> None:
        self._fps, self._tb, self._name, self._warn = fps, tb, name, warn
        self._prev: float | None = None
        self._origin: Fraction | None = None

    def _step(self) -> float:
        if self._fps <= 0:
            raise _fail(self._name, "frames have no timestamps and the frame rate is unknown.")
        return 1.0 / self._fps

    def time(self, frame: av.VideoFrame) -> float:
        """Return the time of ``frame`` in seconds; call once per frame, in decoding order."""
        tb = frame.time_base or self._tb
        if frame.pts is not None and tb:
            exact = Fraction(frame.pts) * tb
            if self._origin is None:  # first timed frame: 0, or one step after untimed ones
                self._origin = exact if self._prev is None else exact - Fraction(self._prev + self._step())
            t = float(exact - self._origin)
        elif self._prev is None:
            t = 0.0
        else:
            self._warn(f"Some frames have no timestamp; their times were estimated at {self._fps:.3g} fps.")
            t = self._prev + self._step()
        if self._prev is not None and t < self._prev + _MIN_STEP_S - 1e-9:
            t = self._prev + _MIN_STEP_S
            self._warn("Some frame timestamps were repeated or out of order; such frames were moved 1 ms on.")
        self._prev = t
        return t


class VideoReader:
    """Stream the upright frames of a video, decoded in a background thread into a bounded queue.

    Use as a context manager and iterate once (``with VideoReader(p) as r: for frame in r: ...``).
    Leaving the loop early, ``close()`` or leaving the ``with`` block stops the thread and closes the file.

    Attributes:
        info: The VideoInfo (the constructor probes the file and raises like :func:`probe_video`).
        warnings: Sentences about problems met while reading (damaged data, bad timestamps).
        frames_read: Frames handed to the caller so far.
        times: The time (s) of every frame decoded so far, handed over or skipped by ``select``;
            complete once the iteration has ended.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        max_duration_s: float | None = None,
        max_pixels: int | None = None,
        prefetch: int = 8,
        select: Select | None = None,
        threads: int = 0,
        turn_deg: int = 0,
    ) -> None:
        """Probe the file; decoding starts with the iteration.

        Args:
            path: The video file; opened read-only.
            max_duration_s: Limit on the declared duration and on decoded frame times (seconds).
            max_pixels: Limit on the pixels per frame.
            prefetch: How many decoded frames may wait in the queue.
            select: Called in the decoding thread as ``select(index, t_s)`` for every decoded frame:
                True hands the frame over, False skips it (it is still decoded, which later frames
                need, and timed in ``times``, but not converted), None ends the iteration there
                (without a warning). Default: every frame.
            threads: Decoder threads; 0 = FFmpeg's choice (all cores). 1 leaves the other cores to
                the caller's own work.
            turn_deg: Turn the frames this much further clockwise than the file's rotation says
                (``info.turned_deg``; for a video on its side).
        """
        if prefetch < 1:
            raise ValueError("prefetch must be at least 1")
        self.info, self._pos = _probe(path, max_duration_s, max_pixels, turn_deg)
        self._name = os.path.basename(os.path.normpath(self.info.path)) or self.info.path
        self._max_s = max_duration_s
        self._select = select
        self._threads = threads
        self._queue: queue.Queue[object] = queue.Queue(maxsize=prefetch)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.warnings: list[str] = []
        self.frames_read = 0
        self.times: list[float] = []

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(
        self, typ: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __iter__(self) -> Iterator[Frame]:
        if self._thread is not None or self._stop.is_set():
            raise RuntimeError("a VideoReader can be iterated only once")
        self._thread = threading.Thread(target=self._run, name=f"gaitcheck-decode-{self._name}", daemon=True)
        return self._frames(self._thread)

    def close(self, timeout_s: float = 10.0) -> None:
        """Stop the decoding thread (which closes the file) and drop queued frames. Idempotent."""
        self._stop.set()
        thread, deadline = self._thread, time.monotonic() + timeout_s
        while thread is not None and thread is not threading.current_thread() and thread.is_alive():
            self._drain()
            thread.join(0.02)
            if time.monotonic() > deadline:
                break
        self._drain()

    def _is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _drain(self) -> None:
        with contextlib.suppress(queue.Empty):
            while True:
                self._queue.get_nowait()

    def _frames(self, thread: threading.Thread) -> Iterator[Frame]:
        try:  # the thread starts with the first next(), so a generator never started leaks nothing
            thread.start()
            while True:
                try:
                    item = self._queue.get(timeout=0.1)
                except queue.Empty:
                    if not self._is_alive() and self._queue.empty():
                        raise _fail(self._name, "decoding stopped unexpectedly.") from None
                    continue
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                assert isinstance(item, Frame)
                self.frames_read += 1
                yield item
        finally:
            self.close()

    def _put(self, item: object) -> bool:
        """Put ``item`` on the queue unless the reader is being closed; return False if it is."""
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        """Body of the decoding thread: every outcome ends with _END on the queue."""
        try:
            self._decode()
        except Exception as exc:  # forwarded to the consumer, who raises it
            self._put(exc)
        finally:
            self._put(_END)

    def _warn_once(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    def _decode(self) -> None:
        info, name, k = self.info, self._name, self.info.rotation_deg // 90
        stats = {"packets": 0, "bad": 0, "stopped": 0}
        decoded = corrupt = 0
        cut = False  # select ended the iteration before the end of the stream
        container = _open(info.path, name)
        try:
            stream = container.streams.video[self._pos]
            stream.codec_context.thread_type = "AUTO"
            if self._threads > 0:
                stream.codec_context.thread_count = self._threads
            clock = _Clock(info.fps, stream.time_base, name, self._warn_once)
            frames = _tolerant_decode(container, stream, stats)
            with contextlib.closing(frames):  # close the demuxer before the container, however we leave
                for frame in frames:
                    t = clock.time(frame)
                    if self._max_s is not None and t > self._max_s:
                        limit = f"the limit is {_fmt(self._max_s)} s (set max_duration_s)."
                        raise InputTooLargeError(f"Video '{name}' has frames at {_fmt(t)} s; {limit}")
                    wanted = True if self._select is None else self._select(decoded, t)
                    if wanted is None:
                        cut = True
                        break
                    self.times.append(t)
                    if wanted:
                        image = frame.to_ndarray(format="rgb24")
                        if k:
                            image = np.rot90(image, k=-k)  # a negative k turns clockwise
                        # to_ndarray may return padded (non-contiguous) rows: always make it contiguous
                        if not self._put(Frame(decoded, t, np.ascontiguousarray(image))):
                            break
                    corrupt += bool(frame.is_corrupt)
                    decoded += 1
        finally:
            container.close()
        if self._stop.is_set() or cut:
            return
        if decoded == 0:
            raise _no_frame_error(name, info.codec)
        declared = info.frame_count
        if stats["stopped"] or (declared and stats["packets"] < declared):
            of = f" of {declared}" if declared else ""
            self.warnings.append(
                f"{_DAMAGED}decoding stopped after {decoded}{of} frames; only the readable part was analysed."
            )
        elif stats["bad"]:
            self.warnings.append(f"{_DAMAGED}{stats['bad']} frame(s) could not be decoded and were skipped.")
        if corrupt:
            self.warnings.append(f"{_DAMAGED}{corrupt} frame(s) decoded with errors and may show artefacts.")
