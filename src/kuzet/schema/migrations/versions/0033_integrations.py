"""Integrations: the dead-letter list of outbound webhooks (issue 15).

Revision ID: 0033_integrations
Revises: 0028_violations (the lead re-chains after 0030-0032)
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0033_integrations"
down_revision: str | None = "0031_device_commands"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "integ_dead_letters",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("first_attempt_at", _TS, nullable=False),
        sa.Column("last_attempt_at", _TS, nullable=False),
        sa.Column("delivered_at", _TS, nullable=True),
    )
    op.create_index(
        "ix_integ_dead_letters_state", "integ_dead_letters", ["state", "last_attempt_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_integ_dead_letters_state", "integ_dead_letters")
    op.drop_table("integ_dead_letters")
