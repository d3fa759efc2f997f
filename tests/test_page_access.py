"""The therapist view and who may see what, headless with Streamlit's AppTest on a real SQLite records file.

Reports are scored from synthetic walkers (``tests/_synth.py``); the served page's real server, proxy
and browser are in ``test_serve_browser.py``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from _synth import make_extraction, make_walker

import gaitcheck
from gaitcheck.records import open_store
from gaitcheck.serve.access import LINK_PARAM, make_invite, set_password

streamlit_testing = pytest.importorskip("streamlit.testing.v1")
AppTest = streamlit_testing.AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PASSWORD = "a therapist's long password"
DAY = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
    parts += [i.value for i in at.info] + [s.value for s in at.subheader] + [w.value for w in at.warning]
    parts += [s.value for s in at.success] + [h.value for h in at.header] + [t.value for t in at.title]
    return "\n".join(str(p) for p in parts)


def _report(lean: float, pitch: float = 0.0) -> gaitcheck.Report:
    return gaitcheck.score(make_extraction(make_walker(150, trunk_lean_deg=lean, head_pitch_deg=pitch)),
                           height_cm=170)


@pytest.fixture(scope="module")
def visits() -> list[gaitcheck.Report]:
    return [_report(20.0, 30.0), _report(12.0), _report(2.0)]


@pytest.fixture
def clinic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, visits) -> str:
    """A records file with three visits of P-0042 and one of P-0007; the page uses it."""
    db = str(tmp_path / "clinic.sqlite3")
    with open_store(db) as store:
        for i, rep in enumerate(visits):
            store.add(rep.to_dict(), "P-0042", recorded_at=DAY + timedelta(days=7 * i), note=f"visit {i + 1}")
        store.add(visits[0].to_dict(), "P-0007", recorded_at=DAY, note="the other patient's private note")
    monkeypatch.setenv("GAITCHECK_DB", db)
    from gaitcheck.page.common import sign_in_throttle

    sign_in_throttle.clear()
    return db


def _served(monkeypatch: pytest.MonkeyPatch, db: str) -> None:
    with open_store(db) as store:
        set_password(store, PASSWORD)
    monkeypatch.setenv("GAITCHECK_SERVED", "1")


def _view(at, name: str):
    at.get("button_group")[0].set_value(name).run()
    assert not at.exception, at.exception
    return at


def test_the_therapist_sees_sessions_trends_a_stored_report_and_a_comparison(clinic: str) -> None:
    at = _view(AppTest.from_file(APP, default_timeout=120).run(), "Patients")
    box = next(s for s in at.selectbox if s.label == "Patient")
    assert box.options[0].startswith("P-0007: 1 session")
    box.set_value("P-0042").run()  # the value is the code; the options show it with its sessions
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["visit"]) == ["1", "2", "3"] and list(table["note"]) == ["visit 1", "visit 2", "visit 3"]
    assert list(table["slouch"]) == ["needs attention", "needs attention", "passed"]
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 4  # gaze, head pitch, trunk lean, forward head (and the gait panels measured)
    text = _text(at)
    assert "Dashed red: the threshold" in text
    assert "Judged on" in text  # each stored card says what it rests on
    assert any(b.label == "PDF report" for b in at.get("download_button"))
    assert "Since " in text and "better" in text  # the last two visits compared
    assert "the other patient's private note" not in text


def test_a_therapist_exports_and_then_erases_a_patient(clinic: str) -> None:
    import io
    import json
    import zipfile

    at = _view(AppTest.from_file(APP, default_timeout=120).run(), "Patients")
    next(s for s in at.selectbox if s.label == "Patient").set_value("P-0042").run()
    from gaitcheck.page.therapist import _export_zip

    with zipfile.ZipFile(io.BytesIO(_export_zip("P-0042"))) as z:  # what the "Export all (zip)" button serves
        names = z.namelist()
        reports = [json.loads(z.read(n)) for n in names if n.endswith(".json") and "session" in n]
    assert len(reports) == 3 and any(n.endswith(".pdf") for n in names) and any(n.endswith(".csv") for n in names)
    assert any(b.label == "Export all (zip)" for b in at.get("download_button"))
    erase = next(b for b in at.button if b.label == "Erase this patient")
    assert erase.disabled  # not before the code is typed
    next(t for t in at.text_input if t.label == "Type P-0042 to confirm").set_value("P-0042").run()
    next(b for b in at.button if b.label == "Erase this patient").click().run()
    assert not at.exception, at.exception
    assert "Erased P-0042: 3 sessions" in _text(at)
    with open_store(clinic) as store:
        assert [p.code for p in store.patients()] == ["P-0007"]  # the other patient untouched
    assert "P-0042" not in " ".join(next(s for s in at.selectbox if s.label == "Patient").options)


def test_a_therapist_saves_the_current_analysis_to_a_patient_with_a_note(clinic: str, tmp_path: Path) -> None:
    import numpy as np

    from gaitcheck import ui

    try:
        from tests import _clips as clips
    except ImportError:
        import _clips as clips  # type: ignore[no-redef]
    size = (480, 288)
    times = np.array(clips.make_clip(tmp_path / "walk.mp4", n_frames=90, size=size))
    person = make_walker(t=times, frame_size=size, scale=0.4, speed_px_s=90.0, start_x=size[0] * 0.2)
    up = ui.Upload((tmp_path / "walk.mp4").read_bytes(), "walk.mp4")
    up.extraction = make_extraction(person, frame_size=size)
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["upload"] = up
    at.run()
    assert not at.exception
    at.text_input[0].set_value("P-0100")
    next(t for t in at.text_area if t.label == "Note").set_value("first visit, with a cane")
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception
    assert "Saved as session" in _text(at)
    with open_store(clinic) as store:
        (s,) = store.sessions("P-0100")
        assert s.note == "first visit, with a cane" and s.clip_name == "walk.mp4" and s.clip_sha256 == up.key
        assert len(store.thumbnails(s.id)) >= 1  # the key moments, from the clip in its private temporary copy


def test_a_served_page_shows_nothing_before_sign_in(clinic: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _served(monkeypatch, clinic)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    text = _text(at)
    assert "Therapist password" in [t.label for t in at.text_input]
    assert "P-00" not in text and not at.get("file_uploader") and not at.selectbox and not at.slider
    at.text_input[0].set_value("wrong password")
    at.button[0].click().run()
    assert "not the therapist password" in _text(at)
    at.text_input[0].set_value(PASSWORD)
    at.button[0].click().run()  # a second attempt is only taken after the first one's wait
    assert "Too many wrong passwords" in _text(at)
    from gaitcheck.page.common import sign_in_throttle

    sign_in_throttle.clear()
    at.button[0].click().run()
    assert not at.exception
    assert at.get("file_uploader") and "Therapist panel" in _text(at) + str([h.value for h in at.sidebar.header])


def test_a_signed_in_therapist_is_signed_out_after_the_idle_time(clinic: str, monkeypatch) -> None:
    _served(monkeypatch, clinic)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["therapist-last-seen"] = time.monotonic() - 31 * 60  # signed in 31 min ago, idle since
    at.run()
    assert "signed out after 30 minutes" in _text(at) and not at.get("file_uploader")
    at.session_state["therapist-last-seen"] = time.monotonic()
    at.run()
    assert at.get("file_uploader")


def test_a_patient_link_shows_only_that_patients_page(clinic: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _served(monkeypatch, clinic)
    with open_store(clinic) as store:
        token = make_invite(store, "P-0042", "https://gait.clinic.example").token
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params[LINK_PARAM] = token
    at.run()
    assert not at.exception
    text = _text(at)
    assert "Your earlier walks" in text and at.get("file_uploader")
    assert len(at.expander) >= 3  # the three visits of P-0042
    assert "P-0007" not in text and "private note" not in text
    assert not at.sidebar.slider and not at.selectbox and not at.get("button_group")  # no therapist controls
    assert not any(b.label == "Try a sample clip" for b in at.button)
    shown = len(at.expander)
    for param in ("patient", "session", "code", "id", "view"):  # other URL parameters change nothing
        at.query_params[param] = "P-0007"
    at.run()
    assert not at.exception
    assert "P-0007" not in _text(at) and "private note" not in _text(at) and len(at.expander) == shown


@pytest.mark.parametrize("how", ["tampered", "revoked", "expired"])
def test_a_bad_link_is_refused_with_a_plain_message(clinic: str, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    import sqlalchemy as sa

    _served(monkeypatch, clinic)
    with open_store(clinic) as store:
        token = make_invite(store, "P-0042", "https://gait.clinic.example").token
        if how == "revoked":
            store.revoke_links("P-0042")
    if how == "tampered":
        token = token[:-3] + ("abc" if token[-3:] != "abc" else "xyz")
    if how == "expired":
        engine = sa.create_engine(f"sqlite:///{clinic}")
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE links SET expires_at = '2026-01-01 00:00:00.000000'"))
        engine.dispose()
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params[LINK_PARAM] = token
    at.run()
    assert not at.exception
    (error,) = at.error
    assert {"tampered": "not valid", "revoked": "withdrawn", "expired": "expired"}[how] in error.value
    assert "P-0042" not in _text(at) and not at.get("file_uploader") and not at.text_input
