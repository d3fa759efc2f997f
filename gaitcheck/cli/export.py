"""``gaitcheck export CODE OUT.zip``: everything stored for a patient, as one zip file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ._records import add_db, open_db


def register(sub: Any) -> None:
    """Add the ``export`` command to the CLI."""
    e = sub.add_parser("export", help="export a patient's sessions to a zip file",
                       description="Write everything stored for a patient to a zip file: each session's JSON "
                                   "report, PDF report and key-moment pictures (and the clip, if it was stored), "
                                   "and a CSV of the key numbers of every session.")
    e.add_argument("patient", metavar="CODE", help="the patient's code")
    e.add_argument("out", metavar="OUT.zip", help="the zip file to write (replaced if it exists)")
    add_db(e)
    e.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run ``export``: write one patient's records to a file; return the exit code."""
    out = Path(args.out)
    if not out.resolve().parent.is_dir():
        raise ConfigError(f"the folder for {args.out} does not exist")
    if out.is_dir():
        raise ConfigError(f"{args.out} is a folder; give a zip file name")
    with open_db(args) as store:
        n = len(store.sessions(args.patient))
        store.export(args.patient, out)
    print(f"Exported patient {args.patient} ({n} session{'s' if n != 1 else ''}) to {args.out}")
    return 0
