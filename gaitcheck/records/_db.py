"""Where the records database is, how it is connected to, and bringing its schema up to date.

SQLite (the default) is opened in WAL mode with a busy timeout, so that several processes (batch
workers, the page, a command) can write at once: each write transaction starts with
``BEGIN IMMEDIATE`` and waits its turn instead of failing. Deleted rows are overwritten
(``secure_delete``). A file gaitcheck creates gets mode 0600 (SQLite gives its ``-wal`` and
``-shm`` files the same mode).

Opening checks the schema version in the same locked transaction that migrates it, so two
processes opening a new database at once migrate it once; a database whose version this gaitcheck
does not know (written by a newer one) is refused before anything is written to it.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from ..errors import ConfigError, DatabaseVersionError, RecordsError

__all__ = ["BUSY_TIMEOUT_S", "DB_ENV", "checkpoint", "connect", "db_message", "default_db_path", "describe",
           "resolve_url", "schema_heads", "write_options"]

#: The environment variable naming the records database (a path or an SQLAlchemy URL).
DB_ENV = "GAITCHECK_DB"
#: How long a writer waits for another one to finish before giving up (SQLite).
BUSY_TIMEOUT_S = 60.0
_MIGRATIONS = Path(__file__).with_name("migrations")
_PG_LOCK = 0x6761697463686B  # the advisory lock key that serialises migrations on PostgreSQL ("gaitchk")
_WRITE = "gaitcheck_write"


def write_options() -> dict[str, Any]:
    """Execution options of a connection that will write (SQLite: ``BEGIN IMMEDIATE``)."""
    return {_WRITE: True}


def default_db_path() -> Path:
    """The default SQLite file: ``records.sqlite3`` in the user's data folder (e.g. ``~/.local/share/gaitcheck``)."""
    from platformdirs import user_data_path

    return user_data_path("gaitcheck", appauthor=False) / "records.sqlite3"


def resolve_url(db: str | os.PathLike[str] | None) -> URL:
    """The database to use: ``db`` (a path or an SQLAlchemy URL), else ``$GAITCHECK_DB``, else the default file.

    ``postgresql://`` URLs use the psycopg 3 driver.

    >>> resolve_url("/data/clinic.sqlite3").render_as_string()
    'sqlite:////data/clinic.sqlite3'
    >>> resolve_url("postgresql://gc:secret@db.example/records").render_as_string()
    'postgresql+psycopg://gc:***@db.example/records'

    Raises:
        ConfigError: ``db`` is neither a usable path nor a valid URL.
    """
    if db is None:
        db = os.environ.get(DB_ENV) or None
    if db is None:
        return URL.create("sqlite", database=str(default_db_path()))
    text_db = os.fspath(db)
    if not text_db.strip():
        raise ConfigError("the records database (--db) is empty; give a file path or a database URL")
    if "://" not in text_db:
        return URL.create("sqlite", database=str(Path(text_db).expanduser().absolute()))
    try:
        url = make_url(text_db)
    except ArgumentError:
        raise ConfigError(f"not a database URL: {_hide_password(text_db)}") from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def _hide_password(text_url: str) -> str:
    head, sep, rest = text_url.partition("://")
    user, at, host = rest.rpartition("@")
    if at and ":" in user:
        return f"{head}{sep}{user.split(':', 1)[0]}:***@{host}"
    return text_url


def describe(url: URL) -> str:
    """The database as shown to the user: the file for SQLite, else the URL without its password."""
    if url.get_backend_name() == "sqlite" and url.database:
        return url.database
    return url.render_as_string(hide_password=True)


def _sqlite_file(url: URL) -> Path | None:
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def _create_private(path: Path) -> None:
    """Create an empty database file readable by its owner only (folders made private too)."""
    if path.exists():
        if path.is_dir():
            raise RecordsError(f"the records database {path} is a folder, not a file")
        return
    if path == default_db_path():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    elif not path.parent.is_dir():
        raise ConfigError(f"the folder for the records database {path} does not exist")
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    except OSError as exc:
        raise RecordsError(f"cannot create the records database {path}: {exc.strerror or exc}") from None


def _on_sqlite_connect(dbapi_conn: Any, record: Any) -> None:
    dbapi_conn.isolation_level = None  # transactions are begun by _on_sqlite_begin, not by the driver
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA secure_delete = ON")  # erased patients are overwritten, not just unlinked
    cur.close()


def _raw_pragmas(engine: Engine, *pragmas: str) -> list[Any]:
    """Run SQLite pragmas outside any transaction (journal mode and checkpoints need that); their first values."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        out = [cur.execute(f"PRAGMA {p}").fetchone()[0] for p in pragmas]
        cur.close()
        return out
    finally:
        raw.close()


def _use_wal(engine: Engine) -> None:
    """Switch the file to WAL mode (a setting kept in the file).

    The switch needs the file to itself for a moment, and SQLite reports "database is locked" at
    once, without waiting, when another process is reading or writing just then (several processes
    opening a new file together): retry for up to ``BUSY_TIMEOUT_S``.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    delay = 0.01
    while True:
        try:
            if _raw_pragmas(engine, "journal_mode") != ["wal"]:
                _raw_pragmas(engine, "journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if ("locked" not in str(exc) and "busy" not in str(exc)) or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(0.2, delay * 2)


def checkpoint(engine: Engine) -> None:
    """Copy the write-ahead log into the SQLite file and empty it (after an erase)."""
    _raw_pragmas(engine, "wal_checkpoint(TRUNCATE)")


def _on_sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


def _engine(url: URL) -> Engine:
    try:
        if url.get_backend_name() == "sqlite":
            engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})
            event.listen(engine, "connect", _on_sqlite_connect)
            event.listen(engine, "begin", _on_sqlite_begin)
            return engine
        return create_engine(url, pool_pre_ping=True)
    except NoSuchModuleError:
        raise ConfigError(f"no database driver for {url.drivername!r} URLs") from None
    except ModuleNotFoundError as exc:  # e.g. psycopg missing
        hint = " (pip install 'gaitcheck[postgresql]')" if url.get_backend_name() == "postgresql" else ""
        raise ConfigError(f"the database driver {exc.name!r} is not installed{hint}") from None
    except ArgumentError as exc:
        raise ConfigError(f"bad records database URL {describe(url)}: {exc}") from None


def _script() -> Any:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(_MIGRATIONS))


def schema_heads() -> tuple[str, ...]:
    """The newest schema revision(s) this gaitcheck writes."""
    return tuple(_script().get_heads())


def _check_and_migrate(conn: Connection, where: str) -> None:
    """Bring the schema to the newest revision, in the caller's (locked) transaction."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext

    script = _script()
    known = {rev.revision for rev in script.walk_revisions()}
    current = set(MigrationContext.configure(conn).get_current_heads())
    unknown = sorted(current - known)
    if unknown:
        raise DatabaseVersionError(
            f"the records database {where} was written by a newer gaitcheck (schema {', '.join(unknown)}; this "
            f"one knows up to {', '.join(script.get_heads())}): upgrade gaitcheck to use it (it was not changed)")
    if current == set(script.get_heads()):
        return
    if not current and set(inspect(conn).get_table_names()):
        raise RecordsError(f"{where} is not a gaitcheck records database (it holds other tables; it was not "
                           "changed)")
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "heads")


def connect(db: str | os.PathLike[str] | None) -> tuple[Engine, URL]:
    """Open the records database (creating and migrating it as needed); returns its engine and URL.

    Raises:
        ConfigError: bad path or URL, or a missing driver.
        DatabaseVersionError: it was written by a newer gaitcheck (it is left untouched).
        RecordsError: it cannot be opened or read, or is not a records database.
    """
    url = resolve_url(db)
    where = describe(url)
    path = _sqlite_file(url)
    if path is not None:
        _create_private(path)
    engine = _engine(url)
    try:
        with engine.connect().execution_options(**write_options()) as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
            _check_and_migrate(conn, where)
        if path is not None:
            _use_wal(engine)
    except DBAPIError as exc:
        engine.dispose()
        raise RecordsError(f"cannot open the records database {where}: {db_message(exc)}") from None
    except sqlite3.Error as exc:  # the raw connection's pragmas are not wrapped by SQLAlchemy
        engine.dispose()
        raise RecordsError(f"cannot open the records database {where}: {exc}") from None
    except BaseException:
        engine.dispose()
        raise
    return engine, url


def db_message(exc: DBAPIError) -> str:
    """The database's own one-line message of ``exc`` (without SQL or parameters)."""
    text_msg = str(exc.orig).strip() or type(exc.orig).__name__
    return text_msg.splitlines()[0]
