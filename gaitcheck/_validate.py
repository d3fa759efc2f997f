"""Small input checks shared by gaitcheck's functions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .errors import ShapeError

__all__ = ["check_shape"]


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
