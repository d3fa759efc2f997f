"""A served clinic over its memory budget turns new uploads away with a plain message and keeps nothing.

The server (behind Caddy, as in test_serve_browser) is given a budget below what it holds at rest,
so every upload arrives at a server "too busy": the patient reads that their clip was not kept and
to try again later; no analysis starts, nothing is saved and no temporary copy is left.
"""
# ruff: noqa: F811, I001  (the fixtures imported from _serving are parameters here)

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _serving import browser, clinic  # noqa: F401  (the fixtures)
from _serving import Clinic, new_page, settle, shot, upload

from gaitcheck.records import open_store

pytestmark = pytest.mark.slow
MAX_MEMORY_MB = 50  # far below what a Streamlit server holds at rest: every upload is over the budget


def test_an_upload_to_a_server_over_its_memory_budget_is_turned_away_plainly(
        clinic: Clinic, browser, shared_videos: Path, tmp_path: Path) -> None:
    clip = shared_videos / "gait_normal01_indoor_side.mp4"
    page = new_page(browser, clinic.invite("P-9101"), "phone",
                    wait_for="text=Your therapist will see what you upload here")
    upload(page, clip)
    page.wait_for_selector("text=The server is busy", timeout=60_000)
    settle(page)
    text = str(page.inner_text('[data-testid="stMain"]'))
    assert "Please try again in a few minutes" in text and "Traceback" not in text
    assert "Analysing" not in text and "Waiting for our turn" not in text and "Taking a quick look" not in text
    # the clip left the uploader too (a fresh one is shown, empty), so the server keeps no copy of it
    assert page.locator('[data-testid="stFileUploaderFile"]').count() == 0
    shot(page, tmp_path, "serve_busy_phone")
    page.context.close()
    assert [f for d, _, fs in os.walk(clinic.uploads_tmp) for f in fs] == []
    with open_store(clinic.db) as store:
        assert store.sessions("P-9101") == []
