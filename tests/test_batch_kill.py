"""A batch that is killed leaves nothing behind: no worker processes, no temporary files, inputs intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]
CLIPS = ["gait_normal01_indoor_side.mp4", "arms_crossed_indoor_side.mp4", "lab_man_indoor_back.mp4"]


def _processes_with(marker: str) -> list[int]:
    """Processes whose environment carries ``marker`` (our TMPDIR), i.e. the batch and its workers."""
    found = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit() and int(d.name) != os.getpid():
            try:
                if marker.encode() in (d / "environ").read_bytes():
                    found.append(int(d.name))
            except OSError:
                continue
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the worker processes")
@pytest.mark.parametrize("sig, delay_s", [(signal.SIGTERM, 2.0), (signal.SIGKILL, 2.0), (signal.SIGKILL, 0.0)])
def test_killed_batch_leaves_no_workers_and_no_temporary_files(shared_videos, tmp_path, sig, delay_s):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    inputs = [shared_videos / c for c in CLIPS]
    before = {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in inputs}
    env = {**os.environ, "TMPDIR": str(scratch)}
    proc = subprocess.Popen([sys.executable, "-m", "gaitcheck", "batch", *map(str, inputs), "--out",
                             str(out / "r.csv"), "--jobs", "2", "--reports", str(out / "rep"), "-q"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    marker = f"TMPDIR={scratch}"
    deadline = time.monotonic() + 60
    while len(_processes_with(marker)) < 3 and time.monotonic() < deadline:  # the batch and two workers
        time.sleep(0.2)
    assert len(_processes_with(marker)) >= 3, "the workers did not start"
    time.sleep(delay_s)  # 0: while the workers are still starting up; 2: in the middle of a clip
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    if sig == signal.SIGTERM:
        assert proc.returncode == 130 and err.strip() == "gaitcheck: interrupted"
    deadline = time.monotonic() + 10
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_with(marker) == []  # no orphaned workers scoring on for nobody
    assert list(scratch.iterdir()) == []  # no temporary copies
    assert {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in inputs} == before
    leftovers = [p.name for p in out.rglob("*") if p.name.startswith(".") or ".tmp" in p.name]
    assert leftovers == []
