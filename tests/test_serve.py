"""Serving the page to a clinic: the therapist's password, patients' upload links, the pose queue, the commands.

The links and the password are tested on a real SQLite file and a real PostgreSQL server (``db_url``);
the queue with a runner that waits for the test's word, so that the line can be looked at while it
stands; the real pose run through the queue is in ``test_serve_browser.py``.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from gaitcheck.cli import main
from gaitcheck.errors import ConfigError, LinkError, RecordNotFoundError
from gaitcheck.records import _db as records_db
from gaitcheck.records import open_store
from gaitcheck.serve.access import (
    LINK_PARAM,
    Throttle,
    check_password,
    has_password,
    make_invite,
    open_link,
    set_password,
)
from gaitcheck.serve.queue import PoseJob, PoseQueue
from gaitcheck.serve.server import streamlit_command
from gaitcheck.serve.settings import ServeSettings

BASE = "https://gait.clinic.example"


def _run(capsys, *argv: str, stdin: str | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        import io

        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---- the therapist's password -------------------------------------------------------------------------

def test_the_password_is_stored_only_as_an_argon2id_hash(db_url: str) -> None:
    with open_store(db_url) as store:
        assert not has_password(store) and not check_password(store, "anything at all")
        set_password(store, "correct horse battery")
        assert has_password(store)
        assert check_password(store, "correct horse battery")
        assert not check_password(store, "correct horse batterY")
        assert not check_password(store, "")
    engine = sa.create_engine(records_db.resolve_url(db_url))
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.text("SELECT key, value FROM settings")).all())
    engine.dispose()
    stored = rows["therapist_password_argon2"]
    assert stored.startswith("$argon2id$") and "correct horse" not in json.dumps(rows)


def test_a_short_password_is_refused(tmp_path: Path) -> None:
    with open_store(tmp_path / "r.sqlite3") as store:
        with pytest.raises(ConfigError, match="at least 10"):
            set_password(store, "short")
        assert not has_password(store)


def test_failed_attempts_are_slowed_for_every_browser_and_reset_by_a_success() -> None:
    now = [100.0]
    t = Throttle(max_wait_s=8.0, clock=lambda: now[0])
    assert t.wait_s() == 0.0
    waits = []
    for _ in range(6):
        t.failed()
        waits.append(t.wait_s())
    assert waits == [2.0, 4.0, 8.0, 8.0, 8.0, 8.0]  # doubling, capped
    now[0] += 5.0
    assert t.wait_s() == 3.0
    t.succeeded()
    assert t.wait_s() == 0.0
    t.failed()
    assert t.wait_s() == 2.0  # counting starts again


# ---- patients' upload links ---------------------------------------------------------------------------

def test_a_link_opens_its_own_patient_only_and_reveals_nothing_of_them(db_url: str) -> None:
    with open_store(db_url) as store:
        a = make_invite(store, "P-0001", BASE, days=14)
        b = make_invite(store, "P-0002", BASE + "/gait/", days=3)
        assert a.url.startswith(f"{BASE}/?{LINK_PARAM}=") and b.url.startswith(f"{BASE}/gait/?{LINK_PARAM}=")
        assert open_link(store, a.token) == "P-0001" and open_link(store, b.token) == "P-0002"
        assert timedelta(days=13.99) < a.expires_at - datetime.now(UTC) <= timedelta(days=14)
        assert [p.code for p in store.patients()] == ["P-0001", "P-0002"]  # made on first invite
        for inv in (a, b):
            payload = inv.token.split(".")[0]
            decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
            assert b"P-000" not in decoded and b"P-000" not in inv.token.encode()


@pytest.mark.parametrize("change", ["payload", "signature", "foreign", "garbage"])
def test_a_tampered_link_is_refused_with_a_plain_message(db_url: str, change: str) -> None:
    from itsdangerous import URLSafeSerializer

    with open_store(db_url) as store:
        token = make_invite(store, "P-0001", BASE).token
        payload, sig = token.split(".")
        bad = {"payload": payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + sig,
               "signature": payload + "." + sig[::-1],
               "foreign": URLSafeSerializer("another server's key", salt="gaitcheck-upload-link-v1").dumps("x"),
               "garbage": "../../etc/passwd"}[change]
        with pytest.raises(LinkError, match="not valid") as err:
            open_link(store, bad)
        assert "Traceback" not in str(err.value) and "P-0001" not in str(err.value)


def test_expired_and_withdrawn_links_are_refused(db_url: str) -> None:
    with open_store(db_url) as store:
        old = make_invite(store, "P-0001", BASE, days=1)
        engine = sa.create_engine(records_db.resolve_url(db_url))
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE links SET expires_at = :t"), {"t": datetime.now(UTC) - timedelta(hours=1)})
        engine.dispose()
        with pytest.raises(LinkError, match="expired"):
            open_link(store, old.token)
        a, b = make_invite(store, "P-0001", BASE), make_invite(store, "P-0001", BASE)
        other = make_invite(store, "P-0002", BASE)
        assert store.revoke_links("P-0001") == 2  # the two still usable; the expired one is not counted
        for inv in (a, b):
            with pytest.raises(LinkError, match="withdrawn"):
                open_link(store, inv.token)
        assert open_link(store, other.token) == "P-0002"  # another patient's link still works
        with pytest.raises(RecordNotFoundError):
            store.revoke_links("P-0404")
        store.forget("P-0002")  # erasing a patient erases their links too
        with pytest.raises(LinkError, match="not valid any more"):
            open_link(store, other.token)


def test_invite_and_set_password_commands(tmp_path: Path, capsys, monkeypatch) -> None:
    db = str(tmp_path / "clinic.sqlite3")
    code, out, err = _run(capsys, "invite", "P-0042", "--days", "7", "--base-url", BASE, "--db", db)
    assert code == 0, err
    url = out.strip().splitlines()[-1]
    assert url.startswith(f"{BASE}/?{LINK_PARAM}=")
    with open_store(db) as store:
        assert open_link(store, url.split("=", 1)[1]) == "P-0042"
    code, out, err = _run(capsys, "invite", "P-0042", "--revoke", "--db", db)
    assert code == 0 and "Withdrew 1 link" in out
    code, out, err = _run(capsys, "invite", "not a code", "--db", db)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    code, out, err = _run(capsys, "invite", "P-1", "--base-url", "clinic", "--db", db)
    assert code == 2 and "not a web address" in err
    code, out, err = _run(capsys, "serve", "--db", db)  # no password yet: refused before serving anything
    assert code == 2 and "set-password" in err and len(err.strip().splitlines()) == 1
    code, out, err = _run(capsys, "set-password", "--password-stdin", "--db", db, stdin="a long enough secret\n",
                          monkeypatch=monkeypatch)
    assert code == 0 and "a long enough secret" not in out + err
    with open_store(db) as store:
        assert check_password(store, "a long enough secret")
    code, out, err = _run(capsys, "set-password", "--db", db, stdin="", monkeypatch=monkeypatch)
    assert code == 2 and "--password-stdin" in err


# ---- how the server is started ------------------------------------------------------------------------

def test_the_server_keeps_xsrf_on_and_shows_visitors_no_internals() -> None:
    cmd = streamlit_command(ServeSettings(served=True, max_upload_mb=50), "127.0.0.1", 8600)
    opts = dict(a[2:].split("=", 1) for a in cmd if a.startswith("--"))
    assert opts["server.enableXsrfProtection"] == "true" and opts["browser.gatherUsageStats"] == "false"
    assert opts["client.showErrorDetails"] == "none" and opts["client.toolbarMode"] == "viewer"
    assert opts["server.maxUploadSize"] == "50" and opts["server.address"] == "127.0.0.1"
    assert Path(cmd[4]).is_file() and Path(cmd[4]).name == "_script.py"


def test_settings_travel_through_the_environment() -> None:
    s = ServeSettings(served=True, session_minutes=12.5, slots=3, cluster="tcp://10.0.0.5:8786",
                      base_url=BASE, max_upload_mb=80, max_memory_mb=3000)
    assert ServeSettings.from_env(s.to_env()) == s
    assert ServeSettings.from_env({}) == ServeSettings()
    assert s.memory_budget_mb == 3000 and ServeSettings().memory_budget_mb >= 1024  # 0: half the machine's
    with pytest.raises(ConfigError, match="GAITCHECK_SESSION_MINUTES"):
        ServeSettings.from_env({"GAITCHECK_SESSION_MINUTES": "soon"})


# ---- the pose queue -----------------------------------------------------------------------------------

class _Gate:
    """A runner whose runs end when the test says so (the queue's own threads do the waiting)."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self.started: list[str] = []
        self.release: dict[str, threading.Event] = {}
        self.folders: dict[str, Path] = {}
        self._lock = threading.Lock()

    def run(self, job: PoseJob, folder: Path):
        with self._lock:
            self.started.append(job.name)
            self.folders[job.name] = folder
            ev = self.release.setdefault(job.name, threading.Event())
        (folder / "upload.mp4").write_bytes(job.data)
        assert ev.wait(30)
        if job.name.startswith("bad"):
            raise ValueError("not a video")
        return f"extraction of {job.name}"

    def close(self) -> None:
        pass

    def finish(self, name: str) -> None:
        with self._lock:
            self.release.setdefault(name, threading.Event()).set()


def _until(cond, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_the_queue_runs_one_job_per_slot_first_come_first_served_with_places_and_estimates() -> None:
    runner = _Gate(slots=2)
    q = PoseQueue(runner)
    try:
        tickets = [q.submit(PoseJob(b"clip", f"c{i}.mp4", duration_s=10.0)) for i in range(5)]
        _until(lambda: len(runner.started) == 2)
        time.sleep(0.1)
        assert sorted(runner.started) == ["c0.mp4", "c1.mp4"]  # the first two, and at most two at once
        assert [t.position() for t in tickets] == [0, 0, 1, 2, 3]
        est = [t.estimate_s() for t in tickets]
        assert est[2] < est[3] < est[4]  # the later in line, the longer the wait
        folder = runner.folders["c0.mp4"]
        assert folder.stat().st_mode & 0o777 == 0o700  # the upload waits in a private folder
        runner.finish("c1.mp4")
        assert tickets[1].future.result(10) == "extraction of c1.mp4"
        assert not runner.folders["c1.mp4"].exists()  # ... deleted when its run ends
        _until(lambda: len(runner.started) == 3)
        assert runner.started[2] == "c2.mp4" and [t.position() for t in tickets[2:]] == [0, 1, 2]
        assert tickets[4].cancel() and tickets[4].future.cancelled()  # a patient who leaves the line
        assert [t.position() for t in tickets[2:4]] == [0, 1]
        for name in ("c0.mp4", "c2.mp4", "c3.mp4"):
            runner.finish(name)
        assert [t.future.result(10) for t in tickets[:4]] == [f"extraction of c{i}.mp4" for i in range(4)]
        assert "c4.mp4" not in runner.started
        assert not any(f.exists() for f in runner.folders.values())
    finally:
        for name in list(runner.release):
            runner.finish(name)
        q.close()


def test_the_wait_follows_the_running_jobs_own_pace_once_it_has_started() -> None:
    runner = _Gate(slots=1)
    q = PoseQueue(runner)
    try:
        first, second = (q.submit(PoseJob(b"clip", f"c{i}.mp4", duration_s=100.0)) for i in range(2))
        _until(lambda: "c0.mp4" in runner.folders)
        guess = first.estimate_s()
        assert guess > 100  # nothing timed yet: the first guess is over a second of work per second of clip
        progress = runner.folders["c0.mp4"] / "progress"
        progress.write_text("1 1000")  # too little done to judge its pace
        assert first.estimate_s() == pytest.approx(guess, rel=0.05)
        time.sleep(0.5)
        progress.write_text("500 1000")  # half done in ~0.5 s: ~0.5 s left, whatever the guess said
        elapsed = time.monotonic() - first.started
        assert first.estimate_s() == pytest.approx(max(1.0, elapsed), abs=0.3)
        # the second in line waits for that rest, then its own run at the guessed rate
        assert second.estimate_s() == pytest.approx(elapsed + 100.0 * (guess / 100.0), rel=0.05)
    finally:
        for name in ("c0.mp4", "c1.mp4"):
            runner.finish(name)
        q.close()


def test_a_failing_run_reaches_its_own_page_only_and_the_queue_goes_on() -> None:
    runner = _Gate(slots=1)
    q = PoseQueue(runner)
    try:
        bad, good = q.submit(PoseJob(b"x", "bad.mp4", 2.0)), q.submit(PoseJob(b"y", "good.mp4", 2.0))
        runner.finish("bad.mp4")
        runner.finish("good.mp4")
        with pytest.raises(ValueError, match="not a video"):
            bad.future.result(10)
        assert good.future.result(10) == "extraction of good.mp4"
        assert not runner.folders["bad.mp4"].exists()  # deleted on failure too
    finally:
        q.close()
