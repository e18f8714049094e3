"""Watchlists: a target false-alert rate per search, from which the threshold follows.

Revision ID: 0026_watchlist_alert_target
Revises: 0025_face_embedder
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026_watchlist_alert_target"
down_revision: str | None = "0025_face_embedder"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("watchlists") as b:
        b.add_column(sa.Column("false_alert_target", sa.Float, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("watchlists") as b:
        b.drop_column("false_alert_target")
