"""`PoseSeries`: the one container passed between gaitcheck's stages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .errors import ShapeError
from .landmarks import NUM_LANDMARKS

__all__ = ["PoseSeries", "check_shape"]


def check_shape(arr: object, shape: Sequence[int | None], name: str) -> None:
    """Raise :class:`ShapeError` unless ``arr`` is an ndarray of ``shape`` (``None`` matches any size).

    >>> check_shape(np.zeros((2, 3)), (None, 3), "x")
    >>> check_shape(np.zeros((2, 4)), (None, 3), "x")
    Traceback (most recent call last):
    ...
    gaitcheck.errors.ShapeError: x must have shape (_, 3), got (2, 4)
    """
    want = "(" + ", ".join("_" if s is None else str(s) for s in shape) + ")"
    if not isinstance(arr, np.ndarray):
        raise ShapeError(f"{name} must be a numpy array of shape {want}, got {type(arr).__name__}")
    if arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape, strict=False)):
        raise ShapeError(f"{name} must have shape {want}, got {tuple(arr.shape)}")


@dataclass(frozen=True, eq=False)
class PoseSeries:
    """The walker's landmarks over a clip, one row per decoded video frame.

    Frames where the walker was not detected stay in the arrays as NaN rows, so row ``i`` is always
    decoded frame ``i``. Arrays are made read-only on construction.

    Attributes:
        xyz: (T, 33, 3) float32, MediaPipe image landmarks: x and y normalised 0..1 to the upright
            frame's width and height (y points down), z relative depth (same scale as x).
        visibility: (T, 33) float32 in 0..1, the model's visibility score; NaN where not detected.
        world: (T, 33, 3) float32, world landmarks in metres, hip-centred (MediaPipe convention).
        t: (T,) float64 presentation time of each frame in seconds (not index / fps).
        frame_size: (width, height) of the upright frame in pixels.
        source: where the series came from (a path or a description).
    """

    xyz: NDArray[np.float32]
    visibility: NDArray[np.float32]
    world: NDArray[np.float32]
    t: NDArray[np.float64]
    frame_size: tuple[int, int]
    source: str = ""
    meta: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.t)
        check_shape(self.xyz, (n, NUM_LANDMARKS, 3), "xyz")
        check_shape(self.visibility, (n, NUM_LANDMARKS), "visibility")
        check_shape(self.world, (n, NUM_LANDMARKS, 3), "world")
        check_shape(self.t, (n,), "t")
        w, h = self.frame_size
        if w <= 0 or h <= 0:
            raise ValueError(f"frame_size must be positive, got {self.frame_size}")
        for name, dtype in (("xyz", np.float32), ("visibility", np.float32), ("world", np.float32),
                            ("t", np.float64)):
            arr = np.array(getattr(self, name), dtype=dtype, copy=True)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    @classmethod
    def empty(cls, frame_size: tuple[int, int] = (1, 1), source: str = "") -> PoseSeries:
        """A valid zero-length series."""
        return cls(np.zeros((0, NUM_LANDMARKS, 3), np.float32), np.zeros((0, NUM_LANDMARKS), np.float32),
                   np.zeros((0, NUM_LANDMARKS, 3), np.float32), np.zeros(0), frame_size, source)

    def __len__(self) -> int:
        return len(self.t)

    @property
    def detected(self) -> NDArray[np.bool_]:
        """(T,) True where the walker was detected in that frame."""
        return np.asarray(~np.isnan(self.xyz[:, :, 0]).all(axis=1))

    @property
    def fps(self) -> float:
        """Average frame rate from the timestamps (frames per second); 0.0 for fewer than 2 frames."""
        if len(self.t) < 2 or self.t[-1] <= self.t[0]:
            return 0.0
        return float((len(self.t) - 1) / (self.t[-1] - self.t[0]))

    def pixels(self) -> NDArray[np.float64]:
        """(T, 33, 2) float64 image landmarks in pixels of the upright frame (x right, y down).

        Angles must be measured in pixels, not normalised units, or a non-square frame skews them.

        >>> s = PoseSeries.empty(frame_size=(640, 480)); s.pixels().shape
        (0, 33, 2)
        """
        w, h = self.frame_size
        return self.xyz[:, :, :2].astype(np.float64) * np.array([w, h], dtype=np.float64)

    def replace(self, **changes: object) -> PoseSeries:
        """A copy with some fields replaced (the original is unchanged)."""
        from dataclasses import replace

        return replace(self, **changes)  # type: ignore[arg-type]
