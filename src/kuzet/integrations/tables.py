"""The dead-letter list on the store's ``Base`` (created by migration ``0033_integrations``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kuzet.store.tables import Base


class DeadLetterRow(Base):
    """A webhook delivery that ran out of attempts: the exact body, kept for a retry."""

    __tablename__ = "integ_dead_letters"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the delivery id
    target: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # event, incident, cap
    ref: Mapped[str] = mapped_column(String(64))  # event or incident id
    content_type: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))  # dead, delivered
    first_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_integ_dead_letters_state", "state", "last_attempt_at"),)
