"""The records database's tables as they are at the newest migration (SQLAlchemy Core).

The migrations in ``migrations/versions`` create and change these tables; they never import this
module (a migration must keep describing the schema of its own time). A test checks that the
migrated database has exactly these tables and columns.

Times are stored in UTC. Reports, thresholds and other JSON are stored as JSON text, so that what
is read back is exactly what was saved on every database.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

__all__ = ["links", "metadata", "patients", "sessions", "settings", "thumbnails", "videos"]

metadata = MetaData()

patients = Table(
    "patients", metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("display_name", String(200)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

sessions = Table(
    "sessions", metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", Integer, ForeignKey("patients.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at_source", String(16), nullable=False),  # "given", "clip" (its metadata) or "file" (mtime)
    Column("analysed_at", DateTime(timezone=True), nullable=False),
    Column("clip_name", String(500)),
    Column("clip_sha256", String(64)),
    Column("report_json", Text, nullable=False),
    Column("report_schema_version", Integer, nullable=False),
    Column("look_ahead_status", String(16), nullable=False),
    Column("slouch_status", String(16), nullable=False),
    Column("gait_status", String(16), nullable=False),
    Column("look_ahead_flagged_fraction", Float),
    Column("slouch_flagged_fraction", Float),
    Column("median_gaze_distance_m", Float),
    Column("median_head_pitch_deg", Float),
    Column("median_trunk_lean_deg", Float),
    Column("median_forward_head_rel", Float),
    Column("cadence_spm", Float),
    Column("step_time_asymmetry_pct", Float),
    Column("analysable_s", Float),
    Column("thresholds_json", Text, nullable=False),
    Column("gaitcheck_version", String(32)),
    Column("model_name", String(200)),
    Column("model_sha256", String(64)),
    Column("note", Text),
)
Index("ix_sessions_patient_recorded", sessions.c.patient_id, sessions.c.recorded_at)

thumbnails = Table(
    "thumbnails", metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("frame", Integer, nullable=False),
    Column("t_s", Float, nullable=False),
    Column("label", String(8), nullable=False),
    Column("title", String(200), nullable=False),
    Column("jpeg", LargeBinary, nullable=False),
)

videos = Table(
    "videos", metadata,
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("file_name", String(500), nullable=False),
    Column("data", LargeBinary, nullable=False),
)

# the served page (gaitcheck.serve): the therapist's password hash and the links' signing key
settings = Table(
    "settings", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# a patient's personal upload links: the token carries only ``nonce``, signed; a link works until
# ``expires_at`` unless revoked
links = Table(
    "links", metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", Integer, ForeignKey("patients.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("nonce", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)
