"""The pose queue of a served page: uploads wait their turn, at most one pose run per core at once.

A pose run is the one expensive step (decode + pose model + tracking); everything after it is quick
and runs in the browser session's own thread. The page submits a :class:`PoseJob` and gets a
:class:`Ticket`: its place in the line, an estimate of the wait, the running job's progress, and
the :class:`~gaitcheck.pose.Extraction` when it is done. Runs go to worker processes on this
machine (:class:`LocalRunner`), or to the Dask cluster that ``gaitcheck batch --cluster`` uses
(:class:`DaskRunner`). Memory stays bounded: ``slots`` runs at once, each in a worker holding one
clip; the clip waits on disk only in a private temporary folder (0700) that is deleted when its
run ends, whether it succeeded or not.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..config import Config
from ..pose import Extraction

__all__ = ["DaskRunner", "LocalRunner", "PoseJob", "PoseQueue", "Runner", "Ticket", "default_slots"]

_TASKS_PER_WORKER = 20  # a worker process is replaced after this many runs (bounds any slow growth)
# Seconds of pose work per second of video until runs on this server have been timed: one 720p clip at
# 24-30 fps took 1.7 s per second alone on a 2-core machine, and ~2.8 s with a second run beside it.
_FIRST_RATE = 3.0
_MIN_PROGRESS = 0.05  # a running job's own pace is trusted once this share of its frames is done


def default_slots() -> int:
    """One pose run per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class PoseJob:
    """One clip to run the pose stage on.

    Attributes:
        data: the clip's bytes. name: the file name the user gave (for its extension).
        duration_s: the clip's length (from the pre-check), for the estimate of the wait.
        config: the settings (None: defaults).
    """

    data: bytes = field(repr=False)
    name: str
    duration_s: float
    config: Config | None = None


def _progress_writer(path: Path) -> Callable[[int, int], None]:
    shown = [-10]

    def progress(done: int, total: int) -> None:
        if done - shown[0] >= 5 or done >= total:
            shown[0] = done
            tmp = path.with_suffix(".tmp")
            tmp.write_text(f"{done} {total}")
            os.replace(tmp, path)
    return progress


def extract_file(path: str, config: dict[str, Any] | None, progress_path: str) -> Extraction:
    """Run in a worker process: the pose stage on the clip at ``path``, writing progress beside it."""
    from ..pose import extract

    cfg = None if config is None else Config.from_dict(config)
    return extract(path, cfg, progress=_progress_writer(Path(progress_path)), quiet=True)


def extract_bytes(data: bytes, name: str, config: dict[str, Any] | None) -> Extraction:
    """Run on a Dask worker: the pose stage on an upload, in a private temporary folder deleted after."""
    from ..pose import extract
    from ..ui.frames import temporary_video

    cfg = None if config is None else Config.from_dict(config)
    with temporary_video(data, name) as path:
        return extract(path, cfg, quiet=True)


class Runner(Protocol):
    """Where pose runs happen."""

    slots: int

    def run(self, job: PoseJob, folder: Path) -> Extraction:
        """Run ``job`` (blocking); ``folder`` is its private temporary folder on this machine."""
        ...

    def close(self) -> None:
        """Stop the runner and free what it holds."""
        ...


class LocalRunner:
    """Pose runs in ``slots`` worker processes on this machine (spawned, so each has its own model)."""

    def __init__(self, slots: int | None = None) -> None:
        self.slots = slots or default_slots()
        self._pool = ProcessPoolExecutor(max_workers=self.slots, mp_context=multiprocessing.get_context("spawn"),
                                         max_tasks_per_child=_TASKS_PER_WORKER)

    def run(self, job: PoseJob, folder: Path) -> Extraction:
        """Run one pose job in a worker process and return its extraction."""
        from ..ui.frames import VIDEO_TYPES

        suffix = Path(job.name).suffix.lower()
        clip = folder / f"upload{suffix if suffix.lstrip('.') in VIDEO_TYPES else '.mp4'}"
        clip.write_bytes(job.data)
        config = None if job.config is None else job.config.to_dict()
        fut = self._pool.submit(extract_file, str(clip), config, str(folder / "progress"))
        return fut.result()

    def close(self) -> None:
        """Stop the worker processes."""
        self._pool.shutdown(wait=False, cancel_futures=True)


class DaskRunner:
    """Pose runs on a Dask cluster (``tcp://HOST:PORT``), as many at once as it has worker threads."""

    def __init__(self, address: str, slots: int | None = None) -> None:
        from ..batch.distributed import connect

        self._client = connect(address)
        threads = sum(self._client.nthreads().values()) or 1
        self.slots = slots or threads

    def run(self, job: PoseJob, folder: Path) -> Extraction:
        """Run one pose job on the Dask cluster and return its extraction."""
        config = None if job.config is None else job.config.to_dict()
        fut = self._client.submit(extract_bytes, job.data, job.name, config, pure=False)
        result: Extraction = fut.result()
        return result

    def close(self) -> None:
        """Close the connection to the cluster."""
        self._client.close()


class Ticket:
    """A job's place in the queue; ``future`` gives its extraction (or raises its error)."""

    def __init__(self, queue: PoseQueue, job: PoseJob) -> None:
        self.job = job
        self.future: Future[Extraction] = Future()
        self._queue = queue
        self.folder: Path | None = None  # the private folder, while it runs
        self.started: float | None = None

    def position(self) -> int:
        """1 = next in line, 2 = one ahead …; 0 = running (or done)."""
        return self._queue.position(self)

    def estimate_s(self) -> float:
        """About how many seconds until this job's result."""
        return self._queue.estimate_s(self)

    def progress(self) -> tuple[int, int] | None:
        """(frames done, frames in all) while running on this machine; None when not known."""
        folder = self.folder
        if folder is None:
            return None
        with contextlib.suppress(OSError, ValueError):
            done, total = (folder / "progress").read_text().split()
            return int(done), int(total)
        return None

    def cancel(self) -> bool:
        """Leave the line (a running job runs on, its result unused)."""
        return self._queue.cancel(self)


class PoseQueue:
    """First come, first served: at most ``runner.slots`` pose runs at once; the others wait in line."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self._lock = threading.Condition()
        self._waiting: deque[Ticket] = deque()
        self._running: list[Ticket] = []
        self._rate = _FIRST_RATE
        self._timed = 0
        self._closed = False
        self._threads = [threading.Thread(target=self._serve, name=f"gaitcheck-pose-{i}", daemon=True)
                         for i in range(runner.slots)]
        for t in self._threads:
            t.start()

    @property
    def slots(self) -> int:
        """How many pose jobs run at once."""
        return self.runner.slots

    def submit(self, job: PoseJob) -> Ticket:
        """Queue ``job``; the ticket tells its place and its result."""
        ticket = Ticket(self, job)
        with self._lock:
            if self._closed:
                raise RuntimeError("the pose queue is closed")
            self._waiting.append(ticket)
            self._lock.notify()
        return ticket

    def position(self, ticket: Ticket) -> int:
        """How many jobs are ahead of ``ticket`` (0 = running)."""
        with self._lock:
            try:
                return self._waiting.index(ticket) + 1
            except ValueError:
                return 0

    def _left_s(self, ticket: Ticket, now: float) -> float:
        """A running job's remaining seconds: from its own pace once it has done some frames, else the rate."""
        elapsed = now - (ticket.started or now)
        done = ticket.progress()
        if done is not None and done[1] > 0 and done[0] / done[1] >= _MIN_PROGRESS:
            return elapsed / done[0] * (done[1] - done[0])
        return max(0.0, ticket.job.duration_s * self._rate - elapsed)

    def estimate_s(self, ticket: Ticket) -> float:
        """Seconds until ``ticket``'s result.

        The work ahead (the running jobs' rest, from their own pace once they have started, and the
        waiting jobs before this one) shared by the slots, plus this job's own run.
        """
        now = time.monotonic()
        with self._lock:
            rate = self._rate
            ahead = sum(self._left_s(t, now) for t in self._running if t is not ticket)
            for t in self._waiting:
                if t is ticket:
                    break
                ahead += t.job.duration_s * rate
            own = ticket.job.duration_s * rate
            if ticket in self._running:
                return max(1.0, self._left_s(ticket, now))
            free = max(0, self.slots - len(self._running))
            wait = 0.0 if free and self._waiting and self._waiting[0] is ticket else ahead / self.slots
            return max(1.0, wait + own)

    def cancel(self, ticket: Ticket) -> bool:
        """Withdraw ``ticket`` if it has not started; True if it was withdrawn."""
        with self._lock:
            if ticket in self._waiting:
                self._waiting.remove(ticket)
                ticket.future.cancel()
                return True
            return False

    def _serve(self) -> None:
        while True:
            with self._lock:
                while not self._waiting and not self._closed:
                    self._lock.wait()
                if self._closed:
                    return
                ticket = self._waiting.popleft()
                if not ticket.future.set_running_or_notify_cancel():
                    continue
                ticket.started = time.monotonic()
                self._running.append(ticket)
            folder = Path(tempfile.mkdtemp(prefix="gaitcheck-"))  # mode 0700
            ticket.folder = folder
            error: BaseException | None = None
            try:
                result = self.runner.run(ticket.job, folder)
            except BaseException as exc:  # the page shows the error; the queue goes on
                error = exc
            finally:  # the upload is gone before anyone hears of the result
                ticket.folder = None
                shutil.rmtree(folder, ignore_errors=True)
                with self._lock:
                    self._running.remove(ticket)
            if error is not None:
                ticket.future.set_exception(error)
            else:
                self._learn(ticket)
                ticket.future.set_result(result)

    def _learn(self, ticket: Ticket) -> None:
        if ticket.started is None or ticket.job.duration_s <= 0:
            return
        rate = (time.monotonic() - ticket.started) / ticket.job.duration_s
        with self._lock:
            self._timed += 1
            weight = max(0.2, 1.0 / self._timed)  # the first run replaces the guess; then a moving average
            self._rate = (1 - weight) * self._rate + weight * rate

    def close(self) -> None:
        """Stop taking jobs: cancel the waiting ones, then close the runner."""
        with self._lock:
            self._closed = True
            for t in self._waiting:
                t.future.cancel()
            self._waiting.clear()
            self._lock.notify_all()
        self.runner.close()
