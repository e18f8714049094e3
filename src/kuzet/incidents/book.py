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
from sqlalchemy.orm import sessionmaker

from kuzet.access.audit import AuditLog, Entry
from kuzet.access.errors import Forbidden, NotFound
from kuzet.access.model import Principal, Role
from kuzet.config.ops import OpsConfig
from kuzet.core.event import Event
from kuzet.core.records import CameraInfo, DeviceInfo
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
from kuzet.incidents.model import OPEN, Change, Incident, LogEntry, State, StepIn
from kuzet.incidents.tables import IncidentEventRow, IncidentLogRow, IncidentRow
from kuzet.incidents.visibility import prefilter, visible
from kuzet.incidents.workflow import apply_step, to_model

__all__ = ["BATCH", "IncidentBook", "to_model", "visible"]

ACT_ROLES = frozenset({Role.OPERATOR, Role.SUPERVISOR})
# a device (SOS button, fire panel ...) is routed and scoped like a camera
CameraLookup = Callable[[str], CameraInfo | DeviceInfo | None]
BATCH = 1000  # events per ingest transaction


class IncidentBook:
    def __init__(self, engine: Engine, audit: AuditLog, cfg: OpsConfig) -> None:
        self.cfg = cfg
        self.audit = audit
        self.engine = engine
        self._maker = sessionmaker(engine, expire_on_commit=False)
        self._sqlite = engine.dialect.name == "sqlite"
        # Ingest, workflow steps and escalation read incidents and write them back: in one
        # process they take turns (SQLite has no row locks; PostgreSQL's hold off other nodes).
        self._write = threading.Lock()

    # ------------------------------------------------------------ ingest
    def ingest(
        self, events: Sequence[Event], camera: CameraLookup, created: set[str] | None = None
    ) -> list[Incident]:
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
                rows, new = self._ingest_batch(events[i : i + BATCH], camera, seen)
            changed.update((r["id"], Incident.model_validate(r)) for r in rows)
            if created is not None:  # the ids this call opened, for its caller's listeners
                created.update(r["id"] for r in new)
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
                    for row in new
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
            decided: dict[tuple[str, str], bool] = {}  # per camera and type, once a batch
            for ev in fresh:
                key = (ev.camera_id, ev.type)
                if key not in decided:
                    decided[key] = self._makes_incident(ev, camera)
            fresh = [ev for ev in fresh if decided[(ev.camera_id, ev.type)]]
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

    def _makes_incident(self, ev: Event, camera: CameraLookup) -> bool:
        """Events of a type routed as informational (``incident: false``, by default
        line crossings) are statistics only: stored and searchable, never an alarm."""
        cam = camera(ev.camera_id)
        rule = self.cfg.route(ev.type, cam.category if cam else None, cam.district if cam else None)
        return rule.makes_incident(ev.type)

    # ------------------------------------------------------------ reads
    def incidents(
        self, p: Principal, *, open_only: bool = True, limit: int = 500
    ) -> list[Incident]:
        """Priority first (1 = high), then oldest first: what needs a hand now is on top."""
        stmt = select(IncidentRow).where(prefilter(p))
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
        self,
        p: Principal,
        incident_id: str,
        *,
        log_after: int | None = None,
        events_after: datetime | None = None,
    ) -> tuple[Incident, list[IncidentLogRow], list[IncidentEventRow]]:
        """The incident, its timeline and its event links (only those newer than
        ``log_after`` / ``events_after``: what a card that is open needs to catch up)."""
        with self._maker() as s:
            row = s.get(IncidentRow, incident_id)
            if row is None or not visible(p, row):
                raise NotFound(f"incident {incident_id!r} not found")  # out of scope reads alike
            q_log = select(IncidentLogRow).where(IncidentLogRow.incident_id == incident_id)
            if log_after is not None:
                q_log = q_log.where(IncidentLogRow.id > log_after)
            q_ev = select(IncidentEventRow).where(IncidentEventRow.incident_id == incident_id)
            if events_after is not None:
                q_ev = q_ev.where(IncidentEventRow.ts > events_after)
            log = list(s.scalars(q_log.order_by(IncidentLogRow.id)))
            evs = list(s.scalars(q_ev.order_by(IncidentEventRow.ts)))
            return to_model(row), log, evs

    # ------------------------------------------------------------ workflow
    def step(self, p: Principal, incident_id: str, body: StepIn) -> Change:
        """One workflow step by a person of the owning agency (or the platform); see
        :mod:`kuzet.incidents.workflow` for the lock and the refusals."""
        if p.session_id is None or p.role not in ACT_ROLES:
            raise Forbidden("only operators and supervisors work incidents")
        now = datetime.now(UTC)
        with self._write, self._maker.begin() as s:
            row = s.get(IncidentRow, incident_id, with_for_update=True)
            if row is None or not visible(p, row):
                raise NotFound(f"incident {incident_id!r} not found")
            if not (p.platform or p.agency_id == row.agency_id):
                raise Forbidden("the incident is owned by another agency", code="not_owner")
            detail = apply_step(s, row, body, p.username, now, self.cfg)
            log = IncidentLogRow(
                incident_id=row.id,
                ts=now,
                actor=p.username,
                agency_id=p.agency_id,
                action=body.action,
                state=row.state,
                note=body.note,
                detail=detail,
            )
            s.add(log)
            s.flush()
            change = Change(to_model(row), LogEntry.model_validate(log, from_attributes=True))
        self.audit.record(
            p.username,
            f"incident.{body.action}",
            target=f"incident/{incident_id}",
            agency_id=p.agency_id,
            ip=p.ip,
            reason=body.note,
            detail=detail,
        )
        return change

    # ------------------------------------------------------------ system entries
    def system_entry(self, incident_id: str, action: str, detail: dict[str, Any]) -> Change | None:
        """A timeline entry written by Kuzet itself (e.g. the cameras an SOS press opened):
        bumps ``version`` so cards redraw, never ``step_version``; None when unknown."""
        now = datetime.now(UTC)
        with self._write, self._maker.begin() as s:
            row = s.get(IncidentRow, incident_id)
            if row is None:
                return None
            row.updated_at, row.version = now, row.version + 1
            log = IncidentLogRow(
                incident_id=row.id, ts=now, actor=SYSTEM, agency_id=row.agency_id,
                action=action, state=row.state, note=None, detail=detail,
            )  # fmt: skip
            s.add(log)
            s.flush()
            entry = LogEntry.model_validate(log, from_attributes=True)
            return Change(to_model(row), entry)

    # ------------------------------------------------------------ SLA
    def escalate_due(self, now: datetime | None = None) -> list[Change]:
        """Open incidents past their acknowledge or resolve deadline, escalated once each:
        flagged, shared with the supervising agency, timeline and audit written."""
        now = now or datetime.now(UTC)
        out: list[Change] = []
        with self._write, self._maker.begin() as s:
            # every engine of a city runs this clock: a row another engine is escalating is
            # skipped (PostgreSQL re-checks the rest after it commits), so each is done once
            rows = list(
                s.scalars(
                    select(IncidentRow)
                    .where(
                        IncidentRow.state.in_([st.value for st in OPEN]),
                        IncidentRow.escalated_at.is_(None),
                        (IncidentRow.ack_due_at <= now) | (IncidentRow.resolve_due_at <= now),
                    )
                    .with_for_update(skip_locked=True)
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
                log = IncidentLogRow(
                    incident_id=row.id,
                    ts=now,
                    actor=SYSTEM,
                    agency_id=sup,
                    action="escalate",
                    state=row.state,
                    note=None,
                    detail={"missed": row.escalation, "to": sup},
                )
                s.add(log)
                s.flush()
                entry = LogEntry.model_validate(log, from_attributes=True)
                out.append(Change(to_model(row), entry))
        for inc in (c.incident for c in out):
            self.audit.record(
                SYSTEM,
                "incident.escalate",
                target=f"incident/{inc.id}",
                agency_id=inc.agency_id,
                detail={"missed": inc.escalation, "priority": inc.priority},
            )
        return out
