"""The incident book: events grouped into incidents, routed, and moved through the workflow.

All writes go through here, each in one transaction, each step written to the incident's
timeline *and* to the tamper-evident audit log. Visibility is decided here too, so the
REST routes and the WebSocket cannot disagree about who sees an incident.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from kuzet.access.audit import AuditLog
from kuzet.access.errors import Conflict, Forbidden, NotFound
from kuzet.access.model import Principal, Role
from kuzet.access.tables import AgencyRow
from kuzet.core.event import Event
from kuzet.core.records import CameraInfo
from kuzet.ops.model import CLOSED, OPEN, STEPS, Incident, OpsConfig, State, StepIn
from kuzet.ops.tables import IncidentEventRow, IncidentLogRow, IncidentRow

SYSTEM = "system"
ACT_ROLES = frozenset({Role.OPERATOR, Role.SUPERVISOR})
CameraLookup = Callable[[str], CameraInfo | None]


def to_model(row: IncidentRow) -> Incident:
    return Incident.model_validate(row, from_attributes=True)


def visible(p: Principal, inc: Incident | IncidentRow) -> bool:
    """The platform agency sees every incident; any other agency only those routed or
    assigned to it (now or before)."""
    return p.platform or p.agency_id in (inc.agencies or [])


class IncidentBook:
    def __init__(self, engine: Engine, audit: AuditLog, cfg: OpsConfig) -> None:
        self.cfg = cfg
        self.audit = audit
        self._maker = sessionmaker(engine, expire_on_commit=False)

    # ------------------------------------------------------------ ingest
    def ingest(self, events: Sequence[Event], camera: CameraLookup) -> list[Incident]:
        """New incidents for events that start something; later events of the same camera
        and type within the grouping window join the open incident. Idempotent per event."""
        changed: dict[str, IncidentRow] = {}
        created: list[IncidentRow] = []
        with self._maker.begin() as s:
            known = set(
                s.scalars(
                    select(IncidentEventRow.event_id).where(
                        IncidentEventRow.event_id.in_([e.id for e in events])
                    )
                )
            )
            for ev in events:
                if ev.id in known:
                    continue
                known.add(ev.id)
                row = self._open_for(s, ev)
                if row is None and ev.phase == "end":
                    continue  # the end of something nobody is working on: nothing to do
                if row is None:
                    row = self._create(s, ev, camera(ev.camera_id))
                    created.append(row)
                else:
                    self._join(row, ev)
                s.add(
                    IncidentEventRow(
                        event_id=ev.id, incident_id=row.id, type=ev.type, ts=ev.ts, score=ev.score
                    )
                )
                changed[row.id] = row
        for row in created:
            self.audit.record(
                SYSTEM,
                "incident.create",
                target=f"incident/{row.id}",
                agency_id=row.agency_id,
                detail={
                    "event": row.first_event_id,
                    "camera": row.camera_id,
                    "type": row.type,
                    "priority": row.priority,
                },
            )
        return [to_model(r) for r in changed.values()]

    def _open_for(self, s: Session, ev: Event) -> IncidentRow | None:
        since = ev.ts - timedelta(seconds=self.cfg.group_window_s)
        return s.scalars(
            select(IncidentRow)
            .where(
                IncidentRow.camera_id == ev.camera_id,
                IncidentRow.type == ev.type,
                IncidentRow.state.in_([st.value for st in OPEN]),
                IncidentRow.last_event_at >= since,
            )
            .order_by(IncidentRow.last_event_at.desc())
            .limit(1)
        ).first()

    def _create(self, s: Session, ev: Event, cam: CameraInfo | None) -> IncidentRow:
        category = cam.category if cam else None
        district = cam.district if cam else None
        rule = self.cfg.route(ev.type, category, district)
        sla = self.cfg.sla[rule.priority]
        now = datetime.now(UTC)
        owners = [rule.agency]
        row = IncidentRow(
            id=str(uuid.uuid4()),
            state=State.NEW.value,
            priority=rule.priority,
            type=ev.type,
            rule=ev.rule,
            camera_id=ev.camera_id,
            camera_name=cam.name if cam else None,
            category=category,
            district=district,
            latitude=cam.latitude if cam else None,
            longitude=cam.longitude if cam else None,
            agency_id=rule.agency,
            agencies=owners,
            unit=None,
            score=ev.score,
            first_event_id=ev.id,
            last_event_id=ev.id,
            snapshot_event_id=ev.id if ev.snapshot else None,
            event_count=1,
            event_ts=ev.ts,
            created_at=now,
            updated_at=now,
            last_event_at=ev.ts,
            acknowledged_at=None,
            assigned_at=None,
            on_scene_at=None,
            closed_at=None,
            ack_due_at=now + timedelta(seconds=sla.ack_s),
            resolve_due_at=now + timedelta(seconds=sla.resolve_s),
            escalated_at=None,
            escalation=None,
            version=1,
        )
        s.add(row)
        s.flush()
        s.add(
            IncidentLogRow(
                incident_id=row.id,
                ts=now,
                actor=SYSTEM,
                agency_id=rule.agency,
                action="create",
                state=row.state,
                note=None,
                detail={"event": ev.id, "routed_to": rule.agency, "priority": rule.priority},
            )
        )
        return row

    @staticmethod
    def _join(row: IncidentRow, ev: Event) -> None:
        row.event_count += 1
        row.last_event_id = ev.id
        row.last_event_at = max(row.last_event_at, ev.ts)
        if ev.score is not None and (row.score is None or ev.score > row.score):
            row.score = ev.score
        if row.snapshot_event_id is None and ev.snapshot:
            row.snapshot_event_id = ev.id
        row.updated_at = datetime.now(UTC)
        row.version += 1

    # ------------------------------------------------------------ reads
    def incidents(
        self, p: Principal, *, open_only: bool = True, limit: int = 500
    ) -> list[Incident]:
        """Priority first (1 = high), then oldest first: what needs a hand now is on top."""
        stmt = select(IncidentRow)
        if open_only:
            stmt = stmt.where(IncidentRow.state.in_([st.value for st in OPEN]))
        else:
            stmt = stmt.order_by(IncidentRow.created_at.desc())
        stmt = stmt.order_by(IncidentRow.priority, IncidentRow.created_at)
        out = []
        with self._maker() as s:
            for row in s.scalars(stmt):
                if visible(p, row):
                    out.append(to_model(row))
                    if len(out) >= limit:
                        break
        return out

    def get(
        self, p: Principal, incident_id: str
    ) -> tuple[Incident, list[IncidentLogRow], list[IncidentEventRow]]:
        with self._maker() as s:
            row = s.get(IncidentRow, incident_id)
            if row is None or not visible(p, row):
                raise NotFound(f"incident {incident_id!r} not found")  # out of scope reads alike
            log = list(
                s.scalars(
                    select(IncidentLogRow)
                    .where(IncidentLogRow.incident_id == incident_id)
                    .order_by(IncidentLogRow.id)
                )
            )
            evs = list(
                s.scalars(
                    select(IncidentEventRow)
                    .where(IncidentEventRow.incident_id == incident_id)
                    .order_by(IncidentEventRow.ts)
                )
            )
            return to_model(row), log, evs

    # ------------------------------------------------------------ workflow
    def step(self, p: Principal, incident_id: str, body: StepIn) -> Incident:
        """One workflow step by a person of the owning agency (or the platform)."""
        if p.session_id is None or p.role not in ACT_ROLES:
            raise Forbidden("only operators and supervisors work incidents")
        now = datetime.now(UTC)
        with self._maker.begin() as s:
            row = s.get(IncidentRow, incident_id, with_for_update=True)
            if row is None or not visible(p, row):
                raise NotFound(f"incident {incident_id!r} not found")
            if not (p.platform or p.agency_id == row.agency_id):
                raise Forbidden("the incident is owned by another agency")
            if body.version is not None and body.version != row.version:
                raise Conflict("the incident changed since you loaded it; reload")
            before = row.state
            detail: dict[str, Any] = {"from": before}
            if body.action != "note":
                self._apply(s, row, body, now, detail)
            elif not body.note:
                raise Conflict("a note needs text")
            row.updated_at, row.version = now, row.version + 1
            detail["to"] = row.state
            s.add(
                IncidentLogRow(
                    incident_id=row.id,
                    ts=now,
                    actor=p.username,
                    agency_id=p.agency_id,
                    action=body.action,
                    state=row.state,
                    note=body.note,
                    detail=detail,
                )
            )
            inc = to_model(row)
        self.audit.record(
            p.username,
            f"incident.{body.action}",
            target=f"incident/{inc.id}",
            agency_id=p.agency_id,
            ip=p.ip,
            reason=body.note,
            detail=detail,
        )
        return inc

    def _apply(
        self, s: Session, row: IncidentRow, body: StepIn, now: datetime, detail: dict[str, Any]
    ) -> None:
        step = STEPS.get(body.action)
        if step is None:
            raise Conflict(f"unknown action {body.action!r}")
        sources, target = step
        if State(row.state) not in sources:
            raise Conflict(f"cannot {body.action} an incident that is {row.state}")
        if body.action == "assign":
            agency = body.agency or row.agency_id
            if s.get(AgencyRow, agency) is None:
                raise Conflict(f"unknown agency {agency!r}")
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

    # ------------------------------------------------------------ SLA
    def escalate_due(self, now: datetime | None = None) -> list[Incident]:
        """Open incidents past their acknowledge or resolve deadline, escalated once each:
        flagged, shared with the supervising agency, timeline and audit written."""
        now = now or datetime.now(UTC)
        out: list[Incident] = []
        with self._maker.begin() as s:
            rows = s.scalars(
                select(IncidentRow).where(
                    IncidentRow.state.in_([st.value for st in OPEN]),
                    IncidentRow.escalated_at.is_(None),
                    (IncidentRow.ack_due_at <= now) | (IncidentRow.resolve_due_at <= now),
                )
            )
            for row in rows:
                late_ack = row.state == State.NEW.value and row.ack_due_at <= now
                if not late_ack and row.resolve_due_at > now:
                    continue  # acknowledged in time and not yet due to be resolved
                row.escalation = "ack" if late_ack else "resolve"
                row.escalated_at, row.updated_at, row.version = now, now, row.version + 1
                sup = self.cfg.supervisor_agency
                if sup not in row.agencies:
                    row.agencies = [*row.agencies, sup]
                s.add(
                    IncidentLogRow(
                        incident_id=row.id,
                        ts=now,
                        actor=SYSTEM,
                        agency_id=sup,
                        action="escalate",
                        state=row.state,
                        note=None,
                        detail={"missed": row.escalation, "to": sup},
                    )
                )
                out.append(to_model(row))
        for inc in out:
            self.audit.record(
                SYSTEM,
                "incident.escalate",
                target=f"incident/{inc.id}",
                agency_id=inc.agency_id,
                detail={"missed": inc.escalation, "priority": inc.priority},
            )
        return out
