"""Faces: the embedder that made each template (a gallery refuses another's templates).

Templates of two embedders live in different spaces (and dimensions), so each enrolled
photo and each sighting records the name of its embedder. Rows made before this
migration were all made by dlib.

Revision ID: 0025_face_embedder
Revises: 0024_evidence
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025_face_embedder"
down_revision: str | None = "0024_evidence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("watchlist_photos", "face_sightings")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("embedder", sa.String(64), nullable=False, server_default="dlib")
            )


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("embedder")
