"""A quick look at an upload before the analysis: warnings that the clip may not show what is needed.

:func:`precheck_video` reads the clip's size, frame rate and length and runs the pose model on a
handful of frames spread over the first seconds; :func:`judge` (pure) turns that into plain warnings
(too small, too short, filmed from behind, ...). The page shows them and lets the user analyse
anyway: a warning never blocks.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from statistics import median

import numpy as np
from numpy.typing import NDArray

from ..angles import upright
from ..config import Config
from ..landmarks import FEET, HEAD, TORSO
from ..pose.landmarker import PoseEstimator, resolve_model
from ..video import VideoReader
from ..view import frame_views

__all__ = ["MIN_DURATION_S", "MIN_FPS", "MIN_HEIGHT_PX", "MIN_HEIGHT_REL", "MIN_SHORT_SIDE_PX", "Glimpse", "Precheck",
           "glimpse", "judge", "precheck_video"]

MIN_SHORT_SIDE_PX = 300  # below this the pose model starts missing a walker 3-4 m away
MIN_FPS = 20.0  # below this a 0.5 s glance down spans few frames and step timing is coarse
MIN_DURATION_S = 3.5  # about 6 steps at a relaxed 100 steps per minute
MIN_HEIGHT_REL = 0.25  # the walker's head-to-feet extent as a share of the picture's height ...
MIN_HEIGHT_PX = 150  # ... and in pixels (the real side-view clips: 0.32-0.83 and 230-600 px)
_BODY = np.array([*HEAD, *TORSO, *FEET])


@dataclass(frozen=True)
class Glimpse:
    """The largest person the pose model found in one sampled frame.

    Attributes:
        t_s: the frame's time.
        found: somebody was found (the other fields are then about them).
        height_rel: their head-to-feet extent inside the picture, as a share of its height.
        inside: head, trunk and feet are all inside the picture.
        view: "side", "front", "back", "oblique", or "" when unknown.
        turned: they lie on their side or upside down in the picture (the video's rotation lost).
    """

    t_s: float
    found: bool
    height_rel: float = 0.0
    inside: bool = False
    view: str = ""
    turned: bool = False


@dataclass(frozen=True)
class Precheck:
    """What the quick look found: the clip's numbers, the glimpses and the warnings (maybe none)."""

    width: int
    height: int
    fps: float
    duration_s: float
    glimpses: tuple[Glimpse, ...]
    warnings: tuple[str, ...]


def glimpse(t_s: float, image_lm: NDArray[np.float32], world: NDArray[np.float32],
            size: tuple[int, int] = (1, 1)) -> Glimpse:
    """The glimpse of one frame from the pose model's ``(n, 33, 5)`` image and ``(n, 33, 3)`` world landmarks.

    ``image_lm`` is in 0..1 of the picture, whose ``size`` (width, height) in pixels gives the body's
    direction in it.

    >>> lm = np.zeros((1, 33, 5), np.float32); lm[0, :, 0] = 0.5; lm[0, :, 1] = np.linspace(0.2, 0.9, 33)
    >>> g = glimpse(1.0, lm, np.zeros((1, 33, 3), np.float32)); (g.found, round(g.height_rel, 2), g.inside)
    (True, 0.7, True)
    """
    if len(image_lm) == 0:
        return Glimpse(t_s, False)
    ys = np.clip(image_lm[:, :, 1], 0.0, 1.0)
    sizes = ys.max(axis=1) - ys.min(axis=1)
    k = int(np.argmax(sizes))
    body = image_lm[k, _BODY, :2]
    inside = bool(((body >= 0.0) & (body <= 1.0)).all())
    view = str(frame_views(world[k : k + 1].astype(np.float64), smooth_frames=1)[0])
    px = image_lm[k : k + 1, :, :2].astype(np.float64) * np.asarray(size, np.float64)
    turned = not bool(upright(px, smooth_frames=1)[0])
    return Glimpse(t_s, True, float(sizes[k]), inside, view, turned)


def judge(width: int, height: int, fps: float, duration_s: float, glimpses: tuple[Glimpse, ...]) -> tuple[str, ...]:
    """Plain warnings about a clip from its numbers and glimpses (none when it looks fine).

    >>> back = Glimpse(1.0, True, 0.6, True, "back")
    >>> [w[:60] for w in judge(1280, 720, 30.0, 8.0, (back, back))]
    ['The walker is filmed from behind: head posture and trunk lea']
    """
    out = []
    if min(width, height) < MIN_SHORT_SIDE_PX:
        out.append(f"The video is small ({width}x{height} pixels): the pose model may miss the walker. "
                   "Film at 720p or more.")
    if 0 < fps < MIN_FPS:
        out.append(f"The frame rate is low ({fps:.0f} frames per second): short glances down and the timing of "
                   "steps may be missed. Film at 30 frames per second.")
    if duration_s < MIN_DURATION_S:
        out.append(f"The clip is short ({duration_s:.1f} s): film at least 6 steps (about 5 s of walking).")
    seen = [g for g in glimpses if g.found]
    if glimpses and not seen:
        out.append("We did not see a person in the frames we looked at. Film the whole body, head to feet, in good "
                   "light.")
        return tuple(out)
    if not seen:
        return tuple(out)
    if sum(g.turned for g in seen) > len(seen) / 2:  # then heights and views of the glimpses mean nothing
        out.append("The video looks turned on its side: the walker lies across the picture. gaitcheck turns it "
                   "upright for the analysis; if the pictures still look wrong, turn the video upright on the phone "
                   "and upload it again.")
        return tuple(out)
    size = median(g.height_rel for g in seen)
    if size < MIN_HEIGHT_REL:
        out.append(f"The walker looks small or far away (about {size:.0%} of the picture's height). Come closer, "
                   "3-4 m (10-13 ft) away, so that head to feet fill most of the picture's height.")
    elif size * height < MIN_HEIGHT_PX:
        out.append(f"The walker is small in pixels (about {size * height:.0f} px tall in a {width}x{height} video; "
                   f"at least {MIN_HEIGHT_PX} px is needed). Film at 720p or more, or come closer.")
    if sum(not g.inside for g in seen) > len(seen) / 2:
        out.append("Part of the body (head or feet) is outside the picture in most of the frames we looked at. Move "
                   "the phone back or turn it so that the whole body stays in view.")
    views = [g.view for g in seen if g.view]
    for view, words in (("back", "from behind"), ("front", "from the front")):
        if views and views.count(view) > len(views) / 2:
            out.append(f"The walker is filmed {words}: head posture and trunk lean cannot be judged {words} (steps "
                       "can still be counted). Film from the side for those.")
    return tuple(out)


def _sample_times(duration_s: float, samples: int, window_s: float) -> list[float]:
    span = min(duration_s, window_s) if duration_s > 0 else window_s
    return [(k + 0.5) / samples * span for k in range(samples)]


def precheck_video(path: str | os.PathLike[str], config: Config | None = None, *, samples: int = 8,
                   window_s: float = 20.0) -> Precheck:
    """Look at ``samples`` frames spread over the clip's first ``window_s`` seconds with the pose model.

    Raises:
        VideoReadError, InputTooLargeError: the file cannot be used.
        ModelError: the pose model cannot be loaded.
    """
    cfg = config or Config()
    targets = _sample_times(0.0, samples, window_s)
    pending = [0]

    def select(_index: int, t_s: float) -> bool | None:  # the first frame at or after each target time
        if pending[0] >= len(targets):
            return None
        if t_s + 1e-6 >= targets[pending[0]]:
            while pending[0] < len(targets) and t_s + 1e-6 >= targets[pending[0]]:
                pending[0] += 1
            return True
        return False

    with VideoReader(path, select=select, max_duration_s=cfg.limits.max_duration_s,
                     max_pixels=cfg.limits.max_pixels) as reader:
        info = reader.info
        targets[:] = _sample_times(info.duration_s, samples, window_s)
        found: list[Glimpse] = []
        with PoseEstimator(resolve_model(), cfg.pose, num_poses=2) as pose:
            for frame in reader:
                lm, world = pose.detect(frame.image, round(frame.t_s * 1000))
                found.append(glimpse(frame.t_s, lm, world, (info.width, info.height)))
        duration = info.duration_s or (reader.times[-1] if reader.times else 0.0)
    glimpses = tuple(found)
    return Precheck(info.width, info.height, info.fps, duration, glimpses,
                    judge(info.width, info.height, info.fps, duration, glimpses))
