"""The incident book: events grouped into incidents, routed, and moved through the workflow.

All writes go through here, each in one transaction, each step written to the incident's
timeline *and* to the tamper-evident audit log. Visibility is decided here too, so the
REST routes and the WebSocket cannot disagree about who sees an incident.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Engine, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from kuzet.access.audit import AuditLog, Entry
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
Row = dict[str, Any]  # an incident (or timeline, link) row as column -> value
BATCH = 1000  # events per ingest transaction
_OPEN_STATES = frozenset(st.value for st in OPEN)

_INCIDENTS = cast(Table, IncidentRow.__table__)
_LOG = cast(Table, IncidentLogRow.__table__)
_LINKS = cast(Table, IncidentEventRow.__table__)
# What joining an event changes on an incident, written back once per batch.
_JOIN_COLUMNS = ("event_count", "last_event_id", "last_event_at", "score", "snapshot_event_id",
                 "updated_at", "version")  # fmt: skip
_SQLITE_TS = "%Y-%m-%d %H:%M:%S.%f"  # what UTCDateTime writes on SQLite
_SQLITE_LINKS = (
    "INSERT INTO ops_incident_events (event_id, incident_id, type, ts, score) "
    "VALUES (?, ?, ?, ?, ?)"
)
_JOIN_UPDATE = (
    update(_INCIDENTS)
    .where(_INCIDENTS.c.id == bindparam("b_id"))
    .values({k: bindparam(f"b_{k}") for k in _JOIN_COLUMNS})
)


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
            groups = self._open_groups(s, fresh)
            for ev in fresh:
                group = groups.setdefault((ev.camera_id, ev.type), [])
                row = self._open_for(group, ev)
                if row is None and ev.phase == "end":
                    continue  # the end of something nobody is working on: nothing to do
                if row is None:
                    row, log = self._create(ev, camera(ev.camera_id))
                    logs.append(log)
                    group.append(row)
                    created.append(row)
                else:
                    self._join(row, ev)
                links.append(
                    {"event_id": ev.id, "incident_id": row["id"], "type": ev.type, "ts": ev.ts,
                     "score": ev.score}
                )  # fmt: skip
                changed[row["id"]] = row
            # the incidents first: the timeline and the links refer to them
            if created:
                s.execute(insert(_INCIDENTS), created)
            new = {r["id"] for r in created}
            joined = [
                {f"b_{k}": r[k] for k in ("id", *_JOIN_COLUMNS)}
                for r in changed.values()
                if r["id"] not in new
            ]
            if joined:
                s.execute(_JOIN_UPDATE, joined)
            if logs:
                s.execute(insert(_LOG), logs)
            if links:
                self._insert_links(s, links)
        return list(changed.values()), created

    def _insert_links(self, s: Session, links: list[Row]) -> None:
        """One row per grouped event: the bulk of what a batch writes. On SQLite a plain
        DB-API ``executemany`` of tuples, values encoded as the column types store them
        (as ``Store.insert_events`` does): twice the rows/s of the typed path."""
        if self._sqlite:
            rows = [
                (r["event_id"], r["incident_id"], r["type"],
                 r["ts"].astimezone(UTC).strftime(_SQLITE_TS), r["score"])
                for r in links
            ]  # fmt: skip
            s.connection().exec_driver_sql(_SQLITE_LINKS, rows)
        else:
            s.execute(insert(_LINKS), links)

    def _open_groups(self, s: Session, events: Sequence[Event]) -> dict[tuple[str, str], list[Row]]:
        """Open incidents of the events' cameras and types that any of them may join.

        First the ids, by camera and type (the grouping index), of only the pairs in the
        batch; then those rows whole, by id, locked (on PostgreSQL, in id order: two
        nodes cannot deadlock over them).
        """
        since = min(ev.ts for ev in events) - timedelta(seconds=self.cfg.group_window_s)
        pairs = {(ev.camera_id, ev.type) for ev in events}
        c = _INCIDENTS.c
        ids = [
            r.id
            for r in s.execute(
                select(c.id, c.camera_id, c.type).where(
                    c.camera_id.in_({p[0] for p in pairs}),
                    c.type.in_({p[1] for p in pairs}),
                    c.state.in_([st.value for st in OPEN]),
                    c.last_event_at >= since,
                )
            )
            if (r.camera_id, r.type) in pairs
        ]
        groups: dict[tuple[str, str], list[Row]] = {}
        if not ids:
            return groups
        stmt = select(_INCIDENTS).where(c.id.in_(ids)).order_by(c.id).with_for_update()
        for m in s.execute(stmt).mappings():
            row = dict(m)
            if row["state"] in _OPEN_STATES:  # changed between the two reads: leave it
                groups.setdefault((row["camera_id"], row["type"]), []).append(row)
        return groups

    def _open_for(self, group: list[Row], ev: Event) -> Row | None:
        """Of the open incidents of the event's camera and type, the one with the latest
        event, if that is within the grouping window before the event."""
        since = ev.ts - timedelta(seconds=self.cfg.group_window_s)
        best: Row | None = None
        for row in group:
            at = row["last_event_at"]
            if at >= since and (best is None or at > best["last_event_at"]):
                best = row
        return best

    def _create(self, ev: Event, cam: CameraInfo | None) -> tuple[Row, Row]:
        """A new incident for ``ev`` (routed, SLA clock started) and its first timeline row."""
        category = cam.category if cam else None
        district = cam.district if cam else None
        rule = self.cfg.route(ev.type, category, district)
        sla = self.cfg.sla[rule.priority]
        now = datetime.now(UTC)
        row: Row = {
            "id": str(uuid.uuid4()),
            "state": State.NEW.value,
            "priority": rule.priority,
            "type": ev.type,
            "rule": ev.rule,
            "camera_id": ev.camera_id,
            "camera_name": cam.name if cam else None,
            "category": category,
            "district": district,
            "latitude": cam.latitude if cam else None,
            "longitude": cam.longitude if cam else None,
            "agency_id": rule.agency,
            "agencies": [rule.agency],
            "unit": None,
            "score": ev.score,
            "first_event_id": ev.id,
            "last_event_id": ev.id,
            "snapshot_event_id": ev.id if ev.snapshot else None,
            "event_count": 1,
            "event_ts": ev.ts,
            "created_at": now,
            "updated_at": now,
            "last_event_at": ev.ts,
            "acknowledged_at": None,
            "assigned_at": None,
            "on_scene_at": None,
            "closed_at": None,
            "ack_due_at": now + timedelta(seconds=sla.ack_s),
            "resolve_due_at": now + timedelta(seconds=sla.resolve_s),
            "escalated_at": None,
            "escalation": None,
            "version": 1,
        }
        log: Row = {
            "incident_id": row["id"],
            "ts": now,
            "actor": SYSTEM,
            "agency_id": rule.agency,
            "action": "create",
            "state": row["state"],
            "note": None,
            "detail": {"event": ev.id, "routed_to": rule.agency, "priority": rule.priority},
        }
        return row, log

    @staticmethod
    def _join(row: Row, ev: Event) -> None:
        row["event_count"] += 1
        row["last_event_id"] = ev.id
        row["last_event_at"] = max(row["last_event_at"], ev.ts)
        if ev.score is not None and (row["score"] is None or ev.score > row["score"]):
            row["score"] = ev.score
        if row["snapshot_event_id"] is None and ev.snapshot:
            row["snapshot_event_id"] = ev.id
        row["updated_at"] = datetime.now(UTC)
        row["version"] += 1

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
