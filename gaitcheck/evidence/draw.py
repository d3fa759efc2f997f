"""Drawing the evidence overlays on a frame (the only module that uses OpenCV; pure: no file I/O).

:func:`annotate_frame` returns a new RGB image with the walker's skeleton, the head line
(ear -> eye, extended) and trunk line (hip-mid -> shoulder-mid) with their live angles, the line of
sight and gaze point on the floor (see :mod:`gaitcheck.evidence.marks`), a red border and caption
during flagged episodes, and optionally a timeline strip at the bottom (head pitch and trunk lean
over the clip, flagged spans shaded, a cursor at the current time) made once by
:func:`timeline_strip`. Images are (H, W, 3) uint8 RGB, upright; the input is never modified.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from ..landmarks import SKELETON
from ..landmarks import Landmark as L
from .marks import ClipOverlay, FrameMarks, flagged_spans

__all__ = ["FLAG_RED", "Style", "TimelineStrip", "annotate_frame", "thumbnail", "timeline_strip"]

Image = NDArray[np.uint8]
Color = tuple[int, int, int]
FLAG_RED: Color = (220, 20, 20)  # border and caption of flagged frames
HEAD: Color = (40, 210, 255)  # head line and head-pitch trace (cyan)
TRUNK: Color = (255, 165, 0)  # trunk line and trunk-lean trace (orange)
GAZE: Color = (150, 255, 90)  # line of sight and gaze point (green)
BONE: Color = (245, 245, 245)
DARK: Color = (20, 20, 20)
_FONT = cv2.FONT_HERSHEY_SIMPLEX
_STRIP_RANGE_DEG = (-20.0, 45.0)  # the strip's vertical axis (values outside are clipped)


@dataclass(frozen=True)
class Style:
    """Sizes that scale with the frame (1 unit = 1 pixel at 540 pixels on the short side)."""

    unit: float

    @classmethod
    def for_size(cls, width: int, height: int) -> Style:
        """The style scaled to a picture of this size."""
        return cls(max(0.6, min(width, height) / 540))

    def px(self, n: float) -> int:
        """``n`` units in whole pixels (at least 1)."""
        return max(1, round(n * self.unit))

    @property
    def font(self) -> float:
        """Font scale for text drawn on the picture."""
        return 0.55 * self.unit

    @property
    def border(self) -> int:
        """Width in pixels of the flagged-frame border."""
        return self.px(9)


@dataclass(frozen=True, eq=False)
class TimelineStrip:
    """A pre-rendered timeline strip and where its data lie, for drawing the moving cursor.

    Attributes:
        image: (h, W, 3) the strip as drawn (background, threshold lines, shading, traces, labels).
        alpha: (h, W) opacity of each strip pixel over the video (the background is translucent).
        top: the strip's first row in the frame.
        x_range: the plot area's first and last column.
        y_range: the plot area's top and bottom row (strip coordinates).
        t_range: the times at the plot area's left and right edges.
    """

    image: Image
    alpha: NDArray[np.float32]
    top: int
    x_range: tuple[int, int]
    y_range: tuple[int, int]
    t_range: tuple[float, float]

    def x_of(self, t: float) -> int:
        """Pixel column of time ``t`` (seconds)."""
        (x0, x1), (t0, t1) = self.x_range, self.t_range
        return round(x0 + (x1 - x0) * min(max((t - t0) / max(t1 - t0, 1e-9), 0.0), 1.0))

    def y_of(self, deg: float) -> int:
        """Pixel row of angle ``deg`` (degrees)."""
        (y0, y1), (lo, hi) = self.y_range, _STRIP_RANGE_DEG
        v = min(max(deg, lo), hi)
        return round(y1 - (y1 - y0) * (v - lo) / (hi - lo))


# ---- text ---------------------------------------------------------------------------------------

def _text_size(text: str, scale: float, thick: int) -> tuple[int, int]:
    """Width and height of ``text`` as :func:`_put_text` draws it ("°" drawn as a small ring)."""
    parts = text.split("°")
    w = sum(cv2.getTextSize(p, _FONT, scale, thick)[0][0] for p in parts if p)
    h = cv2.getTextSize("Hg", _FONT, scale, thick)[0][1]
    return w + (len(parts) - 1) * max(4, round(9 * scale)), h


def _put_text(img: Image, text: str, org: tuple[int, int], scale: float, color: Color, thick: int,
              outline: bool = True, anchor: str = "left", keep_in: int | None = None) -> None:
    """Draw ``text`` with its baseline at ``org`` (left, centre or right aligned), outlined for contrast.

    With ``keep_in``, the text is moved to stay at least that many pixels inside the image.
    """
    w, th = _text_size(text, scale, thick)
    x = org[0] - (w if anchor == "right" else w // 2 if anchor == "centre" else 0)
    y = org[1]
    if keep_in is not None:
        x = min(max(x, keep_in), img.shape[1] - keep_in - w)
        y = min(max(y, keep_in + th), img.shape[0] - keep_in)
    ring = max(4, round(9 * scale))
    passes = [(DARK, thick + max(2, round(2 * scale))), (color, thick)] if outline else [(color, thick)]
    for col, th in passes:
        cx = x
        for k, part in enumerate(text.split("°")):
            if part:
                cv2.putText(img, part, (cx, y), _FONT, scale, col, th, cv2.LINE_AA)
                cx += cv2.getTextSize(part, _FONT, scale, thick)[0][0]
            if k < text.count("°"):
                r = max(2, ring // 3)
                cv2.circle(img, (cx + r + 1, y - round(22 * scale)), r, col, max(1, th - 1), cv2.LINE_AA)
                cx += ring


# ---- geometry helpers ---------------------------------------------------------------------------

def _ok(*pts: NDArray[np.float64]) -> bool:
    return all(bool(np.isfinite(p).all()) for p in pts)


def _pt(p: NDArray[np.float64]) -> tuple[int, int]:
    return round(float(p[0])), round(float(p[1]))


def _mid(px: NDArray[np.float64], a: L, b: L) -> NDArray[np.float64]:
    return np.asarray((px[a] + px[b]) / 2, np.float64)


def _dashed(img: Image, a: NDArray[np.float64], b: NDArray[np.float64], color: Color, thick: int, dash: int) -> None:
    length = float(np.linalg.norm(b - a))
    if not math.isfinite(length) or length < 1:
        return
    n = max(1, int(length // (2 * dash)))
    for k in range(n + 1):
        s, e = 2 * k * dash / length, min((2 * k + 1) * dash / length, 1.0)
        if s < 1:
            cv2.line(img, _pt(a + (b - a) * s), _pt(a + (b - a) * e), color, thick, cv2.LINE_AA)


# ---- the parts of the overlay -------------------------------------------------------------------

def _skeleton(img: Image, px: NDArray[np.float64], st: Style) -> None:
    for a, b in SKELETON:
        if _ok(px[a], px[b]):
            cv2.line(img, _pt(px[a]), _pt(px[b]), DARK, st.px(4), cv2.LINE_AA)
    for a, b in SKELETON:
        if _ok(px[a], px[b]):
            cv2.line(img, _pt(px[a]), _pt(px[b]), BONE, st.px(2), cv2.LINE_AA)
    joints = {int(j) for bone in SKELETON for j in bone}
    for j in sorted(joints):
        if _ok(px[j]):
            col = (80, 160, 255) if L(j).name.startswith("LEFT") else (255, 120, 80) if "RIGHT" in L(j).name else BONE
            cv2.circle(img, _pt(px[j]), st.px(3.5), DARK, -1, cv2.LINE_AA)
            cv2.circle(img, _pt(px[j]), st.px(2.5), col, -1, cv2.LINE_AA)


def _angle_label(what: str, deg: float, plus: str, minus: str) -> str:
    return f"{what} {abs(deg):.0f}° {plus if deg >= 0 else minus}"


def _trunk(img: Image, m: FrameMarks, st: Style) -> None:
    hip, sh = _mid(m.px, L.LEFT_HIP, L.RIGHT_HIP), _mid(m.px, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    if not _ok(hip, sh):
        return
    length = float(np.linalg.norm(sh - hip))
    _dashed(img, hip, hip - np.array([0.0, length]), (200, 200, 200), st.px(1.5), st.px(6))  # vertical reference
    cv2.line(img, _pt(hip), _pt(sh), DARK, st.px(6), cv2.LINE_AA)
    cv2.line(img, _pt(hip), _pt(sh), TRUNK, st.px(4), cv2.LINE_AA)
    if math.isfinite(m.trunk_lean_deg):
        back = -1.0 if _facing(m.px) >= 0 else 1.0
        pos = (sh + hip) / 2 + np.array([back * st.px(28), 0.0])
        _put_text(img, _angle_label("trunk", m.trunk_lean_deg, "fwd", "back"), _pt(pos), st.font, TRUNK,
                  st.px(1.5), anchor="right" if back < 0 else "left", keep_in=st.border + st.px(4))


def _facing(px: NDArray[np.float64]) -> float:
    """+1 if the nose is right of the ears, -1 if left, 0 unknown."""
    nose, ear = px[L.NOSE], _mid(px, L.LEFT_EAR, L.RIGHT_EAR)
    return float(np.sign(nose[0] - ear[0])) if _ok(nose, ear) else 0.0


def _head(img: Image, m: FrameMarks, st: Style, band: tuple[int, int] = (0, 0)) -> None:
    """Draw the ear -> eye line, extended ahead of the eye, and the head pitch beside its end.

    Only where the head pitch was measured (a side view): seen from the front or behind, the
    ear -> eye line says nothing about the pitch. ``band``: the right end and the bottom of the flag
    captions' row (:func:`_flag_band`); a label that would lie under it goes below it.
    """
    ear, eye = _mid(m.px, L.LEFT_EAR, L.RIGHT_EAR), _mid(m.px, L.LEFT_EYE, L.RIGHT_EYE)
    if not math.isfinite(m.head_pitch_deg) or not _ok(ear, eye) or float(np.linalg.norm(eye - ear)) < 1:
        return
    v = (eye - ear) / float(np.linalg.norm(eye - ear))
    end = eye + v * max(2.0 * float(np.linalg.norm(eye - ear)), st.px(40))
    cv2.line(img, _pt(ear), _pt(end), DARK, st.px(5), cv2.LINE_AA)
    cv2.line(img, _pt(ear), _pt(end), HEAD, st.px(3), cv2.LINE_AA)
    pos = end + np.array([v[0] * st.px(8), -st.px(14)])
    label, anchor = _angle_label("head", m.head_pitch_deg, "down", "up"), "left" if v[0] >= 0 else "right"
    tw, th = _text_size(label, st.font, st.px(1.5))
    left = pos[0] - (tw if anchor == "right" else 0)
    if left < band[0] and pos[1] - th < band[1]:  # under the captions: below them
        pos = np.array([pos[0], band[1] + th + st.px(6)])
    _put_text(img, label, _pt(pos), st.font, HEAD, st.px(1.5), anchor=anchor, keep_in=st.border + st.px(4))


def _gaze(img: Image, m: FrameMarks, st: Style, bottom: int) -> None:
    """Line of sight and gaze point; labels stay above row ``bottom`` (the timeline strip)."""
    eye = _mid(m.px, L.LEFT_EYE, L.RIGHT_EYE)
    if not _ok(eye) or not _ok(m.gaze_dir):
        return
    h, w = img.shape[:2]
    thick, dash = st.px(2), st.px(7)
    if math.isfinite(m.gaze_distance_m) and _ok(m.gaze_point):
        ok, a, b = cv2.clipLine((0, 0, w, h), _pt(eye), _pt(m.gaze_point))
        if ok:
            _dashed(img, np.array(a, float), np.array(b, float), GAZE, thick, dash)
        label = f"gaze {m.gaze_distance_m:.1f} m"
        if 0 <= m.gaze_point[0] < w and 0 <= m.gaze_point[1] < h:
            c, r = _pt(m.gaze_point), st.px(10)
            cv2.ellipse(img, c, (r + st.px(2), max(2, (r + st.px(2)) // 3)), 0, 0, 360, DARK, st.px(4), cv2.LINE_AA)
            cv2.ellipse(img, c, (r, max(2, r // 3)), 0, 0, 360, GAZE, st.px(2.5), cv2.LINE_AA)
            cv2.circle(img, c, st.px(3), GAZE, -1, cv2.LINE_AA)
            at, anchor = (c[0], c[1] - st.px(14)), "centre"
        elif ok and float(np.hypot(b[0] - a[0], b[1] - a[1])) > st.px(160):  # beyond the frame: label the line
            at = _pt(np.array(a, float) + 0.6 * (np.array(b, float) - np.array(a, float)) - np.array([0, st.px(12)]))
            anchor = "centre"
            label += " (off screen)"
        else:
            return
        at = (at[0], min(at[1], bottom - st.px(6)))
        _put_text(img, label, at, st.font, GAZE, st.px(1.5), anchor=anchor, keep_in=st.border + st.px(4))
    elif math.isfinite(m.head_pitch_deg):  # no floor to land on (feet unseen) or above the horizon: a ray
        trunk = float(np.linalg.norm(_mid(m.px, L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - _mid(m.px, L.LEFT_HIP,
                                                                                              L.RIGHT_HIP)))
        length = trunk * 1.5 if math.isfinite(trunk) and trunk > 0 else st.px(120)
        _dashed(img, eye, eye + m.gaze_dir * length, GAZE, thick, dash)
        if math.isinf(m.gaze_distance_m):
            _put_text(img, "gaze: horizon", _pt(eye + m.gaze_dir * length + np.array([0.0, -st.px(8)])),
                      st.font, GAZE, st.px(1.5), anchor="centre")


def _caption_boxes(captions: Sequence[str], st: Style) -> list[tuple[str, int, int, int, int]]:
    """Where :func:`_flag` draws each caption: (text, x0, y0, x1, y1) of its filled box, left to right."""
    x, y = st.border + st.px(6), st.border + st.px(6)
    scale, thick, pad = st.font * 1.35, st.px(2), st.px(7)
    boxes = []
    for cap in captions:
        tw, th = _text_size(cap, scale, thick)
        boxes.append((cap, x, y, x + tw + 2 * pad, y + th + 2 * pad))
        x += tw + 2 * pad + st.px(8)
    return boxes


def _flag(img: Image, captions: Sequence[str], st: Style) -> None:
    h, w = img.shape[:2]
    b = st.border
    cv2.rectangle(img, (b // 2, b // 2), (w - 1 - b // 2, h - 1 - b // 2), FLAG_RED, b)
    scale, thick, pad = st.font * 1.35, st.px(2), st.px(7)
    for cap, x0, y0, x1, y1 in _caption_boxes(captions, st):
        cv2.rectangle(img, (x0, y0), (x1, y1), FLAG_RED, -1)
        _put_text(img, cap, (x0 + pad, y1 - pad), scale, (255, 255, 255), thick, outline=False)


def _flag_band(captions: Sequence[str], st: Style) -> tuple[int, int]:
    """The right end and the bottom (pixels) of the row of captions :func:`_flag` draws ((0, 0): none)."""
    boxes = _caption_boxes(captions, st)
    return (max(b[3] for b in boxes), max(b[4] for b in boxes)) if boxes else (0, 0)


# ---- the timeline strip -------------------------------------------------------------------------

def timeline_strip(clip: ClipOverlay, style: Style | None = None) -> TimelineStrip:
    """Render the timeline strip for ``clip`` once (the cursor is drawn per frame by annotate_frame).

    Head pitch (cyan, + = down) and trunk lean (orange, + = forward) in degrees over the clip, their
    limits dashed, looking-down and slouching spans shaded red, the time axis labelled at both ends.
    """
    w, h_frame = clip.frame_size
    st = style or Style.for_size(w, h_frame)
    h = max(st.px(80), round(h_frame * 0.16))
    img = np.full((h, w, 3), DARK, np.uint8)
    bg = img.copy()
    small = st.font * 0.8
    margin = st.border + st.px(6)  # clear of the red border of flagged frames
    label_w = _text_size("trunk lean", small, 1)[0]
    x0, x1 = margin + label_w + st.px(12), w - margin - st.px(30)
    y0, y1 = st.px(7), h - st.border - st.px(15)
    t0, t1 = (float(clip.t[0]), max(clip.duration_s, float(clip.t[-1]))) if len(clip.t) else (0.0, 1.0)
    strip = TimelineStrip(img, np.zeros((h, w), np.float32), h_frame - h, (x0, x1), (y0, y1), (t0, t1))
    for flags in (clip.look_down, clip.slouch):
        layer = img.copy()
        for a, b in flagged_spans(clip.t, flags, t1):
            cv2.rectangle(layer, (strip.x_of(a), y0), (max(strip.x_of(b), strip.x_of(a) + 1), y1), FLAG_RED, -1)
        img[:] = cv2.addWeighted(layer, 0.45, img, 0.55, 0)
    cv2.line(img, (x0, strip.y_of(0)), (x1, strip.y_of(0)), (110, 110, 110), 1, cv2.LINE_AA)
    for limit, col in ((clip.pitch_limit_deg, HEAD), (clip.lean_limit_deg, TRUNK)):
        if math.isfinite(limit):
            yy = float(strip.y_of(limit))
            _dashed(img, np.array([x0, yy]), np.array([x1, yy]), col, 1, st.px(4))
    for values, col in ((clip.trunk_lean_deg, TRUNK), (clip.head_pitch_deg, HEAD)):
        pts = [(strip.x_of(float(tt)), strip.y_of(float(v))) if math.isfinite(v) else None
               for tt, v in zip(clip.t, values, strict=True)]
        run: list[tuple[int, int]] = []
        for p in [*pts, None]:
            if p is None:
                if len(run) > 1:
                    cv2.polylines(img, [np.array(run, np.int32)], False, col, st.px(1.6), cv2.LINE_AA)
                run = []
            else:
                run.append(p)
    mid = (y0 + y1) // 2
    _put_text(img, "head pitch", (margin, mid - st.px(4)), small, HEAD, 1, outline=False)
    _put_text(img, "trunk lean", (margin, mid + st.px(14)), small, TRUNK, 1, outline=False)
    base, tiny = h - st.border - st.px(3), st.font * 0.65
    _put_text(img, f"{t0:.0f} s", (x0, base), tiny, (200, 200, 200), 1, outline=False, anchor="centre")
    _put_text(img, f"{t1:.1f} s", (x1, base), tiny, (200, 200, 200), 1, outline=False, anchor="centre")
    _put_text(img, "0°", (x1 + st.px(6), strip.y_of(0) + st.px(4)), small, (170, 170, 170), 1, outline=False)
    drawn = np.any(img != bg, axis=2)
    alpha = np.where(drawn, 0.9, 0.6).astype(np.float32)
    return TimelineStrip(img, alpha, h_frame - h, (x0, x1), (y0, y1), (t0, t1))


def _apply_strip(img: Image, strip: TimelineStrip, m: FrameMarks, t: float, st: Style) -> None:
    region = img[strip.top :].astype(np.float32)
    a = strip.alpha[:, :, None]
    img[strip.top :] = (region * (1 - a) + strip.image.astype(np.float32) * a + 0.5).astype(np.uint8)
    x = strip.x_of(t)
    (y0, y1), top = strip.y_range, strip.top
    cv2.line(img, (x, top + y0 - st.px(3)), (x, top + y1 + st.px(3)), (255, 255, 255), st.px(2), cv2.LINE_AA)
    for v, col in ((m.head_pitch_deg, HEAD), (m.trunk_lean_deg, TRUNK)):
        if math.isfinite(v):
            cv2.circle(img, (x, top + strip.y_of(v)), st.px(4), (255, 255, 255), -1, cv2.LINE_AA)
            cv2.circle(img, (x, top + strip.y_of(v)), st.px(3), col, -1, cv2.LINE_AA)


def annotate_frame(image: Image, marks: FrameMarks, *, t_s: float | None = None, strip: TimelineStrip | None = None,
                   style: Style | None = None) -> Image:
    """Draw the evidence overlays on a copy of ``image`` and return it.

    Args:
        image: (H, W, 3) uint8 RGB upright frame (not modified).
        marks: what to draw (see :class:`gaitcheck.evidence.marks.FrameMarks`).
        t_s: the frame's time, for the timeline cursor (needed with ``strip``).
        strip: a timeline strip from :func:`timeline_strip` for this frame size, or None for none.
        style: sizes (default: scaled to the frame).

    Returns:
        A new (H, W, 3) uint8 RGB image.

    Raises:
        ValueError: ``image`` is not (H, W, 3) uint8, or ``strip`` is for another frame width.
    """
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"image must be (H, W, 3) uint8 RGB, got {image.shape} {image.dtype}")
    h, w = image.shape[:2]
    st = style or Style.for_size(w, h)
    img = np.ascontiguousarray(image.copy())
    if strip is not None:
        if strip.image.shape[1] != w or strip.top + strip.image.shape[0] != h:
            raise ValueError("the timeline strip was made for another frame size")
        _apply_strip(img, strip, marks, 0.0 if t_s is None else t_s, st)
    if np.isfinite(marks.px).any():
        _skeleton(img, marks.px, st)
        _trunk(img, marks, st)
        _gaze(img, marks, st, h if strip is None else strip.top)
        _head(img, marks, st, _flag_band(marks.captions, st))
    if marks.captions:
        _flag(img, marks.captions, st)
    return img


def thumbnail(image: Image, marks: FrameMarks, width: int, *, crop: tuple[int, int, int, int] | None = None,
              boost: float = 1.5) -> Image:
    """A ``width``-pixel-wide copy of ``image`` with the overlays (no timeline), for a printed page.

    Args:
        image: (H, W, 3) uint8 RGB upright frame (not modified).
        marks: its marks, in the frame's pixels.
        width: the width of the result in pixels.
        crop: ``(x0, y0, x1, y1)``, the part of the frame to show (default: all of it).
        boost: lines and labels are drawn this many times larger than on a video frame of the result's
            size, so that they stay readable when the picture is printed small.
    """
    x0, y0, x1, y1 = crop if crop is not None else (0, 0, image.shape[1], image.shape[0])
    part = image[y0:y1, x0:x1]
    h, w = part.shape[:2]
    f = width / w
    small = cv2.resize(part, (width, max(1, round(h * f))), interpolation=cv2.INTER_AREA if f < 1 else
                       cv2.INTER_LINEAR)
    base = Style.for_size(small.shape[1], small.shape[0])
    return annotate_frame(np.ascontiguousarray(small), marks.scaled(f, (x0, y0)), style=Style(base.unit * boost))
