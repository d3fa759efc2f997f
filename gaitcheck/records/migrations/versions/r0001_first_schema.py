"""The first schema: patients and their sessions (report JSON, key numbers, thresholds, note).

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "patients",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(200)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient_id", sa.Integer, sa.ForeignKey("patients.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at_source", sa.String(16), nullable=False),
        sa.Column("analysed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("clip_name", sa.String(500)),
        sa.Column("clip_sha256", sa.String(64)),
        sa.Column("report_json", sa.Text, nullable=False),
        sa.Column("report_schema_version", sa.Integer, nullable=False),
        sa.Column("look_ahead_status", sa.String(16), nullable=False),
        sa.Column("slouch_status", sa.String(16), nullable=False),
        sa.Column("gait_status", sa.String(16), nullable=False),
        sa.Column("look_ahead_flagged_fraction", sa.Float),
        sa.Column("slouch_flagged_fraction", sa.Float),
        sa.Column("median_gaze_distance_m", sa.Float),
        sa.Column("median_head_pitch_deg", sa.Float),
        sa.Column("median_trunk_lean_deg", sa.Float),
        sa.Column("median_forward_head_rel", sa.Float),
        sa.Column("cadence_spm", sa.Float),
        sa.Column("step_time_asymmetry_pct", sa.Float),
        sa.Column("analysable_s", sa.Float),
        sa.Column("thresholds_json", sa.Text, nullable=False),
        sa.Column("gaitcheck_version", sa.String(32)),
        sa.Column("model_name", sa.String(200)),
        sa.Column("model_sha256", sa.String(64)),
        sa.Column("note", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("sessions")
    op.drop_table("patients")
