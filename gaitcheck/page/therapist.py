"""The therapist's patients view.

A patient's sessions, trends, any session's report, two sessions compared, the patient's personal upload
link with its QR code, and exporting or erasing everything stored for the patient.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import streamlit as st

from .. import ui
from ..errors import GaitcheckError
from ..records import History, Session
from ..report import Report
from ..serve.access import make_invite
from ..ui.history import qr_png, session_label, session_pdf, session_rows, trend_charts
from .common import BADGE, Viewer, records


def _choose_patient() -> str | None:
    patients = records().patients()
    if not patients:
        st.info("No patient has a saved session yet. Analyse a clip and save it to a patient, or make a patient's "
                "upload link below.")
        return None
    by_code = {p.code: p for p in patients}

    def label(code: str) -> str:
        p = by_code[code]
        name = f" ({p.display_name})" if p.display_name else ""
        last = f", last {p.last_visit:%d %b %Y}" if p.last_visit else ""
        return f"{code}{name}: {p.sessions} session{'s' if p.sessions != 1 else ''}{last}"

    code: str | None = st.selectbox("Patient", list(by_code), format_func=label, key="therapist-patient")
    return code


def show_trends(history: History) -> None:
    st.subheader("Trends")
    charts = trend_charts(history)
    if not charts:
        st.caption("No key number was measured in these sessions.")
    for i in range(0, len(charts), 2):
        for col, (title, words, spec) in zip(st.columns(2), charts[i:i + 2], strict=False):
            with col:
                st.markdown(f"**{title}**")
                st.vega_lite_chart(spec=spec, width="stretch")
                st.caption(words)


def show_session(history: History, position: int) -> None:
    """One stored session: its cards with their evidence, key moments, passes, note and PDF."""
    store = records()
    session = history.sessions[position]
    d = store.report(session.id)
    st.caption(ui.clip_caption(d, session.clip_name or "the clip"))
    for col, c in zip(st.columns(3), ui.cards(d), strict=False):
        with col.container(border=True):
            st.markdown(f"**{c.title}** {BADGE.get(c.status, c.status)}")
            st.markdown(c.headline)
            if c.evidence:
                st.caption(c.evidence)
    thumbs = store.thumbnails(session.id)
    if thumbs:
        st.markdown("**Key moments**")
        cols = st.columns(3)
        for i, t in enumerate(thumbs):
            cols[i % 3].image(t.jpeg, caption=f"{t.label}. {t.title}, at {t.t_s:.1f} s", width="stretch")
    rows = ui.pass_table(d)
    if rows is not None:
        st.markdown("**Each pass of the walk**")
        st.dataframe(rows, hide_index=True, width="stretch")
    previous = store.report(history.sessions[position - 1].id) if position > 0 else None
    st.download_button("PDF report", lambda: session_pdf(d, previous, session.analysed_at),
                       f"{session.patient}-session-{session.id}.pdf", "application/pdf",
                       icon=":material/picture_as_pdf:", key=f"pdf-{session.id}")
    with st.form(f"note-{session.id}", border=False):
        note = st.text_area("Note", value=session.note or "", key=f"note-text-{session.id}")
        if st.form_submit_button("Save the note"):
            store.set_note(session.id, note.strip() or None)
            st.success("Note saved.")


def show_compare(history: History) -> None:
    sessions = history.sessions
    labels = {i: session_label(s, i + 1) for i, s in enumerate(sessions)}
    a, b = st.columns(2)
    old = a.selectbox("Earlier", list(labels), index=0, format_func=labels.__getitem__, key="compare-old")
    new = b.selectbox("Later", list(labels), index=len(sessions) - 1, format_func=labels.__getitem__,
                      key="compare-new")
    if old == new:
        st.caption("Choose two different sessions.")
        return
    store = records()
    table, words = ui.comparison(store.report(sessions[old].id), Report.from_dict(store.report(sessions[new].id)))
    st.write(words)
    st.dataframe(table, hide_index=True, width="stretch")


def show_invite(code: str | None, viewer: Viewer) -> None:
    """Make a patient's personal upload link, with a QR code to show them; or withdraw their links."""
    with st.expander("Patient's upload link", expanded=code is None):
        target = st.text_input("Patient code", value=code or "", max_chars=64, key="invite-code",
                               help="A pseudonym such as P-0042; a new code creates the patient.")
        days = st.number_input("Valid for (days)", 1, 90, 14, key="invite-days")
        make, revoke = st.columns(2)
        base = viewer.settings.base_url or _page_address()
        if make.button("Make a link", type="primary", key="invite-make"):
            try:
                made = make_invite(records(), target.strip(), base, float(days))
            except GaitcheckError as exc:
                st.error(str(exc))
            else:
                st.session_state["invite"] = made
        if revoke.button("Withdraw this patient's links", key="invite-revoke"):
            try:
                n = records().revoke_links(target.strip())
            except GaitcheckError as exc:
                st.error(str(exc))
            else:
                st.session_state.pop("invite", None)
                st.success(f"Withdrew {n} link(s).")
        invite = st.session_state.get("invite")
        if invite is not None and invite.patient == target.strip():
            st.markdown(f"Link for **{invite.patient}**, valid until {invite.expires_at:%d %b %Y}:")
            st.code(invite.url, language=None, wrap_lines=True)
            st.image(qr_png(invite.url), caption="Let the patient scan this with their phone's camera.", width=240)


def _export_zip(code: str) -> bytes:
    """Everything stored for ``code`` as the zip ``gaitcheck export`` writes; the temporary file is deleted."""
    with tempfile.TemporaryDirectory(prefix="gaitcheck-export-") as tmp:
        return records().export(code, Path(tmp) / f"{code}.zip").read_bytes()


def show_export_and_erase(code: str) -> None:
    """Download everything stored for the patient, or erase it after typing the code to confirm."""
    with st.expander("Export or erase this patient's records"):
        st.download_button("Export all (zip)", lambda: _export_zip(code), f"{code}.zip", "application/zip",
                           icon=":material/download:", key=f"export-{code}",
                           help="Every report (JSON and PDF), the key numbers as CSV, notes and pictures.")
        st.markdown("**Erase**: deletes every session, picture, note and link of this patient. It cannot be undone.")
        typed = st.text_input(f"Type {code} to confirm", key=f"forget-confirm-{code}")
        if st.button("Erase this patient", key=f"forget-{code}", disabled=typed.strip() != code):
            try:
                n = records().forget(code)
            except GaitcheckError as exc:
                st.error(str(exc))
            else:
                st.session_state.pop("therapist-patient", None)
                st.session_state["erased"] = f"Erased {code}: {n} session{'s' if n != 1 else ''} and all they held."
                st.rerun()


def _page_address() -> str:
    url: Any = getattr(st.context, "url", None)
    return str(url).split("?")[0] if url else "http://localhost:8501"


def patients_view(viewer: Viewer) -> None:
    st.header("Patients")
    erased = st.session_state.pop("erased", None)
    if erased:
        st.success(erased)
    try:
        code = _choose_patient()
    except GaitcheckError as exc:
        st.error(f"The records database cannot be used: {exc}")
        return
    show_invite(code, viewer)
    if code is None:
        return
    history = records().history(code)
    sessions: tuple[Session, ...] = history.sessions
    if not sessions:
        st.info(f"{code} has no saved session yet.")
        return
    st.subheader("Sessions")
    st.dataframe(session_rows(history), hide_index=True, width="stretch")
    show_trends(history)
    st.subheader("Open a session")
    labels = {i: session_label(s, i + 1) for i, s in enumerate(sessions)}
    pos = st.selectbox("Session", list(labels), index=len(sessions) - 1, format_func=labels.__getitem__,
                       key=f"open-{code}")
    show_session(history, int(pos))
    if len(sessions) > 1:
        st.subheader("Compare two sessions")
        show_compare(history)
    show_export_and_erase(code)
