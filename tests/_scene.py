"""Tiny synthetic videos of scripted people, and a fake pose model that 'sees' them in the frames.

A :class:`Scene` is a few synthetic walkers (``_synth.make_walker``), each in view on some frames.
:func:`write_scene` draws each person in view as a bright box over their landmarks on a dark
frame and writes an H.264 clip. :class:`FakeLandmarkers` is a
:data:`gaitcheck.pose.landmarker.LandmarkerFactory` whose landmarkers behave like MediaPipe's
where the pose stage relies on it, and only as far as the frames they are shown allow:

- a person is found only where their box is still bright (in some colour) at their torso centre: painted over
  with the follower's flat grey (or out of view), they are not;
- at most ``num_poses`` people per frame; a single-person landmarker keeps to the person it
  found last (as MediaPipe's tracking does), else takes the largest;
- what a landmarker returns depends on its own history (how many frames it has seen) and on the
  pixels it is shown, so two runs give the same landmarks bit for bit only when each of their
  landmarkers was shown the same frames, painted the same way, in the same order.

Each landmarker's looks are recorded (:attr:`FakeLandmarkers.made`), so a test can tell which
person each follower followed and on which frames.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np
from _synth import make_walker

from gaitcheck.landmarks import TORSO

SIZE = (320, 180)
FPS = 30
BRIGHT, DARK = 230, 20
SEEN = 180  # a torso centre at least this bright is in view (grey paint is 128)


@dataclass(frozen=True, eq=False)
class Person:
    image: np.ndarray  # (T, 33, 5) pixels, visibility, presence
    world: np.ndarray  # (T, 33, 3)
    present: np.ndarray  # (T,) bool: in view
    colour: tuple[int, int, int] = (BRIGHT, BRIGHT, BRIGHT)  # RGB of their box (their clothes)

    def box(self, i: int) -> tuple[int, int, int, int]:
        xy = self.image[i, :, :2]
        x0, y0 = np.floor(xy.min(axis=0)).astype(int)
        x1, y1 = np.ceil(xy.max(axis=0)).astype(int)
        return max(0, x0), max(0, y0), min(SIZE[0], x1), min(SIZE[1], y1)

    def centre(self, i: int) -> tuple[int, int]:
        x, y = self.image[i, list(TORSO), :2].mean(axis=0)
        return round(float(x)), round(float(y))


def person(n: int, *, first: int = 0, last: int | None = None, start_x: float = 40.0, speed: float = 60.0,
           direction: int = 1, scale: float = 0.16, cadence: float = 110.0, dy: float = 0.0,
           colour: tuple[int, int, int] = (BRIGHT, BRIGHT, BRIGHT)) -> Person:
    """A synthetic walker in a :data:`SIZE` frame (at ``start_x`` at 0 s), in view on frames ``first`` to ``last``.

    ``scale`` 0.16 is about 90 px tall; ``dy`` moves them up (< 0) or down in the frame;
    ``speed=0`` and a tiny ``cadence`` make a bystander standing still; ``colour`` (RGB, some
    channel at least :data:`SEEN`) is what they wear.
    """
    t = np.arange(n) / FPS
    img, world, _ = make_walker(t=t, frame_size=SIZE, scale=scale, start_x=start_x, speed_px_s=speed,
                                direction=direction, cadence_spm=cadence)
    img[:, :, 1] += dy
    present = np.zeros(n, bool)
    present[first:(n if last is None else last + 1)] = True
    return Person(img.astype(np.float32), world.astype(np.float32), present, colour)


@dataclass(frozen=True, eq=False)
class Scene:
    people: tuple[Person, ...]

    @property
    def n(self) -> int:
        return len(self.people[0].present)


def write_scene(scene: Scene, path: str | os.PathLike[str]) -> Path:
    """Draw every frame of ``scene`` and write it as an H.264 MP4 at :data:`FPS`."""
    with av.open(os.fspath(path), "w") as container:
        stream = container.add_stream("libx264", rate=FPS, options={"g": "15", "crf": "10"})
        stream.width, stream.height, stream.pix_fmt = SIZE[0], SIZE[1], "yuv420p"
        for i in range(scene.n):
            img = np.full((SIZE[1], SIZE[0], 3), DARK, np.uint8)
            for p in scene.people:
                if p.present[i]:
                    x0, y0, x1, y1 = p.box(i)
                    img[y0:y1, x0:x1] = p.colour
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return Path(path)


@dataclass
class FakeLandmarker:
    """One landmarker: looks for up to ``num_poses`` people of ``scene`` in the frames it is shown."""

    scene: Scene
    num_poses: int
    owner: FakeLandmarkers
    looks: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)  # (frame, people returned)
    closed: bool = False

    def _visible(self, image: np.ndarray, i: int) -> list[int]:
        out = []
        for k, p in enumerate(self.scene.people):
            x, y = p.centre(i)
            if p.present[i] and 0 <= x < SIZE[0] and 0 <= y < SIZE[1]:
                if image[max(0, y - 1):y + 2, max(0, x - 1):x + 2].max(axis=2).mean() >= SEEN:
                    out.append(k)
        return out

    def detect(self, image: np.ndarray, t_ms: int) -> tuple[np.ndarray, np.ndarray]:
        assert not self.closed, "a closed landmarker was used"
        self.owner.pace(self, t_ms)
        i = round(t_ms * FPS / 1000)
        seen = [] if self.owner.miss is not None and self.owner.miss(self.num_poses, i) else self._visible(image, i)
        by_size = sorted(seen, key=lambda k: -np.ptp(self.scene.people[k].image[i, :, :2], axis=0).max())
        if self.num_poses == 1 and self.looks and self.looks[-1][1] and self.looks[-1][1][0] in seen:
            chosen = [self.looks[-1][1][0]]  # tracking: the one found last time
        else:
            chosen = by_size[:self.num_poses]
        lm = np.zeros((len(chosen), 33, 5), np.float32)
        world = np.zeros((len(chosen), 33, 3), np.float32)
        for j, k in enumerate(chosen):
            p = self.scene.people[k]
            x, y = p.centre(i)
            shade = float(image[y, x].max()) / 255  # what it was shown ...
            lm[j] = p.image[i] / np.array([SIZE[0], SIZE[1], SIZE[0], 1, 1], np.float32)
            lm[j, :, 3] = 0.5 + 0.4 * shade
            lm[j, :, 2] += np.float32(1e-4 * len(self.looks))  # ... and how much it has seen so far
            world[j] = p.world[i]
        self.looks.append((i, tuple(chosen)))
        self.owner.looked(self)
        return lm, world

    def close(self) -> None:
        self.closed = True
        self.owner.looked(self)


class FakeLandmarkers:
    """A landmarker factory for ``scene``; ``made`` lists every landmarker it has made, in order.

    ``lead``: if given, a multi-person landmarker (the scan) waits before each frame, while a
    single-person one (a follower) is open, until it has looked within ``lead`` frames of it, so
    that the scan cannot run far ahead of the follower (as when the model is slow and the cores
    are shared). With no follower open (the sequential passes' scan) it does not wait.
    ``miss(num_poses, frame)``: if given and true, the landmarker finds nobody on that frame.
    """

    def __init__(self, scene: Scene, lead: int | None = None,
                 miss: Callable[[int, int], bool] | None = None) -> None:
        self.scene, self.lead, self.miss = scene, lead, miss
        self.made: list[FakeLandmarker] = []
        self._cond = threading.Condition()
        self._follower_at = -1

    def __call__(self, num_poses: int) -> FakeLandmarker:
        lm = FakeLandmarker(self.scene, num_poses, self)
        with self._cond:
            self.made.append(lm)
        return lm

    def pace(self, lm: FakeLandmarker, t_ms: int) -> None:
        if self.lead is None or lm.num_poses == 1:
            return
        frame = round(t_ms * FPS / 1000)
        with self._cond:
            self._cond.wait_for(lambda: not self._following() or self._follower_at >= frame - self.lead, timeout=10)

    def _following(self) -> bool:
        return any(lm.num_poses == 1 and not lm.closed for lm in self.made)

    def looked(self, lm: FakeLandmarker) -> None:
        """A follower has looked at a frame (or was closed): a waiting scan may go on."""
        if lm.num_poses == 1:
            with self._cond:
                if lm.looks:
                    self._follower_at = max(self._follower_at, lm.looks[-1][0])
                self._cond.notify_all()

    def followers(self) -> list[FakeLandmarker]:
        return [lm for lm in self.made if lm.num_poses == 1]
