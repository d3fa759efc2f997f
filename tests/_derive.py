"""Clips derived from the real ones inside the tests (never committed): cropped, mirrored, with frames left out.

Every output frame keeps its input frame's presentation time, so the timing of the walk is the
real one.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def derive(src: Path, dst: Path, *, crop: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0),
           mirror: bool = False, keep: Callable[[int], bool] = lambda i: True) -> Path:
    """Re-encode ``src`` as H.264, keeping the part ``crop`` = (x0, y0, x1, y1) (fractions of the frame)
    of the frames where ``keep(index)``; optionally mirrored left-right."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        s_in = inp.streams.video[0]
        w, h = s_in.codec_context.width, s_in.codec_context.height
        x0, y0 = round(crop[0] * w) // 2 * 2, round(crop[1] * h) // 2 * 2
        x1, y1 = x0 + (round(crop[2] * w) - x0) // 2 * 2, y0 + (round(crop[3] * h) - y0) // 2 * 2
        s_out = out.add_stream("libx264", rate=30)
        s_out.width, s_out.height, s_out.pix_fmt = x1 - x0, y1 - y0, "yuv420p"
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
            new = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")
            new.pts, new.time_base = round((t - t0) * 1000), Fraction(1, 1000)
            out.mux(s_out.encode(new))
        out.mux(s_out.encode(None))
    return dst
