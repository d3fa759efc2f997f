"""How the served page holds up when patients upload at once: time to result and the server's peak memory.

Run from the repository root (not a test; it takes a few minutes)::

    python benchmarks/bench_serve.py                      # 1, 4 and 8 uploads at once, the bundled sample clip
    python benchmarks/bench_serve.py --sessions 1 2 --clip ../shared/videos/gait_normal01_indoor_side.mp4

It sets up a throwaway clinic (a records file in a temporary folder, a therapist password, one
link per patient), starts ``gaitcheck serve`` on 127.0.0.1 (its default pose workers: one per core),
and for each round opens that many patient pages in Debian's Chromium (Playwright), uploads the clip
in all of them within a second, and times each page from its upload to "Saved for your therapist"
(pre-check, waiting in line, pose run, scoring, the pictures and saving). The server's memory is the
resident set of its whole process tree (the Streamlit server and its pose workers), sampled every
0.2 s; the peak of each round is printed. Everything it starts is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_videos" / "sports2d_demo_park_side.mp4"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "benchmark password, thrown away"
DONE = "Saved for your therapist to look at"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _gaitcheck(*args: str, db: str, stdin: str | None = None) -> str:
    out = subprocess.run([sys.executable, "-m", "gaitcheck", *args, "--db", db], input=stdin, text=True,
                         capture_output=True, check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return out.stdout


class PeakMemory:
    """The largest resident set of a process and all its children, sampled in a thread."""

    def __init__(self, pid: int) -> None:
        self._proc = psutil.Process(pid)
        self._stop = threading.Event()
        self.peak = 0
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _tree_rss(self) -> int:
        total = 0
        for p in [self._proc, *self._proc.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        return total

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, self._tree_rss())

    def __enter__(self) -> PeakMemory:
        self.peak = self._tree_rss()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def now(self) -> int:
        return self._tree_rss()


def one_round(browser, url: str, links: list[str], clip: Path, server_pid: int, timeout_s: float) -> tuple[
        list[float], int]:
    """Upload ``clip`` from one page per link at once; (seconds to each result, peak server RSS in bytes)."""
    pages = []
    for link in links:
        ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        page = ctx.new_page()
        page.goto(link)
        page.wait_for_selector("text=Your therapist will see what you upload here", timeout=120_000)
        pages.append(page)
    started: list[float] = []
    times: dict[int, float] = {}
    with PeakMemory(server_pid) as memory:
        for page in pages:
            page.locator('input[type="file"]').set_input_files(str(clip))
            started.append(time.monotonic())
        deadline = time.monotonic() + timeout_s
        while len(times) < len(pages) and time.monotonic() < deadline:
            for i, page in enumerate(pages):
                if i not in times and DONE in page.inner_text("body"):
                    times[i] = time.monotonic() - started[i]
            time.sleep(0.25)
    for page in pages:
        page.context.close()
    if len(times) < len(pages):
        raise SystemExit(f"{len(pages) - len(times)} of {len(pages)} uploads had no result after {timeout_s:.0f} s")
    return [times[i] for i in range(len(pages))], memory.peak


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, nargs="+", default=[1, 4, 8], help="uploads at once, per round")
    ap.add_argument("--clip", type=Path, default=SAMPLE, help="the clip every patient uploads")
    ap.add_argument("--workers", type=int, default=0, help="gaitcheck serve --workers (default: one per core)")
    ap.add_argument("--timeout", type=float, default=1200, help="seconds to wait for a round's results")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from gaitcheck.video import probe_video

    info = probe_video(args.clip)
    folder = Path(tempfile.mkdtemp(prefix="gaitcheck-bench-serve-"))
    db = str(folder / "clinic.sqlite3")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = None
    try:
        _gaitcheck("set-password", "--password-stdin", db=db, stdin=PASSWORD)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(folder)}
        with (folder / "server.log").open("wb") as log:
            server = subprocess.Popen([sys.executable, "-m", "gaitcheck", "serve", "--db", db, "--port", str(port),
                                       "--workers", str(args.workers), "--base-url", url],
                                      env=env, cwd=folder, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while not _listening(port):
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("gaitcheck serve did not start: " + (folder / "server.log").read_text()[-500:])
            time.sleep(0.3)
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        print(f"machine: {platform.machine()}, {cores} cores, load average {os.getloadavg()[0]:.1f} at start")
        print(f"clip: {args.clip.name}, {info.duration_s:.1f} s, {info.width}x{info.height}; "
              f"pose workers: {args.workers or 'one per core'}")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            try:
                n_links = 0
                idle = psutil.Process(server.pid)
                print(f"server at rest: {idle.memory_info().rss / 2**20:.0f} MB")
                print(f"{'at once':>8} {'first s':>8} {'median s':>9} {'last s':>7} {'peak MB':>8}")
                for n in args.sessions:
                    links = []
                    for _ in range(n):
                        n_links += 1
                        links.append(_gaitcheck("invite", f"B-{n_links:03d}", "--base-url", url,
                                                db=db).strip().splitlines()[-1])
                    times, peak = one_round(browser, url, links, args.clip, server.pid, args.timeout)
                    times.sort()
                    print(f"{n:>8} {times[0]:>8.1f} {times[len(times) // 2]:>9.1f} {times[-1]:>7.1f} "
                          f"{peak / 2**20:>8.0f}", flush=True)
            finally:
                browser.close()
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
