"""Traffic: per-lane minute bins, OD hashing keys, hashed plate sightings, OD trips.

Revision ID: 0029_traffic
Revises: 0026_watchlist_alert_target
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029_traffic"
down_revision: str | None = "0028_violations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "traffic_bins",
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("lane", sa.String(128), primary_key=True),
        sa.Column("camera_id", sa.String(128), nullable=False),
        sa.Column("approach", sa.String(128), nullable=False),
        sa.Column("segment", sa.String(256), nullable=False),
        sa.Column("bin_start", sa.BigInteger, nullable=False),
        sa.Column("bin_s", sa.Integer, nullable=False),
        sa.Column("partial", sa.Boolean, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("counts", sa.JSON, nullable=False),
        sa.Column("speed_n", sa.Integer, nullable=False),
        sa.Column("speed_sum_kmh", sa.Float, nullable=False),
        sa.Column("observed_s", sa.Float, nullable=False),
        sa.Column("occupied_s", sa.Float, nullable=False),
        sa.Column("queue_veh_s", sa.Float, nullable=False),
        sa.Column("queue_max_veh", sa.Integer, nullable=False),
        sa.Column("queue_max_m", sa.Float, nullable=True),
    )
    op.create_index("ix_traffic_bins_camera_start", "traffic_bins", ["camera_id", "bin_start"])
    op.create_index("ix_traffic_bins_segment_start", "traffic_bins", ["segment", "bin_start"])
    op.create_table(
        "traffic_od_keys",
        sa.Column("period_start", sa.BigInteger, primary_key=True),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("sealed", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "traffic_sightings",
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("period_start", sa.BigInteger, nullable=False),
        sa.Column("plate_hash", sa.String(64), nullable=False),
        sa.Column("camera_id", sa.String(128), nullable=False),
        sa.Column("ts", sa.Float, nullable=False),
    )
    op.create_index(
        "ix_traffic_sightings_hash", "traffic_sightings", ["period_start", "plate_hash", "ts"]
    )
    op.create_table(
        "traffic_od",
        sa.Column("bin_start", sa.BigInteger, primary_key=True),
        sa.Column("origin", sa.String(128), primary_key=True),
        sa.Column("destination", sa.String(128), primary_key=True),
        sa.Column("bin_s", sa.Integer, nullable=False),
        sa.Column("trips", sa.Integer, nullable=False),
        sa.Column("travel_s_sum", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("traffic_od")
    op.drop_index("ix_traffic_sightings_hash", "traffic_sightings")
    op.drop_table("traffic_sightings")
    op.drop_table("traffic_od_keys")
    op.drop_index("ix_traffic_bins_segment_start", "traffic_bins")
    op.drop_index("ix_traffic_bins_camera_start", "traffic_bins")
    op.drop_table("traffic_bins")
