"""One batch item: hash the file, get its landmarks (cache or pose model), score it, make its row.

:func:`process_file` runs in the batch's own process (``jobs=1``), in a worker process of a
``ProcessPoolExecutor``, or on a Dask worker. Whatever happens to the file, it returns a
:class:`FileResult`: errors become ``status="error"`` rows, so one bad file never stops a batch.
"""

from __future__ import annotations

import dataclasses
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from .._io import sha256_file
from ..config import Config
from ..errors import CacheError, CacheMissError, GaitcheckError, VideoReadError
from ..pose.extraction import Extraction, extract
from ..pose.landmarker import resolve_model
from ..report import Report
from ..score import score
from ..video import probe_video
from .cache import LandmarkCache
from .results import error_row, report_name, report_row

__all__ = ["Event", "FileResult", "Task", "pool_init", "pool_work", "process_file"]

#: Progress events a worker sends: ``("start", index)`` and ``("frames", index, done, expected)``.
Event = tuple[Any, ...]
Notify = Callable[[Event], None]
_FRAMES_EVERY_S = 0.25


@dataclass(frozen=True)
class Task:
    """What a worker needs to score one file (picklable)."""

    index: int  # position among the batch's inputs
    path: str  # as named in the results and the report
    source: str  # where to read it (absolute, for workers with another working folder)
    config: Config
    model: str | None = None
    cache_dir: str | None = None
    reports_dir: str | None = None  # only to name the report in the row; the batch writes it
    want_report: bool = False
    from_cache: bool = False  # rescore: never run the pose model
    sha256: str | None = None  # already computed (resume)
    records_db: str | None = None  # save the scored file as a session of `patient` in this records database
    patient: str | None = None


@dataclass(frozen=True)
class FileResult:
    """The outcome for one input file.

    Attributes:
        path: the file as named in the results.
        status: ``"ok"`` (scored) or ``"error"`` (see ``error``).
        error: one line saying why the file could not be scored.
        sha256: the file's content hash (None when it could not be read).
        row: its results row (the columns of :data:`gaitcheck.batch.COLUMNS`).
        resumed: kept from the results of an earlier run (``--resume``), not scored again.
        cached: its landmarks came from the landmark cache (no pose model run).
        seconds: time spent on it.
        report: the full report (``Report.to_dict()``) when asked for, until the batch has written it.
    """

    path: str
    status: Literal["ok", "error"]
    error: str | None
    sha256: str | None
    row: dict[str, Any]
    resumed: bool = False
    cached: bool = False
    seconds: float = 0.0
    report: dict[str, Any] | None = field(default=None, repr=False, compare=False)


def failure(task: Task, message: str, sha256: str | None = None, seconds: float = 0.0) -> FileResult:
    """The error result of ``task``."""
    row = error_row(task.path, message, sha256 or task.sha256)
    return FileResult(task.path, "error", row["error"], sha256 or task.sha256, row, seconds=seconds)


def _hash(task: Task) -> str:
    try:
        return sha256_file(task.source)
    except OSError as exc:  # let the video reader word it like `gaitcheck analyze` does
        probe_video(task.source)
        name = os.path.basename(task.path)
        raise VideoReadError(f"Cannot read '{name}': {exc.strerror or exc}.") from None


def _with_path(extraction: Extraction, path: str) -> Extraction:
    return dataclasses.replace(extraction, info=dataclasses.replace(extraction.info, path=path))


def _landmarks(task: Task, sha256: str, notify: Notify | None, quiet: bool) -> tuple[Extraction, bool]:
    """The clip's extraction and whether it came from the cache."""
    cfg = task.config
    cache = LandmarkCache(task.cache_dir) if task.cache_dir else None
    if cache is not None:
        model_sha = resolve_model(task.model).sha256
        try:
            return cache.load(sha256, model_sha, cfg.pose, task.path), True
        except (CacheMissError, CacheError):
            if task.from_cache:
                raise
    elif task.from_cache:
        raise CacheMissError("no landmark cache folder given")
    last = [0.0]

    def progress(done: int, expected: int) -> None:
        now = time.monotonic()
        if notify is not None and (now - last[0] >= _FRAMES_EVERY_S or done == expected):
            last[0] = now
            notify(("frames", task.index, done, expected))

    extraction = _with_path(extract(task.source, cfg, model=task.model, progress=progress, quiet=quiet), task.path)
    if cache is not None:
        cache.save(sha256, cfg.pose, extraction)
    return extraction, False


def _save_session(task: Task, report: Report, sha256: str) -> None:
    from ..records import open_store

    with open_store(task.records_db) as store:
        store.add(report, task.patient or "", video=task.source, clip_sha256=sha256)


def process_file(task: Task, notify: Notify | None = None, *, quiet: bool = False) -> FileResult:
    """Score one file; never raises for a problem with the file (it becomes an error result).

    ``notify`` gets the progress events; ``quiet`` hides mediapipe's C++ log lines (see
    :func:`gaitcheck.pose.extract`).
    """
    start = time.perf_counter()
    sha256 = task.sha256
    if notify is not None:
        notify(("start", task.index))
    try:
        sha256 = sha256 or _hash(task)
        extraction, cached = _landmarks(task, sha256, notify, quiet)
        report = score(extraction, task.config)
        if task.patient is not None:
            _save_session(task, report, sha256)
    except GaitcheckError as exc:
        return failure(task, str(exc), sha256, time.perf_counter() - start)
    except OSError as exc:  # writing the cache failed (disk full, permissions)
        what = f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc)
        return failure(task, f"cannot write the landmark cache ({what})", sha256, time.perf_counter() - start)
    except Exception as exc:  # a bug: still only this file fails, and the message says it is unexpected
        return failure(task, f"unexpected error ({type(exc).__name__}: {exc})", sha256, time.perf_counter() - start)
    report_file = os.path.join(task.reports_dir, report_name(task.path)) if task.reports_dir else None
    row = report_row(task.path, sha256, report, report_file)
    return FileResult(task.path, "ok", None, sha256, row, cached=cached, seconds=time.perf_counter() - start,
                      report=report.to_dict() if task.want_report else None)


# --- in a ProcessPoolExecutor worker ------------------------------------------------------------

_events: Any = None  # the multiprocessing queue of this worker process's pool


def pool_init(events: Any, parent: int) -> None:
    """Worker process initializer: keep the events queue; leave Ctrl-C to the batch's own process;
    and exit at once if the batch's process (pid ``parent``) dies, instead of scoring on for nobody
    (checked against the pid the batch passed, so a batch killed while this worker was still starting
    is noticed too).
    """
    global _events
    _events = events
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)  # orphaned: the batch is gone

    threading.Thread(target=watch, name="gaitcheck-parent-watch", daemon=True).start()


def _send(event: Event) -> None:
    try:
        _events.put_nowait(event)
    except (queue.Full, ValueError, OSError, AttributeError):  # progress is best effort
        pass


def pool_work(task: Task, quiet: bool = False) -> FileResult:
    """:func:`process_file` in a pool worker, sending progress events to the batch's process."""
    return process_file(task, _send if _events is not None else None, quiet=quiet)
