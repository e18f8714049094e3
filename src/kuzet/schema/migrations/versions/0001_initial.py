"""Initial schema: cameras and events.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cameras",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("name", sa.String(256), nullable=True),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("district", sa.String(128), nullable=True),
        sa.Column("latitude", sa.Float, nullable=True),
        sa.Column("longitude", sa.Float, nullable=True),
        sa.Column("main_url", sa.String(2048), nullable=False),
        sa.Column("sub_url", sa.String(2048), nullable=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_cameras_category", "cameras", ["category"])
    op.create_index("ix_cameras_district", "cameras", ["district"])
    op.create_table(
        "events",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("camera_id", sa.String(128), nullable=False),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pts", sa.Float, nullable=False),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("rule", sa.String(128), nullable=True),
        sa.Column("track_id", sa.BigInteger, nullable=True),
        sa.Column("class_name", sa.String(64), nullable=True),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("box_x1", sa.Float, nullable=True),
        sa.Column("box_y1", sa.Float, nullable=True),
        sa.Column("box_x2", sa.Float, nullable=True),
        sa.Column("box_y2", sa.Float, nullable=True),
        sa.Column("attributes", sa.JSON, nullable=False),
        sa.Column("snapshot", sa.String(512), nullable=True),
    )
    op.create_index("ix_events_ts_id", "events", ["ts", "id"])
    op.create_index("ix_events_camera_ts", "events", ["camera_id", "ts"])
    op.create_index("ix_events_type_ts", "events", ["type", "ts"])


def downgrade() -> None:
    op.drop_table("events")
    op.drop_table("cameras")
