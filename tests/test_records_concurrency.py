"""Several processes writing sessions at once, and a writer killed mid-save, on SQLite and PostgreSQL.

The writers are real processes (``python -c``) on a real database file or server; the kill is a
real SIGKILL in the middle of the save's transaction (after its patient and session rows were sent).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from _synth import make_extraction, make_walker

import gaitcheck
from gaitcheck.records import _db as records_db
from gaitcheck.records import open_store

ROOT = Path(__file__).resolve().parents[1]

_PRELUDE = """
import hashlib, json, os, signal, sys, time
from pathlib import Path
from gaitcheck.records import open_store

def digest(d):
    return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()
"""

WRITER = _PRELUDE + """
db, worker, n, go, base = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]), sys.argv[5]
report = json.loads(Path(base).read_text())
print("ready", flush=True)
while not go.exists():
    time.sleep(0.005)
with open_store(db) as store:  # all open at once too: the first migrates a new database, the others wait
    for i in range(n):
        r = {**report, "video": {**report["video"], "path": f"visit-{worker}-{i}.mp4"}}  # each save its own
        s = store.add(r, "P-SHARED" if i % 2 == 0 else f"P-W{worker}", note=f"writer {worker} #{i}")
        print(json.dumps({"id": s.id, "sha": digest(r), "clip": s.clip_name}), flush=True)
"""

KILLED = _PRELUDE + """
from sqlalchemy import Engine, event
db, base = sys.argv[1], sys.argv[2]
report = json.loads(Path(base).read_text())
store = open_store(db)

def die_mid_save(conn, cursor, statement, parameters, context, executemany):
    if statement.lstrip().upper().startswith("INSERT INTO SESSIONS"):
        os.kill(os.getpid(), signal.SIGKILL)  # the session row was sent; the transaction is not committed

event.listen(Engine, "after_cursor_execute", die_mid_save)
store.add(report, "P-KILLED", note="this save never finishes")
print("not killed", flush=True)
"""


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real report (a synthetic walker scored) as a JSON file, for the writer processes to save."""
    path = tmp_path_factory.mktemp("report") / "report.json"
    path.write_text(json.dumps(gaitcheck.score(make_extraction(make_walker(120, trunk_lean_deg=14.0)),
                                               height_cm=170).to_dict()))
    return path


def _python(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_several_processes_write_at_once_and_nothing_is_lost(db_url: str, tmp_path: Path, report_file: Path) -> None:
    writers, per_writer = 4, 8
    go = tmp_path / "go"
    procs = [_python(WRITER, db_url, str(w), str(per_writer), str(go), str(report_file)) for w in range(writers)]
    try:
        for p in procs:  # each has built its reports; then all start writing together
            assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        go.touch()
        outs = [p.communicate(timeout=300) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
    saved = [json.loads(line) for out, _ in outs for line in out.splitlines()]
    assert len(saved) == writers * per_writer and len({s["id"] for s in saved}) == len(saved)
    with open_store(db_url) as store:
        counts = {p.code: p.sessions for p in store.patients()}
        stored = {s["id"]: store.report(s["id"]) for s in saved}
        notes = sorted((x.note or "", x.clip_name) for code in counts for x in store.sessions(code))
    assert counts == {"P-SHARED": writers * per_writer // 2, **{f"P-W{w}": per_writer // 2 for w in range(writers)}}
    for s in saved:  # every report is whole, and is the one its writer saved under that id
        assert hashlib.sha256(json.dumps(stored[s["id"]], sort_keys=True).encode()).hexdigest() == s["sha"]
    assert notes == sorted((f"writer {w} #{i}", f"visit-{w}-{i}.mp4")
                           for w in range(writers) for i in range(per_writer))


def test_a_writer_killed_mid_save_leaves_no_half_session(db_url: str, report_file: Path) -> None:
    report = json.loads(report_file.read_text())
    with open_store(db_url) as store:  # one session saved before, which must survive
        kept = store.add(report, "P-KEPT")
    p = _python(KILLED, db_url, str(report_file))
    out, err = p.communicate(timeout=300)
    assert p.returncode == -signal.SIGKILL, (out, err)
    assert "not killed" not in out
    time.sleep(0.2)  # (PostgreSQL notices the dropped connection and rolls its transaction back)
    with open_store(db_url) as store:
        assert [(x.code, x.sessions) for x in store.patients()] == [("P-KEPT", 1)]
        assert store.report(kept.id) == report
        again = store.add(report, "P-KILLED")
        assert [s.id for s in store.sessions("P-KILLED")] == [again.id]  # the store still works normally
    engine = sa.create_engine(records_db.resolve_url(db_url))
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM sessions")).scalar_one() == 2
            if conn.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        engine.dispose()
