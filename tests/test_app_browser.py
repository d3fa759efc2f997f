"""The page in a real browser: Debian's Chromium driven by Playwright against `streamlit run app.py`.

Each test looks at the page as a person does, at a phone's size (390x844) and a desktop's (1400 px
wide): what is visible, where, and whether the page scrolls sideways. Screenshots go to the test's
temporary folder and are copied to ``test-output/`` at the top of the checkout (ignored by git) for
people to look at.
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
from _serving import settle
from _serving import shot as _shot

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1400, "height": 900}}
ANALYSIS_MS = 300_000


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


MAIN = "document.querySelector('[data-testid=\"stMain\"]')"  # Streamlit's scrolling part of the page


def _open(browser, url: str, size: str):
    ctx = browser.new_context(viewport=SIZES[size], accept_downloads=True, device_scale_factor=1,
                              is_mobile=size == "phone", has_touch=size == "phone")
    page = ctx.new_page()
    page.goto(url)
    page.wait_for_selector("text=Try a sample clip", timeout=60_000)
    return page


def _upload(page, path: Path) -> None:
    page.locator('input[type="file"][accept*=".mp4"]').set_input_files(str(path))


def _settle(page) -> None:
    """Wait until Streamlit has finished the run and the pictures and charts have painted."""
    settle(page, ANALYSIS_MS)


def _sideways_overflow(page) -> int:
    """How many pixels the page is wider than the window (0 = no sideways scrolling)."""
    return int(page.evaluate(f"() => Math.max(document.documentElement.scrollWidth - window.innerWidth, "
                             f"{MAIN}.scrollWidth - {MAIN}.clientWidth)"))


def _page_y(locator) -> float:
    """The top of ``locator`` measured from the top of the page (not of the window)."""
    return float(locator.evaluate(f"e => e.getBoundingClientRect().top + {MAIN}.scrollTop"))


def _within_width(box: dict, width: int) -> bool:
    return box is not None and box["x"] >= -1 and box["x"] + box["width"] <= width + 1


def _badge_colour(badge) -> tuple[int, int, int]:
    """The background colour a person sees behind ``badge`` (the first ancestor that is not transparent)."""
    rgb = badge.evaluate("""e => { for (; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor;
                                     if (c && c !== 'transparent' && !c.startsWith('rgba(0, 0, 0, 0)')) return c; }
                                   return ''; }""")
    r, g, b = (int(float(v)) for v in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])
    return r, g, b


def _cards(page):
    """The verdict cards: bordered containers that hold a level-3 heading."""
    return page.locator('[data-testid="stVerticalBlockBorderWrapper"], [data-testid="stVerticalBlock"]').filter(
        has=page.locator("h3")).filter(has_text="What to")


def _card(page, title: str):
    cards = _cards(page).filter(has=page.locator("h3", has_text=title))
    return cards.last


@pytest.mark.parametrize("size", list(SIZES))
def test_guide_shows_before_upload(server, browser, tmp_path, size):
    page = _open(browser, server, size)
    page.wait_for_selector("text=How to film", timeout=30_000)
    guide = page.locator('[data-testid="stImage"] img').first
    guide.wait_for(state="visible")
    _shot(page, tmp_path, f"guide_{size}")
    width = SIZES[size]["width"]
    box = guide.bounding_box()
    assert _within_width(box, width) and box["width"] >= 0.5 * min(width, 700) * (0.9 if size == "phone" else 0.6)
    body = page.inner_text("body")
    for words in ("From the side", "3-4 m (10-13 ft)", "Whole body in view", "At least 6 steps", "there and back"):
        assert words in body
    assert "not a diagnosis" in body
    assert _sideways_overflow(page) <= 0
    if size == "phone":  # the therapist panel waits behind its button, off the screen
        panel = page.locator('[data-testid="stSidebar"]')
        assert panel.count() == 0 or not _within_width(panel.bounding_box(), width) \
            or panel.get_attribute("aria-expanded") == "false"
    page.context.close()


@pytest.fixture(scope="module")
def slouch_page(server, browser, shared_videos):
    """gait_slouch02 (looks down and slouches) analysed once, in a phone-sized window."""
    page = _open(browser, server, "phone")
    _upload(page, shared_videos / "gait_slouch02_indoor_side.mp4")
    page.wait_for_selector("text=Files for your records", timeout=ANALYSIS_MS)
    _settle(page)
    yield page
    page.context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_results_read_top_to_bottom_with_a_picture_per_flagged_verdict(slouch_page, tmp_path, size):
    page = slouch_page
    page.set_viewport_size(SIZES[size])
    _settle(page)
    width = SIZES[size]["width"]
    _shot(page, tmp_path, f"results_{size}")
    _shot(page, tmp_path, f"results_{size}_first_screen", full_page=False)
    assert _sideways_overflow(page) <= 0
    tops = {}
    steps_badge = _card(page, "Steps").get_by_text("PASS", exact=True)
    r, g, b = _badge_colour(steps_badge)
    assert steps_badge.is_visible() and g > r and g > b  # a green PASS
    for title, badge in (("Look ahead", "NEEDS ATTENTION"), ("Slouch", "NEEDS ATTENTION"), ("Steps", None)):
        card = _card(page, title)
        card.scroll_into_view_if_needed()
        assert card.is_visible() and _within_width(card.bounding_box(), width), title
        text = card.inner_text()
        if badge:
            assert badge in text, (title, text)
            b = card.get_by_text(badge, exact=True)
            assert b.is_visible() and _within_width(b.bounding_box(), width)
            red, green, blue = _badge_colour(b)
            assert red > green > blue  # orange, not the green of a pass
            picture = card.locator('[data-testid="stImage"] img')
            assert picture.count() == 1, title  # one picture per flagged verdict, inside its card
            pbox = picture.bounding_box()
            assert _within_width(pbox, width) and pbox["width"] >= 0.6 * card.bounding_box()["width"]
            assert "worst moment" in text and "What to do:" in text
        tops[title] = _page_y(card)
    look = _card(page, "Look ahead").inner_text()
    assert " m (" in look and " ft)" in look  # metres with feet beside them
    slouch = _card(page, "Slouch").inner_text()
    assert "head is carried about" in slouch and "cm ahead of your shoulders" in slouch  # the reason for the flag
    if size == "phone":  # one column: the cards follow each other
        assert tops["Look ahead"] < tops["Slouch"] < tops["Steps"]
    else:  # side by side
        assert abs(tops["Look ahead"] - tops["Slouch"]) < 5
    over_time = _page_y(page.get_by_text("Over time", exact=True))
    assert over_time > max(tops.values())  # details after the verdicts
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    assert charts.count() == 4  # head, trunk, forward head, steps
    for k in range(charts.count()):
        chart = charts.nth(k)
        chart.scroll_into_view_if_needed()
        drawn = chart.locator("canvas, svg.marks").first
        drawn.wait_for(state="visible", timeout=30_000)
        box = drawn.bounding_box()
        assert _within_width(box, width) and box["width"] >= (0.8 * (width - 40) if size == "phone" else 400)
        assert box["height"] >= 120


def test_choosing_a_moment_on_a_chart_shows_that_frame(slouch_page, tmp_path):
    page = slouch_page
    page.set_viewport_size(SIZES["desktop"])
    _settle(page)
    slider = page.locator('[data-testid="stSlider"]').filter(has_text="Show the moment at")
    caption = page.locator('[data-testid="stImage"]').filter(has=page.locator("img")).filter(
        has_text=" s: ").last
    before = caption.inner_text()
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    drawn = chart.locator("canvas, svg.marks").first
    box = drawn.bounding_box()
    x, y = box["x"] + 0.3 * box["width"], box["y"] + 0.4 * box["height"]  # about 1.5 s into the clip
    page.mouse.move(x, y)
    page.wait_for_timeout(500)
    page.mouse.click(x, y)
    page.wait_for_function("b => ![...document.querySelectorAll('[data-testid=\"stImage\"]')]"
                           ".some(e => e.innerText.includes(b))", arg=before, timeout=60_000)
    _settle(page)
    after = caption.inner_text()
    _shot(page, tmp_path, "moment_chosen_desktop", full_page=False)
    t_before, t_after = (float(s.split(" s:")[0].split()[-1]) for s in (before, after))
    # from the worst moment (2.55 s: the worst flagged frame with the walker clear of the picture's sides) to
    # where we clicked
    assert abs(t_before - t_after) > 0.5 and 0.8 < t_after < 2.5
    assert f"{t_after:.2f}" in slider.inner_text()  # the slider moved with it


def test_pdf_downloads_and_opens(slouch_page, tmp_path):
    from pypdf import PdfReader

    page = slouch_page
    page.set_viewport_size(SIZES["phone"])
    _settle(page)
    button = page.get_by_role("button", name="PDF report")
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=120_000) as info:
        button.click()
    pdf = tmp_path / "report.pdf"
    info.value.save_as(pdf)
    assert info.value.suggested_filename == "gait_slouch02_indoor_side.gaitcheck.pdf"
    reader = PdfReader(pdf)
    assert len(reader.pages) >= 2
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "gait_slouch02_indoor_side.mp4" in text and "not a diagnosis" in text
    assert reader.metadata.title == "Walking posture report: gait_slouch02_indoor_side.mp4"


def test_back_view_warns_before_the_analysis_and_unknown_cards_say_what_to_film(server, browser, shared_videos,
                                                                                  tmp_path):
    page = _open(browser, server, "phone")
    _upload(page, shared_videos / "lab_man_indoor_back.mp4")
    page.wait_for_selector("text=Before we analyse", timeout=120_000)
    _settle(page)
    _shot(page, tmp_path, "precheck_back_phone")
    body = page.inner_text("body")
    assert "head posture and trunk lean cannot be judged from behind" in body
    assert "Over time" not in body  # not analysed yet: the user decides
    page.get_by_role("button", name="Analyse anyway").click()
    page.wait_for_selector("text=Files for your records", timeout=ANALYSIS_MS)
    _settle(page)
    _shot(page, tmp_path, "back_results_phone")
    assert _sideways_overflow(page) <= 0
    for title in ("Look ahead", "Slouch"):
        card = _card(page, title)
        text = card.inner_text()
        assert "UNKNOWN" in text and "What to film differently: Film from the side" in text, text
        r, g, b = _badge_colour(card.get_by_text("UNKNOWN", exact=True))
        assert max(r, g, b) - min(r, g, b) < 25  # grey: neither a pass nor a flag
    assert "filmed from behind" in page.inner_text("body")
    page.context.close()


def test_broken_upload_gives_friendly_message(server, browser, tmp_path):
    bad = tmp_path / "holiday.mp4"
    bad.write_text("this is a shopping list, not a video\n")
    page = _open(browser, server, "phone")
    _upload(page, bad)
    page.wait_for_selector("text=We could not analyse this clip", timeout=60_000)
    _shot(page, tmp_path, "broken_upload_phone")
    body = page.inner_text("body")
    assert "Traceback" not in body and "could not read holiday.mp4" in body
    page.context.close()


def test_simultaneous_uploads_from_separate_sessions_stay_separate(server, browser, shared_videos):
    clips = {"gait_normal01_indoor_side.mp4": 0, "gait_slouch02_indoor_side.mp4": 2}  # clip -> NEEDS ATTENTION cards
    pages = []
    for name in clips:  # start every upload before waiting for any
        page = _open(browser, server, "desktop")
        _upload(page, shared_videos / name)
        pages.append(page)
    for page, (name, flags) in zip(pages, clips.items(), strict=True):
        page.wait_for_selector("text=Files for your records", timeout=ANALYSIS_MS)
        body = page.inner_text("body")
        assert name in body  # this session's own clip
        assert body.count("NEEDS ATTENTION") == flags
        assert next(n for n in clips if n != name) not in body
    for page in pages:
        page.context.close()
