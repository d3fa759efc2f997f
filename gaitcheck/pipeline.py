"""``analyze``: video -> everyone's landmarks -> the walker -> posture measures -> verdicts -> Report.

Two stages, so that re-scoring with other thresholds never re-runs the pose model:
:func:`gaitcheck.pose.extract` (decode + pose + tracking; the expensive part) and
:func:`gaitcheck.score` (pure numpy).
"""

from __future__ import annotations

import os

from .config import Config
from .pose.extraction import Progress, extract_following
from .pose.landmarker import resolve_model
from .report import Report
from .score import score

__all__ = ["analyze"]


def analyze(path: str | os.PathLike[str], config: Config | None = None, *, model: str | os.PathLike[str] | None = None,
            height_cm: float | None = None, track_id: int | None = None,
            walker_point: tuple[float, float, float] | None = None, progress: Progress | None = None,
            quiet: bool = False) -> Report:
    """Analyse one walking clip: the walker's look-ahead and slouch verdicts, with per-frame data.

    Args:
        path: the video file (never modified).
        config: thresholds and settings (defaults when None; see :func:`gaitcheck.load_config`).
        model: another PoseLandmarker ``.task`` file (default: the bundled model, or ``$GAITCHECK_MODEL``).
        height_cm: the walker's height, for the gaze distance (default ``config.body.height_cm``).
        track_id: choose this tracked person as the walker (ids are in ``report.subject["tracks"]``).
        walker_point: ``(x, y, t_s)``: choose the person nearest this point (x, y in 0..1 of the
            upright frame) at that time.
        progress: called as ``progress(frames_done, frames_expected)`` while decoding.
        quiet: hide mediapipe's C++ log lines, which it writes to file descriptor 2 while a
            landmarker starts or closes. fd 2 is the whole process's: every thread's output is then
            hidden meanwhile, so only a program that owns its process (the command line) should ask.

    Raises:
        GaitcheckError: a subclass saying what is wrong with the input, the model or the walker.
    """
    cfg = config or Config()
    extraction, followed = extract_following(path, cfg, resolve_model(model), progress, track_id=track_id,
                                             point=walker_point, quiet=quiet)
    if walker_point is not None and followed is not None:  # the point was resolved on the scan's tracks
        track_id, walker_point = followed, None
    return score(extraction, cfg, height_cm=height_cm, track_id=track_id, walker_point=walker_point)
