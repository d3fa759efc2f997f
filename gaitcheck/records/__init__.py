"""Patient records: every saved session in a database, with history, trends, export and erase.

>>> from gaitcheck.records import open_store
>>> with open_store() as store:  # doctest: +SKIP
...     store.add(gaitcheck.analyze("walk.mp4"), "P-0042", video="walk.mp4", note="first visit")
...     history = store.history("P-0042")
...     store.export("P-0042", "P-0042.zip")

The database is an SQLite file in the user's data folder unless ``db`` (or ``$GAITCHECK_DB``)
names another file or an SQLAlchemy URL (PostgreSQL through psycopg 3 is supported and tested).
Its schema is migrated when it is opened (Alembic; the migrations ship in this package); one
written by a newer gaitcheck is refused and left untouched.

A session holds the patient's code (a pseudonym) and optional display name, when the clip was
recorded and analysed, the clip's sha256 (never the video itself unless ``keep_video=True``), the
full report JSON, its key numbers as columns, the thresholds used, the software and model
versions, small key-moment thumbnails and the therapist's note. It is health data: an SQLite file
is created readable by its owner only, nothing is sent anywhere, and :meth:`RecordStore.forget`
erases a patient.
"""

from __future__ import annotations

from ._clip import recorded_time
from ._db import DB_ENV, default_db_path
from .sessions import (
    History,
    HistoryEntry,
    KeyNumbers,
    PatientSummary,
    Session,
    Thumbnail,
    check_code,
    history_csv,
    history_text,
    key_numbers,
)
from .store import RecordStore, open_store

__all__ = ["DB_ENV", "History", "HistoryEntry", "KeyNumbers", "PatientSummary", "RecordStore", "Session",
           "Thumbnail", "check_code", "default_db_path", "history_csv", "history_text", "key_numbers", "open_store",
           "recorded_time"]
