"""The README's figures are what the code gives: its example summary is the bundled sample clip's.

The README shows the summary ``gaitcheck analyze`` prints for ``sample_videos/sports2d_demo_park_side.mp4``
(the same file as the shared clip of that name). Each line shown must be the line printed; a line
the README cuts short with "..." must be the start of the printed one.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from gaitcheck.cli._summary import format_summary

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = "sports2d_demo_park_side.mp4"


def readme_summary() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"What the summary looks like:\s*```\n(.*?)```", text, re.S)
    assert block, "the README's example summary block is missing"
    return [line.rstrip() for line in block.group(1).splitlines() if line.strip()]


def test_the_readme_shows_a_summary_with_numbers():
    lines = readme_summary()
    assert lines[0].startswith(SAMPLE) and any(line.startswith("Gait") for line in lines)
    assert sum(bool(re.search(r"\d", line)) for line in lines) >= 6


@pytest.mark.slow
def test_the_readme_summary_is_what_the_sample_clip_gives(analysed):
    shared = analysed.path(SAMPLE)
    bundled = ROOT / "sample_videos" / SAMPLE
    assert hashlib.sha256(shared.read_bytes()).digest() == hashlib.sha256(bundled.read_bytes()).digest()
    printed = [line.rstrip() for line in format_summary(analysed.report(SAMPLE)).splitlines() if line.strip()]
    for shown in readme_summary():
        if shown.endswith("..."):
            start = shown[:-3].rstrip()
            assert any(line.startswith(start) for line in printed), (shown, printed)
        else:
            assert shown in printed, (shown, printed)
