"""Request and response bodies of the HTTP API (the OpenAPI schema is built from these)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from kuzet.core.camera import CameraStatus
from kuzet.core.event import Event
from kuzet.core.records import CameraInfo
from kuzet.obs.redact import redact_url


class CameraIn(CameraInfo):
    """A camera sent by a client; unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class CameraUpdate(CameraInfo):
    """Body of ``PUT /api/cameras/{id}``: a full replacement; ``id`` may be left out."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(None, min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.-]+$")  # type: ignore[assignment]


class LiveStatus(BaseModel):
    """What the running pipeline says about a camera right now."""

    state: str
    reason: str | None = None
    fps: float = 0.0
    reconnects: int = 0
    last_frame_at: datetime | None = None

    @classmethod
    def of(cls, st: CameraStatus) -> LiveStatus:
        last = None if st.last_frame_at is None else datetime.fromtimestamp(st.last_frame_at, UTC)
        return cls(
            state=st.state.value,
            reason=st.reason,
            fps=round(st.fps, 2),
            reconnects=st.reconnects,
            last_frame_at=last,
        )


class CameraOut(CameraInfo):
    """A camera as the API shows it: URL passwords masked, live status joined in.

    ``status`` is ``null`` when the pipeline does not run this camera (disabled, or
    the API was started without a pipeline).
    """

    status: LiveStatus | None = None

    @classmethod
    def of(cls, cam: CameraInfo, st: CameraStatus | None) -> CameraOut:
        data = cam.model_dump()
        data["main_url"] = redact_url(cam.main_url)
        data["sub_url"] = redact_url(cam.sub_url)
        return cls(**data, status=None if st is None else LiveStatus.of(st))


class EventPage(BaseModel):
    """One page of events, newest first; pass ``next_cursor`` back as ``cursor``."""

    items: list[Event]
    next_cursor: str | None = Field(None, description="null on the last page")


class FieldError(BaseModel):
    field: str = Field(description="dotted location, e.g. 'body.latitude' or 'query.limit'")
    message: str
    type: str


class ErrorBody(BaseModel):
    """Every error the API returns has this shape."""

    error: str = Field(description="machine-readable code, e.g. 'not_found'")
    message: str
    fields: list[FieldError] | None = None
    until: datetime | None = Field(None, description="'locked': when logins from here work again")


class CheckResult(BaseModel):
    ok: bool
    detail: str | None = None


class CamerasSummary(BaseModel):
    online: int
    total: int


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    checks: dict[str, CheckResult]
    cameras: CamerasSummary | None = Field(None, description="null when no pipeline runs")
    reasons: list[str] = Field(default_factory=list)


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return ErrorBody(error=code, message=message, **extra).model_dump(exclude_none=True)
