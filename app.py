"""gaitcheck's page for patients and therapists: ``streamlit run app.py``.

This file only draws widgets; every computation is in ``gaitcheck`` (:mod:`gaitcheck.ui` and the
same functions the CLI uses). An upload is kept in memory for the browser session and written to
disk only in a private temporary folder while one step needs it; nothing leaves the machine.
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


# ---- the therapist panel and the upload ---------------------------------------------------------------

def sidebar_controls() -> tuple[Config, float | None, Any]:
    """Thresholds (re-scored at once, no new pose run), the walker's height, an earlier report."""
    st.sidebar.header("Therapist panel")
    height = st.sidebar.number_input("Walker's height (cm)", 100, 230, value=None, step=1,
                                     placeholder="170 cm assumed",
                                     help="For the gaze distance, centimetres and metres. Left empty, 170 cm is "
                                          "assumed and the report says so.")
    with st.sidebar.expander("Thresholds", expanded=False):
        d = Config()
        look = st.slider("Looking down: gaze nearer than (m)", 1.0, 6.0, d.look_ahead.look_down_distance_m, 0.5)
        lean = st.slider("Slouch: trunk lean beyond (°)", 4.0, 25.0, d.slouch.trunk_lean_max_deg, 1.0)
        fwd = st.slider("Slouch: head forward beyond (trunk lengths; 0.20 is about 10 cm)", 0.1, 0.5,
                        d.slouch.forward_head_max_rel, 0.01)
        share = st.slider("Flag when at least this share of the walk", 0.05, 1.0, d.look_ahead.flag_fraction, 0.05)
    cfg = (Config()
           .with_overrides("look_ahead", look_down_distance_m=look, release_distance_m=look + 0.5, flag_fraction=share)
           .with_overrides("slouch", trunk_lean_max_deg=lean, forward_head_max_rel=fwd, flag_fraction=share))
    previous = st.sidebar.file_uploader("Compare with an earlier report (JSON)", type=["json"])
    return cfg, None if height is None else float(height), previous


def current_upload() -> ui.Upload | None:
    """The clip uploaded (or the sample), kept in the session so that reruns reuse everything made from it."""
    up = st.file_uploader(f"Upload a walking clip ({', '.join(ui.VIDEO_TYPES)}; up to 500 MB)",
                          type=list(ui.VIDEO_TYPES))
    if up is not None:
        if st.session_state.get("upload_id") != up.file_id:
            st.session_state["upload"] = ui.Upload(up.getvalue(), up.name)
            st.session_state["upload_id"] = up.file_id
    elif st.session_state.get("upload_id") not in (None, "sample"):  # the user removed their clip: forget it
        forget()
    if up is None and st.button("Try a sample clip"):
        st.session_state["upload"] = ui.Upload(SAMPLE.read_bytes(), SAMPLE.name)
        st.session_state["upload_id"] = "sample"
    upload: ui.Upload | None = st.session_state.get("upload")
    return upload


def forget() -> None:
    for k in [k for k in st.session_state if k in ("upload", "upload_id") or str(k).startswith("moment-")]:
        del st.session_state[k]


def show_guide() -> None:
    pic, words = st.columns([1, 1])
    pic.image(ui.guide_svg(), width="stretch")
    for point in ui.GUIDE_POINTS:
        words.markdown(f"- {point}")


# ---- before the analysis -------------------------------------------------------------------------------

def checked(upload: ui.Upload, cfg: Config) -> bool:
    """The quick look at the clip; False while its warnings wait for "Analyse anyway"."""
    if upload.extraction is not None or upload.confirmed:
        return True
    with st.spinner("Taking a quick look at the clip…"):
        pre = upload.precheck(cfg)
    if not pre.warnings:
        return True
    st.subheader("Before we analyse")
    for w in pre.warnings:
        st.warning(w)
    if st.button("Analyse anyway", type="primary"):
        upload.confirmed = True
        st.rerun()
    st.caption("Or film again as the guide below shows, and upload the new clip.")
    return False


def extraction(upload: ui.Upload) -> gaitcheck.Extraction:
    """The pose stage, once per upload, with a progress bar."""
    if upload.extraction is not None:
        return upload.extraction
    bar = st.progress(0.0, text="Finding the walker…")
    started = time.monotonic()
    shown = [0]

    def progress(done: int, total: int) -> None:
        if total and done > 0 and (done - shown[0] >= 5 or done >= total):  # frames may come in jumps
            shown[0] = done
            left = (time.monotonic() - started) / done * max(0, total - done)
            bar.progress(min(1.0, done / total), text=f"Analysing frame {done} of {total}, about {left:.0f} s left")

    try:
        return upload.extract(None, progress)
    finally:
        bar.empty()


# ---- the results: verdicts, a picture each, what to do, then details -----------------------------------------

def show_cards(upload: ui.Upload, report: gaitcheck.Report, cards: list[ui.Card]) -> None:
    moments = ui.verdict_moments(report, cards)
    shown = [m for m in moments.values() if m is not None]
    pictures = dict(zip([id(m) for m in shown], ui.key_moment_images(upload, report, shown), strict=True))
    flagged = [c.title for c in cards if c.status == "flag"]
    if flagged:
        st.markdown(f"**To work on:** {', '.join(flagged)}.")
    seen: set[int] = set()
    for col, c in zip(st.columns(len(cards)), cards, strict=True):
        with col.container(border=True):
            st.markdown(f"### {c.title}")
            st.markdown(BADGE.get(c.status, c.status))
            st.markdown(f"**{c.headline}**")
            m = moments.get(c.check)
            if m is not None and (c.status == "flag" or m.frame not in seen):  # the same picture once
                seen.add(m.frame)
                st.image(pictures[id(m)], caption=f"{m.title}, at {m.t_s:.1f} s", width="stretch")
            st.markdown(("**What to film differently:** " if c.status == "unknown" else "**What to do:** ")
                        + c.feedback)


def _pick(chart_key: str, slider_key: str, times: list[float]) -> None:
    """A point chosen on a chart moves the frame slider to it (runs before the rerun draws anything)."""
    chosen = (st.session_state.get(chart_key) or {}).get("selection", {}).get(ui.MOMENT) or []
    frame = next((p.get("frame") for p in chosen if isinstance(p, dict) and "frame" in p), None)
    if isinstance(frame, int | float) and 0 <= int(frame) < len(times):
        st.session_state[slider_key] = times[int(frame)]


def show_timeline(upload: ui.Upload, report: gaitcheck.Report, d: dict[str, Any], cards: list[ui.Card]) -> None:
    st.subheader("Over time")
    st.caption("Point at or tap a line to read its values; click or tap a point to see that moment. "
               "Shaded: the stretches that were flagged.")
    frames = d["frames"]
    times = [float(f["t_s"]) for f in frames]
    key = f"moment-{upload.key}"
    if key not in st.session_state:
        st.session_state[key] = times[ui.first_moment(report, cards)]
    t = float(st.session_state[key])
    i = min(range(len(times)), key=lambda k: abs(times[k] - t))
    picture, charts = st.columns([2, 3])
    with charts:
        rows = ui.chart_rows(d)
        drawn = [(spec, ui.measure_chart(d, spec, rows, moment_t=times[i])) for spec in ui.chart_specs(d)]
        if all(chart is None for _, chart in drawn):
            st.caption("Head and trunk are not measured in this clip: they need the walker seen from the side.")
        for spec, chart in drawn:
            if chart is None:
                continue
            st.markdown(f"**{spec.title}**")
            ck = f"chart-{spec.field}-{upload.key}"
            st.vega_lite_chart(spec=chart, key=ck, on_select=lambda ck=ck: _pick(ck, key, times),
                               selection_mode=ui.MOMENT, width="stretch")
            st.caption(spec.limit_words)
        steps = ui.steps_chart(d, moment_t=times[i])
        if steps is not None:
            st.markdown("**Steps: time of each step, by the foot that lands**")
            ck = f"chart-steps-{upload.key}"
            st.vega_lite_chart(spec=steps, key=ck, on_select=lambda ck=ck: _pick(ck, key, times),
                               selection_mode=ui.MOMENT, width="stretch")
            st.caption("Dashed lines: each side's typical step time. Even steps have the two lines close together.")
    with picture:
        st.slider("Show the moment at (s)", 0.0, max(times[-1], 0.05), step=0.05, key=key)
        st.image(ui.frame_picture(upload, report, i), caption=ui.frame_caption(frames[i], d["height_cm"]),
                 width="stretch")


def show_gallery(upload: ui.Upload, report: gaitcheck.Report) -> None:
    keys = ui.key_moments(report)
    if not keys:
        return
    st.subheader("Moments to look at")
    images = ui.key_moment_images(upload, report, keys)
    cols = st.columns(3)
    for i, (k, img) in enumerate(zip(keys, images, strict=True)):
        cols[i % 3].image(img, caption=f"{k.title} at {k.t_s:.1f} s. {k.advice}", width="stretch")


def show_people(upload: ui.Upload, ex: gaitcheck.Extraction, chosen: int) -> int | None:
    thumbs = ui.track_thumbnails(upload, ex)
    if len(thumbs) < 2:
        return None
    st.subheader("People in the clip")
    st.caption("We picked the person who walks. If that is the wrong one, pick the walker and we score them.")
    cols = st.columns(min(4, len(thumbs)))
    for col, (tid, caption, img) in zip(cols, thumbs, strict=False):
        col.image(img, caption=caption + (" (analysed)" if tid == chosen else ""))
    ids = [tid for tid, _, _ in thumbs]
    pick = st.selectbox("The walker is", ids, index=ids.index(chosen) if chosen in ids else 0,
                        format_func=lambda i: f"Person {i}")
    return int(pick) if pick != chosen else None


def show_downloads(upload: ui.Upload, report: gaitcheck.Report) -> None:
    st.subheader("Files for your records")
    name = upload.name
    c1, c2, c3, c4 = st.columns(4)
    c1.download_button("PDF report", lambda: ui.pdf_bytes(upload, report), ui.download_name(name, ".gaitcheck.pdf"),
                       "application/pdf", type="primary", icon=":material/picture_as_pdf:")
    c2.download_button("Report (JSON)", gaitcheck.report.json_text(report), ui.download_name(name, ".gaitcheck.json"),
                       "application/json")
    c3.download_button("Per-frame data (CSV)", gaitcheck.report.csv_text(report),
                       ui.download_name(name, ".frames.csv"), "text/csv")
    video = upload.made("video", report)
    if video is None and c4.button("Make the annotated video"):
        with st.spinner("Drawing the overlays on every frame…"):
            video = ui.annotated_video_bytes(upload, report)
    if video:
        c4.download_button("Annotated video (MP4)", video, ui.download_name(name, ".annotated.mp4"), "video/mp4")
        st.video(video, format="video/mp4")
    if st.button("Forget this clip", help="Removes the clip and its results from this page (nothing is stored)."):
        forget()
        st.rerun()


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
    st.write("Walk tall and look ahead: film yourself walking, from the side, and upload the clip.")
    cfg, height, previous = sidebar_controls()
    upload = current_upload()
    if upload is None:
        st.subheader("How to film")
        show_guide()
        st.info(SAFETY)
        return
    guide = st.container()
    try:
        ready = checked(upload, cfg)
        with guide if ready else st.container(), st.expander("How to film", expanded=not ready):  # after warnings
            show_guide()
        if not ready:
            return
        ex = extraction(upload)
        report = upload.report(cfg, height)
    except gaitcheck.GaitcheckError as exc:
        st.error(f"We could not analyse this clip. {ui.friendly(exc, upload.name)}")
        return
    d = report.to_dict()
    st.caption(ui.clip_caption(d, upload.name))
    cards = ui.cards(d)
    show_cards(upload, report, cards)
    notes = [*(upload.precheck(cfg).warnings if upload.confirmed else ()), *d["warnings"]]
    if notes:
        with st.expander(f"Notes on this clip ({len(notes)})"):
            for w in notes:
                st.markdown(f"- {w}")
    st.info(SAFETY)
    st.divider()
    show_timeline(upload, report, d, cards)
    show_gallery(upload, report)
    pick = show_people(upload, ex, d["subject"]["track_id"])
    if pick is not None:
        with st.spinner(f"Following person {pick} on every frame…"):
            try:
                upload.follow(pick)
            except gaitcheck.GaitcheckError as exc:
                st.error(f"We could not analyse that person. {ui.friendly(exc, upload.name)}")
                return
        st.rerun()
    show_downloads(upload, report)
    if previous is not None:
        show_comparison(previous, report)


main()
