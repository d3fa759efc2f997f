"""``score``: an extraction -> the walker -> posture measures -> verdicts -> a Report (no video, no model)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from . import angles
from ._version import version
from .clean import clean_series, effective_cutoff_hz, unswap_legs
from .config import ASSUMED_HEIGHT_CM, Config, SeenConfig
from .errors import NoWalkerError
from .gait import GaitResult, analyze_gait
from .pose.extraction import Extraction
from .pose.switches import Detour, Switch, one_person_each
from .pose.tracking import Track, track_series
from .pose.walker import TrackStats, WalkerChoice, choose_walk, track_summary
from .posture import PostureSeries, Seen, headings, measure_posture, pass_spans, seen_parts
from .report import Frames, JoinedTrack, Pass, Report, Software, Subject, TrackRow, VideoSummary
from .verdicts import Check, Evidence, frame_durations, look_ahead_check, slouch_check
from .video import frame_step
from .view import clip_view

__all__ = ["clip_warnings", "score", "why_unknown"]

B = NDArray[np.bool_]
F = NDArray[np.float64]


_PARTS = {"head": "the head", "trunk": "the shoulders and hips"}


_CLOSER = "film closer, or at a higher resolution"


def too_small_words(what: str, size_px: float | None, needed_px: float) -> str:
    """Why ``what`` is too small to measure, in pixels, and what to do (for the unknown reasons).

    >>> too_small_words("about {} px tall", 116.2, 150)
    'about 116 px tall, at least 150 px is needed: film closer, or at a higher resolution'
    >>> too_small_words("about {} px tall", None, 150)
    'film closer, or at a higher resolution'
    """
    if size_px is None or not np.isfinite(size_px):
        return _CLOSER
    return f"{what.format(round(size_px))}, at least {needed_px:.0f} px is needed: {_CLOSER}"


def walker_too_small(post: PostureSeries, min_body_px: float) -> str | None:
    """Why the walker seen from the side is too small in the picture to measure, with their size in pixels.

    None if they are large enough on some side-view frame, never seen from the side, or of no
    measurable size (a part of the body never placed).
    """
    if not post.sagittal.any() or (post.seen.large & post.sagittal).any():
        return None
    share = angles.BODY_SIZE_OF_HEIGHT
    tall = _median(angles.body_size(post.px) / share, post.sagittal)
    return None if tall is None else too_small_words("about {} px tall", tall, min_body_px / share)


def legs_cut_words(seen: Seen, walking: B) -> str | None:
    """Why no step can be found when the picture's bottom edge cuts the walker's legs (None: it does not).

    Said where the feet are seen on none of the ``walking`` frames and the bottom edge cuts both legs
    on most of them (a phone too close, filming from the thighs or the knees up).

    >>> on, off = np.ones(4, bool), np.zeros(4, bool)
    >>> seen = Seen(head=on, shoulders=on, hips=on, feet=np.zeros((2, 4), bool), large=on, legs_cut=on)
    >>> legs_cut_words(seen, on)[:44]
    'the feet are below the bottom of the picture'
    >>> legs_cut_words(dataclasses.replace(seen, legs_cut=off), on) is None
    True
    """
    cut = seen.legs_cut
    if cut is None or not walking.any() or (seen.any_foot & walking).any() or cut[walking].mean() <= 0.5:
        return None
    return ("the feet are below the bottom of the picture (film from further away, so that the walker is in view "
            "from head to feet)")


#: seconds of frames with the walker turned that :func:`turned_words` needs to say the video is turned
MIN_TURNED_S = 1.0
#: Someone not of the walk seen walking at least this long, and at least this share of the walker's time
#: walking, is named in a note: the walker is the person seen walking longest, and where two walk about
#: as long (a man walking along a box beside a woman crossing a portrait crop of the park clip) the
#: choice can go either way.
ALSO_WALKING_S, ALSO_WALKING_SHARE = 1.0, 0.5


def turned_words(post: PostureSeries, asked: str = "auto") -> str | None:
    """Why nothing can be measured when the walker lies on their side in the picture, with the turn that mends it.

    Said only on ``MIN_TURNED_S`` or more of frames with the walker turned: a track of a few frames
    (the model's find on a shadow, a walker found on 8 frames of a dim clip) cannot tell how the video
    is turned, and a reason saying so would be a confident wrong one.

    A video whose rotation metadata was lost (re-encoded, sent through a messenger) shows an upright
    walker lying down; every angle would be 90° out. None unless most frames where the walker's
    axis could be measured show them turned (:func:`gaitcheck.angles.upright`).

    >>> from types import SimpleNamespace
    >>> from gaitcheck.landmarks import Landmark as L
    >>> px = np.zeros((20, 33, 2)); px[:, [L.LEFT_HIP, L.RIGHT_HIP]] = (100, 100)
    >>> px[:, [L.LEFT_ANKLE, L.RIGHT_ANKLE]] = (0, 100)  # the feet to the left: the head to the right
    >>> turned_words(SimpleNamespace(px=px, upright=angles.upright(px), t=np.arange(20) / 10))[:60]
    "the video is on its side (the walker's head points to the ri"
    >>> turned_words(SimpleNamespace(px=px[:8], upright=angles.upright(px[:8]), t=np.arange(8) / 30)) is None
    True
    """
    up, _ = angles.body_up_deg(post.px)
    known = np.isfinite(up)  # the walker's landmarks are NaN where they were not found
    turned = known & ~post.upright
    if not known.any() or turned.sum() <= 0.5 * known.sum():
        return None
    if float(frame_durations(post.t)[turned].sum()) < MIN_TURNED_S:  # a few odd frames (a stray find), not the video
        return None
    # the turn that puts them up, by the looks' mean direction (a median of angles near +-180 could be 0)
    turn = angles.upright_turn_deg(post.px[turned], min_looks=1, min_share=0.0)
    if asked == "0":
        hint = " (--turn 0 kept it as it was: try --turn auto)"
    elif asked != "auto":
        hint = f" (it was turned {angles.TURN_WORDS[int(asked)]} first, as asked with --turn {asked}: try --turn auto)"
    else:
        hint = ""
    if turn == 180:
        return ("the video is upside down (the walker's head points to the bottom of the picture): turn it half a "
                f"turn and analyse it again{hint}")
    if not turn:
        return f"the walker lies across the picture: turn the video upright and analyse it again{hint}"
    side = "right" if turn == 270 else "left"
    return (f"the video is on its side (the walker's head points to the {side} of the picture; its rotation was "
            f"probably lost when it was copied or converted): turn it {angles.TURN_WORDS[turn]} and analyse it "
            f"again{hint}")


def why_unknown(part: str, view: str, post: PostureSeries, valid: B, valid_s: float, min_s: float,
                min_distorted: float = 0.25, seen_cfg: SeenConfig | None = None, turned: str | None = None) -> str:
    """Why a posture check cannot be judged: the reason given with an ``unknown`` verdict.

    Args:
        part: what the check measures: "head" (look ahead) or "trunk" (slouch).
        view: the clip's view (:func:`gaitcheck.view.clip_view`).
        post: the walker's posture series.
        valid: (T,) the frames the check could use (walking, side or oblique view, the part seen).
        valid_s: seconds of them.
        min_s: seconds needed (``limits.min_analysable_s``).
        min_distorted: ``seen.max_distorted_share``.
        seen_cfg: the ``seen`` settings, for the sizes a walker and a head need (default: the defaults).
        turned: :func:`turned_words` of ``post`` (the walker lies across the picture), computed once per clip.
    """
    seen_cfg = seen_cfg or SeenConfig()
    if turned:
        return turned
    if view in ("front", "back"):
        where = "from the front" if view == "front" else "from behind"
        return (f"the clip is filmed {where}; head pitch and trunk lean need a side view "
                "(camera at the walker's side, about hip height)")
    if not post.sagittal.any():
        return ("the walker is never seen from the side; head pitch and trunk lean need a side view, or one turned "
                "at most 60° from it")
    seen = post.seen.head if part == "head" else post.seen.trunk
    if post.seen.distorted_share >= min_distorted:
        return (f"the body's proportions are distorted in {post.seen.distorted_share:.0%} of the frames, as when "
                "an edge of the picture cuts the body (the whole body must be inside the picture: film from head "
                "to feet)")
    if not (post.seen.large & post.sagittal).any():
        small = walker_too_small(post, seen_cfg.min_body_px) or _CLOSER
        return f"the walker is too small in the picture to measure posture ({small})"
    head_large = post.seen.head_large
    if part == "head" and head_large is not None and not (head_large & post.seen.large & post.sagittal).any():
        span = _median(angles.ear_eye_px(post.px), post.seen.large & post.sagittal)
        return ("the head is too small in the picture to measure its pitch ("
                f"{too_small_words('eye to ear about {} px', span, seen_cfg.min_head_px)})")
    if not (seen & post.sagittal).any():
        return (f"{_PARTS[part]} {'is' if part == 'head' else 'are'} not in view in this clip (the whole body must be "
                "inside the picture, clear of its edges: film from head to feet)")
    secs = "no" if valid_s <= 0 else "under 0.1 s of" if valid_s < 0.05 else f"only {valid_s:.1f} s of"
    return (f"{secs} walking seen from the side with {_PARTS[part]} in view "
            f"(at least {min_s:g} s is needed)")


def also_walking(stats: list[TrackStats], walk: tuple[int, ...], most: int = 2,
                 people: Sequence[tuple[int, ...]] = ()) -> tuple[float, list[tuple[tuple[int, ...], float]]]:
    """The ``walk``'s (track ids) time seen walking, and the ``most`` people not of it who walked longest about as long.

    At least :data:`ALSO_WALKING_S` and :data:`ALSO_WALKING_SHARE` of the walk's time walking. A person
    is one of ``people`` (the track ids of someone's passes, or of the pieces of a track split where the
    person followed changed: :func:`others_walks`), or else a track of their own; each is given as
    ``(track ids, seconds walking)``.

    >>> def st(i, s): return TrackStats(i, 30, 0.0, 3.0, 0.4, 1.0, 0.3, s * 0.4, s)
    >>> walked, also = also_walking([st(1, 2.1), st(3, 1.6), st(2, 0.5)], (1,))
    >>> walked, also
    (2.1, [((3,), 1.6)])
    >>> also_walking([st(1, 4.0), st(3, 1.6)], (1,))[1]  # under half the walker's time
    []
    >>> also_walking([st(1, 2.0), st(3, 0.9), st(4, 0.9)], (1,), people=[(3, 4)])[1]  # one person's passes
    [((3, 4), 1.8)]
    """
    by_id = {st.track_id: st.walking_s for st in stats}
    walked = sum(by_id.get(i, 0.0) for i in walk)
    grouped = {i for ids in people for i in ids}
    persons = [tuple(ids) for ids in people] + [(i,) for i in by_id if i not in grouped]
    seen = [(ids, sum(by_id.get(i, 0.0) for i in ids)) for ids in persons if not set(ids) & set(walk)]
    others = [(ids, s) for ids, s in seen if s >= ALSO_WALKING_S and s >= ALSO_WALKING_SHARE * walked]
    return walked, sorted(others, key=lambda o: -o[1])[:most]


def others_walks(tracks: list[Track], stats: list[TrackStats], walk: tuple[int, ...],
                 frame_size: tuple[int, int]) -> list[tuple[int, ...]]:
    """Everyone else's walks: the track ids :func:`choose_walk` joins to each other track, in turn.

    Longest walking first, each track in one walk only, none of ``walk``'s.
    """
    taken, out = set(walk), []
    for st in sorted(stats, key=lambda st: -st.walking_s):
        if st.track_id in taken:
            continue
        try:
            ids = choose_walk(tracks, stats, track_id=st.track_id, frame_size=frame_size).track_ids
        except NoWalkerError:
            ids = (st.track_id,)
        mine = tuple(sorted(i for i in ids if i not in taken))
        taken.update(mine)
        out.append(mine)
    return out


def clip_warnings(*, extraction: Extraction, tracks: list[Track], stats: list[TrackStats], walk: WalkerChoice,
                  switches: Sequence[Switch] = (), detours: Sequence[Detour] = (), jumps: B,
                  t: NDArray[np.float64], detection_rate: float,
                  view: str, tilt_note: str, height_given: bool, height_cm: float, cutoff_hz: float, swapped: B,
                  level_note: str = "") -> tuple[str, ...]:
    """The notes a report carries about the clip: who was chosen, what was dropped, relabelled or assumed."""
    warnings = list(extraction.warnings)
    walker = walk.first
    if len(stats) > 1:
        seen = ", ".join(f"{tr.times[0]:.1f}-{tr.times[-1]:.1f} s" for tr in walk.tracks)
        who = (f"track {walker.track_id}" if len(walk.tracks) == 1 else
               f"tracks {', '.join(str(i) for i in walk.track_ids)} (one person's passes, joined: see subject.joined)")
        warnings.append(f"{len(stats)} people were found; the walker is {who} (seen {seen}). If that is the wrong "
                        "person, choose another by its track id (listed under subject.tracks; --track on the command "
                        "line).")
        size = (extraction.info.width, extraction.info.height)
        walked, also = also_walking(stats, walk.track_ids, people=others_walks(tracks, stats, walk.track_ids, size))
        if also:
            named = " and ".join(f"track {ids[0]} for {secs:.1f} s" if len(ids) == 1 else
                                 f"tracks {', '.join(map(str, ids[:-1]))} and {ids[-1]}, one person's, for {secs:.1f} s"
                                 for ids, secs in also)
            warnings.append(f"Someone else was seen walking too: {named} (the walker: {walked:.1f} s). If that is "
                            "the person to judge, choose them by their track id.")
    for sw in switches:
        warnings.append(f"The person followed changed at {sw.t_s:.1f} s: the clothes' colours differ too much before "
                        f"and after to be one person's ({sw.colour:.2f}). Up to then they are track {sw.track_id}, "
                        f"from then on track {sw.new_id}, judged as two people.")
    for away in detours:
        if away.track_id in walk.track_ids:
            warnings.append(f"The walker was hidden behind someone else at {away.start_s:.1f}-{away.end_s:.1f} s: "
                            f"the landmarks there wore other clothes, and those {away.looks} frames were left out.")
    for tr in walk.tracks:
        if not tr.full:
            warnings.append(f"Track {tr.track_id} was only looked at every {tr.stride} frames (the pose model follows "
                            "on every frame only the person chosen while analysing), so its measures and steps are "
                            f"approximate: analyse the clip again choosing it (--track {tr.track_id}) for full "
                            "detail.")
    if jumps.any():
        warnings.append(f"The walker's landmarks jumped to someone or something else in {_frames_from(jumps, t)}; "
                        "those frames were dropped.")
    warnings += [note for note in (tilt_note, level_note) if note]
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
    if swapped.any():  # last: it says what was mended (the PDF shows only the first notes when pressed for room)
        warnings.append(f"The pose model mixed up the left and right leg in {_frames_from(swapped, t)}; their labels "
                        "were swapped back before anything was measured.")
    return tuple(warnings)


def _frames_from(mask: B, t: NDArray[np.float64]) -> str:
    """How many frames ``mask`` holds and when the first is: "9 frame(s) (first at 2.5 s)"."""
    return f"{int(mask.sum())} frame(s) (first at {float(t[np.argmax(mask)]):.1f} s)"


def _passes(post: PostureSeries, detected: B, la: Check, sl: Check, gait: GaitResult, head_ok: B, trunk_ok: B,
            dur: F, walker: tuple[Track, ...], min_s: float) -> tuple[tuple[Pass, ...], NDArray[np.int64]]:
    """The walker's passes with their numbers, and (T,) the pass of each frame (-1: none).

    A pass's median is None unless it rests on ``min_s`` seconds of frames where it was measured.
    """
    t = post.t
    spans = pass_spans(t, detected, headings(post.views, post.facing))
    index = np.full(len(t), -1, np.int64)
    contacts = np.array([e.frame for e in gait.events if e.type == "initial_contact"], np.int64)
    out = []
    for k, (a, b, direction) in enumerate(spans):
        index[a : b + 1] = k
        inside = np.zeros(len(t), bool)
        inside[a : b + 1] = True
        ics = contacts[(contacts >= a) & (contacts <= b)]
        cadence = 60.0 * (len(ics) - 1) / float(t[ics[-1]] - t[ics[0]]) if len(ics) >= 3 else None
        head, trunk = inside & head_ok, inside & trunk_ok

        def share(c: Check, use: B) -> float | None:
            if c.flagged is None or not use.any():
                return None
            return float(dur[use & c.flagged].sum() / dur[use].sum())

        out.append(Pass(index=k, start_s=float(t[a]), end_s=float(t[b] + dur[b]), start_frame=a, end_frame=b,
                        direction=direction,
                        track_ids=tuple(tr.track_id for tr in walker if any(a <= f <= b for f in tr.frames)),
                        seen_s=float(dur[head | trunk].sum()), steps=len(ics), cadence_spm=cadence,
                        median_head_pitch_deg=_median(post.head_pitch_deg, head, dur, min_s),
                        median_gaze_distance_m=_median(post.gaze_distance_m, head, dur, min_s),
                        median_trunk_lean_deg=_median(post.trunk_lean_deg, trunk, dur, min_s),
                        median_forward_head_rel=_median(post.forward_head_rel, trunk & post.seen.head, dur, min_s),
                        look_down_share=share(la, head), slouch_share=share(sl, trunk),
                        head_path_slope_deg=_median(-np.degrees(np.arctan(post.level_slope)), head)))
    return tuple(out), index


def _median(x: F, use: B, dur: F | None = None, min_s: float = 0.0) -> float | None:
    """The median of ``x`` over ``use``, if measured there (on at least ``min_s`` seconds of ``dur``)."""
    ok = use & ~np.isnan(x)
    if not ok.any() or (dur is not None and dur[ok].sum() < min_s - 1e-9):
        return None
    return float(np.median(x[ok]))


def _count(passes: tuple[Pass, ...], frames: B) -> int:
    """How many of ``passes`` contain any of ``frames``."""
    return sum(bool(frames[p.start_frame : p.end_frame + 1].any()) for p in passes)


def _frames(post: PostureSeries, detected: B, jumps: B, gait: GaitResult, pass_index: NDArray[np.int64]) -> Frames:
    events = np.full(len(post.t), "", dtype=object)
    for e in gait.events:  # one per frame: where two fall on a frame, the later in the list
        events[e.frame] = f"{e.type}_{e.foot}"
    return Frames(t_s=post.t, detected=detected, hip_xy=post.hip_xy, head_pitch_deg=post.head_pitch_deg,
                  trunk_lean_deg=post.trunk_lean_deg, gaze_distance_m=post.gaze_distance_m,
                  forward_head_rel=post.forward_head_rel, ear_shoulder_hip_deg=post.ear_shoulder_hip_deg,
                  facing=post.facing, view=np.array([v or "" for v in post.views], dtype=object),
                  walking=post.walking, seen_head=post.seen.head, seen_trunk=post.seen.trunk,
                  seen_feet=post.seen.both_feet, identity_jump=jumps, gait_event=events,
                  pass_index=pass_index)


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
    tracks, switches, detours = one_person_each(list(extraction.tracks))
    stats = track_summary(tracks, (info.width, info.height), frame_step(t, info.fps))
    walk = choose_walk(tracks, stats, track_id=track_id, point=walker_point,
                       frame_size=(info.width, info.height))
    walker = walk.first
    raw, swapped = unswap_legs(track_series(walk.tracks, t, (info.width, info.height), info.path))
    series, jumps = clean_series(raw, cfg.signal)
    seen = seen_parts(raw, cfg.seen, cfg.signal.min_visibility)
    post = measure_posture(series, cfg, height, seen)
    view = clip_view(post.views[raw.detected])
    dur = frame_durations(t)

    judged = post.walking & post.sagittal & raw.detected & ~jumps
    head_ok = judged & np.isfinite(post.head_pitch_deg)
    trunk_ok = judged & np.isfinite(post.trunk_lean_deg)
    head_s, trunk_s = float(dur[head_ok].sum()), float(dur[trunk_ok].sum())
    min_s = cfg.limits.min_analysable_s
    turned = turned_words(post, cfg.pose.turn)
    why_head = why_unknown("head", view, post, head_ok, head_s, min_s, cfg.seen.max_distorted_share, cfg.seen,
                           turned)
    la = look_ahead_check(post.head_pitch_deg, post.gaze_distance_m, t, judged, cfg.look_ahead, cfg.limits, why_head)
    sl = slouch_check(post.trunk_lean_deg, post.forward_head_rel, t, judged, cfg.slouch, cfg.limits,
                      why_unknown("trunk", view, post, trunk_ok, trunk_s, min_s, cfg.seen.max_distorted_share,
                                  cfg.seen, turned),
                      post.ear_shoulder_hip_deg, why_no_head=why_head)

    usable = raw.detected & ~jumps & post.walking
    feet = seen.hips & seen.both_feet
    frontal = usable & np.isin(post.views, ["front", "back"])
    small = walker_too_small(post, cfg.seen.min_body_px)
    too_small = None if small is None else f"the walker is too small in the picture to find the steps ({small})"
    why_feet = turned or too_small or legs_cut_words(seen, usable & post.sagittal)
    gait = analyze_gait(post.px, post.facing, t, usable & post.sagittal, frontal, info.width,
                        None if given is None else height, cfg.gait, feet=seen.feet & seen.hips, why_unseen=why_feet)
    passes, pass_index = _passes(post, raw.detected, la, sl, gait, head_ok, trunk_ok, dur, walk.tracks, min_s)
    la = la.with_evidence(Evidence(seen_s=head_s, passes=_count(passes, head_ok)))
    sl = sl.with_evidence(Evidence(seen_s=trunk_s, passes=_count(passes, trunk_ok)))
    contacts = np.zeros(len(t), bool)
    contacts[[e.frame for e in gait.events if e.type == "initial_contact"]] = True
    feet_seen = usable & post.sagittal & feet
    if contacts.any():  # what the verdict rests on
        steps, in_passes = int(contacts.sum()), _count(passes, contacts)
    else:  # unknown: what was seen (steps too few to judge, and where the feet were seen walking)
        steps, in_passes = gait.steps or 0, _count(passes, feet_seen)
    gait = dataclasses.replace(gait, evidence=Evidence(seen_s=float(dur[feet_seen].sum()), steps=steps,
                                                       passes=in_passes))
    valid_s = trunk_s
    detection_rate = float(raw.detected.mean())
    warnings = clip_warnings(extraction=extraction, tracks=tracks, stats=stats, walk=walk, switches=switches,
                             detours=detours, jumps=jumps, t=t,
                             detection_rate=detection_rate, view=view, tilt_note=post.tilt_note,
                             height_given=given is not None, height_cm=height, cutoff_hz=cfg.signal.lowpass_hz,
                             swapped=swapped, level_note=post.level_note)
    video = VideoSummary(path=str(info.path), fps=info.fps, frame_count=len(t),
                         duration_s=float(t[-1] + dur[-1] - t[0]), width=info.width, height=info.height,
                         rotation_deg=info.rotation_deg, codec=info.codec, declared_frame_count=info.frame_count,
                         turned_deg=info.turned_deg)
    subject = Subject(track_id=walker.track_id, detection_rate=detection_rate, seen_from_s=walk.tracks[0].times[0],
                      seen_to_s=max(tr.times[-1] for tr in walk.tracks), analysable_s=valid_s,
                      tracks=tuple(TrackRow(track_id=s.track_id, frames=s.frames, start_s=s.start_s, end_s=s.end_s,
                                            size_rel=s.size_rel, travel_rel=s.travel_rel,
                                            leg_swing_rel=s.leg_swing_rel, score=s.score, walking_s=s.walking_s,
                                            chosen=s.track_id in walk.track_ids) for s in stats),
                      joined=tuple(JoinedTrack(track_id=j.track_id, reason=j.reason) for j in walk.joined))
    software = Software(gaitcheck=version(), model=extraction.model.name, model_sha256=extraction.model.sha256,
                        model_bundled=extraction.model.bundled)
    return Report(video=video, view=view, subject=subject, look_ahead=la, slouch=sl, gait=gait, warnings=warnings,
                  frames=_frames(post, raw.detected, jumps, gait, pass_index), camera_tilt_deg=post.tilt_deg,
                  height_cm=height, height_given=given is not None, settings=cfg, software=software, passes=passes,
                  series=series)
