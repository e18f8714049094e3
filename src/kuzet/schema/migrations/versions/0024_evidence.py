"""Evidence: exports (signed bundles) and timeline bookmarks.

Revision ID: 0024_evidence
Revises: 0020_record
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024_evidence"
down_revision: str | None = "0020_record"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ev_exports",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("cameras", sa.JSON, nullable=False),
        sa.Column("start_ts", _TS, nullable=False),
        sa.Column("end_ts", _TS, nullable=False),
        sa.Column("reason", sa.String(512), nullable=False),
        sa.Column("case_number", sa.String(64), nullable=False),
        sa.Column("watermark", sa.Boolean, nullable=False),
        sa.Column("blurred", sa.Boolean, nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("finished_at", _TS, nullable=True),
        sa.Column("error", sa.String(512), nullable=True),
        sa.Column("file", sa.String(256), nullable=True),
        sa.Column("bytes", sa.BigInteger, nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("summary", sa.JSON, nullable=True),
        sa.Column("released_at", _TS, nullable=True),
        sa.Column("released_by", sa.String(128), nullable=True),
        sa.Column("release_reason", sa.String(512), nullable=True),
    )
    op.create_index("ix_ev_exports_agency_created", "ev_exports", ["agency_id", "created_at"])
    op.create_index("ix_ev_exports_state", "ev_exports", ["state"])
    op.create_table(
        "ev_bookmarks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("camera_id", sa.String(128), nullable=False),
        sa.Column("ts", _TS, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=True),
        sa.Column("incident_id", sa.String(64), nullable=True),
        sa.Column("hold_id", sa.String(36), nullable=True),
    )
    op.create_index("ix_ev_bookmarks_camera_ts", "ev_bookmarks", ["camera_id", "ts"])
    op.create_index("ix_ev_bookmarks_incident", "ev_bookmarks", ["incident_id"])


def downgrade() -> None:
    op.drop_table("ev_bookmarks")
    op.drop_table("ev_exports")
