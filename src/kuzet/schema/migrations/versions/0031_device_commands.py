"""Device responses: the command log of outputs and the cameras an alarm opened (issue 15).

Revision ID: 0031_device_commands
Revises: 0028_violations (the lead re-chains after 0030_devices)
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031_device_commands"
down_revision: str | None = "0030_devices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "device_commands",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("device_id", sa.String(128), nullable=False),
        sa.Column("device_kind", sa.String(32), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("requested_by", sa.String(128), nullable=False),
        sa.Column("requested_at", _TS, nullable=False),
        sa.Column("confirm_hash", sa.String(64), nullable=True),
        sa.Column("confirm_until", _TS, nullable=False),
        sa.Column("confirmed_at", _TS, nullable=True),
        sa.Column("topic", sa.String(256), nullable=True),
        sa.Column("deadline_at", _TS, nullable=True),
        sa.Column("finished_at", _TS, nullable=True),
        sa.Column("result", sa.JSON, nullable=True),
    )
    op.create_index("ix_device_commands_device", "device_commands", ["device_id", "requested_at"])
    op.create_table(
        "device_incident_cameras",
        sa.Column("incident_id", sa.String(36), primary_key=True),
        sa.Column("camera_id", sa.String(128), primary_key=True),
        sa.Column("device_id", sa.String(128), nullable=False),
        sa.Column("linked", sa.Boolean, nullable=False),
        sa.Column("distance_m", sa.Float, nullable=True),
        sa.Column("snapshot_key", sa.String(256), nullable=True),
        sa.Column("frame_ts", _TS, nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("hold_id", sa.String(36), nullable=True),
        sa.Column("added_at", _TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("device_incident_cameras")
    op.drop_index("ix_device_commands_device", "device_commands")
    op.drop_table("device_commands")
