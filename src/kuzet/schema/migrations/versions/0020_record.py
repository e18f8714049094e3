"""Recording: segment index, gaps, evidence holds, pending object deletions.

Revision ID: 0020_record
Revises: 0006_auth_hardening
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_record"
down_revision: str | None = "0010_ops_shift"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)
_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "rec_segments",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("camera_id", sa.String(128), nullable=False),
        sa.Column("start_ts", _TS, nullable=False),
        sa.Column("end_ts", _TS, nullable=False),
        sa.Column("bytes", sa.BigInteger, nullable=False),
        sa.Column("volume", sa.String(64), nullable=False),
        sa.Column("key", sa.String(512), nullable=False),
        sa.Column("location", sa.String(16), nullable=False),
        sa.Column("init_size", sa.Integer, nullable=False),
        sa.Column("codec", sa.String(16), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_index("ix_rec_segments_camera_start", "rec_segments", ["camera_id", "start_ts"])
    op.create_index("ix_rec_segments_volume_start", "rec_segments", ["volume", "start_ts"])
    op.create_index("ux_rec_segments_volume_key", "rec_segments", ["volume", "key"], unique=True)
    op.create_table(
        "rec_gaps",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("camera_id", sa.String(128), nullable=False),
        sa.Column("start_ts", _TS, nullable=False),
        sa.Column("end_ts", _TS, nullable=True),
        sa.Column("reason", sa.String(256), nullable=False),
    )
    op.create_index("ix_rec_gaps_camera_start", "rec_gaps", ["camera_id", "start_ts"])
    op.create_table(
        "rec_holds",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("camera_id", sa.String(128), nullable=False),
        sa.Column("start_ts", _TS, nullable=False),
        sa.Column("end_ts", _TS, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("ref", sa.String(128), nullable=True),
        sa.Column("reason", sa.String(512), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("until", _TS, nullable=True),
        sa.Column("released_at", _TS, nullable=True),
        sa.Column("released_by", sa.String(128), nullable=True),
        sa.Column("release_reason", sa.String(512), nullable=True),
    )
    op.create_index("ix_rec_holds_camera", "rec_holds", ["camera_id", "released_at"])
    op.create_index("ix_rec_holds_ref", "rec_holds", ["kind", "ref"])
    op.create_table(
        "rec_trash",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("volume", sa.String(64), nullable=False),
        sa.Column("key", sa.String(512), nullable=False),
        sa.Column("since", _TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rec_trash")
    op.drop_index("ix_rec_holds_ref", table_name="rec_holds")
    op.drop_index("ix_rec_holds_camera", table_name="rec_holds")
    op.drop_table("rec_holds")
    op.drop_index("ix_rec_gaps_camera_start", table_name="rec_gaps")
    op.drop_table("rec_gaps")
    op.drop_index("ux_rec_segments_volume_key", table_name="rec_segments")
    op.drop_index("ix_rec_segments_volume_start", table_name="rec_segments")
    op.drop_index("ix_rec_segments_camera_start", table_name="rec_segments")
    op.drop_table("rec_segments")
