"""Video files: what they are (:mod:`.metadata`: probing, frame rate) and their frames (:mod:`.decode`).

PyAV is the only decoder; writing videos (the annotated copy) is :mod:`gaitcheck.evidence.video`'s.
"""

from __future__ import annotations

from .decode import Frame, Select, VideoReader
from .metadata import NOMINAL_FPS, VideoInfo, frame_step, measured_fps, probe_video

__all__ = ["NOMINAL_FPS", "Frame", "Select", "VideoInfo", "VideoReader", "frame_step", "measured_fps", "probe_video"]
