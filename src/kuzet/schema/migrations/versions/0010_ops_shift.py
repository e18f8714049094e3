"""Operations centre, a whole shift: the step lock, checklists, camera view direction and
saved camera-wall views.

* ``ops_incidents.step_version``: the optimistic lock of operator steps, bumped only by
  workflow steps (events joining bump ``version``); existing incidents start at 1.
* ``ops_incidents.checklist``: the latest tick of each item of the type's procedure.
* ``cameras.direction_deg`` / ``fov_deg``: where a camera looks, for the map.
* ``ops_wall_views``: each person's saved camera-wall layouts.

Revision ID: 0010_ops_shift
Revises: 0006_auth_hardening
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_ops_shift"
down_revision: str | None = "0008_grants_sealing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ADD / DROP COLUMN (SQLite >= 3.35 has both): a batch rebuild of ops_incidents
    # would cascade-delete its timeline and event links on SQLite (foreign_keys=ON)
    op.add_column(
        "ops_incidents", sa.Column("step_version", sa.Integer, nullable=False, server_default="1")
    )
    op.add_column("ops_incidents", sa.Column("checklist", sa.JSON, nullable=True))
    op.add_column("cameras", sa.Column("direction_deg", sa.Float, nullable=True))
    op.add_column("cameras", sa.Column("fov_deg", sa.Float, nullable=True))
    op.create_table(
        "ops_wall_views",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "user_id", sa.String(36), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("layout", sa.Integer, nullable=False),
        sa.Column("cameras", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "name", name="uq_ops_wall_views_user_name"),
    )
    op.create_index("ix_ops_wall_views_user_id", "ops_wall_views", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_ops_wall_views_user_id", table_name="ops_wall_views")
    op.drop_table("ops_wall_views")
    for column in ("fov_deg", "direction_deg"):
        op.drop_column("cameras", column)
    for column in ("checklist", "step_version"):
        op.drop_column("ops_incidents", column)
