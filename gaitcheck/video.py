"""Read a video as upright RGB frames timed by their presentation timestamps (the only decoder).

Applies the display rotation phones store beside the pixels, times frames by pts (phone clips have a
variable frame rate), decodes in a background thread into a bounded queue, and turns unusable files into
a one-line VideoReadError and damaged-but-readable ones into frames plus ``VideoReader.warnings``.
"""

from __future__ import annotations

import contextlib
import os
import queue
import stat
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from types import TracebackType

import av
import av.error
import numpy as np
from numpy.typing import NDArray

from gaitcheck.errors import InputTooLargeError, VideoReadError

__all__ = ["NOMINAL_FPS", "Frame", "Select", "VideoInfo", "VideoReader", "frame_step", "measured_fps", "probe_video"]

_MIN_STEP_S = 1e-3  # consecutive frames are at least 1 ms apart (MediaPipe wants increasing ms)
_END = object()  # end-of-stream marker put on the queue by the decoding thread
_AV_ERRORS = (av.error.FFmpegError, OSError)
_DAMAGED = "The video is damaged: "

NOMINAL_FPS = 30.0  # the frame rate assumed only where nothing says otherwise (a single frame, no rate)
Select = Callable[[int, float], bool | None]
"""``select(index, t_s)``: True = hand this frame over, False = skip it (not converted to RGB), None = stop."""


@dataclass(frozen=True)
class VideoInfo:
    """What the container declares about a video; width and height are those of the upright frame."""

    path: str
    width: int  # of the upright frame (display rotation applied)
    height: int
    rotation_deg: int  # clockwise turn (0, 90, 180, 270) applied to stored frames to make them upright
    fps: float  # nominal average rate; from timestamps if none is declared; 0.0 if unknown
    frame_count: int  # declared (0 if unknown); VideoReader.frames_read counts the real ones
    duration_s: float  # declared (0.0 if unknown)
    codec: str  # decoder name, e.g. "h264"
    container: str  # format name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    has_audio: bool


@dataclass(frozen=True, eq=False)
class Frame:
    """One decoded frame (compared by identity: it holds an array)."""

    index: int  # 0-based among decoded frames
    t_s: float  # presentation time from the first frame; increasing, consecutive frames >= 1 ms apart
    image: NDArray[np.uint8]  # (H, W, 3) RGB, upright, C-contiguous


def frame_step(t: NDArray[np.float64] | Sequence[float], fps: float = 0.0) -> float:
    """The typical time between frames in seconds: the median gap between the frame times ``t``.

    With fewer than two frames, ``1 / fps``; with no frame rate either, ``1 / NOMINAL_FPS``.

    >>> frame_step([0.0, 0.04, 0.08, 0.2]), frame_step([0.0], 25.0), frame_step([])
    (0.04, 0.04, 0.03333333333333333)
    """
    if len(t) > 1:
        return float(np.median(np.diff(np.asarray(t, np.float64))))
    return 1.0 / (fps if fps > 0 else NOMINAL_FPS)


def _fmt(x: float) -> str:
    s = f"{x:.1f}"
    return s[:-2] if s.endswith(".0") else s


def _fail(name: str, what: str) -> VideoReadError:
    return VideoReadError(f"Cannot read '{name}': {what}")


def _open(path: str, name: str) -> av.container.InputContainer:
    """Check ``path`` is a readable, non-empty file and open it read-only; raise VideoReadError if not."""
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise _fail(name, "it is a folder, not a video file.")
        if not stat.S_ISREG(st.st_mode):
            raise _fail(name, "it is not a regular file.")
        if st.st_size == 0:
            raise _fail(name, "the file is empty (0 bytes).")
        with open(path, "rb"):  # plain OS errors (e.g. permission) before FFmpeg's
            pass
        return av.open(path, mode="r", metadata_errors="replace")
    except (av.error.FFmpegError, OSError, ValueError) as exc:  # av's OS-like errors are OSErrors too
        if isinstance(exc, FileNotFoundError | NotADirectoryError):
            raise _fail(name, "the file does not exist.") from None
        if isinstance(exc, PermissionError):
            raise _fail(name, "permission denied.") from None
        reason = " ".join(str(getattr(exc, "strerror", None) or exc).split())
        raise _fail(name, f"it is not a video file, or it is damaged beyond repair ({reason}).") from None


def _video_stream_position(container: av.container.InputContainer, name: str) -> int:
    """Return the position in ``container.streams.video`` of the stream to read."""
    fmt = container.format.name
    if any(part.endswith("_pipe") or part in ("image2", "image2pipe") for part in fmt.split(",")):
        raise _fail(name, f"it looks like an image ({fmt}), not a video.")
    for pos, stream in enumerate(container.streams.video):
        if not stream.disposition & av.stream.Disposition.attached_pic:  # skip cover art
            return pos
    raise _fail(name, "the file has no video stream" + (" (audio only)." if container.streams.audio else "."))


def _check_limits(name: str, seconds: float, pixels: int, max_s: float | None, max_px: int | None) -> None:
    if max_s is not None and seconds > max_s:
        limit = f"the limit is {_fmt(max_s)} s (set max_duration_s)."
        raise InputTooLargeError(f"Video '{name}' is {_fmt(seconds)} s long; {limit}")
    if max_px is not None and pixels > max_px:
        limit = f"the limit is {max_px} (set max_pixels)."
        raise InputTooLargeError(f"Video '{name}' has {pixels} pixels per frame; {limit}")


def _no_frame_error(name: str, codec: str) -> VideoReadError:
    what = f"no frame could be decoded; the data is damaged or its codec ({codec}) is not supported."
    return _fail(name, what)


class _Memo:
    """What was learnt from a file, kept while the file stays the same (path, inode, size, mtime).

    One analysis opens a clip several times (probe, the frame rate, each pass's reader); each probe
    costs 30-60 ms (the container is opened and the first frame decoded). Only results are kept,
    never errors, and only the last few files.
    """

    def __init__(self, size: int = 16) -> None:
        self._lock = threading.Lock()
        self._size = size
        self._items: dict[tuple[object, ...], object] = {}

    @staticmethod
    def key(path_s: str, *extra: object) -> tuple[object, ...] | None:
        try:
            st = os.stat(path_s)
        except (OSError, ValueError):
            return None  # the uncached call raises the proper error
        if not stat.S_ISREG(st.st_mode):
            return None
        return (path_s, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, *extra)

    def get(self, key: tuple[object, ...] | None) -> object | None:
        if key is None:
            return None
        with self._lock:
            return self._items.get(key)

    def put(self, key: tuple[object, ...] | None, value: object) -> None:
        if key is None:
            return
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                del self._items[next(iter(self._items))]


_memo = _Memo()


def _probe(path: str | os.PathLike[str], max_s: float | None, max_px: int | None) -> tuple[VideoInfo, int]:
    """Probe ``path``; return its VideoInfo and the position of its video stream (remembered per file)."""
    key = _Memo.key(os.fspath(path), "probe", max_s, max_px)
    found = _memo.get(key)
    if found is None:
        found = _probe_file(path, max_s, max_px)
        _memo.put(key, found)
    assert isinstance(found, tuple)
    return found


def _probe_file(path: str | os.PathLike[str], max_s: float | None, max_px: int | None) -> tuple[VideoInfo, int]:
    path_s = os.fspath(path)
    name = os.path.basename(os.path.normpath(path_s)) or path_s
    container = _open(path_s, name)
    try:
        pos = _video_stream_position(container, name)
        stream = container.streams.video[pos]
        cc, tb = stream.codec_context, stream.time_base
        duration_s = float(stream.duration * tb) if stream.duration and tb else 0.0
        if not duration_s and container.duration:
            duration_s = container.duration / av.time_base
        frame_count = int(stream.frames or 0)
        _check_limits(name, duration_s, cc.width * cc.height, max_s, max_px)
        rate = stream.average_rate or stream.guessed_rate
        fps = float(rate) if rate else 0.0
        # The display rotation is only exposed on decoded frames: decode the first one.
        first: av.VideoFrame | None = None
        pts: list[int] = []
        with contextlib.suppress(*_AV_ERRORS):  # damaged data: the reader reports it
            for packet in container.demux(stream):
                if packet.pts is not None:
                    pts.append(packet.pts)
                if first is None:
                    with contextlib.suppress(av.error.FFmpegError):
                        first = next(iter(packet.decode()), None)
                if first is not None and (fps > 0 or len(pts) >= 60):
                    break
        if first is None:
            raise _no_frame_error(name, cc.name)
        if fps <= 0:  # no usable declared rate: derive it from what the file says, never guess
            if frame_count > 1 and duration_s > 0:
                fps = frame_count / duration_s
            elif len(pts) > 1 and tb and max(pts) > min(pts):
                fps = (len(pts) - 1) / float((max(pts) - min(pts)) * tb)
        rotation = round(-(first.rotation or 0) / 90) * 90 % 360  # PyAV's rotation is counter-clockwise
        w, h = (first.height, first.width) if rotation in (90, 270) else (first.width, first.height)
        _check_limits(name, duration_s, w * h, max_s, max_px)
        fmt, audio = container.format.name, bool(container.streams.audio)
        info = VideoInfo(path_s, w, h, rotation, fps, frame_count, duration_s, cc.name, fmt, audio)
    finally:
        container.close()
    return info, pos


def probe_video(
    path: str | os.PathLike[str], *, max_duration_s: float | None = None, max_pixels: int | None = None
) -> VideoInfo:
    """Describe a video file; decodes only its first frame (to learn the display rotation).

    Args:
        path: The video file; opened read-only, never modified.
        max_duration_s: Refuse videos whose declared duration is longer (seconds).
        max_pixels: Refuse videos whose frames have more pixels.

    Returns:
        The video's VideoInfo.

    Raises:
        VideoReadError: Missing, folder, empty, unreadable, an image, no video stream, nothing decodes.
        InputTooLargeError: Beyond ``max_duration_s`` or ``max_pixels``.
    """
    return _probe(path, max_duration_s, max_pixels)[0]


def measured_fps(path: str | os.PathLike[str], packets: int = 32) -> float:
    """Frames per second from the presentation times of the first ``packets`` frames (0.0 if unknown).

    Reads packets only (nothing is decoded). Containers can declare a rate their frames do not
    have (an AVI written with a 1 ms time base declares 1000 fps for a 30 fps video).
    """
    path_s = os.fspath(path)
    key = _Memo.key(path_s, "fps", packets)
    known = _memo.get(key)
    if isinstance(known, float):
        return known
    fps = _measured_fps(path_s, packets)
    _memo.put(key, fps)
    return fps


def _measured_fps(path_s: str, packets: int) -> float:
    name = os.path.basename(os.path.normpath(path_s)) or path_s
    container = _open(path_s, name)
    try:
        stream = container.streams.video[_video_stream_position(container, name)]
        pts: list[int] = []
        with contextlib.suppress(*_AV_ERRORS):
            for packet in container.demux(stream):
                if packet.pts is not None and packet.size > 0:
                    pts.append(packet.pts)
                if len(pts) >= packets:
                    break
        tb = stream.time_base
        steps = np.diff(np.unique(pts))
        if not len(steps) or not tb:
            return 0.0
        return float(1 / (float(np.median(steps)) * float(tb)))
    finally:
        container.close()


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
        """
        if prefetch < 1:
            raise ValueError("prefetch must be at least 1")
        self.info, self._pos = _probe(path, max_duration_s, max_pixels)
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
