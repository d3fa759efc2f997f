"""What a video file is: its upright size, frame rate, length and codec, probed once per file version.

Unusable files become a one-line VideoReadError (folders, empty files, images, no video stream,
permission denied) and files over the limits an InputTooLargeError, before anything is decoded.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import stat
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import av
import av.error
import numpy as np
from numpy.typing import NDArray

from gaitcheck.errors import InputTooLargeError, VideoReadError

__all__ = ["NOMINAL_FPS", "VideoInfo", "frame_step", "measured_fps", "probe_video"]

_AV_ERRORS = (av.error.FFmpegError, OSError)

NOMINAL_FPS = 30.0  # the frame rate assumed only where nothing says otherwise (a single frame, no rate)


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
    #: clockwise turn (0, 90, 180, 270) gaitcheck added to ``rotation_deg`` because the picture was on
    #: its side (rotation metadata lost); 0 = the file's own rotation only
    turned_deg: int = 0

    def turned(self, turn_deg: int) -> VideoInfo:
        """This video with its frames turned a further ``turn_deg`` clockwise (a multiple of 90).

        >>> info = VideoInfo("a.mp4", 1280, 720, 0, 30.0, 90, 3.0, "h264", "mp4", False)
        >>> t = info.turned(270); (t.width, t.height, t.rotation_deg, t.turned_deg)
        (720, 1280, 270, 270)
        """
        if turn_deg % 90:
            raise ValueError(f"a video turns by quarter turns, not {turn_deg}°")
        quarter = turn_deg % 180 == 90
        return dataclasses.replace(self, width=self.height if quarter else self.width,
                                   height=self.width if quarter else self.height,
                                   rotation_deg=(self.rotation_deg + turn_deg) % 360,
                                   turned_deg=(self.turned_deg + turn_deg) % 360)


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


def _probe(path: str | os.PathLike[str], max_s: float | None, max_px: int | None,
           turn_deg: int = 0) -> tuple[VideoInfo, int]:
    """Probe ``path``; return its VideoInfo (turned ``turn_deg`` further) and its video stream's position.

    The probe is remembered per file.
    """
    key = _Memo.key(os.fspath(path), "probe", max_s, max_px)
    found = _memo.get(key)
    if found is None:
        found = _probe_file(path, max_s, max_px)
        _memo.put(key, found)
    assert isinstance(found, tuple)
    info, pos = found
    return (info.turned(turn_deg) if turn_deg else info), pos


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
    path: str | os.PathLike[str], *, max_duration_s: float | None = None, max_pixels: int | None = None,
    turn_deg: int = 0,
) -> VideoInfo:
    """Describe a video file; decodes only its first frame (to learn the display rotation).

    Args:
        path: The video file; opened read-only, never modified.
        max_duration_s: Refuse videos whose declared duration is longer (seconds).
        max_pixels: Refuse videos whose frames have more pixels.
        turn_deg: Turn the frames this much further clockwise (a video on its side, see
            :meth:`VideoInfo.turned`).

    Returns:
        The video's VideoInfo.

    Raises:
        VideoReadError: Missing, folder, empty, unreadable, an image, no video stream, nothing decodes.
        InputTooLargeError: Beyond ``max_duration_s`` or ``max_pixels``.
    """
    return _probe(path, max_duration_s, max_pixels, turn_deg)[0]


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
