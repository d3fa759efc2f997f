"""Who may see the page: a therapist who signed in, or a patient with a valid personal link.

On a served page (``gaitcheck serve``) nothing else is shown before that: no content, no data. On
the therapist's own computer (``streamlit run app.py``) the sign-in is asked only once a password
has been set for the records database in use. Where ``.streamlit/secrets.toml`` has an ``[auth]``
section, therapists sign in with the clinic's identity provider (Streamlit's ``st.login``, OpenID
Connect) instead of the password.
"""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from ..errors import GaitcheckError, LinkError
from ..records import default_db_path
from ..serve.access import LINK_PARAM, check_password, has_password, open_link
from ..serve.settings import ServeSettings
from .common import Viewer, db_choice, records, sign_in_throttle

_SEEN = "therapist-last-seen"
_FAILED_PAUSE_S = 1.0


def _oidc() -> bool:
    """Whether an identity provider is configured for ``st.login``."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises its own error type
        return False


def _password_needed(settings: ServeSettings) -> bool:
    if settings.served:
        return True
    db = db_choice()
    if db is None and not default_db_path().exists():
        return False  # nothing stored on this computer yet: do not create a database just to look
    if db is not None and "://" not in db and not Path(db).exists():
        return False
    return has_password(records())


def _sign_out(why: str | None = None) -> None:
    st.session_state.pop(_SEEN, None)
    if why:
        st.session_state["signed-out-why"] = why


def _signed_in(settings: ServeSettings) -> bool:
    seen = st.session_state.get(_SEEN)
    if seen is None:
        return False
    if time.monotonic() - seen > settings.session_minutes * 60:
        _sign_out(f"You were signed out after {settings.session_minutes:g} minutes without using the page.")
        return False
    st.session_state[_SEEN] = time.monotonic()
    return True


def _sign_in_form() -> None:
    st.title("gaitcheck")
    why = st.session_state.pop("signed-out-why", None)
    if why:
        st.info(why)
    st.write("This page is for the clinic's therapists. Patients: please open the personal link your therapist "
             "gave you.")
    with st.form("sign-in"):
        password = st.text_input("Therapist password", type="password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    throttle = sign_in_throttle()
    wait = throttle.wait_s()
    if wait > 0:
        st.error(f"Too many wrong passwords: please wait {wait:.0f} s before trying again.")
        return
    if check_password(records(), password):
        throttle.succeeded()
        st.session_state[_SEEN] = time.monotonic()
        st.rerun()
    throttle.failed()
    time.sleep(_FAILED_PAUSE_S)
    st.error("That is not the therapist password.")


@st.fragment(run_every=30)
def _watch_timeout(minutes: float) -> None:
    """Sign an idle therapist out even while the page just sits open."""
    seen = st.session_state.get(_SEEN)
    if seen is not None and time.monotonic() - seen > minutes * 60:
        _sign_out(f"You were signed out after {minutes:g} minutes without using the page.")
        st.rerun(scope="app")


def viewer() -> Viewer | None:
    """Who is using the page, or None when they may see nothing yet (the sign-in or a message is shown)."""
    try:
        settings = ServeSettings.from_env()
    except GaitcheckError as exc:
        st.error(f"The page is not set up correctly: {exc}")
        return None
    token = st.query_params.get(LINK_PARAM)
    try:
        if token is not None:
            try:
                return Viewer("patient", open_link(records(), token), settings)
            except LinkError as exc:
                st.title("gaitcheck")
                st.error(str(exc))
                return None
        if _oidc():
            return _oidc_viewer(settings)
        if not _password_needed(settings):
            return Viewer("therapist", None, settings)
    except GaitcheckError:
        st.title("gaitcheck")
        st.error("The page cannot reach its records right now. Please try again later.")
        return None
    if not _signed_in(settings):
        _sign_in_form()
        return None
    _watch_timeout(settings.session_minutes)
    if st.sidebar.button("Sign out", icon=":material/logout:"):
        _sign_out()
        st.rerun()
    return Viewer("therapist", None, settings)


def _oidc_viewer(settings: ServeSettings) -> Viewer | None:
    if not st.user.is_logged_in:
        st.title("gaitcheck")
        st.write("This page is for the clinic's therapists. Patients: please open the personal link your "
                 "therapist gave you.")
        if st.button("Sign in with your clinic account", type="primary"):
            st.login()
        return None
    if st.sidebar.button("Sign out", icon=":material/logout:"):
        st.logout()
    return Viewer("therapist", None, settings)
