"""The page in a real browser: Debian's Chromium driven by Playwright against `streamlit run app.py`.

Screenshots go to ``test-output/`` at the top of the checkout (ignored by git) for people to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "test-output"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    port = _free_port()
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    log = (tmp_path_factory.mktemp("streamlit") / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless=true",
                             f"--server.port={port}", "--server.address=127.0.0.1"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.3)
    else:
        proc.kill()
        log.close()
        pytest.fail("streamlit did not start")
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _upload(browser, url: str, path: Path):
    page = browser.new_page(viewport={"width": 1400, "height": 3200})
    page.goto(url)
    page.wait_for_selector("text=Try a sample clip", timeout=60_000)
    page.locator('input[type="file"][accept*=".mp4"]').set_input_files(str(path))
    return page


def test_upload_real_clip_shows_verdicts_and_flagged_frame(server, browser, shared_videos):
    page = _upload(browser, server, shared_videos / "gait_slouch02_indoor_side.mp4")
    page.wait_for_selector("text=Moments to look at", timeout=240_000)
    page.wait_for_timeout(2000)  # let the images paint
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / "app_slouch02.png"), full_page=True)
    body = page.inner_text("body")
    assert "Look ahead" in body and "Slouch" in body
    assert body.count("NEEDS ATTENTION") >= 2  # looking down and slouching
    assert "worst moment" in body  # a flagged frame in the gallery
    assert page.locator('[data-testid="stImage"] img').count() >= 3
    page.close()


def test_broken_upload_gives_friendly_message(server, browser, tmp_path):
    bad = tmp_path / "holiday.mp4"
    bad.write_text("this is a shopping list, not a video\n")
    page = _upload(browser, server, bad)
    page.wait_for_selector("text=We could not analyse this clip", timeout=60_000)
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / "app_broken_upload.png"))
    body = page.inner_text("body")
    assert "Traceback" not in body
    page.close()


def test_simultaneous_uploads_from_separate_sessions_stay_separate(server, browser, shared_videos):
    clips = {"gait_normal01_indoor_side.mp4": 0, "gait_slouch02_indoor_side.mp4": 2}  # clip -> NEEDS ATTENTION cards
    contexts = [browser.new_context(viewport={"width": 1400, "height": 3200}) for _ in clips]
    pages = []
    for ctx, name in zip(contexts, clips, strict=True):  # start every upload before waiting for any
        page = ctx.new_page()
        page.goto(server)
        page.wait_for_selector("text=Try a sample clip", timeout=60_000)
        page.locator('input[type="file"][accept*=".mp4"]').set_input_files(str(shared_videos / name))
        pages.append(page)
    for page, (name, flags) in zip(pages, clips.items(), strict=True):
        page.wait_for_selector("text=Moments to look at", timeout=300_000)
        body = page.inner_text("body")
        assert name in body  # this session's own clip
        assert body.count("NEEDS ATTENTION") == flags
        assert next(n for n in clips if n != name) not in body
    for ctx in contexts:
        ctx.close()
