"""Bodies of the watchlist and face routes. None carries a template or a raw photo:
photos travel only in the audited download and the export (see docs/faces.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["wanted", "missing", "vip_exclusion", "other"]
AgencyIds = list[str]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WatchlistIn(_In):
    name: str = Field(min_length=1, max_length=256)
    kind: Kind = "wanted"
    threshold: float | None = Field(None, gt=0, lt=1, description="cosine; site default 0.963")
    false_alert_target: float | None = Field(
        None, gt=0, le=1,
        description="expected false alerts per search (e.g. 0.001); the threshold then "
        "follows the list's size and the embedder's measured impostor scores",
    )  # fmt: skip
    priority: int = Field(1, ge=0, le=100, description="higher wins when lists overlap")
    visibility: AgencyIds = Field(
        default_factory=list, max_length=50, description="other agencies that see hits"
    )


class WatchlistPatch(_In):
    name: str | None = Field(None, min_length=1, max_length=256)
    threshold: float | None = Field(None, gt=0, lt=1)
    false_alert_target: float | None = Field(
        None, gt=0, le=1,
        description="expected false alerts per search (e.g. 0.001); the threshold then "
        "follows the list's size and the embedder's measured impostor scores",
    )  # fmt: skip
    priority: int | None = Field(None, ge=0, le=100)
    visibility: AgencyIds | None = Field(None, max_length=50)


class WatchlistOut(BaseModel):
    id: str
    agency_id: str
    name: str
    kind: str
    threshold: float
    false_alert_target: float | None = None
    threshold_explained: dict[str, Any] | None = Field(
        None, description="how the threshold follows from the target and the list's size"
    )
    priority: int
    visibility: list[str]
    persons: int
    created_at: datetime
    updated_at: datetime


class PhotoOut(BaseModel):
    id: str
    sha256: str
    quality: dict[str, Any]
    created_at: datetime


class PersonOut(BaseModel):
    id: str
    watchlist_id: str
    external_id: str
    name: str
    case: dict[str, Any]
    photos: list[PhotoOut]
    created_at: datetime
    updated_at: datetime


class EnrolOut(BaseModel):
    outcome: Literal["created", "updated", "unchanged", "rejected"]
    person: PersonOut | None
    rejected: list[str] = Field(description="why each refused photo was refused")


class SyncRecord(_In):
    external_id: str = Field(min_length=1, max_length=128)
    name: str = Field(min_length=1, max_length=256)
    case: dict[str, Any] = Field(default_factory=dict)
    photos: list[str] = Field(
        min_length=1, max_length=20, description="base64 JPEG/PNG; the full set each time"
    )


class SyncIn(_In):
    records: list[SyncRecord] = Field(default_factory=list, max_length=1000)
    deleted: list[str] = Field(default_factory=list, max_length=10000)
    full: bool = Field(False, description="the batch is the whole list: absent persons go")


class SyncOut(BaseModel):
    counts: dict[str, int]
    rejected: dict[str, list[str]]


class HitOut(BaseModel):
    id: str
    event_id: str
    watchlist_id: str
    person_id: str
    photo_id: str
    camera_id: str
    track_id: int
    score: float
    ts: datetime
    sighting_id: str | None


class HitView(HitOut):
    watchlist_name: str
    person_name: str
    external_id: str
    case: dict[str, Any]
    snapshot_url: str = Field(description="the event's snapshot (GET, biometric clearance)")


class HitPage(BaseModel):
    items: list[HitOut]


class FoundOut(BaseModel):
    sighting_id: str
    camera_id: str
    track_id: int
    ts: datetime
    score: float
    box: list[float]


class SearchOut(BaseModel):
    items: list[FoundOut]
    cameras: list[str] | None = Field(description="searched cameras; null: all in scope")
    probe_quality: dict[str, Any]


class ErasedOut(BaseModel):
    erased: dict[str, int]
