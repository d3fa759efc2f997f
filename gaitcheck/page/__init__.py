"""gaitcheck's page (Streamlit widgets only; everything else is in :mod:`gaitcheck.ui`,
:mod:`gaitcheck.records` and :mod:`gaitcheck.serve`).

``streamlit run app.py`` runs it on one computer; ``gaitcheck serve`` runs it for a clinic, where a
therapist signs in and a patient opens their personal link (see :mod:`.gate`).
"""

from __future__ import annotations

import streamlit as st

from . import gate
from .analysis import run_analysis
from .patient import patient_page
from .therapist import patients_view

__all__ = ["main"]

_VIEWS = ("Analyse a clip", "Patients")


def main() -> None:
    """Draw the page for whoever is using it."""
    st.set_page_config(page_title="gaitcheck: walking posture", page_icon="🚶", layout="wide")
    viewer = gate.viewer()
    if viewer is None:
        return
    st.title("gaitcheck")
    if viewer.is_patient:
        patient_page(viewer)
        return
    view = st.segmented_control("View", _VIEWS, default=_VIEWS[0], key="view", label_visibility="collapsed")
    if view == "Patients":
        patients_view(viewer)
        return
    st.write("Walk tall and look ahead: film yourself walking, from the side, and upload the clip.")
    run_analysis(viewer)
