"""The batch's display on stderr.

A rich progress bar (files, and frames of the files in flight), a one-line message per failed file,
and a summary table at the end.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from types import TracebackType

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn
from rich.table import Table

from ..batch import BatchResult
from ..batch.worker import FileResult

__all__ = ["RichBatchProgress", "print_summary"]

_MAX_FAILED_LISTED = 20


class RichBatchProgress:
    """A :class:`gaitcheck.batch.BatchProgress` drawing on stderr; the bar only when it is a terminal.

    Use as a context manager around :func:`gaitcheck.batch.run_batch`.
    """

    def __init__(self, console: Console, show_bar: bool = True) -> None:
        self.console = console
        self._bar: Progress | None = None
        if show_bar and console.is_terminal:
            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[unit]}"), TimeRemainingColumn(), console=console,
                                 transient=True)
        self._files: TaskID | None = None
        self._current: dict[str, TaskID] = {}

    def __enter__(self) -> RichBatchProgress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, typ: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()

    def start(self, total: int, resumed: int) -> None:
        if resumed:
            self.console.print(f"{resumed} of {total} files already scored (--resume): skipped")
        if self._bar is not None:
            self._files = self._bar.add_task("files", total=total, completed=resumed, unit="files")

    def file_started(self, path: str) -> None:
        if self._bar is not None and path not in self._current:
            self._current[path] = self._bar.add_task(f"  {escape(Path(path).name)}", total=None, unit="frames")

    def frames(self, path: str, done: int, expected: int) -> None:
        self.file_started(path)
        if self._bar is not None:
            self._bar.update(self._current[path], completed=done, total=expected or None)

    def file_done(self, result: FileResult) -> None:
        if result.status == "error":
            self.console.print(f"[red]error[/red] {escape(result.path)}: {escape(result.error or '')}",
                               highlight=False, soft_wrap=True)
        if self._bar is not None:
            task = self._current.pop(result.path, None)
            if task is not None:
                self._bar.remove_task(task)
            if self._files is not None:
                self._bar.advance(self._files)


def print_summary(console: Console, result: BatchResult) -> None:
    """The end-of-batch table: counts, verdicts, the failed files with their reasons, the throughput."""
    scored = [r for r in result.results if r.status == "ok" and not r.resumed]
    console.print(f"{len(result.results)} files in {result.elapsed_s:.1f} s", highlight=False)
    table = Table()
    table.add_column("files", justify="left")
    table.add_column("count", justify="right")
    table.add_row("scored", str(len(scored)))
    if result.cached:
        table.add_row("  of which from the landmark cache", str(result.cached))
    if result.resumed:
        table.add_row("kept from the earlier run (--resume)", str(result.resumed))
    table.add_row("[red]failed[/red]" if result.failed else "failed", str(result.failed))
    console.print(table)

    ok = [r.row for r in result.results if r.status == "ok"]
    if ok:
        verdicts = Table(show_header=True)
        verdicts.add_column("check")
        for status in ("pass", "flag", "unknown"):
            verdicts.add_column(status, justify="right")
        for check in ("look_ahead", "slouch"):
            counts = Counter(str(row.get(f"{check}_status")) for row in ok)
            verdicts.add_row(check, *(str(counts[s]) for s in ("pass", "flag", "unknown")))
        console.print(verdicts)

    failed = [r for r in result.results if r.status == "error"]
    if failed:
        fails = Table(show_header=True, title="failed files", title_justify="left")
        fails.add_column("file", overflow="fold")
        fails.add_column("reason", overflow="fold")
        for r in failed[:_MAX_FAILED_LISTED]:
            fails.add_row(escape(r.path), escape(r.error or ""))
        console.print(fails)
        if len(failed) > _MAX_FAILED_LISTED:
            console.print(f"... and {len(failed) - _MAX_FAILED_LISTED} more (status=error in {result.out})")
    if scored:
        busy = sum(r.seconds for r in scored)
        console.print(f"{len(scored) / max(result.elapsed_s, 1e-9) * 60:.1f} files/min "
                      f"({busy / len(scored):.1f} s of work per file)", highlight=False)
    console.print(f"Results written to {escape(str(result.out))}", highlight=False)
