"""Violations: officers' signing keys and their signed reviews (issue 14).

Revision ID: 0028_violations
Revises: 0026_watchlist_alert_target (the lead re-chains after 0027)
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028_violations"
down_revision: str | None = "0027_plates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "vio_officer_keys",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("username", sa.String(128), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(80), nullable=False),
        sa.Column("sealed_seed", sa.Text, nullable=False),
        sa.Column("kdf", sa.JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("revoked_at", _TS, nullable=True),
    )
    op.create_index("ix_vio_officer_keys_user", "vio_officer_keys", ["user_id"])
    op.create_table(
        "vio_reviews",
        sa.Column("violation_id", sa.String(64), primary_key=True),
        sa.Column("camera_id", sa.String(128), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("ts", _TS, nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.Column("officer_id", sa.String(36), nullable=False),
        sa.Column("officer", sa.String(128), nullable=False),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("decided_at", _TS, nullable=False),
        sa.Column("key_id", sa.String(36), nullable=False),
        sa.Column("key_fingerprint", sa.String(80), nullable=False),
        sa.Column("manifest_sha256", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.Column("package_key", sa.String(256), nullable=False),
        sa.Column("package_sha256", sa.String(64), nullable=False),
    )
    op.create_index("ix_vio_reviews_decided", "vio_reviews", ["decided_at"])
    op.create_index("ix_vio_reviews_camera_ts", "vio_reviews", ["camera_id", "ts"])


def downgrade() -> None:
    op.drop_index("ix_vio_reviews_camera_ts", "vio_reviews")
    op.drop_index("ix_vio_reviews_decided", "vio_reviews")
    op.drop_table("vio_reviews")
    op.drop_index("ix_vio_officer_keys_user", "vio_officer_keys")
    op.drop_table("vio_officer_keys")
