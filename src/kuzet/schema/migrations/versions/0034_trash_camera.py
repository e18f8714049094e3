"""Recording trash: the camera of each trashed segment, so a recorder that shares the
index with others (a shard of a city) empties only its own cameras' trash.

Revision ID: 0034_trash_camera
Revises: 0033_integrations
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0034_trash_camera"
down_revision: str | None = "0033_integrations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rec_trash") as batch:
        batch.add_column(sa.Column("camera_id", sa.String(128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rec_trash") as batch:
        batch.drop_column("camera_id")
