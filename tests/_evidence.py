"""In CI the suite cannot pass without its evidence; locally it says what it did not run.

The real clips (``../shared/videos``), the browser and the database server are the evidence for
the verdicts, the page and the stored records. A test that cannot find one of them skips with a
reason that names it. With the ``CI`` environment variable set (``CI=true``, as CI services set
it), such a skip becomes a failure whose message is that one-line reason; locally it stays a skip,
and the run ends with a line saying what was not run and why. Skips for other reasons (a POSIX-only
check on another system, say) are left alone.

To name a new resource, add it to :data:`RESOURCES`: a skip reason that contains one of its words
(case-insensitive) is about it. The hooks are imported into ``tests/conftest.py``.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Generator, Mapping

import pytest

__all__ = ["RESOURCES", "in_ci", "pytest_make_collect_report", "pytest_runtest_makereport",
           "pytest_terminal_summary", "resource_of"]

#: What the suite needs, and the words by which a skip reason names it.
RESOURCES: dict[str, tuple[str, ...]] = {
    "real clips": ("shared/videos", "../shared", "real clip"),
    "browser": ("chromium", "playwright", "browser"),
    "database server": ("postgres", "database server"),
    "HTTPS proxy": ("caddy", "certutil"),
}
_NOT_RUN = pytest.StashKey[Counter[str]]()


def in_ci(environ: Mapping[str, str] = os.environ) -> bool:
    """True when ``CI`` is set to anything but empty, 0, false, no or off.

    >>> in_ci({"CI": "true"}), in_ci({"CI": "0"}), in_ci({})
    (True, False, False)
    """
    return environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off")


def resource_of(reason: str) -> str | None:
    """The resource a skip reason names, or None.

    >>> resource_of("real clips folder /x/shared/videos (with manifest.json) is missing")
    'real clips'
    >>> resource_of("Debian's chromium is not installed") , resource_of("needs /proc")
    ('browser', None)
    """
    low = reason.lower()
    return next((name for name, words in RESOURCES.items() if any(w in low for w in words)), None)


def _skip_reason(report: pytest.CollectReport | pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # (path, line, "Skipped: reason")
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def _judge(report: pytest.CollectReport | pytest.TestReport, config: pytest.Config) -> None:
    """Turn a skip for missing evidence into a failure in CI; count it otherwise."""
    if not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = _skip_reason(report)
    resource = resource_of(reason)
    if resource is None:
        return
    if in_ci():
        report.outcome = "failed"
        report.longrepr = f"CI needs the {resource}: {reason}"
    else:
        config.stash.setdefault(_NOT_RUN, Counter())[f"{resource} ({reason})"] += 1


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport,
                                                                                           pytest.TestReport]:
    report = yield
    _judge(report, item.config)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, pytest.CollectReport,
                                                                          pytest.CollectReport]:
    report = yield  # a module-level importorskip or skip lands here
    _judge(report, collector.config)
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config) -> None:
    not_run = config.stash.get(_NOT_RUN, Counter())
    if not_run:
        parts = "; ".join(f"{n} need the {what}" for what, n in sorted(not_run.items()))
        terminalreporter.write_line(f"NOT RUN (missing evidence; CI=true makes these failures): {parts}",
                                    yellow=True, bold=True)
