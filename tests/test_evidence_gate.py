"""The suite cannot pass in CI without its evidence (tests/_evidence.py), proved in subprocess runs.

A tiny test file exercises the hooks (a skip for a missing resource fails with ``CI=true`` and is a
skip locally, with a line saying what was not run); a copy of the project with no ``../shared``
beside it, run as the README runs the suite, fails at once in CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"

TINY_CONFTEST = f"""
import sys
sys.path.insert(0, {str(TESTS)!r})
from _evidence import pytest_make_collect_report, pytest_runtest_makereport, pytest_terminal_summary
"""
TINY_TESTS = """
import pytest

def test_passes():
    assert True

def test_needs_the_clips():
    pytest.skip("real clips folder /nowhere/shared/videos (with manifest.json) is missing")

def test_needs_a_database_server():
    pytest.skip("no PostgreSQL server (pg_ctl) found")

@pytest.mark.skipif(True, reason="needs /proc to find the worker processes")
def test_skipped_for_another_reason():
    pass
"""
TINY_BROWSER_MODULE = """
import pytest
pytest.importorskip("playwright_is_not_installed_here")

def test_page():
    pass
"""


def _pytest(args: list[str], cwd: Path, ci: bool, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_") and k != "CI"}
    if ci:
        env["CI"] = "true"
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    (tmp_path / "conftest.py").write_text(TINY_CONFTEST)
    (tmp_path / "test_tiny.py").write_text(TINY_TESTS)
    (tmp_path / "test_tiny_browser.py").write_text(TINY_BROWSER_MODULE)
    return tmp_path


def test_in_ci_a_skip_for_missing_evidence_is_a_failure_with_its_reason(tiny: Path) -> None:
    run = _pytest(["-rA", "-o", "addopts=", "test_tiny.py"], tiny, ci=True)
    out = run.stdout
    assert run.returncode == 1, out
    assert "2 failed, 1 passed, 1 skipped" in out, out
    assert ("CI needs the real clips: real clips folder /nowhere/shared/videos (with manifest.json) is missing"
            in out)
    assert "CI needs the database server: no PostgreSQL server (pg_ctl) found" in out
    assert "needs /proc" in out and "NOT RUN" not in out  # another reason stays a skip


def test_in_ci_a_module_that_cannot_import_the_browser_driver_fails_collection(tiny: Path) -> None:
    run = _pytest(["-o", "addopts=", "test_tiny_browser.py"], tiny, ci=True)
    assert run.returncode != 0 and "CI needs the browser: could not import 'playwright_is_not_installed_here'" \
        in run.stdout, run.stdout
    local = _pytest(["-o", "addopts=", "test_tiny_browser.py"], tiny, ci=False)
    assert local.returncode == 5 or "1 skipped" in local.stdout, local.stdout  # nothing ran: a skip, not a failure
    assert "NOT RUN (missing evidence" in local.stdout and "need the browser" in local.stdout


def test_locally_the_skips_stay_and_the_summary_says_what_was_not_run(tiny: Path) -> None:
    run = _pytest(["-o", "addopts=", "test_tiny.py"], tiny, ci=False)
    out = run.stdout
    assert run.returncode == 0, out
    assert "1 passed, 3 skipped" in out, out
    line = next(x for x in out.splitlines() if x.startswith("NOT RUN"))
    assert "1 need the real clips (real clips folder /nowhere/shared/videos" in line
    assert "1 need the database server (no PostgreSQL server" in line
    assert "/proc" not in line


@pytest.fixture(scope="module")
def clean_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's files (no caches, no virtualenv) in a fresh folder with no ``shared`` beside it."""
    dest = tmp_path_factory.mktemp("clone") / "gaitcheck"
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "test-output")
    for name in ("gaitcheck", "tests", "app.py", "pyproject.toml", "gaitcheck.example.toml", "README.md"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=skip)
        elif src.is_file():
            shutil.copy2(src, dest / name)
    assert not (dest.parent / "shared").exists()
    return dest


def test_ci_run_of_a_clean_copy_without_the_real_clips_fails_fast(clean_copy: Path) -> None:
    started = time.monotonic()
    run = _pytest([], clean_copy, ci=True, pythonpath=clean_copy)  # the README's test command
    took = time.monotonic() - started
    out = run.stdout + run.stderr
    assert run.returncode == 1, out[-2000:]
    reason = [x for x in out.splitlines() if "CI needs the real clips" in x]
    assert len(reason) == 1 and str(clean_copy.parent / "shared" / "videos") in reason[0], out[-2000:]
    assert " passed" not in out  # stopped before running any test
    assert took < 120, took  # collection only (about 10 s here), not the suite
