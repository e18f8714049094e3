"""Bodies of the plate search and plate watchlist routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["stolen", "wanted", "unpaid", "suspect", "other"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlateReadOut(BaseModel):
    event_id: str
    plate: str
    plate_display: str | None
    plate_format: str | None
    plate_country: str | None
    confidence: float | None
    camera_id: str
    track_id: int | None
    ts: datetime
    vehicle_class: str | None
    has_snapshot: bool
    distance: int = Field(description="edit distance from the query (0 unless fuzzy)")


class PlateSearchOut(BaseModel):
    query: dict[str, Any]
    reads: list[PlateReadOut]
    next_cursor: str | None


class PlateListIn(_In):
    name: str = Field(min_length=1, max_length=256)
    kind: Kind = "stolen"
    alert_target: str | None = Field(
        None, max_length=64, description="agency a hit alerts; default city-police"
    )
    fuzzy_distance: int = Field(0, ge=0, le=2, description="0: exact; 1-2: edits allowed")
    priority: int = Field(1, ge=1, le=3)
    visibility: list[str] = Field(default_factory=list, max_length=50)


class PlateListPatch(_In):
    name: str | None = Field(None, min_length=1, max_length=256)
    kind: Kind | None = None
    alert_target: str | None = Field(None, max_length=64)
    fuzzy_distance: int | None = Field(None, ge=0, le=2)
    priority: int | None = Field(None, ge=1, le=3)
    visibility: list[str] | None = Field(None, max_length=50)


class PlateListOut(BaseModel):
    id: str
    agency_id: str
    name: str
    kind: str
    alert_target: str
    fuzzy_distance: int
    priority: int
    visibility: list[str]
    entries: int
    created_by: str
    created_at: datetime
    updated_at: datetime


class PlateEntryIn(_In):
    plate: str = Field(min_length=1, max_length=32)
    reason: str = Field(min_length=1, max_length=500)
    valid_until: datetime | None = None


class PlateEntryOut(BaseModel):
    id: str
    list_id: str
    plate: str
    plate_display: str | None
    reason: str
    added_by: str
    valid_until: datetime | None
    created_at: datetime
    updated_at: datetime


class PutEntryOut(BaseModel):
    outcome: str
    entry: PlateEntryOut


class ImportOut(BaseModel):
    created: int
    updated: int
    unchanged: int
    errors: list[dict[str, Any]]


class PlateMatchOut(BaseModel):
    event_id: str
    read_event_id: str
    list_id: str
    entry_id: str
    plate: str
    entry_plate: str
    distance: int
    camera_id: str
    ts: datetime


class ErasedOut(BaseModel):
    erased: dict[str, int]
