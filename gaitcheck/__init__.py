"""gaitcheck: walking posture (look-ahead, slouch) from a phone video, offline.

>>> import gaitcheck
>>> report = gaitcheck.analyze("sample_videos/sports2d_demo_park_side.mp4")  # doctest: +SKIP
>>> report.look_ahead.status  # doctest: +SKIP
'pass'
"""

from __future__ import annotations

from .batch import BatchResult, FileResult, rescore_batch, run_batch
from .batch.cache import LandmarkCache
from .config import Config, load_config
from .errors import (
    CacheError,
    CacheMissError,
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
from .pipeline import analyze
from .pose import Extraction, extract
from .report import Report, write_csv, write_json
from .score import score
from .series import PoseSeries
from .verdicts import Check, Episode


def __getattr__(name: str) -> object:
    """Heavier parts (video writing, PDF, comparison) load on first use."""
    lazy = {"write_annotated_video": ("evidence.video", "write_annotated_video"),
            "write_pdf_report": ("evidence.pdf", "write_pdf_report"),
            "compare_reports": ("compare", "compare_reports"), "format_comparison": ("compare", "format_comparison"),
            "load_report": ("compare", "load_report"), "Comparison": ("compare", "Comparison")}
    if name == "__version__":
        from ._version import version

        return version()
    if name in lazy:
        import importlib

        module, attr = lazy[name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), attr)
    raise AttributeError(f"module 'gaitcheck' has no attribute {name!r}")


__all__ = [
    "BatchResult",
    "CacheError",
    "CacheMissError",
    "Check",
    "Comparison",
    "Config",
    "ConfigError",
    "Episode",
    "Extraction",
    "FileResult",
    "GaitcheckError",
    "InputError",
    "InputTooLargeError",
    "Landmark",
    "LandmarkCache",
    "ModelError",
    "NoWalkerError",
    "PoseSeries",
    "Report",
    "ShapeError",
    "VideoReadError",
    "__version__",
    "analyze",
    "compare_reports",
    "extract",
    "format_comparison",
    "load_config",
    "load_report",
    "rescore_batch",
    "run_batch",
    "score",
    "write_annotated_video",
    "write_csv",
    "write_json",
    "write_pdf_report",
]

