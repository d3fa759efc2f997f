"""What the evidence overlays show, frame by frame, computed from a Report (pure numpy, no drawing).

The drawing itself is in :mod:`gaitcheck.evidence.draw`; this module only decides *what* goes where:
the walker's landmarks in pixels, the live head pitch and trunk lean, the flags, and the gaze
point on the floor.

Gaze point: the report's gaze distance (metres ahead on the floor, from the head pitch and the
assumed eye height, 0.93 x body height) is drawn as a marker on the floor line under the walker,
that many metres ahead in the facing direction. Metres become pixels with the walker's own scale:
the eye's height above the floor in pixels divided by the eye height in metres (a running median
over about a second). The floor line is the lowest foot point over about a second (some foot is
always on the floor while walking), levelled by the camera tilt the report corrected. The
marker therefore sits where a line of sight at the measured angle, from the eye as seen in the
image, meets the floor; a dashed line from the eye to it shows that line of sight. Where the feet
are not visible, only the direction of the line of sight is drawn (a short ray from the eye).
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .. import angles
from ..config import Config
from ..errors import InputError
from ..landmarks import FEET
from ..landmarks import Landmark as L
from ..report import Report
from ..video import frame_step

__all__ = ["ClipOverlay", "FrameMarks", "clip_overlay", "flagged_spans", "gaze_points", "look_down_pitch_deg"]

F = NDArray[np.float64]
B = NDArray[np.bool_]
_WINDOW_S = 1.0  # running windows for the floor line and the pixel scale


@dataclass(frozen=True, eq=False, kw_only=True)
class FrameMarks:
    """What to draw on one frame (pixels of the upright frame, x right, y down; NaN = unknown).

    Attributes:
        px: (33, 2) the walker's landmarks; all NaN where the walker was not found.
        head_pitch_deg: the report's head pitch (+ = down), NaN where not measured.
        trunk_lean_deg: the report's trunk lean (+ = forward), NaN where not measured.
        gaze_distance_m: metres ahead on the floor; inf = at or above the horizon; NaN = unknown.
        gaze_point: (2,) the gaze point on the floor line (may lie outside the frame); NaN = unknown.
        gaze_dir: (2,) unit vector of the line of sight from the eye (for the ray); NaN = unknown.
        look_down: the frame is in a looking-down episode.
        slouch: the frame is in a slouching episode.
    """

    px: F
    head_pitch_deg: float
    trunk_lean_deg: float
    gaze_distance_m: float
    gaze_point: F
    gaze_dir: F
    look_down: bool
    slouch: bool

    def scaled(self, factor: float, origin: tuple[float, float] = (0.0, 0.0)) -> FrameMarks:
        """The same marks for the frame cropped at ``origin`` (x, y) and then resized by ``factor``."""
        o = np.asarray(origin, np.float64)
        return dataclasses.replace(self, px=(self.px - o) * factor, gaze_point=(self.gaze_point - o) * factor)

    @property
    def captions(self) -> tuple[str, ...]:
        """The flag captions for this frame ("Looking down", "Slouching"), in that order."""
        return tuple(c for c, on in (("Looking down", self.look_down), ("Slouching", self.slouch)) if on)


@dataclass(frozen=True, eq=False, kw_only=True)
class ClipOverlay:
    """The overlays of a whole clip: (T, ...) arrays, row i = decoded frame i.

    Attributes:
        t: (T,) seconds.
        px: (T, 33, 2) landmarks in pixels, NaN where missing.
        head_pitch_deg, trunk_lean_deg, gaze_distance_m: (T,) the report's per-frame measures.
        gaze_point: (T, 2) gaze point on the floor in pixels (NaN = unknown).
        gaze_dir: (T, 2) unit line-of-sight direction from the eye in pixels (NaN = unknown).
        look_down, slouch: (T,) the flagged frames.
        frame_size: (width, height) of the upright frame.
        duration_s: the clip's duration (last frame's end).
        pitch_limit_deg: head pitch beyond which the gaze point is nearer than the look-down distance.
        lean_limit_deg: the trunk-lean limit of the slouch check.
    """

    t: F
    px: F
    head_pitch_deg: F
    trunk_lean_deg: F
    gaze_distance_m: F
    gaze_point: F
    gaze_dir: F
    look_down: B
    slouch: B
    frame_size: tuple[int, int]
    duration_s: float
    pitch_limit_deg: float
    lean_limit_deg: float

    def __len__(self) -> int:
        return len(self.t)

    def frame(self, i: int) -> FrameMarks:
        """The marks of frame ``i``."""
        return FrameMarks(px=self.px[i], head_pitch_deg=float(self.head_pitch_deg[i]),
                          trunk_lean_deg=float(self.trunk_lean_deg[i]), gaze_distance_m=float(self.gaze_distance_m[i]),
                          gaze_point=self.gaze_point[i], gaze_dir=self.gaze_dir[i], look_down=bool(self.look_down[i]),
                          slouch=bool(self.slouch[i]))


def look_down_pitch_deg(cfg: Config, height_cm: float) -> float:
    """The head pitch at which the gaze point reaches the look-down distance (degrees, + = down).

    Inverts ``gaze = eye_height / tan(pitch + line_of_sight)`` at ``look_down_distance_m``.

    >>> round(look_down_pitch_deg(Config(), 170), 1)
    12.8
    """
    eye_h = height_cm / 100 * cfg.body.eye_height_ratio
    la = cfg.look_ahead
    return math.degrees(math.atan(eye_h / la.look_down_distance_m)) - la.line_of_sight_deg


def _running(x: F, half: int, fn: str) -> F:
    """Running nanmax / nanmedian over ``2 * half + 1`` samples (NaN where the window is all NaN)."""
    if len(x) == 0:
        return x.copy()
    pad = np.pad(x, half, constant_values=np.nan)
    win = np.lib.stride_tricks.sliding_window_view(pad, 2 * half + 1)
    with warnings.catch_warnings():  # all-NaN windows are expected: they give NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        out = np.nanmax(win, axis=1) if fn == "max" else np.nanmedian(win, axis=1)
    return np.asarray(out, np.float64)


def gaze_points(px: F, t: F, facing: F, pitch_deg: F, gaze_m: F, eye_height_m: float, line_of_sight_deg: float,
                tilt_deg: float, frame_size: tuple[int, int]) -> tuple[F, F]:
    """Where the line of sight meets the floor, in pixels, and its direction from the eye.

    Args:
        px: (T, 33, 2) landmarks in pixels of the upright frame (x right, y down).
        t: (T,) seconds.
        facing: (T,) +1 facing image-right, -1 facing image-left, NaN unknown.
        pitch_deg: (T,) head pitch (+ = down, camera tilt already corrected).
        gaze_m: (T,) gaze distance on the floor in metres (inf = at or above the horizon).
        eye_height_m: eye height above the floor in metres.
        line_of_sight_deg: how far the line of sight of a level head falls below horizontal.
        tilt_deg: camera roll the measures were corrected for (0 if none).
        frame_size: (width, height), the centre of the tilt correction.

    Returns:
        ``(points (T, 2), directions (T, 2))``, NaN where unknown: the gaze point on the floor line,
        ``gaze_m`` ahead of the eye at the walker's pixels-per-metre, and the unit direction of
        the line of sight (pointing ahead and down).
    """
    n = len(t)
    centre = (frame_size[0] / 2, frame_size[1] / 2)
    lev = angles.rotate_points(px, tilt_deg, centre)  # levelled: the floor is horizontal
    eye = (lev[:, L.LEFT_EYE] + lev[:, L.RIGHT_EYE]) / 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        low = np.nanmax(lev[:, list(FEET), 1], axis=1) if n else np.zeros(0)
    dt = frame_step(t)
    half = max(1, round(_WINDOW_S / 2 / max(dt, 1e-3)))
    floor_y = _running(low, half, "max")
    ppm = _running((floor_y - eye[:, 1]) / eye_height_m, half, "median")
    ppm = np.where(ppm > 0, ppm, np.nan)
    a = np.radians(pitch_deg + line_of_sight_deg)
    direction_lev = np.stack([facing * np.cos(a), np.sin(a)], axis=1)
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(gaze_m) & (gaze_m > 0)
    ahead = np.where(finite, gaze_m, np.nan) * ppm
    point_lev = np.stack([eye[:, 0] + facing * ahead, floor_y], axis=1)
    points = angles.rotate_points(point_lev, -tilt_deg, centre)
    # directions turn with the image: rotate the unit vectors about the origin
    dirs = angles.rotate_points(direction_lev, -tilt_deg, (0.0, 0.0))
    return points, dirs


def clip_overlay(report: Report) -> ClipOverlay:
    """The overlays of ``report``'s clip (the walker's cleaned landmarks and per-frame measures).

    Raises:
        InputError: the report carries no landmarks (``report.series`` is None: it was read from
            JSON) or its frames do not match them.
    """
    series = report.series
    if series is None:
        raise InputError("the report carries no landmarks to draw (it was not made by gaitcheck.analyze)")
    frames = report.frames
    if len(series) != len(frames):
        raise InputError(f"the report has {len(frames)} frames but landmarks for {len(series)}")
    cfg = report.settings
    px = series.pixels()
    t = np.asarray(series.t, np.float64)
    look = _flags(report.look_ahead.flagged, len(frames))
    slouch = _flags(report.slouch.flagged, len(frames))
    eye_h = report.height_cm / 100 * cfg.body.eye_height_ratio
    tilt = report.camera_tilt_deg or 0.0
    points, dirs = gaze_points(px, t, frames.facing, frames.head_pitch_deg, frames.gaze_distance_m, eye_h,
                               cfg.look_ahead.line_of_sight_deg, tilt, series.frame_size)
    return ClipOverlay(t=t, px=px, head_pitch_deg=frames.head_pitch_deg, trunk_lean_deg=frames.trunk_lean_deg,
                       gaze_distance_m=frames.gaze_distance_m, gaze_point=points, gaze_dir=dirs, look_down=look,
                       slouch=slouch, frame_size=series.frame_size, duration_s=report.video.duration_s,
                       pitch_limit_deg=look_down_pitch_deg(cfg, report.height_cm),
                       lean_limit_deg=cfg.slouch.trunk_lean_max_deg)


def _flags(flagged: B | None, n: int) -> B:
    return np.zeros(n, bool) if flagged is None else np.asarray(flagged, bool)


def flagged_spans(t: Sequence[float] | F, flags: Sequence[bool] | B, end_s: float) -> list[tuple[float, float]]:
    """Contiguous runs of flagged frames as ``(start_s, end_s)`` (a frame lasts until the next one).

    >>> flagged_spans([0.0, 0.1, 0.2, 0.3], [False, True, True, False], 0.4)
    [(0.1, 0.3)]
    """
    tt = np.asarray(t, np.float64)
    on = np.asarray(flags, bool)
    ends = np.append(tt[1:], end_s)
    spans: list[tuple[float, float]] = []
    i = 0
    while i < len(on):
        if on[i]:
            j = i
            while j + 1 < len(on) and on[j + 1]:
                j += 1
            spans.append((float(tt[i]), float(ends[j])))
            i = j + 1
        else:
            i += 1
    return spans
