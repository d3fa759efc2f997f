"""``gaitcheck rescore PATH... --cache DIR --out results.csv``: new thresholds, no pose model."""

from __future__ import annotations

import argparse
from typing import Any

from ..batch import rescore_batch
from ..batch.runners import runner_for
from .batch import add_common, run_and_summarise

EPILOG = """\
The clips' landmarks come from DIR, written by `gaitcheck batch --cache DIR` with the same pose
model and [pose] settings (other sections of the config, the thresholds, may change freely). A clip
that is not in the cache is a row with status=error saying so. The videos must still be there: they
are found in the cache by the sha256 of their bytes.

exit codes: 0 every file was scored; 1 some files failed (e.g. not in the cache); 2 usage or
configuration error.
"""


def register(sub: Any) -> None:
    """Add the ``rescore`` command to the CLI."""
    r = sub.add_parser("rescore", help="re-score cached clips with new thresholds (no pose model)",
                       description="Re-score clips from the landmark cache, e.g. with new thresholds in --config.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common(r)
    r.add_argument("--cache", metavar="DIR", required=True, help="the landmark cache written by gaitcheck batch")
    r.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run ``rescore``: score cached landmarks again with other settings; return the exit code."""
    return run_and_summarise(args, rescore_batch, runner_for(args.jobs), cache=args.cache)
