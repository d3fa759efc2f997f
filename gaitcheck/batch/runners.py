"""How a batch's files are scored: in this process, in worker processes, or on a Dask cluster.

A :class:`Runner` takes the batch's tasks and hands back one :class:`~gaitcheck.batch.worker.FileResult`
per task; :func:`gaitcheck.batch.run_batch` does everything else (inputs, resume, the results
file, reports). It is a context manager: entering it prepares it (the Dask runner connects and
checks its workers there, before the results file is touched), leaving it frees what it holds.

>>> from gaitcheck.batch import run_batch
>>> from gaitcheck.batch.runners import ProcessPool
>>> run_batch(["clinic/"], "results.csv", runner=ProcessPool(4))  # doctest: +SKIP
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Protocol, Self

from ..errors import ConfigError
from .distributed import DaskCluster
from .pool import run_in_processes
from .worker import Event, FileResult, Task, pool_work, process_file

__all__ = ["InProcess", "ProcessPool", "Runner", "runner_for", "worker_count"]


class Runner(Protocol):
    """Scores tasks somewhere; ``on_result`` gets each outcome, ``on_event`` the workers' progress events.

    Both callbacks are called from the thread that called :meth:`run`. A runner never raises for a
    problem with one file: that file's result is an error row.
    """

    def __enter__(self) -> Self: ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...

    def run(self, tasks: Sequence[Task], on_result: Callable[[FileResult], None],
            on_event: Callable[[Event], None]) -> None:
        """Score every task (in any order)."""
        ...


class _Local:
    """A runner on this machine: nothing to prepare or free."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        return None


class InProcess(_Local):
    """Score the files one after the other in this process (a crash of a native library ends the batch).

    ``quiet``: hide mediapipe's C++ log lines (file descriptor 2 is the whole process's: only for
    a program that owns its process).
    """

    def __init__(self, *, quiet: bool = False) -> None:
        self.quiet = quiet

    def run(self, tasks: Sequence[Task], on_result: Callable[[FileResult], None],
            on_event: Callable[[Event], None]) -> None:
        for task in tasks:
            on_result(process_file(task, on_event, quiet=self.quiet))


def _largest_first(tasks: Sequence[Task]) -> list[Task]:
    """Start the largest files first, so that the processes finish at about the same time."""
    def size(task: Task) -> int:
        try:
            return os.stat(task.source).st_size
        except OSError:
            return 0

    return sorted(tasks, key=size, reverse=True)


class ProcessPool(_Local):
    """A :class:`~gaitcheck.batch.runners.Runner`: up to ``jobs`` files at once, each in a worker process.

    A crash of a worker (a native library, the out-of-memory killer) costs only the file it was
    scoring (see :mod:`gaitcheck.batch.pool`); ``jobs=1`` is still worth it for that. A script calling
    this needs the ``if __name__ == "__main__":`` guard (the workers are spawned). ``quiet``
    hides mediapipe's C++ log lines in the workers (each is a process of its own).
    """

    def __init__(self, jobs: int, *, quiet: bool = False) -> None:
        self.jobs, self.quiet = max(1, jobs), quiet

    def run(self, tasks: Sequence[Task], on_result: Callable[[FileResult], None],
            on_event: Callable[[Event], None]) -> None:
        work = functools.partial(pool_work, quiet=self.quiet)
        run_in_processes(_largest_first(tasks), self.jobs, on_result, on_event, work=work)


def runner_for(jobs: int = 1, cluster: str | None = None) -> Runner:
    """The runner ``jobs`` and ``cluster`` name: the Dask scheduler at ``cluster``, else ``jobs``
    worker processes (0 = one per CPU), or this process for ``jobs=1``.

    Raises:
        ConfigError: ``jobs`` is negative.
    """
    if cluster is not None:
        return DaskCluster(cluster)
    jobs = worker_count(jobs)
    return InProcess() if jobs == 1 else ProcessPool(jobs)


def worker_count(jobs: int) -> int:
    """``jobs``, with 0 meaning one per CPU.

    Raises:
        ConfigError: ``jobs`` is negative.
    """
    if jobs < 0:
        raise ConfigError(f"--jobs must be 0 (one per CPU) or more, got {jobs}")
    return jobs or os.cpu_count() or 1
