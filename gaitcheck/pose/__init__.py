"""The pose stage.

Decode a clip, find everyone with MediaPipe's PoseLandmarker, link them into tracks, choose the walker, join
their passes and follow them on every frame.

This is the only part of gaitcheck that runs the pose model (imported lazily, from the model
bundled in the package: nothing is downloaded). Its output, an :class:`Extraction`, is what
:func:`gaitcheck.score` measures and what the landmark cache stores.
"""

from __future__ import annotations

from .extraction import Extraction, Progress, extract, follow_track, follow_tracks
from .landmarker import BUNDLED_MODEL_SHA256, Landmarker, LandmarkerFactory, ModelInfo, PoseEstimator, resolve_model
from .switches import Detour, Switch, one_person_each, split_switches
from .tracking import Track
from .walker import Join, TrackStats, WalkerChoice, choose_walk, choose_walker, track_summary

__all__ = ["BUNDLED_MODEL_SHA256", "Detour", "Extraction", "Join", "Landmarker", "LandmarkerFactory", "ModelInfo",
           "PoseEstimator", "Progress", "Switch", "Track", "TrackStats", "WalkerChoice", "choose_walk",
           "choose_walker", "extract", "follow_track", "follow_tracks", "one_person_each", "resolve_model",
           "split_switches", "track_summary"]
