"""``gaitcheck batch PATH... --out results.csv``: score many clips, one results row per file."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from rich.console import Console

from ..batch import BatchResult, run_batch
from ..batch.distributed import DaskCluster
from ..batch.results import COLUMNS, FORMATS
from ..batch.runners import WORKER_MB, ProcessPool, Runner, worker_count
from ..config import load_config
from ._args import add_turn, turned_config
from ._batch_display import RichBatchProgress, print_summary
from ._records import add_db

EPILOG = f"""\
Each file gets one row (columns: {", ".join(COLUMNS)}).
A file that cannot be scored is a row with status=error and a one-line reason; the others go on,
also when the worker process scoring a file crashes.
Rows are appended as files finish, so an interrupted batch leaves a valid file: run it again with
--resume to score only the rest. Input videos are only ever read.

The landmark cache (--cache DIR; none unless given) keeps the body landmarks of everyone in each
clip, unencrypted, in DIR (no file names, only content hashes): patients' health data. Keep DIR
somewhere private and delete it when done. `gaitcheck rescore` re-scores from it with new
thresholds without running the pose model.

exit codes: 0 every file was scored; 1 some files failed (status=error rows); 2 usage or
configuration error (nothing scored); 130 interrupted (the rows so far are kept).
"""


def jobs(text: str) -> int:
    """Argument type: a number of parallel jobs (at least 1)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of processes, got {text!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError("must be 0 (one per CPU) or more")
    return n


def add_common(p: argparse.ArgumentParser, *, jobs_default: int = 0) -> None:
    """The options ``batch`` and ``rescore`` share (``jobs_default``: ``--jobs`` when not given)."""
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="video files, folders (searched recursively for mp4 mov m4v avi mkv webm) or glob patterns")
    p.add_argument("--out", required=True, metavar="RESULTS.csv", help="the results file (replaced unless --resume)")
    p.add_argument("--format", choices=FORMATS, help="csv or jsonl (default: from the --out suffix; csv)")
    p.add_argument("--reports", metavar="DIR", help="also keep each file's full JSON report in DIR "
                                                    "(named after the video, plus a hash of its path)")
    p.add_argument("--resume", action="store_true",
                   help="keep the rows of --out whose file is unchanged (same sha256) and status ok; score the rest")
    p.add_argument("--config", metavar="gaitcheck.toml", help="thresholds and settings (see gaitcheck.example.toml)")
    p.add_argument("--model", metavar="PATH.task",
                   help="another PoseLandmarker model (default: the bundled one, or $GAITCHECK_MODEL)")
    add_turn(p)
    auto = f"one per CPU core, at most one per {WORKER_MB} MB of free memory"
    p.add_argument("--jobs", type=jobs, default=jobs_default, metavar="N",
                   help=f"files scored at once, each in a worker process (default {jobs_default}; 0 = {auto})")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def register(sub: Any) -> None:
    """Add the ``batch`` command and its options to the CLI."""
    b = sub.add_parser("batch", help="score many clips into one results table",
                       description="Score many walking clips: one row per file in a CSV or JSON Lines table.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common(b)
    b.add_argument("--cache", metavar="DIR",
                   help="keep each clip's landmarks in DIR (sensitive: see below) and reuse them when there")
    b.add_argument("--cluster", metavar="tcp://HOST:PORT",
                   help="score on this Dask scheduler's workers instead (needs gaitcheck[distributed], and the "
                        "videos at the same paths on every worker; --jobs is then ignored)")
    b.add_argument("--patient-from", choices=["parent"],
                   help="save each scored clip as a session of a patient: 'parent' = the clip's folder is named "
                        "after the patient's code (e.g. visits/P-0042/walk.mp4)")
    add_db(b)
    b.set_defaults(run=run)


def run_and_summarise(args: argparse.Namespace, batch: Callable[..., BatchResult], runner: Runner,
                      **options: Any) -> int:
    """Run ``batch`` (``run_batch`` or ``rescore_batch``) with the display on stderr; return its exit code."""
    console = Console(stderr=True)
    with RichBatchProgress(console, show_bar=not args.quiet) as progress:
        cfg = turned_config(load_config(args.config), args.turn)
        result = batch(args.paths, args.out, config=cfg, fmt=args.format, reports=args.reports,
                       resume=args.resume, model=args.model, runner=runner, progress=progress, **options)
    print_summary(console, result)
    return result.exit_code


def run(args: argparse.Namespace) -> int:
    """Run ``batch``: score every clip found, with progress, into one results file; return the exit code."""
    # even with --jobs 1 the model runs in a worker process, so that a native crash on one file
    # (decoder, pose model) costs only that file, and --resume is not stopped by it again; the
    # workers are processes of their own, so mediapipe's C++ log lines are hidden there
    runner: Runner = (DaskCluster(args.cluster) if args.cluster is not None
                      else ProcessPool(worker_count(args.jobs), quiet=True))
    return run_and_summarise(args, run_batch, runner, cache=args.cache, records=args.db,
                             patient_from=args.patient_from)
