"""The journal of closed incidents: what was resolved or dismissed, when, by which agency,
newest first, filtered and paged. Visibility is the one rule of :mod:`.visibility`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from kuzet.access.model import Principal
from kuzet.incidents.model import CLOSED, Incident
from kuzet.incidents.tables import IncidentRow
from kuzet.incidents.visibility import prefilter, visible
from kuzet.incidents.workflow import to_model


class JournalPage(BaseModel):
    items: list[Incident]
    total: int
    offset: int
    limit: int


def journal(
    engine: Engine,
    p: Principal,
    since: datetime,
    until: datetime,
    *,
    agencies: Sequence[str] | None = None,
    types: Sequence[str] | None = None,
    districts: Sequence[str] | None = None,
    states: Sequence[str] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> JournalPage:
    """Incidents closed in ``[since, until)``; ``agencies`` match the owner at closing."""
    c = IncidentRow
    closed = sorted(st.value for st in CLOSED)
    stmt = select(c).where(
        prefilter(p),
        c.state.in_([s for s in states if s in closed] if states else closed),
        c.closed_at >= since,
        c.closed_at < until,
    )
    if agencies:
        stmt = stmt.where(c.agency_id.in_(agencies))
    if types:
        stmt = stmt.where(c.type.in_(types))
    if districts:
        stmt = stmt.where(c.district.in_(districts))
    stmt = stmt.order_by(c.closed_at.desc(), c.id.desc())
    with sessionmaker(engine)() as s:
        # the exact visibility test runs per row, so the total is counted after it
        ids = [r for r in s.scalars(stmt) if visible(p, r)]
        return JournalPage(
            items=[to_model(r) for r in ids[offset : offset + limit]],
            total=len(ids),
            offset=offset,
            limit=limit,
        )
