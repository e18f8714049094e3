"""Operations centre: incidents, the events they group, their timeline.

Revision ID: 0004_ops
Revises: 0003_faces
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_ops"
down_revision: str | None = "0003_faces"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ops_incidents",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("rule", sa.String(128), nullable=True),
        sa.Column("camera_id", sa.String(128), nullable=False),
        sa.Column("camera_name", sa.String(256), nullable=True),
        sa.Column("category", sa.String(64), nullable=True),
        sa.Column("district", sa.String(128), nullable=True),
        sa.Column("latitude", sa.Float, nullable=True),
        sa.Column("longitude", sa.Float, nullable=True),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("agencies", sa.JSON, nullable=False),
        sa.Column("unit", sa.String(128), nullable=True),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("first_event_id", sa.String(64), nullable=False),
        sa.Column("last_event_id", sa.String(64), nullable=False),
        sa.Column("snapshot_event_id", sa.String(64), nullable=True),
        sa.Column("event_count", sa.Integer, nullable=False),
        *(
            sa.Column(c, _TS, nullable=False)
            for c in ("event_ts", "created_at", "updated_at", "last_event_at")
        ),
        *(
            sa.Column(c, _TS, nullable=True)
            for c in ("acknowledged_at", "assigned_at", "on_scene_at", "closed_at")
        ),
        sa.Column("ack_due_at", _TS, nullable=False),
        sa.Column("resolve_due_at", _TS, nullable=False),
        sa.Column("escalated_at", _TS, nullable=True),
        sa.Column("escalation", sa.String(32), nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_ops_incidents_state", "ops_incidents", ["state", "priority"])
    op.create_index("ix_ops_incidents_agency", "ops_incidents", ["agency_id", "state"])
    op.create_index("ix_ops_incidents_group", "ops_incidents", ["camera_id", "type", "state"])
    op.create_index("ix_ops_incidents_created", "ops_incidents", ["created_at"])
    op.create_table(
        "ops_incident_events",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column(
            "incident_id",
            sa.String(36),
            sa.ForeignKey("ops_incidents.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("ts", _TS, nullable=False),
        sa.Column("score", sa.Float, nullable=True),
    )
    op.create_index("ix_ops_incident_events_incident_id", "ops_incident_events", ["incident_id"])
    op.create_table(
        "ops_incident_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "incident_id",
            sa.String(36),
            sa.ForeignKey("ops_incidents.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("ts", _TS, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("agency_id", sa.String(64), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_index("ix_ops_incident_log_incident_id", "ops_incident_log", ["incident_id"])


def downgrade() -> None:
    op.drop_table("ops_incident_log")
    op.drop_table("ops_incident_events")
    op.drop_table("ops_incidents")
