"""Run batch items on a Dask distributed cluster (the optional ``gaitcheck[distributed]`` extra).

Dask is imported only here, and only when a cluster address is given. Each file is one task
running :func:`gaitcheck.batch.worker.process_file` on some worker; results come back as they finish.
Requirements on the cluster: every worker has the same gaitcheck version installed (checked
before anything is submitted), and reads the videos, and the ``--cache`` folder if one is used,
at the same absolute paths as this machine (a shared filesystem). Reports and the results file
are written here, by the client.

A worker that dies while scoring a file makes the scheduler retry the file elsewhere; after
Dask's ``distributed.scheduler.allowed-failures`` retries (3 by default) the file becomes an error
row (Dask's ``KilledWorker``) and the batch goes on.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

from ..errors import ConfigError
from .worker import Event, FileResult, Task, failure, process_file

__all__ = ["INSTALL_HINT", "DaskCluster", "connect", "run_on_cluster"]

INSTALL_HINT = "pip install 'gaitcheck[distributed]'"
_CONNECT_TIMEOUT_S = 20


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ConfigError(f"--cluster needs Dask distributed, which is not installed: {INSTALL_HINT}") from None
    return distributed


def worker_version() -> str:
    """The gaitcheck version on a worker (run there by the pre-flight check)."""
    from .._version import version

    return version()


def _check_workers(client: Any, address: str) -> None:
    local = worker_version()
    try:
        versions: dict[str, str] = client.run(worker_version)
    except Exception as exc:  # unpickling fails on a worker without gaitcheck
        raise ConfigError(f"the Dask workers at {address} cannot run gaitcheck (install gaitcheck {local} on "
                          f"every worker): {type(exc).__name__}: {exc}") from None
    if not versions:
        raise ConfigError(f"the Dask scheduler at {address} has no workers")
    other = {w: v for w, v in versions.items() if v != local}
    if other:
        worker, version = next(iter(other.items()))
        raise ConfigError(f"the Dask worker {worker} has gaitcheck {version}, this machine {local}; "
                          "install the same version everywhere")


def connect(address: str) -> Any:
    """A Dask ``Client`` of the scheduler at ``address`` (e.g. ``tcp://10.0.0.5:8786``), its workers checked.

    Use it as a context manager (closing it leaves the cluster running).

    Raises:
        ConfigError: Dask is not installed, the scheduler cannot be reached, or its workers cannot run
            this version of gaitcheck.
    """
    distributed = _import_distributed()
    try:
        client = distributed.Client(address, timeout=_CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ConfigError(f"cannot connect to the Dask scheduler at {address}: {exc}") from None
    try:
        _check_workers(client, address)
    except BaseException:
        client.close()
        raise
    return client


def run_on_cluster(client: Any, tasks: Sequence[Task], on_result: Callable[[FileResult], None]) -> None:
    """Score ``tasks`` on the cluster of ``client`` (from :func:`connect`); ``on_result`` gets each outcome."""
    distributed = _import_distributed()
    batch = uuid.uuid4().hex[:12]
    futures = {client.submit(process_file, t, key=f"gaitcheck-{batch}-{t.index}", pure=False): t for t in tasks}
    try:
        for fut in distributed.as_completed(futures, loop=client.loop):
            task = futures[fut]
            try:
                result = fut.result()
            except distributed.KilledWorker:
                result = failure(task, "the Dask workers scoring this file kept crashing (KilledWorker); "
                                       "the file may trigger a bug in the video decoder or the pose model")
            except Exception as exc:
                result = failure(task, f"unexpected error on the cluster ({type(exc).__name__}: {exc})")
            fut.release()
            on_result(result)
    finally:
        client.cancel([f for f in futures if not f.done()])


class DaskCluster:
    """A :class:`~gaitcheck.batch.runners.Runner` on the Dask scheduler at ``address`` (``tcp://host:port``).

    Entering it connects and checks the workers (:func:`connect`); leaving it disconnects (the
    cluster keeps running). Progress events do not come back from the workers: only results.
    """

    def __init__(self, address: str) -> None:
        self.address = address
        self._client: Any = None

    def __enter__(self) -> DaskCluster:
        if self._client is None:
            self._client = connect(self.address)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

    def run(self, tasks: Sequence[Task], on_result: Callable[[FileResult], None],
            on_event: Callable[[Event], None]) -> None:
        """Run ``tasks`` on the Dask cluster, calling ``on_result`` for each finished file as it arrives."""
        if self._client is None:  # not entered: connect for this run only
            with self:
                self.run(tasks, on_result, on_event)
            return
        run_on_cluster(self._client, tasks, on_result)
