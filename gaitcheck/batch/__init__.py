"""Score many clips: one results row per file, in this process, in worker processes or on a Dask cluster.

>>> from gaitcheck.batch import run_batch
>>> result = run_batch(["clinic/2024-05/"], "results.csv", jobs=2, reports="reports/")  # doctest: +SKIP
>>> result.failed, result.exit_code  # doctest: +SKIP
(0, 0)

Each file is scored on its own: a file that cannot be read, or in which nobody walks, becomes a
``status="error"`` row with a one-line reason and the others go on; a worker process that crashes
costs only the file it was scoring. Rows are appended to the results file as files finish
(flushed each time), so an interrupted batch leaves a valid file; ``resume=True`` then skips the
files already scored (same content sha256, status ok). At the end the file is rewritten in input
order, so the same inputs give the same file whatever the number of jobs.

Where the files are scored is a :class:`~gaitcheck.batch.runners.Runner` (``runner=``), or the one
``jobs=`` / ``cluster=`` name.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .._io import atomic_write, sha256_file
from ..config import Config
from ..errors import ConfigError
from .distributed import DaskCluster
from .inputs import VIDEO_EXTENSIONS, BatchInput, expand_inputs
from .results import COLUMNS, ResultsWriter, error_row, format_for, read_results, report_name, write_results
from .runners import InProcess, Runner, runner_for
from .worker import Event, FileResult, Task, failure

__all__ = ["COLUMNS", "VIDEO_EXTENSIONS", "BatchProgress", "BatchResult", "FileResult", "InProcess", "Runner",
           "expand_inputs", "rescore_batch", "run_batch", "runner_for"]


class BatchProgress(Protocol):
    """What a batch tells a progress display (all calls come from the batch's own thread)."""

    def start(self, total: int, resumed: int) -> None:
        """The batch has ``total`` files, of which ``resumed`` are kept from an earlier run."""

    def file_started(self, path: str) -> None:
        """Scoring of ``path`` has begun."""

    def frames(self, path: str, done: int, expected: int) -> None:
        """``done`` frames of ``path`` have gone through the pose model (``expected`` = 0 if unknown)."""

    def file_done(self, result: FileResult) -> None:
        """A file is finished (scored or failed); its row is in the results file."""


@dataclass(frozen=True)
class BatchResult:
    """The outcome of a batch.

    Attributes:
        results: one per input file, in input order.
        out: the results file.
        fmt: its format, ``"csv"`` or ``"jsonl"``.
        elapsed_s: wall time of the batch.
    """

    results: tuple[FileResult, ...]
    out: Path
    fmt: str
    elapsed_s: float

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The results rows, as written (values of rows kept by ``resume`` are as read back)."""
        return [r.row for r in self.results]

    @property
    def ok(self) -> int:
        """Files with a result (scored now, or kept by ``resume``)."""
        return sum(r.status == "ok" for r in self.results)

    @property
    def failed(self) -> int:
        return sum(r.status == "error" for r in self.results)

    @property
    def resumed(self) -> int:
        return sum(r.resumed for r in self.results)

    @property
    def cached(self) -> int:
        """Files scored from the landmark cache (no pose model run)."""
        return sum(r.cached for r in self.results)

    @property
    def exit_code(self) -> int:
        """The CLI's exit code: 0 when every file was scored, 1 when some failed."""
        return 0 if self.failed == 0 else 1


def _key(path: str) -> str:
    return os.path.normcase(os.path.abspath(path))


def _check_options(out: Path, inputs: list[BatchInput], reports: str | None, cache: str | None,
                   from_cache: bool) -> None:
    if not out.parent.is_dir():
        raise ConfigError(f"the folder for {out} does not exist")
    if out.is_dir():
        raise ConfigError(f"{out} is a folder; --out needs a file name")
    if not inputs:
        raise ConfigError("no input files given")
    if any(_key(i.path) == _key(os.fspath(out)) for i in inputs):
        raise ConfigError(f"refusing to overwrite an input video with the results: {out}")
    if from_cache and cache is None:
        raise ConfigError("re-scoring needs the landmark cache folder (--cache DIR)")
    for name, folder in (("--reports", reports), ("--cache", cache)):
        if folder is not None and os.path.exists(folder) and not os.path.isdir(folder):
            raise ConfigError(f"{name} {folder} is a file, not a folder")


def _records_db(records: str | os.PathLike[str] | None, patient_from: str | None, runner: Runner) -> str | None:
    """The records database the workers save sessions in (as a full URL), opened once here to fail early."""
    if patient_from is None:
        return None
    if patient_from != "parent":
        raise ConfigError(f"unknown --patient-from {patient_from!r}; use: parent")
    if isinstance(runner, DaskCluster):
        raise ConfigError("--patient-from saves sessions from this machine's workers; it cannot be used with --cluster")
    from ..records import open_store

    with open_store(records) as store:
        return store.url.render_as_string(hide_password=False)


def _patient(path: str, patient_from: str | None) -> tuple[str | None, str | None]:
    """The patient a clip belongs to (its folder's name), or the reason it has none."""
    if patient_from is None:
        return None, None
    from ..records import check_code

    folder = Path(os.path.abspath(path)).parent.name
    try:
        return check_code(folder), None
    except ConfigError as exc:
        return None, f"its folder does not name a patient: {exc}"


def _resumable(item: BatchInput, prev: dict[str, Any] | None, reports: str | None) -> FileResult | None:
    """The earlier row of ``item`` if it still holds: status ok, same content, report still there."""
    if prev is None or prev.get("status") != "ok" or not prev.get("sha256"):
        return None
    if reports is not None and not os.path.isfile(os.path.join(reports, report_name(item.path))):
        return None
    try:
        sha = sha256_file(item.path)
    except OSError:
        return None
    if sha != prev["sha256"]:
        return None
    return FileResult(item.path, "ok", None, sha, {**dict.fromkeys(COLUMNS), **prev, "path": item.path},
                      resumed=True)


def _write_report(report: dict[str, Any], path: str) -> None:
    atomic_write(path, json.dumps(report, indent=1, ensure_ascii=False, allow_nan=False) + "\n")


class _Collector:
    """Takes each finished file: writes its report and its row, and tells the progress display."""

    def __init__(self, inputs: list[BatchInput], results: list[FileResult | None], writer: ResultsWriter,
                 reports_dir: str | None, progress: BatchProgress | None) -> None:
        self.inputs, self.results, self.writer = inputs, results, writer
        self.reports_dir, self.progress = reports_dir, progress
        self.index = {item.path: i for i, item in enumerate(inputs)}

    def __call__(self, result: FileResult) -> None:
        if result.report is not None and self.reports_dir is not None:
            try:
                _write_report(result.report, os.path.join(self.reports_dir, report_name(result.path)))
            except OSError as exc:
                row = error_row(result.path, f"cannot write the report ({exc.strerror or exc})", result.sha256)
                result = FileResult(result.path, "error", row["error"], result.sha256, row, seconds=result.seconds)
        result = dataclasses.replace(result, report=None)
        self.results[self.index[result.path]] = result
        self.writer.append(result.row)
        if self.progress is not None:
            self.progress.file_done(result)

    def event(self, event: Event) -> None:
        """A worker's progress event: ``("start", index)`` or ``("frames", index, done, expected)``."""
        if self.progress is None:
            return
        path = self.inputs[event[1]].path
        if event[0] == "start":
            self.progress.file_started(path)
        elif event[0] == "frames":
            self.progress.frames(path, event[2], event[3])


def run_batch(paths: Sequence[str | os.PathLike[str]], out: str | os.PathLike[str], *,
              config: Config | None = None, fmt: str | None = None, reports: str | os.PathLike[str] | None = None,
              resume: bool = False, cache: str | os.PathLike[str] | None = None,
              model: str | os.PathLike[str] | None = None, runner: Runner | None = None, jobs: int = 1,
              cluster: str | None = None, progress: BatchProgress | None = None,
              records: str | os.PathLike[str] | None = None, patient_from: str | None = None) -> BatchResult:
    """Score every video in ``paths`` and write one row per file to ``out``.

    Args:
        paths: files (taken whatever their extension), folders (searched recursively for mp4, mov,
            m4v, avi, mkv and webm files) and glob patterns (``**`` included). Never modified.
        out: the results file (CSV, or JSON Lines when ``fmt="jsonl"`` or it ends in ``.jsonl``);
            replaced unless ``resume``.
        config: thresholds and settings (defaults when None).
        fmt: ``"csv"`` or ``"jsonl"`` (default: from the suffix of ``out``).
        reports: a folder to keep each file's full JSON report in (created if missing), named
            ``<video name>-<hash of its absolute path>.json``; the row's ``report`` column names it.
        resume: keep the rows of ``out`` whose file still has the same sha256 and status ok (and
            whose report is still there, with ``reports``), and score only the others.
        cache: a folder for the landmark cache (see :mod:`gaitcheck.batch.cache`): clips found there are
            re-scored without the pose model, the others are added. Holds patients' landmarks.
        model: another PoseLandmarker ``.task`` file (default: the bundled one, or ``$GAITCHECK_MODEL``).
        runner: where the files are scored (:mod:`gaitcheck.batch.runners`), e.g.
            ``ProcessPool(1)`` so that a crash of the video decoder or the pose model (native
            libraries) costs only the file it was on (the CLI does this). Default: from ``jobs``
            and ``cluster`` (:func:`~gaitcheck.batch.runners.runner_for`).
        jobs: files scored at once, each in a worker process (spawned: a script calling this with
            ``jobs > 1`` needs the ``if __name__ == "__main__":`` guard); 1 = in this process;
            0 = one per CPU.
        cluster: the address of a Dask scheduler (``tcp://host:port``) to score the files on; needs
            ``pip install 'gaitcheck[distributed]'`` and the videos at the same paths on the workers.
        progress: told about each file's start, frames and end (see :class:`BatchProgress`).
        records: the patient records database (a path or URL; default as in
            :func:`gaitcheck.records.open_store`) that ``patient_from`` saves sessions in.
        patient_from: ``"parent"``: save each scored file as a session of the patient its folder
            is named after (a folder name that is not a patient code makes that file an error row).

    Returns:
        The :class:`BatchResult`; ``exit_code`` is 0 when every file was scored, else 1.

    Raises:
        ConfigError: bad options (no inputs, missing output folder, unreadable ``out`` to resume
            from, ``runner`` given with ``jobs`` or ``cluster``, Dask missing or its scheduler
            unreachable).
    """
    return _run(paths, out, config or Config(), _runner(runner, jobs, cluster), fmt=fmt, reports=reports,
                resume=resume, cache=cache, model=model, progress=progress, records=records,
                patient_from=patient_from)


def _run(paths: Sequence[str | os.PathLike[str]], out: str | os.PathLike[str], cfg: Config, runner: Runner, *,
         fmt: str | None, reports: str | os.PathLike[str] | None, resume: bool,
         cache: str | os.PathLike[str] | None, model: str | os.PathLike[str] | None,
         progress: BatchProgress | None, from_cache: bool = False, records: str | os.PathLike[str] | None = None,
         patient_from: str | None = None) -> BatchResult:
    """:func:`run_batch` with its options checked; ``from_cache``: never run the pose model."""
    start = time.perf_counter()
    fmt = format_for(out, fmt)
    out = Path(out)
    reports_dir = None if reports is None else os.fspath(reports)
    cache_dir = None if cache is None else os.fspath(cache)
    inputs = expand_inputs(paths)
    _check_options(out, inputs, reports_dir, cache_dir, from_cache)
    db = _records_db(records, patient_from, runner)
    for folder in (reports_dir, cache_dir):
        if folder is not None:
            Path(folder).mkdir(parents=True, exist_ok=True)

    old = read_results(out, fmt) if resume else []
    old_by_key = {_key(str(r["path"])): r for r in old if r.get("path")}
    ours = {_key(i.path) for i in inputs}
    others = [r for r in old if not r.get("path") or _key(str(r["path"])) not in ours]
    results: list[FileResult | None] = [None] * len(inputs)
    tasks, presets = [], []
    for i, item in enumerate(inputs):
        kept = None if item.error else _resumable(item, old_by_key.get(_key(item.path)), reports_dir)
        patient, bad_patient = _patient(item.path, patient_from)
        task = Task(i, item.path, os.path.abspath(item.path), cfg, None if model is None else os.fspath(model),
                    cache_dir, reports_dir, reports_dir is not None, from_cache, records_db=db, patient=patient)
        if kept is not None:
            results[i] = kept
        elif item.error or bad_patient:
            presets.append(failure(task, item.error or bad_patient or ""))
        else:
            tasks.append(task)

    with contextlib.ExitStack() as stack:
        if tasks:  # prepared first (e.g. connected to a cluster): a bad address must not truncate the results
            stack.enter_context(runner)
        writer = stack.enter_context(ResultsWriter(out, fmt, [r.row for r in results if r is not None] + others))
        collect = _Collector(inputs, results, writer, reports_dir, progress)
        if progress is not None:
            progress.start(len(inputs), sum(r is not None for r in results))
        for result in presets:
            collect(result)
        if tasks:
            runner.run(tasks, collect, collect.event)
    done = tuple(r for r in results if r is not None)
    write_results(out, [r.row for r in done] + others, fmt)
    return BatchResult(done, out, fmt, time.perf_counter() - start)


def rescore_batch(paths: Sequence[str | os.PathLike[str]], out: str | os.PathLike[str], *,
                  cache: str | os.PathLike[str], config: Config | None = None, fmt: str | None = None,
                  reports: str | os.PathLike[str] | None = None, resume: bool = False,
                  model: str | os.PathLike[str] | None = None, runner: Runner | None = None, jobs: int = 1,
                  progress: BatchProgress | None = None) -> BatchResult:
    """Re-score clips from the landmark cache with ``config`` (no pose model); see :func:`run_batch`.

    A clip whose landmarks are not in ``cache`` (for this model and these pose settings) is an
    error row saying so.
    """
    return _run(paths, out, config or Config(), _runner(runner, jobs, None), fmt=fmt, reports=reports,
                resume=resume, cache=cache, model=model, progress=progress, from_cache=True)


def _runner(runner: Runner | None, jobs: int, cluster: str | None) -> Runner:
    if runner is None:
        return runner_for(jobs, cluster)
    if jobs != 1 or cluster is not None:
        raise ConfigError("give either a runner or jobs/cluster, not both")
    return runner
