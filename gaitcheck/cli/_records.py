"""The ``--db`` option shared by the commands that use the patient records."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..records import RecordStore

__all__ = ["DB_HELP", "add_db", "open_db"]

DB_HELP = ("the patient records database: a file path (SQLite) or a database URL such as "
           "postgresql://user@host/records (default: $GAITCHECK_DB, else records.sqlite3 in your data folder)")


def add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="URL-or-PATH", help=DB_HELP)


def open_db(args: argparse.Namespace) -> RecordStore:
    """The records store ``--db`` names (see :func:`gaitcheck.records.open_store`)."""
    from ..records import open_store

    return open_store(args.db)
