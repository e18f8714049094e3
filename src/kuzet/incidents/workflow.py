"""One workflow step applied to an incident row: the state machine, the step lock, notes and
checklist ticks. Every refusal names itself with a machine-readable code and carries the
incident as it is now, so a client can show a translated message and refresh its card.

The lock is ``step_version``, bumped by the steps that move an incident (acknowledge,
assign, on scene, resolve, false alarm) and by nothing else: events joining the incident
bump ``version`` only, and notes and checklist ticks never conflict.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from kuzet.access.errors import AccessError
from kuzet.access.tables import AgencyRow
from kuzet.config.ops import OpsConfig
from kuzet.incidents.model import CLOSED, STEPS, Incident, State, StepIn
from kuzet.incidents.tables import IncidentRow


def to_model(row: IncidentRow) -> Incident:
    return Incident.model_validate(row, from_attributes=True)


class StepRefused(AccessError):
    """A step that cannot be taken; ``incident`` is the incident as it is now."""

    def __init__(self, status: int, code: str, message: str, incident: Incident) -> None:
        super().__init__(message, code=code)
        self.status = status
        self.incident = incident


def apply_step(
    s: Session, row: IncidentRow, body: StepIn, actor: str, now: datetime, cfg: OpsConfig
) -> dict[str, Any]:
    """Change ``row`` as ``body`` says; returns the timeline/audit detail of the step."""

    def refuse(status: int, code: str, message: str) -> StepRefused:
        return StepRefused(status, code, message, to_model(row))

    detail: dict[str, Any] = {"from": row.state}
    if body.action == "note":
        if not (body.note or "").strip():
            raise refuse(422, "note_required", "a note needs text")
    elif body.action == "check":
        items = cfg.procedures.get(row.type, [])
        if body.item is None or body.item >= len(items):
            raise refuse(422, "unknown_item", f"{row.type} has no checklist item {body.item}")
        marks = [m for m in row.checklist or [] if m.get("item") != body.item]
        marks.append({"item": body.item, "done": body.done, "actor": actor, "ts": now.isoformat()})
        row.checklist = sorted(marks, key=lambda m: int(m["item"]))
        detail.update(item=body.item, done=body.done, text=items[body.item])
    else:
        step = STEPS.get(body.action)
        if step is None:
            raise refuse(422, "unknown_action", f"unknown action {body.action!r}")
        if body.step_version is not None and body.step_version != row.step_version:
            raise refuse(
                409,
                "incident_conflict",
                "someone else moved this incident since you opened it: look again",
            )
        sources, target = step
        if State(row.state) not in sources:
            raise refuse(
                409, "invalid_transition", f"cannot {body.action} an incident that is {row.state}"
            )
        _move(s, row, body, target, now, detail, refuse)
        row.step_version += 1
    row.updated_at, row.version = now, row.version + 1
    detail["to"] = row.state
    return detail


def _move(
    s: Session,
    row: IncidentRow,
    body: StepIn,
    target: State,
    now: datetime,
    detail: dict[str, Any],
    refuse: Any,
) -> None:
    if body.action == "assign":
        agency = body.agency or row.agency_id
        if s.get(AgencyRow, agency) is None:
            raise refuse(409, "unknown_agency", f"unknown agency {agency!r}")
        detail.update(agency=agency, unit=body.unit, previous_agency=row.agency_id)
        row.agency_id, row.unit, row.assigned_at = agency, body.unit, now
        if agency not in row.agencies:
            row.agencies = [*row.agencies, agency]
    elif body.action == "acknowledge":
        row.acknowledged_at = now
    elif body.action == "on_scene":
        row.on_scene_at = now
    if target in CLOSED:
        row.closed_at = now
        row.acknowledged_at = row.acknowledged_at or now
    row.state = target.value
