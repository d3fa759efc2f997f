"""mediapipe's process-wide quirks, in one place: its lazy import and its C++ log lines on fd 2.

Both touch the whole process, so both are kept small and explicit:

- :func:`import_mediapipe` imports mediapipe without loading its drawing helpers eagerly (they
  import matplotlib.pyplot: ~0.6 s of start-up that gaitcheck never uses);
- :data:`quiet_stderr` points file descriptor 2 at the null device while a landmarker is created,
  first finds someone, or is closed (mediapipe's C++ code logs there, below Python's ``sys.stderr``).
  It hides *every* thread's output meanwhile, so it is used only when the caller asks for it
  (``quiet=True``, which the command line passes): a library call or the Streamlit page stays loud.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import threading
from collections.abc import Iterator
from types import ModuleType
from typing import Any

__all__ = ["Silencer", "import_mediapipe", "quiet_stderr"]


class Silencer:
    """Points fd 2 at the null device while any thread is inside; the last one out restores it.

    File descriptor 2 is shared by the whole process: two threads each saving and restoring it on
    their own (two landmarkers created at once) could leave it pointing at the null device for good.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._fd = self._saved = -1

    @contextlib.contextmanager
    def __call__(self, enabled: bool = True) -> Iterator[None]:
        """Silence fd 2 inside the block (``enabled=False``: do nothing)."""
        try:
            fd = sys.stderr.fileno() if enabled else -1
        except (AttributeError, OSError, ValueError):  # no real stderr (e.g. under a test capture)
            fd = -1
        if fd < 0:
            yield
            return
        with self._lock:
            if self._depth == 0:
                sys.stderr.flush()
                self._fd, self._saved = fd, os.dup(fd)
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, fd)
                os.close(null)
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0:
                    os.dup2(self._saved, self._fd)
                    os.close(self._saved)


quiet_stderr = Silencer()  # the process has one fd 2, so one silencer for all landmarkers

_DRAWING = frozenset({"mediapipe.tasks.python.vision.drawing_styles", "mediapipe.tasks.python.vision.drawing_utils"})
_import_lock = threading.Lock()


class _LazyDrawing(importlib.abc.MetaPathFinder):
    """Finds mediapipe's drawing modules as usual but loads them on first attribute access."""

    def find_spec(self, fullname: str, path: Any, target: ModuleType | None = None,
                  ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in _DRAWING:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


def import_mediapipe() -> tuple[Any, Any, Any]:
    """``(mediapipe, BaseOptions, vision)``, imported without loading the drawing helpers eagerly.

    The finder is on ``sys.meta_path`` only while mediapipe itself is imported; the drawing
    helpers still load (in full) for whoever uses them afterwards.
    """
    with _import_lock:
        if "mediapipe" not in sys.modules:
            finder = _LazyDrawing()
            sys.meta_path.insert(0, finder)
            try:
                importlib.import_module("mediapipe")
            finally:
                sys.meta_path.remove(finder)
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    return mp, BaseOptions, vision
