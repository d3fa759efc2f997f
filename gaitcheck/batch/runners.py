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

import dataclasses
import functools
import os
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Protocol, Self

from ..errors import ConfigError
from .distributed import DaskCluster
from .pool import run_in_processes
from .worker import Event, FileResult, Task, pool_work, process_file

__all__ = ["WORKER_MB", "InProcess", "ProcessPool", "Runner", "available_mb", "cores", "runner_for", "worker_count"]


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
        """Run ``tasks`` one after the other in this process, calling ``on_result`` for each."""
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
        """Run ``tasks`` in a pool of worker processes, calling ``on_result`` for each as it finishes."""
        work = functools.partial(pool_work, quiet=self.quiet)
        side_by_side = min(self.jobs, len(tasks)) > 1  # each worker then has about one core: no threads beside
        tasks = [dataclasses.replace(t, sequential=True) for t in tasks] if side_by_side else list(tasks)
        run_in_processes(_largest_first(tasks), self.jobs, on_result, on_event, work=work)


def runner_for(jobs: int = 1, cluster: str | None = None) -> Runner:
    """The runner ``jobs`` and ``cluster`` name.

    The Dask scheduler at ``cluster``, else ``jobs`` worker processes (0 = one per CPU core, within memory:
    :func:`worker_count`), or this process for ``jobs=1``.

    Raises:
        ConfigError: ``jobs`` is negative.
    """
    if cluster is not None:
        return DaskCluster(cluster)
    jobs = worker_count(jobs)
    return InProcess() if jobs == 1 else ProcessPool(jobs)


WORKER_MB = 700  # memory one worker may need: peak RSS of one analysis of 1080p video (~500 MB) with a margin


def cores() -> int:
    """CPU cores this process may run on (its affinity where the system says, else all of them)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def available_mb() -> float | None:
    """Memory available for new processes (``MemAvailable`` of ``/proc/meminfo``), in MB; None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def worker_count(jobs: int, *, memory_mb: float | None = None) -> int:
    """``jobs``, with 0 meaning one per CPU core, within memory: at most one per ``WORKER_MB`` available.

    ``memory_mb`` is the memory available (default: what the system says now; unknown: no cap).

    >>> worker_count(3), worker_count(0, memory_mb=1500.0) <= 2, worker_count(0, memory_mb=100.0)
    (3, True, 1)

    Raises:
        ConfigError: ``jobs`` is negative.
    """
    if jobs < 0:
        raise ConfigError(f"--jobs must be 0 (one per CPU) or more, got {jobs}")
    if jobs:
        return jobs
    memory_mb = available_mb() if memory_mb is None else memory_mb
    cap = cores() if memory_mb is None else max(1, int(memory_mb // WORKER_MB))
    return max(1, min(cores(), cap))
