"""``gaitcheck compare OLD.json NEW.json``: what changed between two sessions."""

from __future__ import annotations

import argparse
from typing import Any

from ..compare import compare_reports, format_comparison, load_report

EPILOG = """\
Both files are JSON reports written by `gaitcheck analyze VIDEO --json REPORT.json`. Each measure
is shown old and new, with its change and whether it is better, worse or about the same; verdicts
that changed are marked. Add the comparison to a PDF report with
`gaitcheck analyze NEW_VIDEO --pdf report.pdf --compare OLD.json`.

exit codes: 0 compared; 1 a file is missing or not a gaitcheck report; 2 usage error.
"""


def register(sub: Any) -> None:
    """Add the ``compare`` command to the CLI."""
    c = sub.add_parser("compare", help="compare two sessions' JSON reports",
                       description="Show what changed between two sessions (an older and a newer JSON report).",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("old", metavar="OLD.json", help="the earlier session's report")
    c.add_argument("new", metavar="NEW.json", help="the later session's report")
    c.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run ``compare``: print how a later report differs from an earlier one; return the exit code."""
    old, new = load_report(args.old), load_report(args.new)
    print(format_comparison(compare_reports(old, new)))
    return 0
