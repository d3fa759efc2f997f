"""``gaitcheck forget CODE``: erase a patient and everything stored for them."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..errors import ConfigError
from ._records import add_db, open_db


def register(sub: Any) -> None:
    """Add the ``forget`` command to the CLI."""
    f = sub.add_parser("forget", help="erase a patient and all their sessions",
                       description="Erase a patient and everything stored for them (sessions, reports, "
                                   "thumbnails, stored clips, notes). This cannot be undone: export first if the "
                                   "records must be kept elsewhere.")
    f.add_argument("patient", metavar="CODE", help="the patient's code")
    f.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    add_db(f)
    f.set_defaults(run=run)


def _confirmed(code: str, sessions: int, where: str) -> bool:
    if not sys.stdin.isatty():
        raise ConfigError(f"refusing to erase patient {code} without confirmation: add --yes")
    answer = input(f"Erase patient {code} and their {sessions} session(s) from {where}? "
                   f"Type the code to confirm: ")
    return answer.strip() == code


def run(args: argparse.Namespace) -> int:
    """Run ``forget``: erase one patient's records after confirmation; return the exit code."""
    with open_db(args) as store:
        n = len(store.sessions(args.patient))  # an unknown patient fails here, before asking
        if not args.yes and not _confirmed(args.patient, n, store.where):
            print("Nothing was erased.")
            return 1
        erased = store.forget(args.patient)
        print(f"Erased patient {args.patient} and {erased} session(s) from {store.where}.")
    return 0
