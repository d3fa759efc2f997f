"""A served clinic for the browser tests: `gaitcheck serve` and Debian's Caddy with its own internal CA,
both on 127.0.0.1 only, and Chromium trusting that CA (an NSS database in a throwaway home folder).

Everything is started by the fixture that needs it and stopped afterwards; the server's and the proxy's
logs are kept in the test's folder (the security tests read them).
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "test-output"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CADDY = shutil.which("caddy") or "/usr/bin/caddy"
CERTUTIL = shutil.which("certutil") or "/usr/bin/certutil"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1400, "height": 900}}
PASSWORD = "clinic password for the tests"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, proc: subprocess.Popen[bytes], what: str, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{what} stopped: {log.read_text()[-800:]}", pytrace=False)
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    pytest.fail(f"{what} did not start: {log.read_text()[-800:]}", pytrace=False)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def need(path: str, what: str) -> None:
    if not Path(path).exists():
        pytest.skip(f"{what} is not installed (.ci/run installs it)")


@dataclass
class Clinic:
    """The running clinic: the page's address through the proxy, its database and what it left behind."""

    folder: Path
    db: str
    url: str  # https://127.0.0.1:PORT through the proxy
    http_url: str  # http://127.0.0.1:PORT, the proxy's plain-HTTP port (it only redirects)
    direct: str  # http://127.0.0.1:PORT, the page without the proxy
    root_ca: Path
    uploads_tmp: Path  # the server's TMPDIR: where uploads wait while analysed
    server_log: Path
    proxy_log: Path
    max_upload_mb: int
    secrets: list[str] = field(default_factory=list)  # must never appear in a log

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.root_ca))

    def https(self, method: str, path: str, body: bytes | None = None,
              headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        host, port = self.url.removeprefix("https://").split(":")
        conn = http.client.HTTPSConnection(host, int(port), context=self.ssl_context(), timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def invite(self, patient: str, days: float = 14) -> str:
        out = subprocess.run([sys.executable, "-m", "gaitcheck", "invite", patient, "--days", str(days),
                              "--base-url", self.url, "--db", self.db], capture_output=True, text=True, check=True,
                             cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        link = out.stdout.strip().splitlines()[-1]
        self.secrets.append(link.split("=", 1)[1])
        return link

    def logs(self) -> str:
        return self.server_log.read_text(errors="replace") + self.proxy_log.read_text(errors="replace")


def _caddy(folder: Path, port: int, upstream: int, max_mb: int) -> tuple[subprocess.Popen[bytes], Path, Path, int]:
    http_port = free_port()
    env = {**os.environ, "XDG_DATA_HOME": str(folder / "caddy-data"), "XDG_CONFIG_HOME": str(folder / "caddy-config"),
           "HOME": str(folder), "GAITCHECK_SITE": f"https://127.0.0.1:{port}", "GAITCHECK_BIND": "127.0.0.1",
           "GAITCHECK_HTTP_PORT": str(http_port),
           "GAITCHECK_TLS": "internal", "GAITCHECK_UPSTREAM": f"127.0.0.1:{upstream}",
           "GAITCHECK_MAX_UPLOAD_MB": str(max_mb), "GAITCHECK_CADDY_ADMIN": "off"}
    log = folder / "caddy.log"
    with log.open("wb") as out:  # the child keeps its own copy of the file
        proc = subprocess.Popen([CADDY, "run", "--config", str(ROOT / "deploy" / "Caddyfile"), "--adapter",
                                 "caddyfile"], env=env, stdout=out, stderr=subprocess.STDOUT, cwd=folder)
    wait_port(port, proc, "caddy", log)
    root = folder / "caddy-data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
    deadline = time.monotonic() + 30
    while not root.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    if not root.exists():
        stop(proc)
        pytest.fail(f"caddy made no internal CA: {log.read_text()[-800:]}", pytrace=False)
    return proc, log, root, http_port


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[Clinic]:
    """`gaitcheck serve` (2 pose workers, a small upload limit) behind Caddy, with a fresh database."""
    need(CHROMIUM, "Debian's chromium")
    need(CADDY, "Debian's caddy")
    max_mb = getattr(request.module, "MAX_UPLOAD_MB", 8)
    memory = ["--max-memory-mb", str(request.module.MAX_MEMORY_MB)] if hasattr(request.module, "MAX_MEMORY_MB") else []
    seed = getattr(request.module, "seed_records", None)
    folder = tmp_path_factory.mktemp("clinic")
    db = str(folder / "clinic.sqlite3")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(folder / "tmp"),
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    (folder / "tmp").mkdir(mode=0o700)
    subprocess.run([sys.executable, "-m", "gaitcheck", "set-password", "--password-stdin", "--db", db],
                   input=PASSWORD, text=True, check=True, capture_output=True, env=env, cwd=ROOT)
    if seed is not None:
        seed(db)
    port, proxy_port = free_port(), free_port()
    url = f"https://127.0.0.1:{proxy_port}"
    log = folder / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "gaitcheck", "serve", "--db", db, "--port", str(port),
                                   "--workers", "2", "--max-upload-mb", str(max_mb), "--base-url", url, *memory],
                                  env=env, stdout=out, stderr=subprocess.STDOUT, cwd=folder)
    try:
        wait_port(port, server, "gaitcheck serve", log)
        proxy, proxy_log, root, http_port = _caddy(folder, proxy_port, port, max_mb)
        try:
            yield Clinic(folder, db, url, f"http://127.0.0.1:{http_port}", f"http://127.0.0.1:{port}", root,
                         folder / "tmp", log, proxy_log, max_mb, [PASSWORD])
        finally:
            stop(proxy)
    finally:
        stop(server)


@pytest.fixture(scope="module")
def browser(clinic: Clinic, tmp_path_factory: pytest.TempPathFactory):
    """Chromium that trusts the clinic's internal CA (and nothing was told to ignore certificate errors)."""
    playwright = pytest.importorskip("playwright.sync_api")
    need(CERTUTIL, "certutil (Debian's libnss3-tools)")
    home = tmp_path_factory.mktemp("chromium-home")
    nss = home / ".pki" / "nssdb"
    nss.mkdir(parents=True)
    subprocess.run([CERTUTIL, "-d", f"sql:{nss}", "-N", "--empty-password"], check=True, capture_output=True)
    subprocess.run([CERTUTIL, "-d", f"sql:{nss}", "-A", "-t", "C,,", "-n", "gaitcheck test CA", "-i",
                    str(clinic.root_ca)], check=True, capture_output=True)
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, env={**os.environ, "HOME": str(home)})
        yield b
        b.close()


MAIN = "document.querySelector('[data-testid=\"stMain\"]')"


def shot(page, tmp_path: Path, name: str, full_page: bool = True) -> Path:
    """A screenshot in the test's folder and a copy in test-output/ to look at (the whole page by default)."""
    path = tmp_path / f"{name}.png"
    size = page.viewport_size
    if full_page:
        height = int(page.evaluate(f"() => ({MAIN} || document.body).scrollHeight"))
        page.set_viewport_size({"width": size["width"], "height": max(size["height"], height)})
        page.wait_for_timeout(800)
    page.screenshot(path=str(path))
    if full_page:
        page.set_viewport_size(size)
        page.wait_for_timeout(300)
    OUT.mkdir(exist_ok=True)
    shutil.copy(path, OUT / path.name)
    return path


def new_page(browser, url: str, size: str, wait_for: str | None = None):
    ctx = browser.new_context(viewport=SIZES[size], accept_downloads=True, device_scale_factor=1,
                              is_mobile=size == "phone", has_touch=size == "phone")
    page = ctx.new_page()
    page.goto(url)
    if wait_for:
        page.wait_for_selector(wait_for, timeout=60_000)
    return page


def settle(page, timeout_ms: int = 300_000) -> None:
    """Wait until Streamlit has finished its run and the pictures have painted."""
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms)
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stImage"] img')]
                               .every(i => i.complete && i.naturalWidth > 0)""", timeout=60_000)
    page.wait_for_timeout(1200)


def sideways_overflow(page) -> int:
    return int(page.evaluate(f"""() => Math.max(document.documentElement.scrollWidth, {MAIN}.scrollWidth)
                                  - document.documentElement.clientWidth"""))


def sign_in(page) -> None:
    page.get_by_label("Therapist password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("text=Analyse a clip", timeout=60_000)
    settle(page)


def upload(page, path: Path) -> None:
    page.locator('input[type="file"][accept*=".mp4"]').set_input_files(str(path))
