"""gaitcheck's page for patients and therapists: ``streamlit run app.py``.

This file only draws widgets; every computation is in the ``gaitcheck`` package (the same
functions the CLI uses). Uploads are kept in memory for the session and written to disk only in
a private temporary folder while one step needs them; nothing leaves the machine.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import streamlit as st

import gaitcheck
from gaitcheck import ui
from gaitcheck.config import Config

SAMPLE = Path(__file__).resolve().parent / "sample_videos" / "sports2d_demo_park_side.mp4"
BADGE = {"pass": ":green-badge[PASS]", "flag": ":orange-badge[NEEDS ATTENTION]", "unknown": ":gray-badge[UNKNOWN]"}
SAFETY = (
    "This is feedback on how you walk, not a diagnosis. See a professional if pain shoots down your hip or "
    "leg, or stays raised for hours after a walk. Several short walks a day can be better than one long one."
)


# ---- the expensive step, once per upload and browser session ---------------------------------------

def extraction(key: str, data: bytes, name: str) -> gaitcheck.Extraction:
    """Pose estimation for this upload, kept in this browser session only (threshold changes re-score
    from it without running the pose model again)."""
    store = st.session_state.setdefault("extractions", {})
    if key not in store:
        bar = st.progress(0.0, text="Finding the walker…")
        started = time.monotonic()
        shown = [0]

        def progress(done: int, total: int) -> None:
            if total and done > 0 and (done - shown[0] >= 5 or done >= total):  # frames may come in jumps
                shown[0] = done
                left = (time.monotonic() - started) / done * max(0, total - done)
                bar.progress(min(1.0, done / total), text=f"Analysing frame {done} of {total}, about {left:.0f} s left")

        try:
            store.clear()  # one clip at a time: older landmarks are not kept
            store[key] = ui.extract_video_bytes(data, name, progress=progress)
        finally:
            bar.empty()
    ex: gaitcheck.Extraction = store[key]
    return ex


# ---- widgets ---------------------------------------------------------------------------------------

def sidebar_controls() -> tuple[Config, float | None, Any]:
    """The therapist panel: thresholds (re-scored at once, no new pose run), height, earlier report."""
    st.sidebar.header("Therapist panel")
    height = st.sidebar.number_input("Walker's height (cm)", 100, 230, 170, help="For gaze distance and metres")
    with st.sidebar.expander("Thresholds", expanded=False):
        d = Config()
        look = st.slider("Looking down: gaze nearer than (m)", 1.0, 6.0, d.look_ahead.look_down_distance_m, 0.5)
        lean = st.slider("Slouch: trunk lean beyond (°)", 4.0, 25.0, d.slouch.trunk_lean_max_deg, 1.0)
        fwd = st.slider("Slouch: head forward beyond (trunk lengths)", 0.1, 0.5, d.slouch.forward_head_max_rel, 0.01)
        share = st.slider("Flag when at least this share of the walk", 0.05, 1.0, d.look_ahead.flag_fraction, 0.05)
    cfg = (Config()
           .with_overrides("look_ahead", look_down_distance_m=look, release_distance_m=look + 0.5, flag_fraction=share)
           .with_overrides("slouch", trunk_lean_max_deg=lean, forward_head_max_rel=fwd, flag_fraction=share))
    previous = st.sidebar.file_uploader("Compare with an earlier report (JSON)", type=["json"])
    return cfg, float(height), previous


def video_input() -> tuple[bytes, str] | None:
    """An uploaded clip, or the bundled sample; kept in the session so re-runs do not lose it."""
    up = st.file_uploader(f"Upload a walking clip ({', '.join(ui.VIDEO_TYPES)}; up to 500 MB). "
                          "Film from the side, the whole body in view, for a few steps.", type=list(ui.VIDEO_TYPES))
    if up is not None:
        st.session_state["video"] = (up.getvalue(), up.name)
    elif st.button("Try a sample clip"):
        st.session_state["video"] = (SAMPLE.read_bytes(), SAMPLE.name)
    return st.session_state.get("video")


def show_cards(d: dict[str, Any]) -> None:
    cols = st.columns(len(ui.cards(d)))
    for col, c in zip(cols, ui.cards(d), strict=True):
        with col.container(border=True):
            st.markdown(f"### {c.title}")
            st.markdown(BADGE.get(c.status, c.status))
            st.markdown(f"**{c.headline}**")
            st.write(c.feedback)


def show_people(data: bytes, name: str, ex: gaitcheck.Extraction, chosen: int) -> int | None:
    thumbs = ui.track_thumbnails(data, name, ex)
    if len(thumbs) < 2:
        return None
    st.subheader("People in the clip")
    st.caption("We picked the person who walks. If that is the wrong one, pick the walker and we re-score.")
    cols = st.columns(min(4, len(thumbs)))
    for col, (tid, caption, img) in zip(cols, thumbs, strict=False):
        col.image(img, caption=caption + (" (analysed)" if tid == chosen else ""))
    ids = [tid for tid, _, _ in thumbs]
    pick = st.selectbox("The walker is", ids, index=ids.index(chosen) if chosen in ids else 0,
                        format_func=lambda i: f"Person {i}")
    return int(pick) if pick != chosen else None


def show_gallery(data: bytes, name: str, report: gaitcheck.Report) -> None:
    keys = ui.key_moments(report)
    if not keys:
        return
    st.subheader("Moments to look at")
    images = ui.key_moment_images(data, name, report, keys)
    cols = st.columns(3)
    for i, (k, img) in enumerate(zip(keys, images, strict=True)):
        cols[i % 3].image(img, caption=f"{k.title} at {k.t_s:.1f} s. {k.advice}")


def show_timeline(data: bytes, name: str, report: gaitcheck.Report) -> None:
    st.subheader("Over time")
    st.pyplot(ui.timeline_figure(report), clear_figure=True)
    times = report.frames.t_s
    n = len(times)
    flagged = [c.flagged for c in report.checks.values() if c.flagged is not None]
    default = next((i for i in range(n) if any(f[i] for f in flagged)), n // 2)
    t = st.slider("Show the frame at (s)", 0.0, float(times[-1]), float(times[default]), 0.05)
    i = min(range(n), key=lambda k: abs(times[k] - t))
    st.image(ui.frame_picture(data, name, report, i), caption=ui.frame_caption(report, i))


def show_downloads(data: bytes, name: str, report: gaitcheck.Report, key: str) -> None:
    st.subheader("Files for your records")
    stem = Path(name).stem
    c1, c2, c3 = st.columns(3)
    c1.download_button("Report (JSON)", gaitcheck.report.json_text(report), f"{stem}.gaitcheck.json",
                       "application/json")
    c2.download_button("Per-frame data (CSV)", gaitcheck.report.csv_text(report), f"{stem}.frames.csv", "text/csv")
    if c3.button("Make the annotated video"):
        with st.spinner("Drawing the overlays on every frame…"):
            st.session_state[f"annotated-{key}"] = ui.annotated_video_bytes(data, name, report)
    video = st.session_state.get(f"annotated-{key}")
    if video:
        st.video(video, format="video/mp4")
        st.download_button("Annotated video (MP4)", video, f"{stem}.annotated.mp4", "video/mp4")


def show_comparison(previous: Any, report: gaitcheck.Report) -> None:
    st.subheader("Compared with the earlier session")
    try:
        old = json.loads(previous.getvalue().decode("utf-8"))
        table, words = ui.comparison(old, report)
    except (ValueError, gaitcheck.GaitcheckError) as exc:
        st.error(f"That file is not a gaitcheck report: {exc}")
        return
    st.write(words)
    st.table(table)


def main() -> None:
    st.set_page_config(page_title="gaitcheck: walking posture", page_icon="🚶", layout="wide")
    st.title("gaitcheck")
    st.write("Walk tall and look ahead: upload a short clip of yourself walking, filmed from the side.")
    st.info(SAFETY)
    cfg, height, previous = sidebar_controls()
    video = video_input()
    if video is None:
        return
    data, name = video
    key = ui.content_hash(data)
    try:
        ex = extraction(key, data, name)
        track = st.session_state.get(f"track-{key}")
        report = gaitcheck.score(ex, cfg, height_cm=height, track_id=track)
    except gaitcheck.GaitcheckError as exc:
        st.error(f"We could not analyse this clip. {ui.friendly(exc, name)}")
        return
    d = report.to_dict()
    st.caption(f"{name}: {d['video']['duration_s']:.1f} s, seen from the {d['view']}; "
               f"the walker was found in {d['subject']['detection_rate']:.0%} of the frames.")
    show_cards(d)
    for w in d["warnings"]:
        st.caption(f"Note: {w}")
    pick = show_people(data, name, ex, d["subject"]["track_id"])
    if pick is not None:
        with st.spinner(f"Following person {pick} on every frame…"):
            try:
                st.session_state["extractions"][key] = ui.follow_person_bytes(data, name, ex, pick)
            except gaitcheck.GaitcheckError as exc:
                st.error(f"We could not analyse that person. {ui.friendly(exc, name)}")
                return
        st.session_state[f"track-{key}"] = pick
        st.rerun()
    show_gallery(data, name, report)
    show_timeline(data, name, report)
    show_downloads(data, name, report, key)
    if previous is not None:
        show_comparison(previous, report)


main()
