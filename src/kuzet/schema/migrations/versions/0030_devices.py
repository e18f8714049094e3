"""Devices: the registry of SOS buttons, fire panels, doors, sirens ... (issue 15).

Revision ID: 0030_devices
Revises: 0028_violations (the lead re-chains the issue-15 migrations at merge)
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030_devices"
down_revision: str | None = "0029_traffic"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.String(256), nullable=True),
        sa.Column("latitude", sa.Float, nullable=True),
        sa.Column("longitude", sa.Float, nullable=True),
        sa.Column("agency", sa.String(64), nullable=True),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("district", sa.String(128), nullable=True),
        sa.Column("linked_cameras", sa.JSON, nullable=False),
        sa.Column("heartbeat_s", sa.Float, nullable=True),
        sa.Column("battery_low", sa.BigInteger, nullable=False),
        sa.Column("command_topic", sa.String(512), nullable=True),
        sa.Column("ack_topic", sa.String(512), nullable=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("last_seen", _TS, nullable=True),
        sa.Column("online", sa.Boolean, nullable=True),
        sa.Column("battery", sa.BigInteger, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_index("ix_devices_category", "devices", ["category"])


def downgrade() -> None:
    op.drop_index("ix_devices_category", "devices")
    op.drop_table("devices")
