"""The served page's memory: what the server process holds now, and whether one more upload fits.

Each browser session keeps its clip, a bounded store of decoded frames and the files made from it
while the patient or therapist looks at the results; the pose runs themselves happen in worker
processes, at most one per slot. So the server's memory grows with the sessions analysing or
looking at a clip at once; once it passes the budget, a new upload is turned away with a plain
message (the clip is not kept) until sessions end and their memory is released.
"""

from __future__ import annotations

import os
import resource
import sys

__all__ = ["FRAMES_PER_SESSION_BYTES", "admits", "default_budget_mb", "resident_mb"]

#: The decoded frames one session keeps for its pictures (``ui.Upload``'s frame store).
FRAMES_PER_SESSION_BYTES = 48 * 2**20
# What else a session takes while it scores, draws and writes its report, pictures, PDF and annotated video:
# benchmarks/bench_serve.py measured ~250 MB per session analysing the 1768x994 sample clip at once
# (8 uploads: 2.6 GB against 0.9 GB for one), of which the frames and the clip are ~60 MB.
_WORK_PER_SESSION_MB = 200.0


def resident_mb() -> float:
    """This process's resident memory in MB (on Linux the current figure; elsewhere its peak)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError, AttributeError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux, bytes on macOS
        return float(peak) / (2**20 if sys.platform == "darwin" else 2**10)


def default_budget_mb() -> int:
    """Half of the machine's memory (at least 1 GB): what the server may hold before it turns uploads away."""
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, AttributeError):
        total = 4096.0
    return max(1024, int(total / 2))


def admits(upload_bytes: int, budget_mb: int, now_mb: float | None = None) -> bool:
    """Whether a session taking a clip of ``upload_bytes`` keeps the server within ``budget_mb``.

    The session holds the clip twice (the uploader's copy and its own), its frames, and what it
    takes to score the clip and make its pictures and files.

    >>> admits(50 * 2**20, 2048, now_mb=1600.0), admits(50 * 2**20, 2048, now_mb=1800.0)
    (True, False)
    """
    now = resident_mb() if now_mb is None else now_mb
    need = 2 * upload_bytes / 2**20 + FRAMES_PER_SESSION_BYTES / 2**20 + _WORK_PER_SESSION_MB
    return now + need <= budget_mb
