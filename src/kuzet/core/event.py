"""The one event type every rule emits and every consumer reads."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_NAMESPACE = uuid.UUID("5b3c1f4e-8f0e-4c56-9a57-6b757a657421")


def event_id(*parts: object) -> str:
    """Deterministic id from what makes an event unique.

    Replaying the same footage yields the same ids, so a store that ignores duplicate
    ids makes at-least-once delivery effectively exactly-once.
    """
    return str(uuid.uuid5(_NAMESPACE, "|".join(str(p) for p in parts)))


class Event(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    type: str = Field(description="rule type, e.g. 'intrusion'")
    camera_id: str
    ts: datetime = Field(description="UTC wall time of the frame that raised it")
    pts: float = Field(0.0, description="media time of that frame, seconds")
    phase: str = Field("instant", description="start, end or instant")
    rule: str | None = None
    track_id: int | None = None
    class_name: str | None = None
    score: float | None = None
    box: tuple[float, float, float, float] | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    snapshot: str | None = Field(None, description="blob key of the JPEG snapshot")

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)
