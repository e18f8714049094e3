"""Faces: watchlists, enrolled persons and photos, face sightings of tracks, hits.

Templates and photos are stored only as AES-GCM ciphertext (``*_enc`` columns) with
the id of the key that sealed them, so keys can be rotated row by row.

Revision ID: 0003_faces
Revises: 0002_access
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_faces"
down_revision: str | None = "0002_access"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "watchlists",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("agency_id", sa.String(64), sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("threshold", sa.Float, nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("visibility", sa.JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_index("ix_watchlists_agency_id", "watchlists", ["agency_id"])
    op.create_table(
        "watchlist_persons",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "watchlist_id",
            sa.String(64),
            sa.ForeignKey("watchlists.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("external_id", sa.String(128), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("case", sa.JSON, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.UniqueConstraint("watchlist_id", "external_id", name="uq_watchlist_person_external"),
    )
    op.create_table(
        "watchlist_photos",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "person_id",
            sa.String(36),
            sa.ForeignKey("watchlist_persons.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("photo_enc", sa.LargeBinary, nullable=False),
        sa.Column("template_enc", sa.LargeBinary, nullable=False),
        sa.Column("quality", sa.JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_index("ix_watchlist_photos_person_id", "watchlist_photos", ["person_id"])
    op.create_table(
        "face_sightings",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("camera_id", sa.String(128), nullable=False),
        sa.Column("track_id", sa.Integer, nullable=False),
        sa.Column("ts", _TS, nullable=False),
        sa.Column("box", sa.JSON, nullable=False),
        sa.Column("quality", sa.Float, nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("template_enc", sa.LargeBinary, nullable=False),
        sa.Column("crop_enc", sa.LargeBinary, nullable=True),
        sa.Column("listed", sa.Boolean, nullable=False),
        sa.Column("attributes", sa.JSON, nullable=False),
    )
    op.create_index("ix_face_sightings_camera_ts", "face_sightings", ["camera_id", "ts"])
    op.create_index("ix_face_sightings_ts", "face_sightings", ["ts"])
    op.create_table(
        "watchlist_hits",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("sighting_id", sa.String(36), nullable=True),
        sa.Column("watchlist_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("photo_id", sa.String(36), nullable=False),
        sa.Column("camera_id", sa.String(128), nullable=False),
        sa.Column("track_id", sa.Integer, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("ts", _TS, nullable=False),
    )
    op.create_index("ix_watchlist_hits_watchlist_ts", "watchlist_hits", ["watchlist_id", "ts"])


def downgrade() -> None:
    for table in (
        "watchlist_hits",
        "face_sightings",
        "watchlist_photos",
        "watchlist_persons",
        "watchlists",
    ):
        op.drop_table(table)
