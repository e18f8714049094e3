"""The shift hand-over report: what happened in a time window (incidents opened and
closed, by type, priority and agency; SLA misses) and what the next shift inherits (every
incident still open, with its owner, its last step and its notes). JSON for the UI, CSV
for printing or a spreadsheet. Visibility is the one rule of :mod:`.visibility`."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import sessionmaker

from kuzet.access.model import Principal
from kuzet.incidents.grouping import SYSTEM
from kuzet.incidents.model import OPEN, Incident
from kuzet.incidents.stats import safe_cell
from kuzet.incidents.tables import IncidentEventRow, IncidentLogRow, IncidentRow
from kuzet.incidents.visibility import prefilter, visible
from kuzet.incidents.workflow import to_model

NOTES_PER_INCIDENT = 20  # the newest; the card has them all


class Note(BaseModel):
    ts: datetime
    actor: str
    note: str


class LastStep(BaseModel):
    ts: datetime
    actor: str
    action: str


class OpenItem(BaseModel):
    incident: Incident
    notes: list[Note]
    last_step: LastStep | None


class Missed(BaseModel):
    id: str
    type: str
    agency_id: str
    escalation: str | None
    escalated_at: datetime | None


class Handover(BaseModel):
    since: datetime
    until: datetime
    generated_at: datetime
    events: int  # events that joined a visible incident in the window
    opened: int
    closed: int
    by_type: dict[str, int]  # incidents opened in the window
    by_priority: dict[str, int]
    by_agency: dict[str, int]
    closed_by_state: dict[str, int]
    sla_missed: dict[str, int]  # "ack", "resolve"
    missed: list[Missed]
    open: list[OpenItem]


def handover(engine: Engine, p: Principal, since: datetime, until: datetime) -> Handover:
    c = IncidentRow
    in_window = or_(
        (c.created_at >= since) & (c.created_at < until),
        (c.closed_at >= since) & (c.closed_at < until),
        (c.escalated_at >= since) & (c.escalated_at < until),
        c.state.in_([st.value for st in OPEN]),
    )
    with sessionmaker(engine)() as s:
        rows = [r for r in s.scalars(select(c).where(prefilter(p), in_window)) if visible(p, r)]
        ids = [r.id for r in rows]
        events = 0
        for chunk in range(0, len(ids), 500):
            events += s.scalar(
                select(func.count()).where(
                    IncidentEventRow.incident_id.in_(ids[chunk : chunk + 500]),
                    IncidentEventRow.ts >= since,
                    IncidentEventRow.ts < until,
                )
            ) or 0  # fmt: skip
        opened = [r for r in rows if since <= r.created_at < until]
        closed = [r for r in rows if r.closed_at is not None and since <= r.closed_at < until]
        missed = [r for r in rows if r.escalated_at is not None and since <= r.escalated_at < until]
        still_open = sorted(
            (r for r in rows if r.closed_at is None), key=lambda r: (r.priority, r.created_at)
        )
        logs: dict[str, list[IncidentLogRow]] = {r.id: [] for r in still_open}
        open_ids = list(logs)
        for chunk in range(0, len(open_ids), 500):
            q = select(IncidentLogRow).where(
                IncidentLogRow.incident_id.in_(open_ids[chunk : chunk + 500])
            )
            for entry in s.scalars(q.order_by(IncidentLogRow.id)):
                logs[entry.incident_id].append(entry)
    return Handover(
        since=since,
        until=until,
        generated_at=datetime.now(UTC),
        events=events,
        opened=len(opened),
        closed=len(closed),
        by_type=dict(Counter(r.type for r in opened).most_common()),
        by_priority={str(k): v for k, v in sorted(Counter(r.priority for r in opened).items())},
        by_agency=dict(Counter(r.agency_id for r in opened).most_common()),
        closed_by_state=dict(Counter(r.state for r in closed).most_common()),
        sla_missed={k: sum(r.escalation == k for r in missed) for k in ("ack", "resolve")},
        missed=[
            Missed(
                id=r.id,
                type=r.type,
                agency_id=r.agency_id,
                escalation=r.escalation,
                escalated_at=r.escalated_at,
            )
            for r in missed
        ],
        open=[_open_item(r, logs[r.id]) for r in still_open],
    )


def _open_item(row: IncidentRow, log: list[IncidentLogRow]) -> OpenItem:
    notes = [Note(ts=e.ts, actor=e.actor, note=e.note) for e in log if e.note]
    steps = [e for e in log if e.actor != SYSTEM and e.action not in ("note", "check")]
    last = steps[-1] if steps else None
    return OpenItem(
        incident=to_model(row),
        notes=notes[-NOTES_PER_INCIDENT:],
        last_step=None if last is None else LastStep(ts=last.ts, actor=last.actor,
                                                     action=last.action),
    )  # fmt: skip


def to_csv(h: Handover) -> str:
    """Sections one under another, as a spreadsheet or a printer shows them."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["shift hand-over", h.since.isoformat(), h.until.isoformat()])
    for key in ("events", "opened", "closed"):
        w.writerow(["summary", key, getattr(h, key)])
    for key, n in h.sla_missed.items():
        w.writerow(["sla missed", key, n])
    for section in ("by_type", "by_priority", "by_agency", "closed_by_state"):
        data: dict[str, int] = getattr(h, section)
        for k, v in data.items():
            w.writerow([section.replace("_", " "), safe_cell(k), v])
    w.writerow([])
    w.writerow(["missed", "id", "type", "agency", "escalation", "escalated at"])
    for m in h.missed:
        at = m.escalated_at.isoformat() if m.escalated_at else ""
        w.writerow(["missed", m.id, safe_cell(m.type), m.agency_id, m.escalation or "", at])
    w.writerow([])
    w.writerow(["open", "id", "priority", "state", "type", "camera", "agency", "unit",
                "created at", "last step", "notes"])  # fmt: skip
    for item in h.open:
        i = item.incident
        last = item.last_step
        w.writerow(
            ["open", i.id, i.priority, i.state.value, safe_cell(i.type),
             safe_cell(i.camera_name or i.camera_id), i.agency_id, safe_cell(i.unit or ""),
             i.created_at.isoformat(),
             "" if last is None else f"{last.action} by {safe_cell(last.actor)} {last.ts:%H:%M}",
             " | ".join(safe_cell(f"{n.ts:%H:%M} {n.actor}: {n.note}") for n in item.notes)]
        )  # fmt: skip
    return buf.getvalue()
