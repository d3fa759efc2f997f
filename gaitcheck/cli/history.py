"""``gaitcheck history CODE``: a patient's sessions in date order, their key numbers and what changed."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ._records import add_db, open_db


def register(sub: Any) -> None:
    """Add the ``history`` command to the CLI."""
    h = sub.add_parser("history", help="a patient's sessions, key numbers and trends",
                       description="Show a patient's sessions in the order they were recorded, with the key "
                                   "numbers and what changed since the previous session.")
    h.add_argument("patient", metavar="CODE", help="the patient's code (see gaitcheck patients)")
    h.add_argument("--json", action="store_true", help="print the history as JSON")
    h.add_argument("--plot", metavar="OUT.png", help="also draw the trends with their thresholds as a PNG")
    add_db(h)
    h.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run ``history``: print one patient's sessions and trends; return the exit code."""
    from ..records import history_text

    if args.plot and not Path(args.plot).resolve().parent.is_dir():
        raise ConfigError(f"the folder for {args.plot} does not exist")
    with open_db(args) as store:
        history = store.history(args.patient)
    if args.json:
        print(json.dumps(history.to_dict(), indent=1, ensure_ascii=False, allow_nan=False))
    else:
        print(history_text(history))
    if args.plot:
        from ..records.plot import write_trend_plot

        write_trend_plot(history, args.plot)
        if not args.json:
            print(f"\nTrends drawn in {args.plot}")
    return 0
