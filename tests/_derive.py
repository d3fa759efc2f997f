"""Clips derived from the real ones inside the tests (never committed): cropped, mirrored, with frames left out.

Every output frame keeps its input frame's presentation time (unless re-timed: ``speed``), so the
timing of the walk is the real one.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def derive(src: Path, dst: Path, *, crop: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0),
           mirror: bool = False, keep: Callable[[int], bool] = lambda i: True, roll_deg: float = 0.0,
           scale: float = 1.0, speed: float = 1.0, repeat: int = 1,
           shade: tuple[float, float, float] | None = None) -> Path:
    """Re-encode ``src`` as H.264, keeping the part ``crop`` = (x0, y0, x1, y1) (fractions of the frame)
    of the frames where ``keep(index)``; optionally mirrored left-right, or turned ``roll_deg`` clockwise
    about the picture's centre (a camera rolled the other way: the floor then drops to the right), or
    resized by ``scale`` (a lower resolution, as a messaging app sends it), or played ``speed`` times
    faster (a time-lapse export: keep every other frame with ``speed=2``), each frame shown ``repeat``
    times at equal steps (a slow-motion export of a clip filmed at the normal rate: ``speed=1/3,
    repeat=3``), or with the right half of the picture in a hard shadow: each RGB channel times
    ``shade`` there, over a soft edge 3% of the width wide at the middle."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        s_in = inp.streams.video[0]
        w, h = s_in.codec_context.width, s_in.codec_context.height
        x0, y0 = round(crop[0] * w) // 2 * 2, round(crop[1] * h) // 2 * 2
        x1, y1 = x0 + (round(crop[2] * w) - x0) // 2 * 2, y0 + (round(crop[3] * h) - y0) // 2 * 2
        s_out = out.add_stream("libx264", rate=30)
        size = (round((x1 - x0) * scale / 2) * 2, round((y1 - y0) * scale / 2) * 2)
        s_out.width, s_out.height, s_out.pix_fmt = *size, "yuv420p"
        s_out.time_base = s_out.codec_context.time_base = Fraction(1, 1000)
        s_out.options = {"crf": "18", "preset": "veryfast", "bf": "0"}  # irregular times: no B-frames
        t0 = None
        for i, frame in enumerate(inp.decode(s_in)):
            if not keep(i):
                continue
            t = float(frame.pts * s_in.time_base)
            t0 = t if t0 is None else t0
            img = frame.to_ndarray(format="rgb24")[y0:y1, x0:x1]
            if mirror:
                img = img[:, ::-1]
            if shade is not None:
                ramp = np.clip((np.arange(img.shape[1]) - 0.5 * img.shape[1]) / (0.03 * img.shape[1]), 0, 1)
                gain = 1 - ramp[None, :, None] * (1 - np.asarray(shade, np.float32))
                img = (img * gain).clip(0, 255).astype(np.uint8)
            if roll_deg:
                import cv2

                turn = cv2.getRotationMatrix2D(((x1 - x0) / 2, (y1 - y0) / 2), -roll_deg, 1.0)
                img = cv2.warpAffine(np.ascontiguousarray(img), turn, (x1 - x0, y1 - y0),
                                     borderMode=cv2.BORDER_REPLICATE)
            if scale != 1.0:
                import cv2

                img = cv2.resize(np.ascontiguousarray(img), size, interpolation=cv2.INTER_AREA)
            dt = 1 / float(s_in.average_rate or 30) / speed / repeat
            for k in range(repeat):
                new = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")
                new.pts, new.time_base = round(((t - t0) / speed + k * dt) * 1000), Fraction(1, 1000)
                out.mux(s_out.encode(new))
        out.mux(s_out.encode(None))
    return dst


def interpolate(src: Path, dst: Path, *, factor: int = 2, mode: str = "blend", options: dict[str, str] | None = None,
                ) -> Path:
    """``src`` at ``factor`` times its frame rate, by FFmpeg's ``minterpolate`` filter (PyAV's libavfilter).

    ``mode`` is its ``mi_mode``: ``blend`` (each new frame a blend of its neighbours: quick) or ``mci``
    (motion-compensated: ~1 s a frame). ``options`` are libx264's (default: lossless, so that the
    frames at the source's times are the source's decoded frames, pixel for pixel).
    """
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        s_in = inp.streams.video[0]
        rate = Fraction(s_in.average_rate or 30) * factor
        graph = av.filter.Graph()
        chain = [graph.add_buffer(template=s_in), graph.add("minterpolate", f"fps={rate}:mi_mode={mode}"),
                 graph.add("format", "yuv420p"), graph.add("buffersink")]
        for a, b in zip(chain, chain[1:], strict=False):
            a.link_to(b)
        graph.configure()
        s_out = out.add_stream("libx264", rate=rate, options=options or {"qp": "0", "preset": "ultrafast"})
        s_out.width, s_out.height, s_out.pix_fmt = s_in.codec_context.width, s_in.codec_context.height, "yuv420p"
        s_out.codec_context.time_base = 1 / rate
        n = 0

        def drain() -> None:
            nonlocal n
            while True:
                try:
                    frame = graph.pull()
                except (av.error.BlockingIOError, av.error.EOFError):
                    return
                frame.pts, frame.time_base = n, 1 / rate
                n += 1
                out.mux(s_out.encode(frame))

        for frame in inp.decode(s_in):
            graph.push(frame)
            drain()
        graph.push(None)
        drain()
        out.mux(s_out.encode(None))
    return dst
