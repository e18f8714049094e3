"""Grouping events into incidents, the batch ingest's working parts: which open incidents
a batch may join, what joining changes, what a new incident looks like (routed, SLA
clock started), and the bulk write of the event links. Plain column dicts, no ORM
objects: their cost is per event.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from kuzet.config.ops import OpsConfig
from kuzet.core.event import Event
from kuzet.core.records import CameraInfo, DeviceInfo
from kuzet.incidents.model import OPEN, State
from kuzet.incidents.tables import IncidentEventRow, IncidentLogRow, IncidentRow
from kuzet.store.locks import lock_keys

SYSTEM = "system"
Row = dict[str, Any]  # an incident (or timeline, link) row as column -> value
_OPEN_STATES = frozenset(st.value for st in OPEN)

INCIDENTS = cast(Table, IncidentRow.__table__)
LOG = cast(Table, IncidentLogRow.__table__)
LINKS = cast(Table, IncidentEventRow.__table__)
# What joining an event changes on an incident, written back once per batch.
JOIN_COLUMNS = ("event_count", "last_event_id", "last_event_at", "score", "snapshot_event_id",
                 "updated_at", "version")  # fmt: skip
_SQLITE_TS = "%Y-%m-%d %H:%M:%S.%f"  # what UTCDateTime writes on SQLite
_SQLITE_LINKS = (
    "INSERT INTO ops_incident_events (event_id, incident_id, type, ts, score) "
    "VALUES (?, ?, ?, ?, ?)"
)
JOIN_UPDATE = (
    update(INCIDENTS)
    .where(INCIDENTS.c.id == bindparam("b_id"))
    .values({k: bindparam(f"b_{k}") for k in JOIN_COLUMNS})
)


def open_groups(
    s: Session, events: Sequence[Event], window_s: float
) -> dict[tuple[str, str], list[Row]]:
    """Open incidents of the events' cameras and types that any of them may join.

    First the ids, by camera and type (the grouping index), of only the pairs in the
    batch; then those rows whole, by id, locked (on PostgreSQL, in id order: two
    nodes cannot deadlock over them).
    """
    since = min(ev.ts for ev in events) - timedelta(seconds=window_s)
    pairs = {(ev.camera_id, ev.type) for ev in events}
    # the bus hands a camera's events to whichever engine is free: two engines finding no
    # open incident at once would each open one, so one engine at a time per pair
    lock_keys(s, (f"kuzet.incident:{camera}:{kind}" for camera, kind in pairs))
    c = INCIDENTS.c
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
    stmt = select(INCIDENTS).where(c.id.in_(ids)).order_by(c.id).with_for_update()
    for m in s.execute(stmt).mappings():
        row = dict(m)
        if row["state"] in _OPEN_STATES:  # changed between the two reads: leave it
            groups.setdefault((row["camera_id"], row["type"]), []).append(row)
    return groups


def open_for(group: list[Row], ev: Event, window_s: float) -> Row | None:
    """Of the open incidents of the event's camera and type, the one with the latest
    event, if that is within the grouping window before the event."""
    since = ev.ts - timedelta(seconds=window_s)
    best: Row | None = None
    for row in group:
        at = row["last_event_at"]
        if at >= since and (best is None or at > best["last_event_at"]):
            best = row
    return best


def _place(ev: Event, cam: CameraInfo | DeviceInfo | None) -> dict[str, float | None]:
    """The camera's place; a camera without one (a drone) lends the event's own position
    (``attributes.lat``/``lon``: where a drone placed the object on the ground)."""
    if cam is not None and cam.latitude is not None and cam.longitude is not None:
        return {"latitude": cam.latitude, "longitude": cam.longitude}
    lat, lon = ev.attributes.get("lat"), ev.attributes.get("lon")
    if (
        isinstance(lat, int | float)
        and isinstance(lon, int | float)
        and -90 <= lat <= 90
        and -180 <= lon <= 180
    ):
        return {"latitude": float(lat), "longitude": float(lon)}
    return {"latitude": None, "longitude": None}


def new_incident(ev: Event, cam: CameraInfo | DeviceInfo | None, cfg: OpsConfig) -> tuple[Row, Row]:
    """A new incident for ``ev`` (routed, SLA clock started) and its first timeline row."""
    category = cam.category if cam else None
    district = cam.district if cam else None
    rule = cfg.route(ev.type, category, district)
    # a watchlist hit names the agency its list alerts (a plate list's alert target): that
    # agency owns the incident; the routing rule still gives its priority
    target = ev.attributes.get("alert_target")
    owner = target if isinstance(target, str) and target else rule.agency
    sla = cfg.sla[rule.priority]
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
        **_place(ev, cam),
        "agency_id": owner,
        "agencies": [owner],
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
        "step_version": 1,
        "checklist": [],
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


def join(row: Row, ev: Event) -> None:
    """``ev`` joins the incident ``row``: counts, latest event, best score, snapshot."""
    row["event_count"] += 1
    row["last_event_id"] = ev.id
    row["last_event_at"] = max(row["last_event_at"], ev.ts)
    if ev.score is not None and (row["score"] is None or ev.score > row["score"]):
        row["score"] = ev.score
    if row["snapshot_event_id"] is None and ev.snapshot:
        row["snapshot_event_id"] = ev.id
    row["updated_at"] = datetime.now(UTC)
    row["version"] += 1


def insert_links(s: Session, links: list[Row], sqlite: bool) -> None:
    """One row per grouped event: the bulk of what a batch writes. On SQLite a plain
    DB-API ``executemany`` of tuples, values encoded as the column types store them
    (as ``Store.insert_events`` does): twice the rows/s of the typed path."""
    if sqlite:
        rows = [
            (r["event_id"], r["incident_id"], r["type"],
             r["ts"].astimezone(UTC).strftime(_SQLITE_TS), r["score"])
            for r in links
        ]  # fmt: skip
        s.connection().exec_driver_sql(_SQLITE_LINKS, rows)
    else:
        s.execute(insert(LINKS), links)
