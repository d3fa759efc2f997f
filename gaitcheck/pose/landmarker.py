"""Pose estimation with MediaPipe's PoseLandmarker (Tasks API, VIDEO mode).

This is the only module that uses mediapipe, imported lazily (through :mod:`._mediapipe`). The model ships inside the
package and is checked against its sha256 on load; nothing is ever downloaded.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from .._io import sha256_file
from ..config import PoseConfig
from ..errors import ModelError
from ..landmarks import NUM_LANDMARKS
from ._mediapipe import import_mediapipe, quiet_stderr

__all__ = ["BUNDLED_MODEL_SHA256", "Landmarker", "LandmarkerFactory", "MediaPipeLandmarkers", "ModelInfo",
           "PoseEstimator", "resolve_model"]

BUNDLED_MODEL_NAME = "pose_landmarker_full.task"
BUNDLED_MODEL_SHA256 = "b85d52490cd0be46572021404be060f43d16bb13b6f7f5d63793f5fd13bfdad9"
MODEL_ENV = "GAITCHECK_MODEL"


@dataclass(frozen=True)
class ModelInfo:
    """The pose model in use: where it is, its sha256, and whether it is the bundled one."""

    path: str
    sha256: str
    bundled: bool

    @property
    def name(self) -> str:
        """The model file's name."""
        return Path(self.path).name


def resolve_model(path: str | os.PathLike[str] | None = None) -> ModelInfo:
    """Find the pose model: ``path``, else ``$GAITCHECK_MODEL``, else the bundled model.

    Raises:
        ModelError: the file is missing or not a ``.task`` bundle, or the bundled model fails its checksum.
    """
    chosen = path if path is not None else os.environ.get(MODEL_ENV) or None
    if chosen is None:
        p = Path(str(resources.files("gaitcheck") / "models" / BUNDLED_MODEL_NAME))
        if not p.is_file():
            raise ModelError(f"the bundled pose model is missing ({p}); reinstall gaitcheck")
        digest = sha256_file(p)
        if digest != BUNDLED_MODEL_SHA256:
            raise ModelError(f"the bundled pose model {p.name} is damaged (sha256 {digest[:12]}… "
                             f"instead of {BUNDLED_MODEL_SHA256[:12]}…); reinstall gaitcheck")
        return ModelInfo(str(p), digest, True)
    p = Path(chosen)
    if not p.is_file():
        raise ModelError(f"pose model not found: {p}")
    if p.suffix != ".task" or not zipfile.is_zipfile(p):
        raise ModelError(f"{p.name} is not a MediaPipe .task model bundle")
    return ModelInfo(str(p), sha256_file(p), False)


class Landmarker(Protocol):
    """What the passes need of a pose model: people found in a frame, and ``close()``.

    :class:`PoseEstimator` is the real one; tests inject fakes (see :data:`LandmarkerFactory`).
    """

    def detect(self, image: NDArray[np.uint8], t_ms: int) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """``(n, 33, 5)`` image landmarks (x, y normalised) and ``(n, 33, 3)`` world landmarks of one RGB frame."""
        ...

    def close(self) -> None:
        """Free the model (it is not used again)."""
        ...


#: Makes a fresh landmarker (no history) looking for up to ``num_poses`` people per frame.
LandmarkerFactory = Callable[[int], Landmarker]


@dataclass(frozen=True)
class MediaPipeLandmarkers:
    """The :data:`LandmarkerFactory` of the real model: ``PoseEstimator(model, pose, num_poses=n, quiet=quiet)``."""

    model: ModelInfo
    pose: PoseConfig
    quiet: bool = False

    def __call__(self, num_poses: int) -> PoseEstimator:
        """A new landmarker looking for at most ``num_poses`` people."""
        return PoseEstimator(self.model, self.pose, num_poses=num_poses, quiet=self.quiet)


class PoseEstimator:
    """A MediaPipe PoseLandmarker in VIDEO mode; use it as a context manager so it is closed.

    ``detect(image, t_ms)`` returns two arrays for the people found in that frame:
    ``(n, 33, 5)`` image landmarks ``[x, y, z, visibility, presence]`` (x, y normalised to the image)
    and ``(n, 33, 3)`` world landmarks in metres. Timestamps must strictly increase.

    It looks for up to ``num_poses`` people per frame (default ``pose.max_people``). Each one costs
    about one more run of the model per frame, whether or not anyone is there: with fewer people in
    view than ``num_poses``, the person detector runs again on every frame.

    ``quiet=True`` hides the C++ log lines mediapipe writes to file descriptor 2 when a landmarker
    is created, first finds someone and is closed, by pointing fd 2 at the null device meanwhile:
    for the whole process (see :mod:`gaitcheck.pose._mediapipe`), so only the command line asks for it.
    """

    def __init__(self, model: ModelInfo, pose: PoseConfig | None = None, *, num_poses: int | None = None,
                 quiet: bool = False) -> None:
        pose = pose or PoseConfig()
        try:
            mp, BaseOptions, vision = import_mediapipe()
        except ImportError as exc:  # pragma: no cover - mediapipe is a hard dependency
            raise ModelError(f"mediapipe is not installed: {exc}") from None
        self._mp = mp
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=model.path),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=max(1, pose.max_people if num_poses is None else num_poses),
            min_pose_detection_confidence=pose.min_detection_confidence,
            min_pose_presence_confidence=pose.min_presence_confidence,
            min_tracking_confidence=pose.min_tracking_confidence,
        )
        try:
            with quiet_stderr(quiet):
                self._landmarker: Any = vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as exc:
            raise ModelError(f"cannot load pose model {model.name}: {exc}") from None
        self._last_ms = -1
        self._quiet = quiet
        self._first = True  # nobody found yet

    def detect(self, image: NDArray[np.uint8], t_ms: int) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """Find people in one RGB frame (H, W, 3) uint8 at time ``t_ms``."""
        t_ms = max(int(t_ms), self._last_ms + 1)  # VIDEO mode needs strictly increasing timestamps
        self._last_ms = t_ms
        frame = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=np.ascontiguousarray(image))
        if self._first:  # the graph logs a harmless C++ warning to fd 2 when it first finds a pose
            with quiet_stderr(self._quiet):
                result = self._landmarker.detect_for_video(frame, t_ms)
            self._first = not result.pose_landmarks
        else:
            result = self._landmarker.detect_for_video(frame, t_ms)
        n = len(result.pose_landmarks)
        lm = np.empty((n, NUM_LANDMARKS, 5), np.float32)
        world = np.empty((n, NUM_LANDMARKS, 3), np.float32)
        for i, (pose, wpose) in enumerate(zip(result.pose_landmarks, result.pose_world_landmarks, strict=True)):
            lm[i] = [(p.x, p.y, p.z, p.visibility or 0.0, p.presence or 0.0) for p in pose]
            world[i] = [(p.x, p.y, p.z) for p in wpose]
        return lm, world

    def close(self) -> None:
        """Close the landmarker (MediaPipe's resources are freed)."""
        if self._landmarker is not None:
            with quiet_stderr(self._quiet):  # mediapipe >= 1.2.3 logs "DestroyAccelerator" C++ lines to fd 2 here
                self._landmarker.close()
            self._landmarker = None

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
