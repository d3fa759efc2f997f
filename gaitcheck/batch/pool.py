"""Run batch items in worker processes, surviving the crash of a worker.

Workers are started with the "spawn" method: mediapipe is not safe to use in a forked copy of a
process that has initialised it, and spawn behaves the same on Linux, macOS and Windows.

When a worker process dies (a segfault in a native library, the out-of-memory killer), Python's
``ProcessPoolExecutor`` breaks and every file then in flight fails with it. Those files are run
again, one at a time in a fresh pool: the one that kills its worker when alone is the culprit and
becomes an error row; the others are scored normally and the batch goes on.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from .worker import Event, FileResult, Task, failure, pool_init, pool_work

__all__ = ["CRASH_MESSAGE", "run_in_processes"]

CRASH_MESSAGE = ("the worker process scoring this file crashed (it died again when the file was retried alone); "
                 "the file may trigger a bug in the video decoder or the pose model")
_POLL_S = 0.1


def _drain(events: Any, on_event: Callable[[Event], None]) -> None:
    while True:
        try:
            event = events.get_nowait()
        except (queue.Empty, EOFError, OSError, ValueError):
            return
        on_event(event)


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop the workers now (on Ctrl-C), instead of letting them finish their files."""
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        proc.terminate()


def run_in_processes(tasks: Sequence[Task], jobs: int, on_result: Callable[[FileResult], None],
                     on_event: Callable[[Event], None], *,
                     work: Callable[[Task], FileResult] = pool_work) -> None:
    """Run ``work(task)`` for every task in up to ``jobs`` processes; ``on_result`` gets each outcome.

    Args:
        tasks: the items, started in this order.
        jobs: worker processes (at least 1).
        on_result: called in this process as each item finishes (in completion order).
        on_event: called with the workers' progress events.
        work: a module-level function (it is pickled by name) run in the workers.
    """
    ctx = multiprocessing.get_context("spawn")
    todo: deque[Task] = deque(tasks)
    suspects: deque[Task] = deque()  # in flight when a worker died: each is retried alone
    while todo or suspects:
        events = ctx.Queue()  # a new queue per pool: a killed worker may leave the old one locked
        size = min(jobs, len(todo) + len(suspects))
        pool = ProcessPoolExecutor(max_workers=size, mp_context=ctx, initializer=pool_init,
                                   initargs=(events, os.getpid()))
        running: dict[Future[FileResult], Task] = {}
        isolated: Task | None = None  # a suspect running alone: nothing else runs beside it
        try:
            while todo or suspects or running:
                if isolated is None and suspects and not running:
                    isolated = suspects.popleft()
                    running[pool.submit(work, isolated)] = isolated
                while isolated is None and not suspects and todo and len(running) < jobs:
                    task = todo.popleft()
                    running[pool.submit(work, task)] = task
                done, _ = wait(running, timeout=_POLL_S, return_when=FIRST_COMPLETED)
                _drain(events, on_event)
                broken = False
                for fut in done:
                    task = running.pop(fut)
                    try:
                        result = fut.result()
                    except BrokenProcessPool:
                        broken = True
                        if task is not isolated:
                            suspects.append(task)
                            continue
                        result = failure(task, CRASH_MESSAGE)
                    except Exception as exc:  # e.g. the task could not be pickled
                        result = failure(task, f"unexpected error ({type(exc).__name__}: {exc})")
                    on_result(result)
                if broken:  # every other file in flight died with the pool: retry each alone
                    suspects.extend(running.values())
                    break
                if not running:
                    isolated = None
        except BaseException:
            _terminate(pool)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            _drain(events, on_event)
            events.close()
            events.join_thread()

