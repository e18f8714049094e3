"""Statistics of the incident book: events by type, hour, district and agency, and how
fast agencies react (acknowledge, resolve). Computed from the incident tables, so an
event counts for the agency that owns its incident."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from kuzet.access.model import Principal
from kuzet.incidents.tables import IncidentEventRow, IncidentRow
from kuzet.incidents.visibility import prefilter, visible


class Reaction(BaseModel):
    agency: str
    priority: int
    incidents: int
    ack_n: int
    ack_median_s: float | None
    ack_p90_s: float | None
    resolve_n: int
    resolve_median_s: float | None
    resolve_p90_s: float | None


class Stats(BaseModel):
    since: datetime
    until: datetime
    events: int
    incidents: int
    by_type: dict[str, int]
    by_hour: dict[str, int]  # "00".."23", UTC
    by_district: dict[str, int]
    by_agency: dict[str, int]
    reactions: list[Reaction]


def _pct(xs: list[float], q: float) -> float | None:
    if not xs:
        return None
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(q * len(xs)))], 1)


def compute(engine: Engine, p: Principal, since: datetime, until: datetime) -> Stats:
    maker = sessionmaker(engine)
    by: dict[str, Counter[str]] = {k: Counter() for k in ("type", "hour", "district", "agency")}
    ack: dict[tuple[str, int], list[float]] = defaultdict(list)
    res: dict[tuple[str, int], list[float]] = defaultdict(list)
    count: Counter[tuple[str, int]] = Counter()
    n_events = 0
    with maker() as s:
        incs = {
            r.id: r
            for r in s.scalars(
                select(IncidentRow).where(
                    prefilter(p), IncidentRow.created_at >= since, IncidentRow.created_at < until
                )
            )
            if visible(p, r)
        }
        rows = s.execute(
            select(IncidentEventRow.incident_id, IncidentEventRow.type, IncidentEventRow.ts)
            .join(IncidentRow, IncidentRow.id == IncidentEventRow.incident_id)
            .where(IncidentRow.created_at >= since, IncidentRow.created_at < until)
        )
        for inc_id, typ, ts in rows:
            inc = incs.get(inc_id)
            if inc is None:
                continue
            n_events += 1
            by["type"][typ] += 1
            by["hour"][f"{ts.hour:02d}"] += 1
            by["district"][inc.district or "-"] += 1
            by["agency"][inc.agency_id] += 1
    for inc in incs.values():
        key = (inc.agency_id, inc.priority)
        count[key] += 1
        if inc.acknowledged_at is not None:
            ack[key].append((inc.acknowledged_at - inc.created_at).total_seconds())
        if inc.closed_at is not None:
            res[key].append((inc.closed_at - inc.created_at).total_seconds())
    reactions = [
        Reaction(
            agency=a,
            priority=pr,
            incidents=n,
            ack_n=len(ack[(a, pr)]),
            ack_median_s=_pct(ack[(a, pr)], 0.5),
            ack_p90_s=_pct(ack[(a, pr)], 0.9),
            resolve_n=len(res[(a, pr)]),
            resolve_median_s=_pct(res[(a, pr)], 0.5),
            resolve_p90_s=_pct(res[(a, pr)], 0.9),
        )
        for (a, pr), n in sorted(count.items())
    ]
    return Stats(
        since=since,
        until=until,
        events=n_events,
        incidents=len(incs),
        by_type=dict(by["type"].most_common()),
        by_hour=dict(sorted(by["hour"].items())),
        by_district=dict(by["district"].most_common()),
        by_agency=dict(by["agency"].most_common()),
        reactions=reactions,
    )


def to_csv(st: Stats) -> str:
    """One long table (section, key, value, ...) that spreadsheets open as is."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["section", "key", "events"])
    for section in ("type", "hour", "district", "agency"):
        data: dict[str, int] = getattr(st, f"by_{section}")
        for k, v in data.items():
            w.writerow([section, safe_cell(k), v])
    w.writerow([])
    fields: list[str] = list(Reaction.model_fields)
    w.writerow(["reaction", *fields])
    for r in st.reactions:
        row: dict[str, Any] = r.model_dump()
        w.writerow(
            ["reaction", *(safe_cell("" if row[f] is None else str(row[f])) for f in fields)]
        )
    return buf.getvalue()


def safe_cell(s: str) -> str:
    # A cell starting with = + - @ runs as a formula in spreadsheets: defuse it.
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s
