"""Incident states, the workflow's allowed steps, and incidents as clients see them.

Routing, SLA and grouping are site settings: :mod:`kuzet.config.ops`."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class State(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    ASSIGNED = "assigned"
    ON_SCENE = "on_scene"
    RESOLVED = "resolved"
    FALSE_ALARM = "false_alarm"


CLOSED = frozenset({State.RESOLVED, State.FALSE_ALARM})
OPEN = frozenset(State) - CLOSED

# action -> (states it may start from, state it leads to)
STEPS: dict[str, tuple[frozenset[State], State]] = {
    "acknowledge": (frozenset({State.NEW}), State.ACKNOWLEDGED),
    "assign": (frozenset({State.ACKNOWLEDGED, State.ASSIGNED, State.ON_SCENE}), State.ASSIGNED),
    "on_scene": (frozenset({State.ASSIGNED}), State.ON_SCENE),
    "resolve": (frozenset({State.ACKNOWLEDGED, State.ASSIGNED, State.ON_SCENE}), State.RESOLVED),
    "false_alarm": (OPEN, State.FALSE_ALARM),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StepIn(_Strict):
    """One workflow step on an incident, as the API receives it."""

    action: str = Field(description="acknowledge, assign, on_scene, resolve, false_alarm, note")
    agency: str | None = Field(None, max_length=64, description="assign: the agency to own it")
    unit: str | None = Field(None, max_length=128, description="assign: crew or unit")
    note: str | None = Field(None, max_length=4000)
    version: int | None = Field(None, description="optimistic lock: the version you saw")


class Incident(BaseModel):
    """An incident as clients see it (queue, map, detail)."""

    id: str
    state: State
    priority: int
    type: str
    rule: str | None
    camera_id: str
    camera_name: str | None
    category: str | None
    district: str | None
    latitude: float | None
    longitude: float | None
    agency_id: str
    agencies: list[str]
    unit: str | None
    score: float | None
    first_event_id: str
    last_event_id: str
    snapshot_event_id: str | None
    event_count: int
    event_ts: datetime
    created_at: datetime
    updated_at: datetime
    last_event_at: datetime
    acknowledged_at: datetime | None
    assigned_at: datetime | None
    on_scene_at: datetime | None
    closed_at: datetime | None
    ack_due_at: datetime
    resolve_due_at: datetime
    escalated_at: datetime | None
    escalation: str | None
    version: int


class LogEntry(BaseModel):
    ts: datetime
    actor: str
    agency_id: str | None
    action: str
    state: str
    note: str | None
    detail: dict[str, Any]


class IncidentDetail(BaseModel):
    incident: Incident
    events: list[dict[str, Any]]
    log: list[LogEntry]
