"""A patient's own page, opened through their personal link: upload, feedback, their earlier walks.

Everything shown is read for the patient the link belongs to, and for no one else: no widget or URL
parameter names a patient or a session.
"""

from __future__ import annotations

import streamlit as st

from .. import ui
from ..errors import GaitcheckError
from .analysis import run_analysis
from .common import BADGE, Viewer, records


def show_earlier(viewer: Viewer) -> None:
    assert viewer.patient is not None
    store = records()
    try:
        sessions = store.sessions(viewer.patient)
    except GaitcheckError:
        sessions = []
    current = st.session_state.get("upload")
    this_walk = st.session_state.get(f"saved-{current.key}") if current is not None else None
    sessions = [s for s in sessions if this_walk is None or s.id != this_walk[1]]  # the one above is not earlier
    if not sessions:
        return
    st.subheader("Your earlier walks")
    for s in reversed(sessions):
        d = store.report(s.id)
        verdicts = " ".join(f"{c.title} {BADGE.get(c.status, c.status)}" for c in ui.cards(d))
        with st.expander(f"{s.recorded_at:%d %b %Y}: {verdicts}"):
            for c in ui.cards(d):
                st.markdown(f"**{c.title}** {BADGE.get(c.status, c.status)}: {c.headline}")
                st.caption(c.evidence)
            thumbs = store.thumbnails(s.id)
            cols = st.columns(3)
            for i, t in enumerate(thumbs[:3]):
                cols[i % 3].image(t.jpeg, caption=f"{t.title}, at {t.t_s:.1f} s", width="stretch")


def patient_page(viewer: Viewer) -> None:
    st.write("Walk tall and look ahead: film yourself walking, from the side, and upload the clip. "
             "Your therapist will see what you upload here.")
    run_analysis(viewer)
    show_earlier(viewer)
