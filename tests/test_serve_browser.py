"""The served clinic end to end: `gaitcheck serve` behind Debian's Caddy (HTTPS with Caddy's own internal
CA, on 127.0.0.1 only), driven in Debian's Chromium that trusts that CA (no certificate error is ignored).

A therapist signs in and analyses a clip through HTTPS and makes a patient's link with its QR code;
patients open their links; a patient cannot reach another's walks; an upload above the limit is
refused before it is stored; eight patients upload at once and each gets their own, right result
while the waiting ones see their place and an estimate; uploads wait only in a private temporary
folder and are gone afterwards; and neither the server's nor the proxy's log holds a password,
token or patient code. Screenshots go to ``test-output/``.

Cost (2 shared cores): one therapist analysis and eight patient analyses of 4-5 s clips, about
3-5 minutes in all.
"""
# ruff: noqa: F811, I001  (the fixtures imported from _serving are parameters here)

from __future__ import annotations

import http.client
import os
import re
import shutil
import stat
import time
from pathlib import Path

import pytest
from _serving import browser, clinic  # noqa: F401  (the fixtures)
from _serving import Clinic, new_page, settle, shot, sideways_overflow, sign_in, upload
from _synth import make_extraction, make_walker

import gaitcheck
from gaitcheck import ui
from gaitcheck.records import open_store

pytestmark = pytest.mark.slow
MAX_UPLOAD_MB = 8  # the clinic fixture's limit (the server's and the proxy's)
RESULT_MS = 600_000
OTHER = "P-9002"  # a patient with a walk of their own, which no one else may see
OTHER_NOTE = "private note of the other patient"
CLIPS = {"gait_normal01_indoor_side.mp4": 0, "gait_slouch02_indoor_side.mp4": 2}  # clip -> NEEDS ATTENTION cards
PATIENT_PAGE = "text=Your therapist will see what you upload here"
RESULT = "text=Saved for your therapist to look at"
WIDGETS = ('[data-testid="stSelectbox"], [data-testid="stTextInput"], [data-testid="stNumberInput"], '
           '[data-testid="stSlider"], [data-testid="stButtonGroup"], [data-testid="stSidebar"], '
           '[data-testid="stTextArea"], [data-testid="stRadio"], [data-testid="stMultiSelect"]')


def seed_records(db: str) -> None:
    """Before the server starts: another patient's walk with a private note."""
    report = gaitcheck.score(make_extraction(make_walker(150, trunk_lean_deg=18.0)), height_cm=170)
    with open_store(db) as store:
        store.add(report.to_dict(), OTHER, note=OTHER_NOTE)


def _main_text(page) -> str:
    return str(page.inner_text('[data-testid="stMain"]'))


def _files_under(folder: Path) -> list[Path]:
    return [Path(d, f) for d, _, files in os.walk(folder) for f in files]


def test_the_proxy_serves_https_with_its_headers_and_redirects_plain_http(clinic: Clinic) -> None:
    status, headers, body = clinic.https("GET", "/")  # verified against the clinic's own CA
    assert status == 200 and b"<html" in body.lower()
    assert headers["strict-transport-security"].startswith("max-age=")
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store" and "server" not in headers

    host, port = clinic.http_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.request("GET", "/?link=x")
    r = conn.getresponse()
    assert r.status in (301, 308) and r.getheader("Location", "").startswith("https://127.0.0.1:")
    conn.close()


def test_a_therapist_signs_in_analyses_a_clip_and_makes_a_patients_link_through_https(
        clinic: Clinic, browser, shared_videos: Path, tmp_path: Path) -> None:
    page = new_page(browser, clinic.url, "phone", wait_for="text=Therapist password")
    body = _main_text(page)
    assert OTHER not in body and "Analyse a clip" not in body and "Upload" not in body
    shot(page, tmp_path, "serve_sign_in_phone")
    sign_in(page)
    upload(page, shared_videos / "gait_normal01_indoor_side.mp4")
    page.wait_for_selector("text=Files for your records", timeout=RESULT_MS)
    settle(page)
    body = _main_text(page)
    assert "gait_normal01_indoor_side.mp4" in body and body.count("NEEDS ATTENTION") == 0
    assert sideways_overflow(page) <= 0
    shot(page, tmp_path, "serve_therapist_result_phone")
    page.context.close()

    page = new_page(browser, clinic.url, "desktop", wait_for="text=Therapist password")
    sign_in(page)
    page.get_by_text("Patients", exact=True).first.click()
    page.wait_for_selector("text=Patient's upload link", timeout=60_000)
    page.get_by_text("Patient's upload link").click()
    page.get_by_role("textbox", name="Patient code").fill("P-9003")
    page.get_by_role("textbox", name="Patient code").press("Enter")
    settle(page)
    page.get_by_role("button", name="Make a link").click()
    page.wait_for_selector("text=Let the patient scan this", timeout=60_000)
    settle(page)
    link = page.locator('[data-testid="stCode"]').inner_text().strip()
    clinic.secrets.append(link.split("=", 1)[1])
    assert link.startswith(clinic.url + "/?link=")
    qr = page.locator('[data-testid="stImage"] img').last
    assert qr.bounding_box()["width"] >= 200
    shot(page, tmp_path, "serve_invite_qr_desktop")
    page.context.close()

    page = new_page(browser, link, "phone", wait_for=PATIENT_PAGE)  # the link just made opens that patient's page
    assert OTHER not in _main_text(page)
    page.context.close()


def test_a_patient_cannot_reach_another_patients_walks_by_any_url_parameter(clinic: Clinic, browser,
                                                                            tmp_path: Path) -> None:
    with open_store(clinic.db) as store:
        other_session = store.sessions(OTHER)[0].id
    mine = clinic.invite("P-9001")
    theirs = clinic.invite(OTHER)
    page = new_page(browser, theirs, "phone", wait_for="text=Your earlier walks")  # their own walk is there for them
    settle(page)
    assert "NEEDS ATTENTION" in _main_text(page)
    page.context.close()
    tries = [f"&patient={OTHER}", f"&code={OTHER}&view=Patients", f"&session={other_session}&id={other_session}",
             f"&patient={OTHER}&therapist-patient={OTHER}&open-{OTHER}=0", "&view=Patients&role=therapist"]
    for i, extra in enumerate(tries):
        for url in (mine + extra, clinic.url + "/?" + extra.lstrip("&") + "&link=" + mine.split("=", 1)[1]):
            page = new_page(browser, url, "phone", wait_for=PATIENT_PAGE)
            settle(page)
            text = str(page.inner_text("body"))
            assert OTHER not in text and OTHER_NOTE not in text and "earlier walks" not in text
            assert page.locator(WIDGETS).count() == 0  # nothing to choose a patient, session or view with
            assert page.locator('input[type="file"]').count() == 1
            if i == 0 and url.startswith(mine):
                shot(page, tmp_path, "serve_patient_other_params_phone")
            page.context.close()


def test_an_upload_above_the_limit_is_refused_before_it_is_stored(clinic: Clinic, browser,
                                                                  tmp_path: Path) -> None:
    big = tmp_path / "long-walk.mp4"
    big.write_bytes(os.urandom((MAX_UPLOAD_MB + 1) * 1024 * 1024))
    page = new_page(browser, clinic.invite("P-9004"), "phone", wait_for=PATIENT_PAGE)
    upload(page, big)
    page.wait_for_selector(f"text=File must be {MAX_UPLOAD_MB}", timeout=60_000)
    page.wait_for_timeout(1500)
    # shown to the eye under the file's name, not only to screen readers or on hover (a phone has no hover)
    box = page.locator('[data-testid="stFileChip"] [role="alert"]').bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 10, box
    assert "Analysing" not in _main_text(page) and "Waiting for our turn" not in _main_text(page)
    shot(page, tmp_path, "serve_upload_too_large_phone")
    page.context.close()
    # a request made by hand, past the page's own check: the proxy answers 413 on seeing its size, before a
    # byte of the file has been sent (nothing of it can reach the page)
    conn = http.client.HTTPSConnection(*clinic.url.removeprefix("https://").split(":"), context=clinic.ssl_context(),
                                       timeout=60)
    conn.putrequest("PUT", "/_stcore/upload_file/some-session/some-file")
    conn.putheader("Content-Type", "application/octet-stream")
    conn.putheader("Content-Length", str(big.stat().st_size))
    conn.endheaders()
    r = conn.getresponse()
    assert r.status == 413 and b"too large" in r.read()
    conn.close()
    # and the page refuses any upload without its XSRF token (protection on)
    status, _, _ = clinic.https("PUT", "/_stcore/upload_file/some-session/some-file", body=b"x" * 1000,
                                headers={"Content-Type": "application/octet-stream"})
    assert status == 403
    assert _files_under(clinic.uploads_tmp) == []
    with open_store(clinic.db) as store:
        assert store.sessions("P-9004") == []


def test_eight_patients_upload_at_once_and_each_gets_their_own_result(clinic: Clinic, browser,
                                                                    shared_videos: Path, tmp_path: Path) -> None:
    patients = [f"P-81{i:02d}" for i in range(8)]
    clips: dict[str, tuple[Path, int]] = {}
    for i, code in enumerate(patients):  # each patient's own file (a copy in this test's folder)
        source, flags = list(CLIPS.items())[i % 2]
        clips[code] = (shutil.copy(shared_videos / source, tmp_path / f"walk-{code}.mp4"), flags)
    pages = {code: new_page(browser, clinic.invite(code), "phone", wait_for=PATIENT_PAGE) for code in patients}
    started: dict[str, float] = {}
    for code, page in pages.items():  # every upload starts before any result is waited for
        upload(page, clips[code][0])
        started[code] = time.monotonic()
    waiting = re.compile(r"(one clip is|\d clips are) ahead of yours\. About \d+ s until your results")
    running = re.compile(r"(Finding the walker…|Analysing frame \d+ of \d+) About \d+ s left")
    seen_waiting: dict[str, str] = {}
    seen_running: set[str] = set()
    folders: dict[str, tuple[int, set[str]]] = {}
    done: dict[str, float] = {}
    deadline = time.monotonic() + RESULT_MS / 1000
    while len(done) < len(pages) and time.monotonic() < deadline:
        for code, page in pages.items():
            if code in done:
                continue
            text = _main_text(page)
            if "Saved for your therapist to look at" in text:
                done[code] = time.monotonic() - started[code]
            elif (m := waiting.search(text)) and code not in seen_waiting:
                seen_waiting[code] = m.group(0)
                if len(seen_waiting) == 1:
                    shot(page, tmp_path, "serve_waiting_in_line_phone", full_page=False)
            elif running.search(text):
                seen_running.add(code)
        for entry in clinic.uploads_tmp.glob("gaitcheck-*"):  # uploads wait in private folders only
            try:
                folders[entry.name] = (stat.S_IMODE(entry.stat().st_mode), {p.name for p in entry.iterdir()})
            except FileNotFoundError:
                pass
        time.sleep(0.5)
    print(f"\n8 simultaneous uploads: time to result {sorted(round(t) for t in done.values())} s")
    assert len(done) == len(pages), f"no result after {RESULT_MS / 1000:.0f} s for {set(pages) - set(done)}"
    assert len(seen_waiting) >= 4, seen_waiting  # 2 pose workers, 8 uploads: most waited, and were told so
    assert seen_running
    assert folders and all(mode == 0o700 for mode, _ in folders.values()), folders
    assert any("upload.mp4" in names for _, names in folders.values())
    for code, page in pages.items():
        settle(page)
        text = _main_text(page)
        name, flags = clips[code][0].name, clips[code][1]
        assert name in text and all(n.name not in text for n, _ in clips.values() if n.name != name)
        assert text.count("NEEDS ATTENTION") == flags, (code, name)
    shot(pages[patients[1]], tmp_path, "serve_patient_result_phone")
    with open_store(clinic.db) as store:
        for code in patients:
            (session,) = store.sessions(code)
            assert session.clip_name == clips[code][0].name
            statuses = [c.status for c in ui.cards(store.report(session.id))]
            assert statuses.count("flag") == clips[code][1]
    for page in pages.values():
        page.context.close()
    assert _files_under(clinic.uploads_tmp) == []  # every upload is gone after its analysis


def test_no_password_token_or_patient_code_reaches_the_logs(clinic: Clinic) -> None:
    """Runs last in this module: the logs of everything above."""
    logs = clinic.logs()
    assert "Serving gaitcheck on" in logs  # the log is the server's, and was read
    assert len(clinic.secrets) >= 5
    for secret in clinic.secrets:
        assert secret not in logs
    for code in ("P-9001", OTHER, "P-9003", "P-9004", "P-8100", "P-8107"):
        assert code not in logs
    assert "Traceback" not in logs
