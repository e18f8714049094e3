"""Plate data: reads (searchable), plate watchlists with entries, and their matches.

Revision ID: 0027_plates
Revises: 0026
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027_plates"
down_revision: str | None = "0026_watchlist_alert_target"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "plate_reads",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("plate", sa.String(16), nullable=False),
        sa.Column("plate_display", sa.String(32), nullable=True),
        sa.Column("plate_format", sa.String(32), nullable=True),
        sa.Column("plate_country", sa.String(8), nullable=True),
        sa.Column("confidence", sa.Float, nullable=True),
        sa.Column("camera_id", sa.String(128), nullable=False),
        sa.Column("track_id", sa.BigInteger, nullable=True),
        sa.Column("ts", _TS, nullable=False),
        sa.Column("vehicle_class", sa.String(64), nullable=True),
        sa.Column("snapshot", sa.String(512), nullable=True),
        sa.Column("plate_crop", sa.String(512), nullable=True),
    )
    op.create_index("ix_plate_reads_plate_ts", "plate_reads", ["plate", "ts"])
    op.create_index("ix_plate_reads_camera_ts", "plate_reads", ["camera_id", "ts"])
    op.create_index("ix_plate_reads_ts", "plate_reads", ["ts", "event_id"])
    op.create_table(
        "plate_seen",
        sa.Column("plate", sa.String(16), primary_key=True),
        sa.Column("first_seen", _TS, nullable=False),
        sa.Column("last_seen", _TS, nullable=False),
    )
    op.create_table(
        "plate_lists",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("agency_id", sa.String(64), sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("alert_target", sa.String(64), nullable=False),
        sa.Column("fuzzy_distance", sa.Integer, nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("visibility", sa.JSON, nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_index("ix_plate_lists_agency_id", "plate_lists", ["agency_id"])
    op.create_table(
        "plate_list_entries",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "list_id",
            sa.String(64),
            sa.ForeignKey("plate_lists.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("plate", sa.String(16), nullable=False),
        sa.Column("plate_display", sa.String(32), nullable=True),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("added_by", sa.String(128), nullable=False),
        sa.Column("valid_until", _TS, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.UniqueConstraint("list_id", "plate", name="uq_plate_list_entry"),
    )
    op.create_index("ix_plate_list_entries_plate", "plate_list_entries", ["plate"])
    op.create_table(
        "plate_matches",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("read_event_id", sa.String(64), nullable=False),
        sa.Column("list_id", sa.String(64), nullable=False),
        sa.Column("entry_id", sa.String(36), nullable=False),
        sa.Column("plate", sa.String(16), nullable=False),
        sa.Column("entry_plate", sa.String(16), nullable=False),
        sa.Column("distance", sa.Integer, nullable=False),
        sa.Column("camera_id", sa.String(128), nullable=False),
        sa.Column("ts", _TS, nullable=False),
    )
    for col in ("read_event_id", "list_id", "plate", "ts"):
        op.create_index(f"ix_plate_matches_{col}", "plate_matches", [col])


def downgrade() -> None:
    op.drop_table("plate_matches")
    op.drop_table("plate_list_entries")
    op.drop_table("plate_lists")
    op.drop_table("plate_seen")
    op.drop_table("plate_reads")
