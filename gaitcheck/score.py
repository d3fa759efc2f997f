"""``score``: an extraction -> the walker -> posture measures -> verdicts -> a Report (no video, no model)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ._version import version
from .clean import clean_series, effective_cutoff_hz
from .config import ASSUMED_HEIGHT_CM, Config
from .errors import NoWalkerError
from .gait import GaitResult, analyze_gait
from .pose.extraction import Extraction
from .pose.tracking import Track, track_series
from .pose.walker import TrackStats, choose_walker, track_summary
from .posture import PostureSeries, measure_posture
from .report import Frames, Report, Software, Subject, TrackRow, VideoSummary
from .verdicts import frame_durations, look_ahead_check, slouch_check
from .video import frame_step
from .view import clip_view

__all__ = ["clip_warnings", "score", "why_unknown"]

B = NDArray[np.bool_]


def why_unknown(view: str, post: PostureSeries, valid_s: float, min_s: float) -> str:
    """Why the posture checks cannot be judged: the reason given with an ``unknown`` verdict.

    Args:
        view: the clip's view (:func:`gaitcheck.view.clip_view`).
        post: the walker's posture series.
        valid_s: seconds of analysable walking found.
        min_s: seconds needed (``limits.min_analysable_s``).
    """
    if view in ("front", "back"):
        where = "from the front" if view == "front" else "from behind"
        return (f"the clip is filmed {where}; head pitch and trunk lean need a side view "
                "(camera at the walker's side, about hip height)")
    if not post.side.any():
        return "the walker is never seen from the side; head pitch and trunk lean need a side view"
    return (f"only {valid_s:.1f} s of walking seen from the side with the body visible "
            f"(at least {min_s:g} s is needed)")


def clip_warnings(*, extraction: Extraction, stats: list[TrackStats], walker: Track, jumps: B, t: NDArray[np.float64],
                  detection_rate: float, view: str, tilt_note: str, height_given: bool,
                  height_cm: float, cutoff_hz: float) -> tuple[str, ...]:
    """The notes a report carries about the clip: who was chosen, what was dropped or assumed."""
    warnings = list(extraction.warnings)
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
    if tilt_note:
        warnings.append(tilt_note)
    fs = 1.0 / frame_step(t, extraction.info.fps)
    used = effective_cutoff_hz(cutoff_hz, fs)
    if used < cutoff_hz:
        warnings.append(f"At {fs:.0f} frames per second the landmarks could be smoothed only below {used:.1f} Hz "
                        f"(not {cutoff_hz:g} Hz, signal.lowpass_hz): quick movements are less sharp; film at "
                        "25 frames per second or more for full detail.")
    if detection_rate < 0.5:
        warnings.append(f"The walker was found in only {detection_rate:.0%} of the frames.")
    if view == "mixed":
        warnings.append("The camera view changes during the clip; posture is judged only where the walker "
                        "is seen from the side.")
    if not height_given:
        warnings.append(f"Body height not given; assumed {height_cm:.0f} cm for the gaze distance (use --height-cm, "
                        "or body.height_cm in the config); step lengths are given in leg lengths only.")
    return tuple(warnings)


def _frames(post: PostureSeries, detected: B, jumps: B, gait: GaitResult) -> Frames:
    events = np.full(len(post.t), "", dtype=object)
    for e in gait.events:  # one per frame: where two fall on a frame, the later in the list
        events[e.frame] = f"{e.type}_{e.foot}"
    return Frames(t_s=post.t, detected=detected, hip_xy=post.hip_xy, head_pitch_deg=post.head_pitch_deg,
                  trunk_lean_deg=post.trunk_lean_deg, gaze_distance_m=post.gaze_distance_m,
                  forward_head_rel=post.forward_head_rel, ear_shoulder_hip_deg=post.ear_shoulder_hip_deg,
                  facing=post.facing, view=np.array([v or "" for v in post.views], dtype=object),
                  walking=post.walking, identity_jump=jumps, gait_event=events)


def score(extraction: Extraction, config: Config | None = None, *, height_cm: float | None = None,
          track_id: int | None = None, walker_point: tuple[float, float, float] | None = None) -> Report:
    """Choose the walker, measure posture and give the verdicts (no video decoding, no model).

    Args:
        extraction: what :func:`gaitcheck.extract` returned.
        config: thresholds and settings (defaults when None).
        height_cm: the walker's height (else ``config.body.height_cm``; with neither, 170 cm is
            assumed for the gaze distance and lengths are in leg lengths only).
        track_id: choose this tracked person as the walker.
        walker_point: ``(x, y, t_s)``: choose the person nearest this point at that time.

    Raises:
        NoWalkerError: nobody was found, or not the person asked for.
    """
    cfg = config or Config()
    given = height_cm if height_cm is not None else cfg.body.height_cm
    height = float(given if given is not None else ASSUMED_HEIGHT_CM)
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
    why = why_unknown(view, post, valid_s, cfg.limits.min_analysable_s)
    la = look_ahead_check(post.head_pitch_deg, post.gaze_distance_m, t, valid, cfg.look_ahead, cfg.limits, why)
    sl = slouch_check(post.trunk_lean_deg, post.forward_head_rel, t, valid, cfg.slouch, cfg.limits, why,
                      post.ear_shoulder_hip_deg)

    usable = raw.detected & ~jumps & post.walking
    gait = analyze_gait(post.px, post.facing, t, usable & np.isin(post.views, ["side", "oblique"]),
                        usable & np.isin(post.views, ["front", "back"]), info.width,
                        None if given is None else height, cfg.gait)

    detection_rate = float(raw.detected.mean())
    warnings = clip_warnings(extraction=extraction, stats=stats, walker=walker, jumps=jumps, t=t,
                             detection_rate=detection_rate, view=view, tilt_note=post.tilt_note,
                             height_given=given is not None, height_cm=height, cutoff_hz=cfg.signal.lowpass_hz)
    video = VideoSummary(path=str(info.path), fps=info.fps, frame_count=len(t),
                         duration_s=float(t[-1] + dur[-1] - t[0]), width=info.width, height=info.height,
                         rotation_deg=info.rotation_deg, codec=info.codec, declared_frame_count=info.frame_count)
    subject = Subject(track_id=walker.track_id, detection_rate=detection_rate, seen_from_s=walker.times[0],
                      seen_to_s=walker.times[-1], analysable_s=valid_s,
                      tracks=tuple(TrackRow(track_id=s.track_id, frames=s.frames, start_s=s.start_s, end_s=s.end_s,
                                            size_rel=s.size_rel, travel_rel=s.travel_rel,
                                            leg_swing_rel=s.leg_swing_rel, score=s.score,
                                            chosen=s.track_id == walker.track_id) for s in stats))
    software = Software(gaitcheck=version(), model=extraction.model.name, model_sha256=extraction.model.sha256,
                        model_bundled=extraction.model.bundled)
    return Report(video=video, view=view, subject=subject, look_ahead=la, slouch=sl, gait=gait, warnings=warnings,
                  frames=_frames(post, raw.detected, jumps, gait), camera_tilt_deg=post.tilt_deg, height_cm=height,
                  height_given=given is not None, settings=cfg, software=software, series=series)
