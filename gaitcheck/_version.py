"""The installed gaitcheck version (``gaitcheck.__version__``)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version

__all__ = ["version"]


def version() -> str:
    """The installed distribution's version, or ``"0+unknown"`` when running from a source tree."""
    try:
        return _dist_version("gaitcheck")
    except PackageNotFoundError:  # running from a source tree
        return "0+unknown"
