"""The dead-letter list: deliveries that ran out of attempts, listed and retried by an
administrator (``/api/integrations/dead-letters``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import Engine, select, update

from kuzet.integrations.tables import DeadLetterRow


class DeadLetter(BaseModel):
    id: str
    target: str
    kind: str
    ref: str
    content_type: str
    body: str
    attempts: int
    last_error: str
    state: str
    first_attempt_at: datetime
    last_attempt_at: datetime
    delivered_at: datetime | None


@dataclass(frozen=True, slots=True)
class Failed:
    """What the dispatcher hands over when a delivery gives up."""

    id: str
    target: str
    kind: str
    ref: str
    content_type: str
    body: bytes
    attempts: int
    last_error: str
    first_attempt_at: datetime


def _utc(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def _model(row: DeadLetterRow) -> DeadLetter:
    d = DeadLetter.model_validate(row, from_attributes=True)
    return d.model_copy(
        update={
            "first_attempt_at": _utc(d.first_attempt_at),
            "last_attempt_at": _utc(d.last_attempt_at),
            "delivered_at": None if d.delivered_at is None else _utc(d.delivered_at),
        }
    )


class DeadLetters:
    """Rows of ``integ_dead_letters`` on the store's engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, f: Failed) -> None:
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            conn.execute(
                DeadLetterRow.__table__.delete().where(DeadLetterRow.id == f.id)  # type: ignore[attr-defined]
            )
            conn.execute(
                DeadLetterRow.__table__.insert().values(  # type: ignore[attr-defined]
                    id=f.id,
                    target=f.target,
                    kind=f.kind,
                    ref=f.ref,
                    content_type=f.content_type,
                    body=f.body.decode(),
                    attempts=f.attempts,
                    last_error=f.last_error[:2000],
                    state="dead",
                    first_attempt_at=f.first_attempt_at,
                    last_attempt_at=now,
                    delivered_at=None,
                )
            )

    def list(
        self, state: str | None = "dead", target: str | None = None, limit: int = 100
    ) -> list[DeadLetter]:
        q = select(DeadLetterRow).order_by(DeadLetterRow.last_attempt_at.desc()).limit(limit)
        if state is not None:
            q = q.where(DeadLetterRow.state == state)
        if target is not None:
            q = q.where(DeadLetterRow.target == target)
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        return [_model(DeadLetterRow(**r._mapping)) for r in rows]

    def get(self, dead_id: str) -> DeadLetter | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(DeadLetterRow).where(DeadLetterRow.id == dead_id)).first()
        return None if r is None else _model(DeadLetterRow(**r._mapping))

    def mark(self, dead_id: str, *, delivered: bool, error: str = "") -> None:
        now = datetime.now(UTC)
        values: dict[str, object] = {"last_attempt_at": now, "attempts": DeadLetterRow.attempts + 1}
        if delivered:
            values |= {"state": "delivered", "delivered_at": now}
        else:
            values |= {"last_error": error[:2000]}
        with self.engine.begin() as conn:
            conn.execute(update(DeadLetterRow).where(DeadLetterRow.id == dead_id).values(**values))
