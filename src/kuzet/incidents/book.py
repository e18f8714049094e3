"""The incident book: events grouped into incidents, routed, and moved through the workflow.

All writes go through here, each in one transaction, each step written to the incident's
timeline *and* to the tamper-evident audit log. Visibility is decided here too, so the
REST routes and the WebSocket cannot disagree about who sees an incident.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session, sessionmaker

from kuzet.access.audit import AuditLog, Entry
from kuzet.access.errors import Conflict, Forbidden, NotFound
from kuzet.access.model import Principal, Role
from kuzet.access.tables import AgencyRow
from kuzet.config.ops import OpsConfig
from kuzet.core.event import Event
from kuzet.core.records import CameraInfo
from kuzet.incidents.grouping import (
    INCIDENTS,
    JOIN_COLUMNS,
    JOIN_UPDATE,
    LOG,
    SYSTEM,
    Row,
    insert_links,
    join,
    new_incident,
    open_for,
    open_groups,
)
from kuzet.incidents.model import CLOSED, OPEN, STEPS, Incident, State, StepIn
from kuzet.incidents.tables import IncidentEventRow, IncidentLogRow, IncidentRow

ACT_ROLES = frozenset({Role.OPERATOR, Role.SUPERVISOR})
CameraLookup = Callable[[str], CameraInfo | None]
BATCH = 1000  # events per ingest transaction


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
        self._sqlite = engine.dialect.name == "sqlite"
        # Ingest, workflow steps and escalation read incidents and write them back: in one
        # process they take turns (SQLite has no row locks; PostgreSQL's hold off other nodes).
        self._write = threading.Lock()

    # ------------------------------------------------------------ ingest
    def ingest(self, events: Sequence[Event], camera: CameraLookup) -> list[Incident]:
        """New incidents for events that start something; later events of the same camera
        and type within the grouping window join the open incident. Idempotent per event.

        One transaction per :data:`BATCH` events: one query for the ids already grouped,
        one for the open incidents of the batch's cameras and types (locked on PostgreSQL,
        so an operator's step waits for the batch instead of racing it), the joins and new
        incidents worked out in memory and written back in bulk, then one audit
        transaction for the incidents opened. The database stays the only state, so what
        another node of the ``ops`` group or an operator did is seen by the next batch.
        """
        changed: dict[str, Incident] = {}
        seen: set[str] = set()  # an id twice in one call counts once, as in one transaction
        for i in range(0, len(events), BATCH):
            with self._write:
                rows, created = self._ingest_batch(events[i : i + BATCH], camera, seen)
            changed.update((r["id"], Incident.model_validate(r)) for r in rows)
            self.audit.record_many(
                [
                    Entry(
                        SYSTEM,
                        "incident.create",
                        target=f"incident/{row['id']}",
                        agency_id=row["agency_id"],
                        detail={
                            "event": row["first_event_id"],
                            "camera": row["camera_id"],
                            "type": row["type"],
                            "priority": row["priority"],
                        },
                    )
                    for row in created
                ]
            )
        return list(changed.values())

    def _ingest_batch(
        self, events: Sequence[Event], camera: CameraLookup, seen: set[str]
    ) -> tuple[list[Row], list[Row]]:
        """One transaction: returns the incidents changed and those of them created, as
        plain column dicts (no ORM objects on this path: its cost is per event)."""
        changed: dict[str, Row] = {}
        created: list[Row] = []
        links: list[Row] = []
        logs: list[Row] = []
        with self._maker.begin() as s:
            known = set(
                s.scalars(
                    select(IncidentEventRow.event_id).where(
                        IncidentEventRow.event_id.in_({e.id for e in events})
                    )
                )
            )
            fresh = []
            for ev in events:
                if ev.id not in known and ev.id not in seen:
                    seen.add(ev.id)
                    fresh.append(ev)
            if not fresh:
                return [], []
            groups = open_groups(s, fresh, self.cfg.group_window_s)
            for ev in fresh:
                group = groups.setdefault((ev.camera_id, ev.type), [])
                row = open_for(group, ev, self.cfg.group_window_s)
                if row is None and ev.phase == "end":
                    continue  # the end of something nobody is working on: nothing to do
                if row is None:
                    row, log = new_incident(ev, camera(ev.camera_id), self.cfg)
                    logs.append(log)
                    group.append(row)
                    created.append(row)
                else:
                    join(row, ev)
                links.append(
                    {"event_id": ev.id, "incident_id": row["id"], "type": ev.type, "ts": ev.ts,
                     "score": ev.score}
                )  # fmt: skip
                changed[row["id"]] = row
            # the incidents first: the timeline and the links refer to them
            if created:
                s.execute(insert(INCIDENTS), created)
            new = {r["id"] for r in created}
            joined = [
                {f"b_{k}": r[k] for k in ("id", *JOIN_COLUMNS)}
                for r in changed.values()
                if r["id"] not in new
            ]
            if joined:
                s.execute(JOIN_UPDATE, joined)
            if logs:
                s.execute(insert(LOG), logs)
            if links:
                insert_links(s, links, self._sqlite)
        return list(changed.values()), created

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
        with self._write, self._maker.begin() as s:
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
        with self._write, self._maker.begin() as s:
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
