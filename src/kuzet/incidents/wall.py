"""The camera wall's saved views: per person, a name, a layout (1, 4, 9 or 16 tiles) and the
camera of each tile. Stored server-side so a view follows its owner to any console; the
cameras named are still checked against the viewer's scope when a tile is watched."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import JSON, Engine, ForeignKey, Integer, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from kuzet.access.errors import Conflict
from kuzet.store.tables import Base

MAX_VIEWS = 50  # per person
CameraId = str | None


class ViewRow(Base):
    """Created by migration ``0010_ops_shift``."""

    __tablename__ = "ops_wall_views"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    layout: Mapped[int] = mapped_column(Integer)
    cameras: Mapped[list[Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_ops_wall_views_user_name"),)


class ViewIn(BaseModel):
    """A view as a client saves it: ``cameras[i]`` is tile ``i`` (``null``: empty)."""

    model_config = ConfigDict(extra="forbid")

    layout: Literal[1, 4, 9, 16]
    cameras: list[CameraId] = Field(default_factory=list, max_length=16)

    @model_validator(mode="after")
    def _fits(self) -> ViewIn:
        if len(self.cameras) > self.layout:
            raise ValueError(f"{len(self.cameras)} cameras do not fit a {self.layout}-tile layout")
        for cam in self.cameras:
            if cam is not None and not 0 < len(cam) <= 128:
                raise ValueError("a camera id is 1-128 characters")
        return self


class View(ViewIn):
    name: str
    updated_at: datetime


def _view(row: ViewRow) -> View:
    return View(name=row.name, layout=row.layout, cameras=row.cameras, updated_at=row.updated_at)


class Wall:
    """Saved views of each person (the caller's own only: the user id is the key)."""

    def __init__(self, engine: Engine) -> None:
        self._maker = sessionmaker(engine, expire_on_commit=False)

    def list(self, user_id: str) -> list[View]:
        with self._maker() as s:
            rows = s.scalars(
                select(ViewRow).where(ViewRow.user_id == user_id).order_by(ViewRow.name)
            )
            return [_view(r) for r in rows]

    def put(self, user_id: str, name: str, body: ViewIn) -> View:
        now = datetime.now(UTC)
        with self._maker.begin() as s:
            row = s.scalar(select(ViewRow).where(ViewRow.user_id == user_id, ViewRow.name == name))
            if row is None:
                n = len(list(s.scalars(select(ViewRow.id).where(ViewRow.user_id == user_id))))
                if n >= MAX_VIEWS:
                    raise Conflict(f"at most {MAX_VIEWS} saved views", code="too_many_views")
                row = ViewRow(user_id=user_id, name=name)
                s.add(row)
            row.layout, row.cameras, row.updated_at = body.layout, list(body.cameras), now
            s.flush()
            return _view(row)

    def delete(self, user_id: str, name: str) -> bool:
        with self._maker.begin() as s:
            res = s.execute(delete(ViewRow).where(ViewRow.user_id == user_id, ViewRow.name == name))
            return bool(getattr(res, "rowcount", 0))
