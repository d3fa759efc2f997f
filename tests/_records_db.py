"""Databases for the records tests: an SQLite file always, and a real PostgreSQL server.

The server is the one `.ci/run` started (its URL in ``$GAITCHECK_TEST_POSTGRES_URL``). Without
that variable, a local run starts a throwaway cluster itself when PostgreSQL is installed
(``.ci/postgres``) and skips the PostgreSQL cases when it is not; in CI (``CI=true``) a missing
server fails those tests with one line instead. Each test gets a fresh database, dropped after.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_ENV = "GAITCHECK_TEST_POSTGRES_URL"
BACKENDS = ("sqlite", "postgresql")
_SCRIPT = Path(__file__).resolve().parents[1] / ".ci" / "postgres"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def _postgres_installed() -> bool:
    return shutil.which("initdb") is not None or any(Path("/usr/lib/postgresql").glob("*/bin/initdb"))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server's maintenance database (to create test databases on)."""
    url = os.environ.get(PG_ENV)
    if url:
        yield url
        return
    if _in_ci():
        pytest.fail(f"no PostgreSQL server for the records tests: ${PG_ENV} is not set (.ci/run starts one)",
                    pytrace=False)
    if not _postgres_installed() or not _SCRIPT.is_file():
        pytest.skip(f"PostgreSQL is not installed and ${PG_ENV} is not set")
    folder = tempfile.mkdtemp(prefix="gaitcheck-pg-")  # in /tmp: the server's user must reach it
    try:
        started = subprocess.run([str(_SCRIPT), "start", folder], capture_output=True, text=True, timeout=120)
        if started.returncode != 0:
            pytest.fail(f"could not start a throwaway PostgreSQL: {started.stderr.strip()[-300:]}", pytrace=False)
        yield started.stdout.strip()
    finally:
        subprocess.run([str(_SCRIPT), "stop", folder], capture_output=True, timeout=120)


def new_database(server: str) -> tuple[str, str]:
    """Create an empty database on ``server``; returns its name and its SQLAlchemy URL."""
    import psycopg

    name = f"gc_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = server.rpartition("/")
    return name, f"{base}/{name}"


def drop_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty records database: an SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        yield str(tmp_path / "records.sqlite3")
        return
    server = request.getfixturevalue("postgres_server")
    name, url = new_database(server)
    try:
        yield url
    finally:
        drop_database(server, name)
