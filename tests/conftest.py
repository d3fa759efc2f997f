"""Shared fixtures: the real clips in ../shared/videos, their manifest, and a cache of analyses.

The real clips are read-only and must never be copied into the project; tests that need them use
the ``shared_videos`` fixture, which skips (with the reason) when the folder is absent. In CI
(``CI=true``) such a skip is a failure instead, and a run that selects tests of the real clips stops
at once when the folder is missing (see ``tests/_evidence.py``). Running the pose model on a real clip
takes seconds, so ``analysed`` analyses each clip at most once per session.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _evidence import (  # noqa: F401  (hooks: missing evidence fails in CI)
    in_ci,
    pytest_make_collect_report,
    pytest_runtest_makereport,
    pytest_terminal_summary,
    resource_of,
)

import gaitcheck

SHARED_VIDEOS = Path(__file__).resolve().parents[1].parent / "shared" / "videos"


def shared_videos_dir() -> Path | None:
    """The real clips folder, or None when it (or its manifest) is missing."""
    return SHARED_VIDEOS if (SHARED_VIDEOS / "manifest.json").is_file() else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In CI, stop before running anything when selected tests need the real clips and they are missing."""
    if not in_ci() or shared_videos_dir() is not None:
        return
    def needs_clips(item: pytest.Item) -> bool:
        marks = item.iter_markers("skipif")
        return ("shared_videos" in getattr(item, "fixturenames", ())
                or any(resource_of(str(m.kwargs.get("reason", ""))) == "real clips" for m in marks))

    needing = [item for item in items if needs_clips(item)]
    if needing:
        pytest.exit(f"CI needs the real clips: {SHARED_VIDEOS} (with manifest.json) is missing "
                    f"({len(needing)} selected tests use them)", returncode=pytest.ExitCode.TESTS_FAILED)


@pytest.fixture(scope="session")
def shared_videos() -> Path:
    """The folder of real clips (read-only); skips the test when it is missing."""
    folder = shared_videos_dir()
    if folder is None:
        pytest.skip(f"real clips folder {SHARED_VIDEOS} (with manifest.json) is missing")
    return folder


@pytest.fixture(scope="session")
def manifest(shared_videos: Path) -> dict[str, dict[str, Any]]:
    """The manifest's clip entries, by file name."""
    data = json.loads((shared_videos / "manifest.json").read_text(encoding="utf-8"))
    return {clip["file"]: clip for clip in data["clips"]}


class AnalysisCache:
    """``gaitcheck.analyze`` with default settings, run at most once per clip per session."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._reports: dict[str, gaitcheck.Report] = {}

    def path(self, name: str) -> Path:
        path = self.folder / name
        if not path.is_file():
            pytest.skip(f"real clip {path} is missing")
        return path

    def report(self, name: str) -> gaitcheck.Report:
        if name not in self._reports:
            self._reports[name] = gaitcheck.analyze(self.path(name))
        return self._reports[name]

    def dict(self, name: str) -> dict[str, Any]:
        """``report(name).to_dict()`` (a fresh dict each call: tests may not share mutations)."""
        return self.report(name).to_dict()


@pytest.fixture(scope="session")
def analysed(shared_videos: Path) -> AnalysisCache:
    """Session cache of real-clip analyses: ``analysed.report(name)``, ``analysed.dict(name)``."""
    return AnalysisCache(shared_videos)


@pytest.fixture
def extracted_names(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files the batch worker sends to the pose model (in-process batches), in order."""
    import gaitcheck.batch.worker as worker

    names: list[str] = []
    real_extract = worker.extract

    def counting_extract(path: Any, *args: Any, **kwargs: Any) -> Any:
        names.append(Path(path).name)
        return real_extract(path, *args, **kwargs)

    monkeypatch.setattr(worker, "extract", counting_extract)
    return names


# --- patient records: the SQLite / PostgreSQL databases (fail-not-skip logic in _records_db) ---
from _records_db import db_url, postgres_server  # noqa: E402, F401
