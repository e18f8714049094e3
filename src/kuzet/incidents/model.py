"""Incident states, the workflow's allowed steps, and incidents as clients see them.

Routing, SLA and grouping are site settings: :mod:`kuzet.config.ops`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class State(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    ASSIGNED = "assigned"
    ON_SCENE = "on_scene"
    RESOLVED = "resolved"
    FALSE_ALARM = "false_alarm"


CLOSED = frozenset({State.RESOLVED, State.FALSE_ALARM})
OPEN = frozenset(State) - CLOSED

# Actions that never conflict: they add to the incident, they do not move it.
FREE_ACTIONS = frozenset({"note", "check"})

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

    action: str = Field(
        description="acknowledge, assign, on_scene, resolve, false_alarm, note, check"
    )
    agency: str | None = Field(None, max_length=64, description="assign: the agency to own it")
    unit: str | None = Field(None, max_length=128, description="assign: crew or unit")
    note: str | None = Field(None, max_length=4000)
    item: int | None = Field(None, ge=0, description="check: index of the checklist item")
    done: bool = Field(True, description="check: ticked (true) or unticked (false)")
    step_version: int | None = Field(
        None,
        description="optimistic lock: the step_version you saw; a step by someone else since "
        "is a 409 incident_conflict. Events arriving never change it; note and check ignore it",
    )
    version: int | None = Field(
        None, description="deprecated and ignored (it changed with every event): use step_version"
    )


class CheckMark(BaseModel):
    item: int
    done: bool
    actor: str
    ts: datetime


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
    version: int = Field(description="bumped by any change, events joining included")
    step_version: int = Field(description="bumped by workflow steps only: the step lock")
    checklist: list[CheckMark] = Field(
        default_factory=list, description="the latest tick of each checklist item"
    )

    @field_validator("checklist", mode="before")
    @classmethod
    def _none_is_empty(cls, v: Any) -> Any:
        return [] if v is None else v


class LogEntry(BaseModel):
    id: int
    ts: datetime
    actor: str
    agency_id: str | None
    action: str
    state: str
    note: str | None
    detail: dict[str, Any]


class ChecklistItem(BaseModel):
    id: int
    text: str | dict[str, str] = Field(description="the text, or the text per UI language")


class IncidentDetail(BaseModel):
    incident: Incident
    events: list[dict[str, Any]]
    log: list[LogEntry]
    checklist_items: list[ChecklistItem] = Field(
        default_factory=list, description="the operating procedure of the incident's type"
    )


@dataclass(frozen=True, slots=True)
class Change:
    """What listeners (the WebSocket hub) are told: an incident as it is now, and the
    timeline entry that changed it (a step, note, check or escalation; none for events)."""

    incident: Incident
    log: LogEntry | None = None
    created: bool = False  # this change opened the incident (CAP: the Alert, not an Update)
