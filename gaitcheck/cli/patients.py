"""``gaitcheck patients``: the patients in the records database, with their sessions and last visit."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ._records import add_db, open_db


def register(sub: Any) -> None:
    """Add the ``patients`` command to the CLI."""
    p = sub.add_parser("patients", help="list the patients in the records database",
                       description="List the patients in the records database: code, display name, number of "
                                   "sessions and the last visit.")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_db(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run ``patients``: list the patients in the records store; return the exit code."""
    from ..records.sessions import text_table

    with open_db(args) as store:
        found = store.patients()
        where = store.where
    if args.json:
        print(json.dumps({"patients": [{"code": p.code, "display_name": p.display_name, "sessions": p.sessions,
                                        "last_visit": None if p.last_visit is None else p.last_visit.isoformat()}
                                       for p in found]}, indent=1, ensure_ascii=False))
        return 0
    if not found:
        print(f"No patients in {where} yet (save one with gaitcheck analyze VIDEO --patient CODE).")
        return 0
    rows = [("patient", "name", "sessions", "last visit")]
    rows += [(p.code, p.display_name or "", str(p.sessions),
              "-" if p.last_visit is None else f"{p.last_visit:%Y-%m-%d %H:%M}") for p in found]
    print("\n".join(text_table(rows)))
    return 0
