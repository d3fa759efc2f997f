"""Write small synthetic test clips (and broken files) with PyAV for the video tests.

Every clip frame, as it should be DISPLAYED, is dark noise with a white square in the top-left corner
(the orientation marker) and the frame number written in binary as white/black blocks across the
middle row, so a test can check both the orientation and the order of decoded frames.
"""

from __future__ import annotations

import os
import shutil
import struct
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
from numpy.typing import NDArray

BLOCK = 16  # side of the marker square and of each counter bit, in pixels
VFR_GAPS_MS = (25, 45)  # alternating frame gaps of the variable-frame-rate clip

PathArg = str | os.PathLike[str]


def display_image(index: int, size: tuple[int, int], marker: bool = True) -> NDArray[np.uint8]:
    """Return the upright RGB image of frame ``index`` for a display ``size`` of (width, height)."""
    width, height = size
    # dark noise background: makes every frame cost some bytes, so a truncated copy keeps a few frames
    img = np.random.default_rng(index).integers(0, 48, (height, width, 1), np.uint8).repeat(3, axis=2)
    if marker:
        img[:BLOCK, :BLOCK] = 255
    y = height // 2 - BLOCK // 2
    for bit in range(counter_bits(width)):
        if index >> bit & 1:
            x = BLOCK * (bit + 1)
            img[y : y + BLOCK, x : x + BLOCK] = 255
    return img


def counter_bits(width: int) -> int:
    """Number of counter bits that fit across a frame ``width`` pixels wide (one block margin each side)."""
    return width // BLOCK - 2


def read_counter(image: NDArray[np.uint8]) -> int:
    """Read back the frame number written by :func:`display_image` from an upright decoded image."""
    height, width = image.shape[:2]
    y = height // 2
    value = 0
    for bit in range(counter_bits(width)):
        x = BLOCK * (bit + 1) + BLOCK // 2
        if image[y - 4 : y + 4, x - 4 : x + 4].mean() > 127:
            value |= 1 << bit
    return value


def corner_means(image: NDArray[np.uint8]) -> dict[str, float]:
    """Mean brightness of a small patch inside each corner marker position: keys tl, tr, bl, br."""
    h, w = image.shape[:2]
    a, b = 3, BLOCK - 3
    return {
        "tl": float(image[a:b, a:b].mean()),
        "tr": float(image[a:b, w - b : w - a].mean()),
        "bl": float(image[h - b : h - a, a:b].mean()),
        "br": float(image[h - b : h - a, w - b : w - a].mean()),
    }


def make_clip(
    path: PathArg,
    n_frames: int = 30,
    size: tuple[int, int] = (160, 96),
    fps: int = 30,
    rotation: int = 0,
    vfr: bool = False,
    marker: bool = True,
    faststart: bool = True,
) -> list[float]:
    """Write an H.264 MP4 clip and return the presentation time (s) written for each frame.

    Args:
        path: Output file.
        n_frames: Number of frames.
        size: (width, height) of the frame as DISPLAYED (upright).
        fps: Frame rate of the constant-frame-rate clip.
        rotation: Clockwise display rotation (0, 90, 180, 270) stored in the container. The pixels are
            stored turned the other way, as a phone does, so a player applying it shows the upright image.
        vfr: Write irregular timestamps (gaps alternating 25 ms and 45 ms, 1/90000 s time base).
        marker: Draw the white top-left square.
        faststart: Put the index (moov) first, so a truncated copy stays partly readable.
    """
    options = {"movflags": "faststart"} if faststart else {}
    k = rotation // 90
    times_ms = [0]
    for i in range(1, n_frames):
        times_ms.append(times_ms[-1] + (VFR_GAPS_MS[i % 2] if vfr else 0))
    with av.open(os.fspath(path), "w", options=options) as container:
        stream = container.add_stream("libx264", rate=None if vfr else fps, options={"g": "10"})
        stored_w, stored_h = size if k % 2 == 0 else size[::-1]
        stream.width, stream.height, stream.pix_fmt = stored_w, stored_h, "yuv420p"
        if vfr:
            stream.codec_context.time_base = Fraction(1, 1000)
            stream.time_base = Fraction(1, 90000)
        if rotation:
            stream.set_display_rotation((180 - rotation) % 360 - 180)  # PyAV wants counter-clockwise
        for i in range(n_frames):
            stored = np.ascontiguousarray(np.rot90(display_image(i, size, marker), k=k))  # turned back
            frame = av.VideoFrame.from_ndarray(stored, format="rgb24")
            frame.pts = times_ms[i] if vfr else i
            if vfr:
                frame.time_base = Fraction(1, 1000)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return [t / 1000 for t in times_ms] if vfr else [i / fps for i in range(n_frames)]


def reencode(src: PathArg, dst: PathArg, *, rotation: int = 0, mirror: bool = False,
             frames: range | None = None, lose_rotation: bool = False,
             pan: NDArray[np.float64] | None = None, hlg: bool = False) -> None:
    """Re-encode a real clip (H.264, high quality, its own timestamps, starting at 0).

    The upright image is mirrored and/or stored turned by ``rotation`` the other way, with a display
    rotation that turns it back upright (what a phone held upright writes; as :func:`make_clip`);
    ``frames`` keeps only those decoded frames (a shot cut out of a longer clip).
    ``lose_rotation`` leaves the display rotation out (what a converter or messenger that drops it
    writes): players then show the picture turned ``rotation`` anticlockwise.
    ``pan``: a portrait (9:16) window of the picture, centred on ``pan[i]`` (a fraction of the width)
    in decoded frame ``i`` and kept inside the picture: a phone held upright that pans with the walker.
    ``hlg``: HEVC, 10 bits, tagged BT.2020 with the HLG transfer, as an iPhone records its HDR video.
    """
    k = rotation // 90
    with av.open(os.fspath(src)) as inp, av.open(os.fspath(dst), "w") as out:
        ins = inp.streams.video[0]
        if hlg:
            ost = out.add_stream("libx265", options={"crf": "16", "preset": "veryfast",
                                                     "x265-params": "log-level=error"})
            cc = ost.codec_context
            cc.color_primaries, cc.color_trc, cc.colorspace = 9, 18, 9  # BT.2020, ARIB STD-B67 (HLG), BT.2020 NCL
        else:
            ost = out.add_stream("libx264", options={"crf": "12", "preset": "veryfast"})
        ost.codec_context.time_base = ins.time_base
        ost.time_base = ins.time_base
        first_pts = None
        for i, frame in enumerate(inp.decode(ins)):
            if frames is not None and i not in frames:
                continue
            image = frame.to_ndarray(format="rgb24")
            if pan is not None:
                width = image.shape[0] * 9 // 16 // 2 * 2
                x0 = min(max(round(pan[min(i, len(pan) - 1)] * image.shape[1]) - width // 2, 0),
                         image.shape[1] - width)
                image = image[:, x0:x0 + width]
            if mirror:
                image = image[:, ::-1]
            stored = np.ascontiguousarray(np.rot90(image, k=k))
            if first_pts is None:
                first_pts = frame.pts
                ost.width, ost.height = stored.shape[1], stored.shape[0]
                ost.pix_fmt = "yuv420p10le" if hlg else "yuv420p"
                if rotation and not lose_rotation:
                    ost.set_display_rotation((180 - rotation) % 360 - 180)  # PyAV wants counter-clockwise
            new = av.VideoFrame.from_ndarray(stored, format="rgb24")
            new.pts, new.time_base = frame.pts - first_pts, ins.time_base
            out.mux(ost.encode(new))
        out.mux(ost.encode(None))


def tkhd_matrix(path: PathArg) -> tuple[int, ...]:
    """Return the first track's tkhd matrix a, b, c, d (16.16 fixed point) of an MP4 file."""
    data = Path(path).read_bytes()
    pos = data.index(b"tkhd") + 4
    version = data[pos]
    matrix_at = pos + 4 + (32 if version == 1 else 20) + 16
    m = struct.unpack(">9i", data[matrix_at : matrix_at + 36])
    return m[0], m[1], m[3], m[4]


def truncated_copy(src: PathArg, dst: PathArg, fraction: float = 0.5) -> Path:
    """Copy the first ``fraction`` of the bytes of ``src`` to ``dst``."""
    data = Path(src).read_bytes()
    Path(dst).write_bytes(data[: int(len(data) * fraction)])
    return Path(dst)


def overwritten_copy(src: PathArg, dst: PathArg, at: float = 0.6, n_bytes: int = 64, seed: int = 1) -> Path:
    """Copy ``src`` to ``dst`` with ``n_bytes`` random bytes overwritten at ``at`` of the file."""
    shutil.copyfile(src, dst)
    data = bytearray(Path(dst).read_bytes())
    start = int(len(data) * at)
    data[start : start + n_bytes] = np.random.default_rng(seed).integers(0, 256, n_bytes, np.uint8).tobytes()
    Path(dst).write_bytes(bytes(data))
    return Path(dst)


def make_empty(path: PathArg) -> Path:
    """Write a zero-byte file."""
    Path(path).write_bytes(b"")
    return Path(path)


def make_text(path: PathArg) -> Path:
    """Write a text file (typically named .mp4)."""
    Path(path).write_text("This is not a video.\n" * 50, encoding="utf-8")
    return Path(path)


def make_image(path: PathArg, ext: str = ".png") -> Path:
    """Write a PNG or JPEG image (typically named .mp4)."""
    ok, buf = cv2.imencode(ext, display_image(3, (160, 96)))
    assert ok
    Path(path).write_bytes(buf.tobytes())
    return Path(path)


def make_audio_only(path: PathArg, seconds: float = 1.0, rate: int = 44100) -> Path:
    """Write an AAC audio-only file (.m4a or .mp4) holding a 440 Hz sine."""
    with av.open(os.fspath(path), "w") as container:
        stream = container.add_stream("aac", rate=rate, layout="mono")
        n = int(seconds * rate)
        samples = (0.3 * np.sin(2 * np.pi * 440 * np.arange(n) / rate)).astype(np.float32)
        for start in range(0, n, 1024):
            chunk = samples[start : start + 1024]
            frame = av.AudioFrame.from_ndarray(chunk[None, :], format="fltp", layout="mono")
            frame.sample_rate, frame.pts = rate, start
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return Path(path)
