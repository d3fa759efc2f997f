"""The analysis of one clip on the page: upload, pre-check, pose run, verdicts, charts, pictures, files.

Both a therapist and a patient (through their link) use it; a patient sees no thresholds, walker
picker or saving controls, and what they upload is saved to their own record.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import streamlit as st

from .. import ui
from ..config import Config
from ..errors import GaitcheckError
from ..pose import Extraction
from ..report import Report, csv_text, json_text
from ..serve.memory import FRAMES_PER_SESSION_BYTES, admits
from ..serve.queue import PoseJob
from .common import BADGE, SAFETY, Viewer, pose_queue, records

SAMPLE = Path(__file__).resolve().parents[2] / "sample_videos" / "sports2d_demo_park_side.mp4"
PATIENT_NOTE = "Uploaded by the patient through their link."
ORIENTATIONS = {  # pose.turn -> the therapist panel's words
    "auto": "Automatic",
    "0": "As filmed (never turned)",
    "90": "Turned a quarter turn clockwise",
    "180": "Turned upside down",
    "270": "Turned a quarter turn anticlockwise",
}


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
    turn = st.sidebar.selectbox("Video orientation", list(ORIENTATIONS), format_func=ORIENTATIONS.__getitem__,
                                help="Automatic turns a video that lies on its side (its rotation lost when it was "
                                     "sent or converted) upright. Choose a turn if that went wrong; the same as "
                                     "--turn on the command line. The pose stage runs again.")
    cfg = cfg.with_overrides("pose", turn=turn)
    previous = st.sidebar.file_uploader("Compare with an earlier report (JSON)", type=["json"])
    return cfg, None if height is None else float(height), previous


# Streamlit refuses a file over the upload limit in the browser, and says why only to screen readers and on
# hover (which a phone has not): show its message under the file's name, in the page's error colour.
_REFUSED_FILE_CSS = """<style>
[data-testid="stFileChip"][aria-invalid="true"] { flex-wrap: wrap; height: auto; }
[data-testid="stFileChip"][aria-invalid="true"] [role="alert"] {
  position: static !important; width: 100% !important; height: auto !important; margin: 0.25rem 0 0 0 !important;
  clip: auto !important; clip-path: none !important; overflow: visible !important; white-space: normal !important;
  color: var(--st-red-text-color, #bd4043); font-size: 0.875rem; flex-basis: 100%;
}
</style>"""


def current_upload(viewer: Viewer) -> ui.Upload | None:
    """The clip uploaded (or the sample), kept in the session so that reruns reuse everything made from it."""
    st.html(_REFUSED_FILE_CSS)
    limit = viewer.settings.max_upload_mb if viewer.settings.served else 500
    if st.session_state.pop("turned_away", False):
        st.error("The server is busy with other people's clips right now, so yours was not kept. "
                 "Please try again in a few minutes.", icon=":material/hourglass_top:")
    generation = st.session_state.setdefault("uploader_generation", 0)
    up = st.file_uploader(f"Upload a walking clip ({', '.join(ui.VIDEO_TYPES)}; up to {limit} MB)",
                          type=list(ui.VIDEO_TYPES), key=f"clip-{generation}")
    if up is not None:
        if st.session_state.get("upload_id") != up.file_id:
            if viewer.settings.served and not admits(up.size, viewer.settings.memory_budget_mb):
                # over the memory budget: drop the clip (a new uploader lets the old one's copy go) and say so
                st.session_state["uploader_generation"] = generation + 1
                st.session_state["turned_away"] = True
                st.rerun()
            served = {"frame_budget_bytes": FRAMES_PER_SESSION_BYTES} if viewer.settings.served else {}
            st.session_state["upload"] = ui.Upload(up.getvalue(), up.name, **served)
            st.session_state["upload_id"] = up.file_id
    elif st.session_state.get("upload_id") not in (None, "sample"):  # the user removed their clip: forget it
        forget()
    if up is None and not viewer.is_patient and st.button("Try a sample clip"):
        st.session_state["upload"] = ui.Upload(SAMPLE.read_bytes(), SAMPLE.name)
        st.session_state["upload_id"] = "sample"
    upload: ui.Upload | None = st.session_state.get("upload")
    return upload


def forget() -> None:
    for k in [k for k in st.session_state if k in ("upload", "upload_id", "ticket")
              or str(k).startswith(("moment-", "saved-"))]:
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


def queued_extraction(upload: ui.Upload, viewer: Viewer, cfg: Config) -> Extraction:
    """The pose stage on a served page: the upload waits its turn in the server's queue, seeing its place
    in the line and an estimate, then the run's progress.
    """
    queue = pose_queue(viewer.settings)
    ticket = st.session_state.get("ticket")
    if ticket is None or ticket.job.data is not upload.data or (ticket.job.config or Config()).pose != cfg.pose:
        duration = upload.precheck().duration_s if upload.data else 0.0
        ticket = queue.submit(PoseJob(upload.data, upload.name, duration, cfg))
        st.session_state["ticket"] = ticket
    status = st.empty()
    while not ticket.future.done():
        place, left = ticket.position(), ticket.estimate_s()
        if place > 0:
            ahead = "one clip is" if place == 1 else f"{place} clips are"
            status.info(f"Waiting for our turn: {ahead} ahead of yours. About {left:.0f} s until your results.",
                        icon=":material/hourglass_top:")
        else:
            done = ticket.progress()
            words = "Finding the walker…" if done is None else f"Analysing frame {done[0]} of {done[1]}"
            status.info(f"{words} About {left:.0f} s left.", icon=":material/directions_walk:")
        time.sleep(0.5)
    status.empty()
    del st.session_state["ticket"]
    upload.accept(ticket.future.result(), cfg)
    assert upload.extraction is not None
    return upload.extraction


def extraction(upload: ui.Upload, viewer: Viewer, cfg: Config) -> Extraction:
    """The pose stage, once per upload and orientation, with a progress bar."""
    if upload.extracted_with(cfg):
        assert upload.extraction is not None
        return upload.extraction
    if viewer.settings.served:
        return queued_extraction(upload, viewer, cfg)
    bar = st.progress(0.0, text="Finding the walker…")
    started = time.monotonic()
    shown = [0]

    def progress(done: int, total: int) -> None:
        if total and done > 0 and (done - shown[0] >= 5 or done >= total):  # frames may come in jumps
            shown[0] = done
            left = (time.monotonic() - started) / done * max(0, total - done)
            bar.progress(min(1.0, done / total), text=f"Analysing frame {done} of {total}, about {left:.0f} s left")

    try:
        return upload.extract(cfg, progress)
    finally:
        bar.empty()


# ---- the results: verdicts, a picture each, what to do, then details -----------------------------------------

def show_cards(upload: ui.Upload, report: Report, cards: list[ui.Card]) -> None:
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
            if c.evidence:
                st.caption(c.evidence)
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


def show_timeline(upload: ui.Upload, report: Report, d: dict[str, Any], cards: list[ui.Card]) -> None:
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


def show_gallery(upload: ui.Upload, report: Report) -> None:
    keys = ui.key_moments(report)
    if not keys:
        return
    st.subheader("Moments to look at")
    images = ui.key_moment_images(upload, report, keys)
    cols = st.columns(3)
    for i, (k, img) in enumerate(zip(keys, images, strict=True)):
        cols[i % 3].image(img, caption=f"{k.title} at {k.t_s:.1f} s. {k.advice}", width="stretch")


def show_people(upload: ui.Upload, ex: Extraction, chosen: int) -> int | None:
    thumbs = ui.track_thumbnails(upload, ex)
    if len(thumbs) < 2:
        return None
    st.subheader("People in the clip")
    st.caption("We picked the person who walks. If that is the wrong one, pick the walker and we score them.")
    cols = st.columns(min(4, len(thumbs)))
    for col, (tid, caption, img) in zip(cols, thumbs, strict=False):
        col.image(img, caption=caption + (" (analysed)" if tid == chosen else ""), width=int(img.shape[1]))
    ids = [tid for tid, _, _ in thumbs]
    pick = st.selectbox("The walker is", ids, index=ids.index(chosen) if chosen in ids else 0,
                        format_func=lambda i: f"Person {i}")
    return int(pick) if pick != chosen else None


def show_downloads(upload: ui.Upload, report: Report) -> None:
    st.subheader("Files for your records")
    name = upload.name
    c1, c2, c3, c4 = st.columns(4)
    c1.download_button("PDF report", lambda: ui.pdf_bytes(upload, report), ui.download_name(name, ".gaitcheck.pdf"),
                       "application/pdf", type="primary", icon=":material/picture_as_pdf:")
    c2.download_button("Report (JSON)", json_text(report), ui.download_name(name, ".gaitcheck.json"),
                       "application/json")
    c3.download_button("Per-frame data (CSV)", csv_text(report),
                       ui.download_name(name, ".frames.csv"), "text/csv")
    video = upload.made("video", report)
    if video is None and c4.button("Make the annotated video"):
        with st.spinner("Drawing the overlays on every frame…"):
            video = ui.annotated_video_bytes(upload, report)
    if video:
        c4.download_button("Annotated video (MP4)", video, ui.download_name(name, ".annotated.mp4"), "video/mp4")
        st.video(video, format="video/mp4")
    if st.button("Forget this clip",
                 help="Removes the clip and its results from this page (a session saved to a record stays there)."):
        forget()
        st.rerun()


def show_comparison(previous: Any, report: Report) -> None:
    st.subheader("Compared with the earlier session")
    try:
        old = json.loads(previous.getvalue().decode("utf-8"))
        table, words = ui.comparison(old, report)
    except (ValueError, GaitcheckError) as exc:
        st.error(f"That file is not a gaitcheck report: {exc}")
        return
    st.write(words)
    st.table(table)


def show_passes(d: dict[str, Any]) -> None:
    """The walker's passes, one column each, when there was more than one."""
    rows = ui.pass_table(d)
    if rows is None:
        return
    st.subheader("Each pass of the walk")
    st.caption(f"The walker crossed the picture {len(rows[0]) - 1} times; the verdicts above are over all passes. "
               "A dash: not measured in that pass.")
    st.dataframe(rows, hide_index=True, width="stretch")


def _saved(upload: ui.Upload, report: Report, patient: str, note: str | None) -> int:
    """Save the analysis as a session of ``patient`` (with key-moment thumbnails); returns its id."""
    with upload.temporary() as path:
        session = records().add(report, patient, video=path, clip_sha256=upload.key, note=note)
    st.session_state[f"saved-{upload.key}"] = (patient, session.id)
    return session.id


def save_to_patient(upload: ui.Upload, report: Report) -> None:
    """The therapist's "save this analysis to a patient, with a note"."""
    done = st.session_state.get(f"saved-{upload.key}")
    with st.expander("Save to a patient's record", expanded=False):
        if done is not None:
            st.success(f"Saved as session {done[1]} of patient {done[0]}.")
        try:
            known = [p.code for p in records().patients()]
        except GaitcheckError as exc:
            st.error(f"The records database cannot be used: {exc}")
            return
        with st.form(f"save-{upload.key}", clear_on_submit=False, border=False):
            pick = st.selectbox("Patient", ["New patient…", *known], index=0)
            code = st.text_input("New patient's code (a pseudonym such as P-0042, not a name)", max_chars=64)
            note = st.text_area("Note", placeholder="e.g. second visit, walking without the cane")
            if st.form_submit_button("Save", type="primary"):
                patient = code.strip() if pick == "New patient…" else pick
                try:
                    sid = _saved(upload, report, patient, note.strip() or None)
                except GaitcheckError as exc:
                    st.error(f"Not saved: {exc}")
                else:
                    st.success(f"Saved as session {sid} of patient {patient}.")


def save_for_patient(upload: ui.Upload, report: Report, viewer: Viewer) -> None:
    """A patient's upload goes to their own record, once."""
    assert viewer.patient is not None
    if st.session_state.get(f"saved-{upload.key}") is None:
        try:
            _saved(upload, report, viewer.patient, PATIENT_NOTE)
        except GaitcheckError:
            st.error("We could not save this walk for your therapist. Please try again later.")
            return
    st.success("Saved for your therapist to look at.", icon=":material/check_circle:")


def run_analysis(viewer: Viewer) -> None:
    """The whole path of one clip: verdicts, a picture each, what to do, then the details."""
    if viewer.is_patient:
        cfg, height, previous = Config(), None, None
    else:
        cfg, height, previous = sidebar_controls()
    upload = current_upload(viewer)
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
        ex = extraction(upload, viewer, cfg)
        report = upload.report(cfg, height)
    except GaitcheckError as exc:
        st.error(f"We could not analyse this clip. {ui.friendly(exc, upload.name)}")
        return
    d = report.to_dict()
    st.caption(ui.clip_caption(d, upload.name))
    cards = ui.cards(d)
    show_cards(upload, report, cards)
    if viewer.is_patient:
        save_for_patient(upload, report, viewer)
    notes = [*(upload.precheck(cfg).warnings if upload.confirmed else ()), *d["warnings"]]
    if notes:
        with st.expander(f"Notes on this clip ({len(notes)})"):
            for w in notes:
                st.markdown(f"- {w}")
    st.info(SAFETY)
    st.divider()
    show_timeline(upload, report, d, cards)
    show_passes(d)
    show_gallery(upload, report)
    if not viewer.is_patient:
        pick = show_people(upload, ex, d["subject"]["track_id"])
        if pick is not None:
            with st.spinner(f"Following person {pick} on every frame…"):
                try:
                    upload.follow(pick)
                except GaitcheckError as exc:
                    st.error(f"We could not analyse that person. {ui.friendly(exc, upload.name)}")
                    return
            st.rerun()
    show_downloads(upload, report)
    if not viewer.is_patient:
        save_to_patient(upload, report)
        if previous is not None:
            show_comparison(previous, report)
