"""The annotated evidence video: the upright clip with the overlays, as H.264 MP4 (PyAV).

Frames come from :class:`gaitcheck.video.VideoReader` (the only decoder), are drawn on by
:func:`gaitcheck.evidence.draw.annotate_frame` and encoded with libx264 (yuv420p, BT.709 tagged,
``+faststart``) so that browsers and phones play the file. Each output frame keeps its input
frame's presentation time, so the frame count and duration match the input; there is no audio.
The file is written next to the target under a temporary name and renamed when complete.

The gaze point is a marker on the floor at the report's gaze distance, scaled by the walker's
pixels per metre (from the body height), with a dashed line of sight from the eye; see
:mod:`gaitcheck.evidence.marks` for how, and when only the line of sight is drawn.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.video.reformatter import ColorRange, Colorspace
from numpy.typing import NDArray

from .._io import atomic_path
from ..errors import InputError
from ..report import Report
from ..video import VideoReader, frame_step
from .draw import Style, annotate_frame, timeline_strip
from .marks import clip_overlay

__all__ = ["write_annotated_video"]

Progress = Callable[[int, int], None]
_TIME_BASE = Fraction(1, 90000)  # the MPEG clock: fine enough for any frame timing
_BT709 = 1  # AVCOL_PRI_BT709 / AVCOL_TRC_BT709 / AVCOL_SPC_BT709
_TV_RANGE = 1  # AVCOL_RANGE_MPEG


def _even(image: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Pad an odd width or height by repeating the last column or row (H.264 4:2:0 needs even sizes)."""
    h, w = image.shape[:2]
    if h % 2 == 0 and w % 2 == 0:
        return image
    return np.pad(image, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")


def write_annotated_video(video: str | os.PathLike[str], report: Report, out: str | os.PathLike[str], *,
                          timeline: bool = True, progress: Progress | None = None,
                          crf: int = 20, preset: str = "veryfast") -> None:
    """Write the clip with the walker's overlays as an H.264 MP4.

    Args:
        video: the clip the report was made from (read only).
        report: its report, from :func:`gaitcheck.analyze` (it carries the walker's landmarks).
        out: the MP4 to write (replaced if it exists; never the input).
        timeline: draw the timeline strip at the bottom.
        progress: called as ``progress(frames_done, frames_total)`` while rendering.
        crf: x264 quality (lower = better, larger file); 20 is visually clean.
        preset: x264 speed preset.

    Raises:
        InputError: the report does not belong to this video, or ``out`` is the input video.
        VideoReadError: the video cannot be read.
        OSError: the file cannot be written.
    """
    src, dst = Path(video), Path(out)
    if dst.resolve() == src.resolve():
        raise InputError(f"refusing to overwrite the input video: {out}")
    clip = clip_overlay(report)
    with VideoReader(src, turn_deg=report.video.turned_deg) as reader:
        info = reader.info
        if (info.width, info.height) != clip.frame_size:
            raise InputError(f"the report is for a {clip.frame_size[0]}x{clip.frame_size[1]} video, but "
                             f"{src.name} is {info.width}x{info.height}: it belongs to another video")
        style = Style.for_size(info.width, info.height)
        strip = timeline_strip(clip, style) if timeline else None
        total = len(clip)
        t = clip.t
        last = frame_step(t, info.fps)
        done = 0
        with atomic_path(dst) as tmp:
            with av.open(os.fspath(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as container:
                rate = Fraction(info.fps).limit_denominator(1001) if info.fps > 0 else Fraction(30)
                stream = container.add_stream("libx264", rate=rate, options={"crf": str(crf), "preset": preset})
                stream.width, stream.height = info.width + info.width % 2, info.height + info.height % 2
                stream.pix_fmt = "yuv420p"
                cc = stream.codec_context
                cc.time_base = _TIME_BASE
                stream.time_base = _TIME_BASE
                cc.color_primaries, cc.color_trc, cc.colorspace, cc.color_range = _BT709, _BT709, _BT709, _TV_RANGE
                for frame in reader:
                    if frame.index >= total:
                        raise InputError(f"{src.name} has more frames than the report ({total}): "
                                         "the report belongs to another video")
                    img = annotate_frame(frame.image, clip.frame(frame.index), t_s=frame.t_s, strip=strip, style=style)
                    vf = av.VideoFrame.from_ndarray(_even(img), format="rgb24").reformat(
                        format="yuv420p", dst_colorspace=Colorspace.ITU709, dst_color_range=ColorRange.MPEG)
                    vf.pts = round(frame.t_s / _TIME_BASE)
                    vf.time_base = _TIME_BASE
                    nxt = float(t[frame.index + 1]) if frame.index + 1 < total else frame.t_s + last
                    vf.duration = max(1, round(nxt / _TIME_BASE) - vf.pts)
                    container.mux(stream.encode(vf))
                    done += 1
                    if progress is not None:
                        progress(done, total)
                container.mux(stream.encode(None))
            if done != total:
                raise InputError(f"{src.name} gave {done} frames but the report has {total}: "
                                 "the report belongs to another video")
