"""The pose stage: decode a clip, find everyone with MediaPipe's PoseLandmarker, link them into
tracks, choose the walker and follow them on every frame.

This is the only part of gaitcheck that runs the pose model (imported lazily, from the model
bundled in the package: nothing is downloaded). Its output, an :class:`Extraction`, is what
:func:`gaitcheck.score` measures and what the landmark cache stores.
"""

from __future__ import annotations

from .extraction import Extraction, Progress, extract, follow_track
from .landmarker import BUNDLED_MODEL_SHA256, Landmarker, LandmarkerFactory, ModelInfo, PoseEstimator, resolve_model
from .tracking import Track
from .walker import TrackStats, choose_walker, track_summary

__all__ = ["BUNDLED_MODEL_SHA256", "Extraction", "Landmarker", "LandmarkerFactory", "ModelInfo", "PoseEstimator",
           "Progress", "Track", "TrackStats", "choose_walker", "extract", "follow_track", "resolve_model",
           "track_summary"]
