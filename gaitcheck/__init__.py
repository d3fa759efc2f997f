"""gaitcheck: walking posture (look-ahead, slouch) from a phone video, offline.

>>> import gaitcheck
>>> report = gaitcheck.analyze("sample_videos/sports2d_demo_park_side.mp4")  # doctest: +SKIP
>>> report.look_ahead.status  # doctest: +SKIP
'pass'
"""

from __future__ import annotations

from .config import Config, load_config
from .errors import (
    ConfigError,
    GaitcheckError,
    InputError,
    InputTooLargeError,
    ModelError,
    NoWalkerError,
    ShapeError,
    VideoReadError,
)
from .landmarks import Landmark
from .pipeline import Extraction, analyze, extract, score
from .report import Report, write_csv, write_json
from .series import PoseSeries
from .verdicts import Check, Episode

__all__ = [
    "Check", "Config", "ConfigError", "Episode", "Extraction", "GaitcheckError", "InputError",
    "InputTooLargeError", "Landmark", "ModelError", "NoWalkerError", "PoseSeries", "Report", "ShapeError",
    "VideoReadError", "__version__", "analyze", "extract", "load_config", "score", "write_csv", "write_json",
]


def __getattr__(name: str) -> str:
    if name == "__version__":
        from .pipeline import _version

        return _version()
    raise AttributeError(name)
