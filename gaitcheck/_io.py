"""File helpers shared by every writer: the atomic write and the file hash.

Every file gaitcheck writes (reports, CSV, PDF, annotated video, the batch's results, the
landmark cache) goes through :func:`atomic_write` or :func:`atomic_path`: the bytes go to a
temporary file beside the target, which is then renamed over it, so that a crash or a kill never
leaves half a file and a reader never sees one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "atomic_write", "sha256_file"]


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` if the block succeeds.

    The temporary file is removed on every other outcome (an exception, a KeyboardInterrupt).

    >>> import tempfile; d = tempfile.mkdtemp()
    >>> with atomic_path(f"{d}/out.txt") as tmp: _ = tmp.write_text("done")
    >>> Path(f"{d}/out.txt").read_text(), sorted(p.name for p in Path(d).iterdir())
    ('done', ['out.txt'])
    """
    target = Path(path)
    tmp = _temp_name(target)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def atomic_write(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8, newlines as given) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8", newline="")
        else:
            tmp.write_bytes(data)


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The sha256 of a file's bytes, as 64 hex digits (the file is only read).

    Raises:
        OSError: the file cannot be read.
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
