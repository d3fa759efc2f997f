"""What every part of the page shares: who is using it, the records database, the pose queue."""

from __future__ import annotations

import os
from dataclasses import dataclass

import streamlit as st

from ..records import DB_ENV, RecordStore, open_store
from ..serve.access import Throttle
from ..serve.queue import DaskRunner, LocalRunner, PoseQueue, Runner
from ..serve.settings import ServeSettings

BADGE = {"pass": ":green-badge[PASS]", "flag": ":orange-badge[NEEDS ATTENTION]", "unknown": ":gray-badge[UNKNOWN]"}
SAFETY = (
    "This is feedback on how you walk, not a diagnosis. See a professional if pain shoots down your hip or "
    "leg, or stays raised for hours after a walk. Several short walks a day can be better than one long one."
)


@dataclass(frozen=True)
class Viewer:
    """Who is using the page.

    Attributes:
        role: "therapist" (signed in, or the page runs on their own computer) or "patient" (through
            their personal link).
        patient: the patient's code, for a patient; None for a therapist.
        settings: how the page was started.
    """

    role: str
    patient: str | None
    settings: ServeSettings

    @property
    def is_patient(self) -> bool:
        return self.role == "patient"


def db_choice() -> str | None:
    """The database the page uses: ``$GAITCHECK_DB`` (``gaitcheck serve --db`` sets it), else the default file."""
    return os.environ.get(DB_ENV) or None


@st.cache_resource(show_spinner=False)
def _store(db: str | None) -> RecordStore:
    return open_store(db)


def records() -> RecordStore:
    """The records database (opened once per server; its schema migrated then).

    Raises:
        RecordsError, DatabaseVersionError, ConfigError: it cannot be used.
    """
    return _store(db_choice())


@st.cache_resource(show_spinner=False)
def _queue(slots: int, cluster: str | None) -> PoseQueue:
    runner: Runner = DaskRunner(cluster, slots or None) if cluster else LocalRunner(slots or None)
    return PoseQueue(runner)


def pose_queue(settings: ServeSettings) -> PoseQueue:
    """The server's one pose queue."""
    return _queue(settings.slots, settings.cluster)


@st.cache_resource(show_spinner=False)
def sign_in_throttle() -> Throttle:
    """The server's one throttle of failed sign-ins (shared by every browser)."""
    return Throttle()
