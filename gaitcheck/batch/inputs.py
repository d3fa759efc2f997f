"""Turn the batch's PATH arguments (files, folders, glob patterns) into a list of video files.

Globs are expanded here as well as by the shell, so that ``"clips/*.mp4"`` works when quoted and on
Windows, whose shell does not expand them.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = ["VIDEO_EXTENSIONS", "BatchInput", "expand_inputs"]

VIDEO_EXTENSIONS = frozenset({".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm"})
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class BatchInput:
    """One file to score, as it will be named in the results; ``error`` is set when it cannot even be tried."""

    path: str
    error: str | None = None


def is_video_name(name: str) -> bool:
    """True for a video file name (by extension, any case), hidden files excluded.

    >>> is_video_name("walk.MP4"), is_video_name("._walk.mp4"), is_video_name("notes.txt")
    (True, False, False)
    """
    return not name.startswith(".") and os.path.splitext(name)[1].lower() in VIDEO_EXTENSIONS


def _walk(folder: str) -> Iterator[str]:
    """Video files under ``folder``, recursively, sorted, skipping hidden files and folders."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if is_video_name(name):
                yield os.path.join(root, name)


def _expand_one(arg: str) -> Iterator[BatchInput]:
    if os.path.isdir(arg):
        found = list(_walk(arg))
        if not found:
            yield BatchInput(arg, f"no video files ({', '.join(sorted(VIDEO_EXTENSIONS))}) in this folder")
        yield from (BatchInput(p) for p in found)
    elif os.path.lexists(arg) or not _GLOB_CHARS & set(arg):
        yield BatchInput(arg)  # a file named explicitly is tried whatever its name; a missing one fails later
    else:
        matches = sorted(glob.glob(arg, recursive=True))
        files = [m for m in matches if os.path.isfile(m) and is_video_name(os.path.basename(m))]
        for m in matches:
            if os.path.isdir(m):
                files += _walk(m)
        if not files:
            yield BatchInput(arg, "no video file matches this pattern")
        yield from (BatchInput(p) for p in files)


def expand_inputs(args: Iterable[str | os.PathLike[str]]) -> list[BatchInput]:
    """The files to score, in argument order, each once (by absolute path).

    A file named explicitly is taken whatever its extension; folders are searched recursively and
    glob patterns expanded (``**`` included), keeping files with a video extension (mp4, mov, m4v,
    avi, mkv, webm, any case). An empty folder or a pattern matching nothing gives an input with
    ``error`` set, so that it shows up in the results.
    """
    seen: set[str] = set()
    out: list[BatchInput] = []
    for arg in args:
        for item in _expand_one(os.fspath(arg)):
            key = os.path.normcase(os.path.abspath(item.path))
            if key not in seen:
                seen.add(key)
                out.append(item)
    return out
