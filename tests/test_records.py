"""The session store on a real SQLite file and a real PostgreSQL server (``db_url`` runs each test on both).

Reports come from :func:`gaitcheck.score` on synthetic walkers, so the stored key numbers can be
checked against what the walker was made to do (a 20° trunk lean is a slouch; 2° is not).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from _synth import make_extraction, make_walker

import gaitcheck
from gaitcheck.cli import main
from gaitcheck.errors import ConfigError, RecordNotFoundError
from gaitcheck.records import History, check_code, key_numbers, open_store
from gaitcheck.records import _db as records_db
from gaitcheck.records._tables import metadata

DAY = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def walker_report(lean: float = 2.0, pitch: float = 0.0, n_frames: int = 150) -> gaitcheck.Report:
    return gaitcheck.score(make_extraction(make_walker(n_frames, trunk_lean_deg=lean, head_pitch_deg=pitch)),
                           height_cm=170)


@pytest.fixture(scope="module")
def reports() -> dict[str, gaitcheck.Report]:
    """Three visits: slouching, then less, then upright and looking ahead."""
    return {"slouch": walker_report(20.0), "better": walker_report(12.0), "upright": walker_report(2.0)}


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_saved_session_reads_back_exactly(db_url: str, reports: dict[str, gaitcheck.Report]) -> None:
    report = reports["slouch"]
    with open_store(db_url) as store:
        saved = store.add(report, "P-0042", note="first visit: tired", display_name="A. Walker", recorded_at=DAY,
                          clip_sha256="ab" * 32)
        again = store.session(saved.id)
        stored = store.report(saved.id)
    d = report.to_dict()
    assert stored == d  # the full report JSON, exactly
    assert again == saved
    assert saved.patient == "P-0042" and saved.note == "first visit: tired" and saved.clip_sha256 == "ab" * 32
    assert saved.recorded_at == DAY and saved.recorded_at_source == "given"
    assert abs(saved.analysed_at - datetime.now(UTC)) < timedelta(minutes=5)
    assert saved.numbers == key_numbers(d)
    # the walker leans 20° forward: the stored columns say so, as the report does
    assert saved.numbers.slouch == d["checks"]["slouch"]["status"] == "flag"
    assert saved.numbers.median_trunk_lean_deg == pytest.approx(20.0, abs=0.5)
    assert saved.numbers.cadence_spm == d["gait"]["cadence_spm"]
    assert saved.numbers.analysable_s == d["subject"]["analysable_s"] > 1.0
    assert saved.thresholds["slouch"]["trunk_lean_max_deg"] == d["settings"]["slouch"]["trunk_lean_max_deg"]
    assert saved.thresholds["height_cm"] == 170
    assert saved.gaitcheck_version == gaitcheck.__version__ and saved.model_name == "synthetic.task"
    assert not saved.has_video


def test_history_is_in_recording_order_and_says_what_changed(db_url: str,
                                                             reports: dict[str, gaitcheck.Report]) -> None:
    with open_store(db_url) as store:  # saved out of order: history sorts by when they were recorded
        store.add(reports["upright"], "P-0042", recorded_at=DAY + timedelta(days=60))
        store.add(reports["slouch"], "P-0042", recorded_at=DAY)
        store.add(reports["better"], "P-0042", recorded_at=DAY + timedelta(days=30))
        store.add(reports["slouch"], "P-0007", recorded_at=DAY)
        history = store.history("P-0042")
    assert isinstance(history, History)
    leans = [s.numbers.median_trunk_lean_deg for s in history.sessions]
    assert leans == sorted(leans, reverse=True) and len(leans) == 3
    assert [s.recorded_at for s in history.sessions] == [DAY, DAY + timedelta(days=30), DAY + timedelta(days=60)]
    assert history.entries[0].changes == ()
    last = {c.label: c for c in history.entries[2].changes}
    assert last["Slouch"].old == "flag" and last["Slouch"].new == "pass" and last["Slouch"].direction == "better"
    assert last["Trunk lean (median, + = forward)"].direction == "better"
    assert all(c.direction != "same" for e in history.entries for c in e.changes)


def test_history_json_has_the_documented_shape(db_url: str, reports: dict[str, gaitcheck.Report],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    with open_store(db_url) as store:
        first = store.add(reports["slouch"], "P-0042", recorded_at=DAY, note="note one", clip_sha256="0" * 64)
        store.add(reports["upright"], "P-0042", recorded_at=DAY + timedelta(days=7))
    code, out, err = run_cli(capsys, "history", "P-0042", "--json", "--db", db_url)
    assert code == 0 and err == ""
    data = json.loads(out)
    assert list(data) == ["patient", "sessions"] and data["patient"] == "P-0042"
    one, two = data["sessions"]
    for key in ("id", "recorded_at", "clip_sha256", "note", "look_ahead", "slouch", "gait", "median_gaze_distance_m",
                "median_head_pitch_deg", "median_trunk_lean_deg", "median_forward_head_rel", "cadence_spm",
                "step_time_asymmetry_pct", "analysable_s", "changes"):
        assert key in one, key
    assert one["id"] == first.id and one["note"] == "note one" and one["clip_sha256"] == "0" * 64
    assert datetime.fromisoformat(one["recorded_at"]) == DAY
    assert (one["slouch"], two["slouch"]) == ("flag", "pass")
    assert all(isinstance(s[k], str) for s in (one, two) for k in ("look_ahead", "slouch", "gait"))
    assert one["median_trunk_lean_deg"] == reports["slouch"].to_dict()["checks"]["slouch"]["median_trunk_lean_deg"]
    assert one["changes"] == [] and {"label": "Slouch", "old": "flag", "new": "pass", "delta": "flag -> pass",
                                     "direction": "better"} in two["changes"]


def test_history_text_and_patients_list(db_url: str, reports: dict[str, gaitcheck.Report],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    with open_store(db_url) as store:
        store.add(reports["slouch"], "P-0042", recorded_at=DAY, display_name="A. Walker")
        store.add(reports["upright"], "P-0042", recorded_at=DAY + timedelta(days=7), note="walks taller")
        store.add(reports["upright"], "P-0007", recorded_at=DAY - timedelta(days=1))
        found = store.patients()
    assert [(p.code, p.display_name, p.sessions, p.last_visit) for p in found] == [
        ("P-0007", None, 1, DAY - timedelta(days=1)), ("P-0042", "A. Walker", 2, DAY + timedelta(days=7))]
    code, out, _ = run_cli(capsys, "patients", "--db", db_url)
    assert code == 0
    assert out.splitlines()[2].split() == ["P-0042", "A.", "Walker", "2", "2026-03-09", "09:30"]
    code, out, _ = run_cli(capsys, "history", "P-0042", "--db", db_url)
    assert code == 0
    assert "Patient P-0042 (A. Walker): 2 sessions" in out
    assert "Slouch: flag -> pass (better)" in out and "Note on session" in out and "walks taller" in out


def test_notes_can_be_changed(db_url: str, reports: dict[str, gaitcheck.Report]) -> None:
    with open_store(db_url) as store:
        s = store.add(reports["slouch"], "P-0042", recorded_at=DAY)
        assert store.set_note(s.id, "reviewed with the patient").note == "reviewed with the patient"
        assert store.session(s.id).note == "reviewed with the patient"
        assert store.set_note(s.id, "").note is None
        with pytest.raises(RecordNotFoundError):
            store.set_note(s.id + 99, "x")


def _table_rows(db_url: str) -> dict[str, int]:
    engine = sa.create_engine(records_db.resolve_url(db_url))
    try:
        with engine.connect() as conn:
            return {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
                    for t in ("patients", "sessions", "thumbnails", "videos")}
    finally:
        engine.dispose()


def test_forget_erases_the_patient_and_nothing_else(db_url: str, reports: dict[str, gaitcheck.Report],
                                                    capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    clip = tmp_path / "clip.bin"
    clip.write_bytes(b"pretend video bytes")
    with open_store(db_url) as store:
        for days in (0, 7):
            store.add(reports["slouch"].to_dict(), "P-0042", recorded_at=DAY + timedelta(days=days), video=clip,
                      keep_video=True)  # a report dict: no key-moment pictures to take from the (fake) clip
        kept = store.add(reports["upright"], "P-0007", recorded_at=DAY)
        assert store.video(kept.id) is None
    assert _table_rows(db_url) == {"patients": 2, "sessions": 3, "thumbnails": 0, "videos": 2}
    code, out, err = run_cli(capsys, "forget", "P-0042", "--db", db_url)  # not a terminal: needs --yes
    assert code == 2 and "--yes" in err and len(err.splitlines()) == 1
    assert _table_rows(db_url)["sessions"] == 3
    code, out, err = run_cli(capsys, "forget", "P-0042", "--yes", "--db", db_url)
    assert code == 0 and "2 session(s)" in out
    assert _table_rows(db_url) == {"patients": 1, "sessions": 1, "thumbnails": 0, "videos": 0}
    with open_store(db_url) as store:
        with pytest.raises(RecordNotFoundError):
            store.history("P-0042")
        assert [s.id for s in store.sessions("P-0007")] == [kept.id]
        assert store.report(kept.id) == reports["upright"].to_dict()


@pytest.mark.parametrize("argv", [["history", "P-0404"], ["export", "P-0404", "{tmp}/out.zip"],
                                  ["forget", "P-0404", "--yes"], ["history", "P-0404", "--json"]])
def test_an_unknown_patient_is_one_line_and_exit_1(db_url: str, argv: list[str], tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, out, err = run_cli(capsys, *args, "--db", db_url)
    assert code == 1 and out == ""
    assert err.startswith("gaitcheck: error: no patient P-0404 in ") and len(err.splitlines()) == 1
    assert not (tmp_path / "out.zip").exists()


def _set_revision(db_url: str, revision: str) -> None:
    engine = sa.create_engine(records_db.resolve_url(db_url))
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    finally:
        engine.dispose()


def _dump(db_url: str) -> dict[str, Any]:
    """Every table's rows (to see that nothing changed)."""
    engine = sa.create_engine(records_db.resolve_url(db_url))
    try:
        with engine.connect() as conn:
            names = sorted(sa.inspect(conn).get_table_names())
            return {t: sorted(map(tuple, conn.execute(sa.text(f"SELECT * FROM {t}")).all()), key=repr) for t in names}
    finally:
        engine.dispose()


def _file_hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def test_a_database_from_a_newer_gaitcheck_is_refused_and_left_alone(db_url: str, tmp_path: Path,
                                                                     reports: dict[str, gaitcheck.Report],
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    with open_store(db_url) as store:
        store.add(reports["slouch"], "P-0042", recorded_at=DAY)
    _set_revision(db_url, "9001")
    before, files = _dump(db_url), _file_hashes(tmp_path)
    for argv in (["patients"], ["history", "P-0042"], ["forget", "P-0042", "--yes"]):
        code, out, err = run_cli(capsys, *argv, "--db", db_url)
        assert code == 1 and out == ""
        assert "written by a newer gaitcheck (schema 9001" in err and "upgrade gaitcheck" in err
        assert len(err.splitlines()) == 1
    assert _dump(db_url) == before
    assert _file_hashes(tmp_path) == files  # the SQLite file, byte for byte


def test_the_migrated_schema_is_the_one_the_code_uses(db_url: str) -> None:
    open_store(db_url).close()
    engine = sa.create_engine(records_db.resolve_url(db_url))
    try:
        with engine.connect() as conn:
            insp = sa.inspect(conn)
            found = {t: {c["name"] for c in insp.get_columns(t)} for t in insp.get_table_names()}
            indexes = {t: {i["name"] for i in insp.get_indexes(t) if i["name"].startswith("ix_")}
                       for t in metadata.tables}  # (PostgreSQL lists unique constraints as indexes too)
            version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    finally:
        engine.dispose()
    assert found.pop("alembic_version") == {"version_num"}
    assert found == {t.name: {c.name for c in t.columns} for t in metadata.tables.values()}
    assert indexes == {t.name: {i.name for i in t.indexes} for t in metadata.tables.values()}
    assert version == list(records_db.schema_heads())


def _first_schema_database(db_url: str) -> None:
    """A database as the first gaitcheck with records made it: only migration 0001, one session in it."""
    from alembic import command
    from alembic.config import Config

    engine = sa.create_engine(records_db.resolve_url(db_url))
    try:
        with engine.begin() as conn:
            cfg = Config()
            cfg.set_main_option("script_location", str(Path(records_db.__file__).with_name("migrations")))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")
            old = sa.table("sessions", *(sa.column(c) for c in (
                "patient_id", "recorded_at", "recorded_at_source", "analysed_at", "clip_name", "clip_sha256",
                "report_json", "report_schema_version", "look_ahead_status", "slouch_status", "gait_status",
                "median_trunk_lean_deg", "thresholds_json", "note")))
            conn.execute(sa.text("INSERT INTO patients (id, code, created_at) VALUES (1, 'P-0001', :t)"), {"t": DAY})
            report = walker_report(20.0).to_dict()
            conn.execute(sa.insert(old).values(
                patient_id=1, recorded_at=DAY, recorded_at_source="given", analysed_at=DAY, clip_name="old.mp4",
                clip_sha256="c" * 64, report_json=json.dumps(report), report_schema_version=1,
                look_ahead_status="pass", slouch_status="flag", gait_status="pass",
                median_trunk_lean_deg=report["checks"]["slouch"]["median_trunk_lean_deg"],
                thresholds_json=json.dumps(report["settings"]), note="saved by the first schema"))
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == "0001"
            assert "thumbnails" not in sa.inspect(conn).get_table_names()
    finally:
        engine.dispose()


def test_a_first_schema_database_is_migrated_and_keeps_its_sessions(db_url: str, tmp_path: Path,
                                                                    reports: dict[str, gaitcheck.Report]) -> None:
    _first_schema_database(db_url)
    with open_store(db_url) as store:
        (old,) = store.sessions("P-0001")
        assert old.note == "saved by the first schema" and old.numbers.slouch == "flag"
        assert old.clip_sha256 == "c" * 64 and old.recorded_at == DAY
        assert store.report(old.id)["checks"]["slouch"]["status"] == "flag"
        clip = tmp_path / "new.bin"
        clip.write_bytes(b"new clip")
        new = store.add(reports["upright"].to_dict(), "P-0001", recorded_at=DAY + timedelta(days=1), video=clip,
                        keep_video=True)  # uses the table the second migration added
        assert store.video(new.id) == ("new.bin", b"new clip")
        history = store.history("P-0001")
    assert [s.id for s in history.sessions] == [old.id, new.id]
    assert {c.label for c in history.entries[1].changes} >= {"Slouch"}


def test_the_sqlite_file_is_private_in_wal_mode(tmp_path: Path, reports: dict[str, gaitcheck.Report]) -> None:
    db = tmp_path / "records.sqlite3"
    with open_store(db) as store:
        store.add(reports["slouch"], "P-0042", recorded_at=DAY)
        files = sorted(p.name for p in tmp_path.iterdir())
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
        engine = sa.create_engine(f"sqlite:///{db}")
        with engine.connect() as conn:
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        engine.dispose()
    assert mode == "wal"
    assert files == ["records.sqlite3", "records.sqlite3-shm", "records.sqlite3-wal"]
    assert set(modes.values()) == {0o600}, modes


def test_forgotten_data_is_not_left_in_the_sqlite_file(tmp_path: Path, reports: dict[str, gaitcheck.Report]) -> None:
    db = tmp_path / "records.sqlite3"
    marker = "Marker-note-7c1f9e: knee pain since March"
    with open_store(db) as store:
        store.add(reports["slouch"], "P-7C1F9E", recorded_at=DAY, note=marker, display_name="Zelda Q. Marker")
        store.add(reports["upright"], "P-0007", recorded_at=DAY)
        store.forget("P-7C1F9E")
        data = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    for secret in (marker, "P-7C1F9E", "Zelda Q. Marker"):
        assert secret.encode() not in data, secret
    assert b"P-0007" in data  # (the search does find what is still stored)


def test_default_location_and_the_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       reports: dict[str, gaitcheck.Report],
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv(records_db.DB_ENV, raising=False)
    with open_store() as store:
        store.add(reports["slouch"], "P-0042", recorded_at=DAY)
        where = Path(store.where)
    assert where == tmp_path / "data" / "gaitcheck" / "records.sqlite3"
    assert stat.S_IMODE(where.parent.stat().st_mode) == 0o700 and stat.S_IMODE(where.stat().st_mode) == 0o600
    other = tmp_path / "clinic.sqlite3"
    monkeypatch.setenv(records_db.DB_ENV, str(other))
    code, out, _ = run_cli(capsys, "patients")
    assert code == 0 and "No patients in" in out and str(other) in out
    code, out, _ = run_cli(capsys, "patients", "--db", str(where))  # --db wins over the variable
    assert code == 0 and "P-0042" in out


@pytest.mark.parametrize("kind", ["garbage", "folder", "no-folder", "bad-url", "no-server"])
def test_an_unusable_database_is_one_line(kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "records.sqlite3"
    if kind == "garbage":
        target.write_bytes(b"this is not a database, it is a shopping list\n" * 100)
        db, want, exit_code = str(target), "cannot open the records database", 1
    elif kind == "folder":
        target.mkdir()
        db, want, exit_code = str(target), "is a folder", 1
    elif kind == "no-folder":
        db, want, exit_code = str(tmp_path / "missing" / "r.sqlite3"), "does not exist", 2
    elif kind == "bad-url":
        db, want, exit_code = "nosuchdb+driver://x/y", "no database driver", 2
    else:  # a port nothing listens on (loopback only)
        db, want, exit_code = "postgresql://gc:pw@127.0.0.1:9/records", "cannot open the records database", 1
    before = _file_hashes(tmp_path)
    code, out, err = run_cli(capsys, "patients", "--db", db)
    assert code == exit_code and out == ""
    assert err.startswith("gaitcheck: error: ") and want in err and len(err.splitlines()) == 1, err
    assert "pw@" not in err  # a password in the URL is never shown
    assert _file_hashes(tmp_path) == before


def test_a_database_of_another_program_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "other.sqlite3"
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    engine.dispose()
    before = _file_hashes(tmp_path)
    code, _, err = run_cli(capsys, "patients", "--db", str(db))
    assert code == 1 and "is not a gaitcheck records database" in err
    assert _file_hashes(tmp_path) == before


@pytest.mark.parametrize("code", ["P-0042", "12", "clinic_a.p7"])
def test_patient_codes_accepted(code: str) -> None:
    assert check_code(code) == code


@pytest.mark.parametrize("code", ["", "John Smith", "../etc", "-P1", "P/1", "x" * 65, "Zoë"])
def test_patient_codes_refused(code: str) -> None:
    with pytest.raises(ConfigError, match="not a patient code"):
        check_code(code)


def test_analyze_refuses_a_name_as_patient_code(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run_cli(capsys, "analyze", str(tmp_path / "x.mp4"), "--patient", "John Smith")
    assert code == 2 and "not a patient code" in err and len(err.splitlines()) == 1
    code, _, err = run_cli(capsys, "analyze", str(tmp_path / "x.mp4"), "--note", "hello")
    assert code == 2 and "need --patient" in err


def test_trend_plot_draws_each_session_and_its_threshold(db_url: str, tmp_path: Path,
                                                         reports: dict[str, gaitcheck.Report],
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from matplotlib.collections import PathCollection

    from gaitcheck.records.plot import PANELS, trend_figure

    with open_store(db_url) as store:
        for i, name in enumerate(("slouch", "better", "upright")):
            store.add(reports[name], "P-0042", recorded_at=DAY + timedelta(days=7 * i))
        history = store.history("P-0042")
    fig = trend_figure(history)
    lean_ax = fig.axes[[p.key for p in PANELS].index("median_trunk_lean_deg")]
    dots = [c for c in lean_ax.collections if isinstance(c, PathCollection)]  # one scatter dot per session
    points = sorted(tuple(c.get_offsets()[0]) for c in dots)
    assert points == [(i + 1, s.numbers.median_trunk_lean_deg) for i, s in enumerate(history.sessions)]
    colours = [tuple(c.get_facecolor()[0][:3]) for c in dots]
    assert colours[0] != colours[2]  # flagged (red) first, passed (green) last
    (threshold,) = [ln for ln in lean_ax.get_lines() if ln.get_label() == "threshold"]
    assert set(threshold.get_ydata()) == {history.sessions[0].thresholds["slouch"]["trunk_lean_max_deg"]}
    out = tmp_path / "trend.png"
    code, text, _ = run_cli(capsys, "history", "P-0042", "--plot", str(out), "--db", db_url)
    assert code == 0 and f"Trends drawn in {out}" in text
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("GAITCHECK_KEEP_PLOTS"):
        (Path(os.environ["GAITCHECK_KEEP_PLOTS"]) / f"trend-{Path(db_url).name[:12]}.png").write_bytes(out.read_bytes())


def test_a_bad_database_fails_analyze_and_batch_before_any_analysis(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "records.sqlite3"
    open_store(db).close()
    _set_revision(str(db), "9001")
    code, _, err = run_cli(capsys, "analyze", str(tmp_path / "no-such-clip.mp4"), "--patient", "P-1", "--db",
                             str(db))
    assert code == 1 and "newer gaitcheck" in err  # not "no-such-clip.mp4 does not exist": checked first
    (tmp_path / "P-1").mkdir()
    (tmp_path / "P-1" / "walk.mp4").write_bytes(b"not scored")
    results = tmp_path / "results.csv"
    code, _, err = run_cli(capsys, "batch", str(tmp_path / "P-1"), "--out", str(results), "--patient-from",
                             "parent", "--db", str(db), "-q")
    assert code == 1 and "newer gaitcheck" in err and len(err.splitlines()) == 1
    assert not results.exists()
    code, _, err = run_cli(capsys, "batch", str(tmp_path / "P-1"), "--out", str(results), "--patient-from",
                             "parent", "--cluster", "tcp://127.0.0.1:9", "-q")
    assert code == 2 and "cannot be used with --cluster" in err and not results.exists()


def test_export_holds_every_session_report_pdf_and_the_key_numbers(db_url: str, tmp_path: Path,
                                                                   reports: dict[str, gaitcheck.Report],
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import csv
    import io
    import zipfile

    from pypdf import PdfReader

    clip = tmp_path / "visit2.mov"
    clip.write_bytes(b"the clip itself, stored on request")
    with open_store(db_url) as store:
        one = store.add(reports["slouch"], "P-0042", recorded_at=DAY, note="first")
        two = store.add(reports["upright"].to_dict(), "P-0042", recorded_at=DAY + timedelta(days=14), video=clip,
                        keep_video=True)
        store.add(reports["better"], "P-0007", recorded_at=DAY)  # not exported with P-0042
    out = tmp_path / "P-0042.zip"
    code, text, err = run_cli(capsys, "export", "P-0042", str(out), "--db", db_url)
    assert code == 0 and "2 sessions" in text, err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary left
    first, second = f"P-0042/001-2026-03-02-session-{one.id}", f"P-0042/002-2026-03-16-session-{two.id}"
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        assert names == {"P-0042/sessions.csv", "P-0042/history.json", "P-0042/trend.png",
                         f"{first}/report.json", f"{first}/report.pdf",
                         f"{second}/report.json", f"{second}/report.pdf", f"{second}/visit2.mov"}
        assert json.loads(z.read(f"{first}/report.json")) == reports["slouch"].to_dict()
        assert json.loads(z.read(f"{second}/report.json")) == reports["upright"].to_dict()
        assert z.read(f"{second}/visit2.mov") == clip.read_bytes()
        rows = list(csv.DictReader(io.StringIO(z.read("P-0042/sessions.csv").decode())))
        history = json.loads(z.read("P-0042/history.json"))
        pdfs = [PdfReader(io.BytesIO(z.read(f"{f}/report.pdf"))) for f in (first, second)]
        assert z.read("P-0042/trend.png")[:4] == b"\x89PNG"
    assert [(r["id"], r["slouch"], r["note"]) for r in rows] == [(str(one.id), "flag", "first"),
                                                                  (str(two.id), "pass", "")]
    assert float(rows[0]["median_trunk_lean_deg"]) == one.numbers.median_trunk_lean_deg
    assert history["patient"] == "P-0042" and [s["id"] for s in history["sessions"]] == [one.id, two.id]
    texts = ["\n".join(page.extract_text() for page in pdf.pages) for pdf in pdfs]
    assert all("Walking posture report" in t or "synthetic.mp4" in t for t in texts)
    assert "Compared with the earlier session" not in texts[0]
    assert "Compared with the earlier session" in texts[1]  # each PDF compares with the visit before


@pytest.mark.parametrize(("typed", "erased"), [("P-0042", True), ("P-0043", False), ("", False)])
def test_forget_asks_for_the_code_on_a_terminal(typed: str, erased: bool, tmp_path: Path,
                                                reports: dict[str, gaitcheck.Report],
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "records.sqlite3")
    with open_store(db) as store:
        store.add(reports["slouch"], "P-0042", recorded_at=DAY)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: typed)
    code, out, _ = run_cli(capsys, "forget", "P-0042", "--db", db)
    assert code == (0 if erased else 1)
    assert ("Erased patient P-0042" in out) == erased and ("Nothing was erased" in out) != erased
    with open_store(db) as store:
        assert [p.code for p in store.patients()] == ([] if erased else ["P-0042"])
