"""``score``: an extraction -> the walker -> posture measures -> verdicts -> a Report (no video, no model)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._version import version
from .clean import clean_series
from .config import Config
from .errors import NoWalkerError
from .gait import GaitResult, analyze_gait
from .pose.extraction import Extraction
from .pose.tracking import track_series
from .pose.walker import TrackStats, choose_walker, track_summary
from .posture import PostureSeries, measure_posture
from .report import Report
from .verdicts import Check, frame_durations, look_ahead_check, slouch_check
from .video import frame_step
from .view import clip_view

__all__ = ["score"]


def _why_unknown(view: str, post: PostureSeries, valid_s: float) -> str:
    if view in ("front", "back"):
        where = "from the front" if view == "front" else "from behind"
        return (f"the clip is filmed {where}; head pitch and trunk lean need a side view "
                "(camera at the walker's side, about hip height)")
    if not post.side.any():
        return "the walker is never seen from the side; head pitch and trunk lean need a side view"
    return f"only {valid_s:.1f} s of walking seen from the side with the body visible (at least 1 s is needed)"


def _frames(post: PostureSeries, detected: NDArray[np.bool_], jumps: NDArray[np.bool_], la: Check,
            sl: Check, gait: GaitResult) -> tuple[dict[str, Any], ...]:
    def r(v: float, nd: int = 2) -> float | None:
        return None if not np.isfinite(v) else round(float(v), nd)

    events = {e.frame: f"{e.type}_{e.foot}" for e in gait.events}
    rows = []
    for i in range(len(post.t)):
        rows.append({
            "frame": i, "t_s": round(float(post.t[i]), 4), "detected": bool(detected[i]),
            "hip_x": r(post.hip_xy[i, 0], 4), "hip_y": r(post.hip_xy[i, 1], 4),
            "head_pitch_deg": r(post.head_pitch_deg[i]), "trunk_lean_deg": r(post.trunk_lean_deg[i]),
            "gaze_distance_m": r(post.gaze_distance_m[i]), "forward_head_rel": r(post.forward_head_rel[i], 3),
            "ear_shoulder_hip_deg": r(post.ear_shoulder_hip_deg[i]), "view": post.views[i] or None,
            "walking": bool(post.walking[i]), "identity_jump": bool(jumps[i]),
            "look_down": bool(la.flagged[i]) if la.flagged is not None else None,
            "slouch": bool(sl.flagged[i]) if sl.flagged is not None else None,
            "gait_event": events.get(i),
        })
    return tuple(rows)


def _track_dict(s: TrackStats, chosen: int) -> dict[str, Any]:
    return {"track_id": s.track_id, "frames": s.frames, "start_s": round(s.start_s, 3), "end_s": round(s.end_s, 3),
            "size_rel": round(s.size_rel, 3), "travel_rel": round(s.travel_rel, 3),
            "leg_swing_rel": round(s.leg_swing_rel, 3), "score": round(s.score, 3), "chosen": s.track_id == chosen}


def score(extraction: Extraction, config: Config | None = None, *, height_cm: float | None = None,
          track_id: int | None = None, walker_point: tuple[float, float, float] | None = None) -> Report:
    """Choose the walker, measure posture and give the verdicts (no video decoding, no model).

    Raises:
        NoWalkerError: nobody was found, or not the person asked for.
    """
    cfg = config or Config()
    height = float(height_cm if height_cm is not None else cfg.body.height_cm)
    info, t = extraction.info, extraction.t
    if len(t) == 0:
        raise NoWalkerError("no frame could be decoded")
    stats = track_summary(list(extraction.tracks), info.height, frame_step(t, info.fps))
    walker = choose_walker(list(extraction.tracks), stats, track_id=track_id, point=walker_point,
                           frame_size=(info.width, info.height))
    raw = track_series(walker, t, (info.width, info.height), info.path)
    series, jumps = clean_series(raw, cfg.signal)
    post = measure_posture(series, cfg, height)
    view = clip_view(post.views[raw.detected])
    dur = frame_durations(t)

    valid = post.walking & post.side & raw.detected & ~jumps
    valid_s = float(dur[valid & ~np.isnan(post.trunk_lean_deg)].sum())
    why = _why_unknown(view, post, valid_s)
    la = look_ahead_check(post.head_pitch_deg, post.gaze_distance_m, t, valid, cfg.look_ahead, cfg.limits, why)
    sl = slouch_check(post.trunk_lean_deg, post.forward_head_rel, t, valid, cfg.slouch, cfg.limits, why,
                      post.ear_shoulder_hip_deg)

    usable = raw.detected & ~jumps & post.walking
    gait = analyze_gait(post.px, post.facing, t, usable & np.isin(post.views, ["side", "oblique"]),
                        usable & np.isin(post.views, ["front", "back"]), info.width, height_cm, cfg.gait)

    warnings = list(extraction.warnings)
    detection_rate = float(raw.detected.mean())
    if len(stats) > 1:
        warnings.append(f"{len(stats)} people were found; the walker is track {walker.track_id} "
                        f"(seen {walker.times[0]:.1f}-{walker.times[-1]:.1f} s). If that is the wrong person, "
                        "choose another by its track id (listed under subject.tracks; --track on the command line).")
    if not walker.full:
        warnings.append(f"Track {walker.track_id} was only looked at every {walker.stride} frames (the pose model "
                        "follows on every frame only the person chosen while analysing), so its measures and steps "
                        f"are approximate: analyse the clip again choosing it (--track {walker.track_id}) for full "
                        "detail.")
    if jumps.any():
        first = float(t[np.argmax(jumps)])
        warnings.append(f"The walker's landmarks jumped to someone or something else in {int(jumps.sum())} "
                        f"frame(s) (first at {first:.1f} s); those frames were dropped.")
    if post.tilt_note:
        warnings.append(post.tilt_note)
    if detection_rate < 0.5:
        warnings.append(f"The walker was found in only {detection_rate:.0%} of the frames.")
    if view == "mixed":
        warnings.append("The camera view changes during the clip; posture is judged only where the walker "
                        "is seen from the side.")
    if height_cm is None:
        warnings.append(f"Body height not given; assumed {height:.0f} cm for the gaze distance (use --height-cm); "
                        "step lengths are given in leg lengths only.")

    video = {"path": str(info.path), "fps": round(info.fps, 3), "frame_count": len(t),
             "duration_s": round(float(t[-1] + dur[-1] - t[0]), 3), "width": info.width, "height": info.height,
             "rotation_deg": info.rotation_deg, "codec": info.codec, "declared_frame_count": info.frame_count}
    subject = {"track_id": walker.track_id, "detection_rate": round(detection_rate, 4),
               "seen_from_s": round(walker.times[0], 3), "seen_to_s": round(walker.times[-1], 3),
               "analysable_s": round(valid_s, 3), "tracks": [_track_dict(s, walker.track_id) for s in stats]}
    extra = {"camera_tilt_deg": None if post.tilt_deg is None else round(post.tilt_deg, 2),
             "height_cm": height, "height_given": height_cm is not None,
             "settings": cfg.to_dict(),
             "software": {"gaitcheck": version(), "model": extraction.model.name,
                          "model_sha256": extraction.model.sha256, "model_bundled": extraction.model.bundled}}
    return Report(video, view, subject, la, sl, tuple(warnings), _frames(post, raw.detected, jumps, la, sl, gait),
                  extra, gait=gait, series=series)


