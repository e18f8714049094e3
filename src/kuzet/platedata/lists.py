"""Plate watchlists (stolen, wanted, unpaid, ...): lists owned by an agency, shared with
others, each entry a plate with the reason it is listed and how long.

Every change bumps :attr:`PlateLists.version`, so the matcher of this process re-reads
at once; other nodes re-read within ``plate_data.match_refresh_s``. The API audits each
change (this module does not know who asks).
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import sessionmaker

from kuzet.platedata.tables import PlateEntryRow, PlateListRow
from kuzet.platedata.text import MAX_DISTANCE, PlateTextError, normalise

KINDS = ("stolen", "wanted", "unpaid", "suspect", "other")
MAX_IMPORT_ROWS = 100_000


class PlateListError(ValueError):
    pass


@dataclass
class ImportReport:
    """What a CSV import did: counts, and each refused row with its line and field."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def fail(self, line: int, field: str | None, error: str) -> None:
        self.errors.append({"line": line, "field": field, "error": error})

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "errors": self.errors,
        }  # fmt: skip


def parse_valid_until(text: str) -> datetime | None:
    """ISO date (valid through that day, UTC) or ISO date-time; empty: no end."""
    text = text.strip()
    if not text:
        return None
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time.max, tzinfo=UTC)
        got = datetime.fromisoformat(text)
    except ValueError:
        raise PlateListError(f"{text!r} is not an ISO date (2027-01-31) or date-time") from None
    return got.replace(tzinfo=UTC) if got.tzinfo is None else got.astimezone(UTC)


class PlateLists:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._session = sessionmaker(engine, expire_on_commit=False)
        self.version = 0

    def _changed(self) -> None:
        self.version += 1

    # ------------------------------------------------------------ lists
    def create(
        self,
        agency_id: str,
        name: str,
        *,
        created_by: str,
        kind: str = "stolen",
        alert_target: str | None = None,
        fuzzy_distance: int = 0,
        priority: int = 1,
        visibility: list[str] | None = None,
    ) -> PlateListRow:
        """``alert_target``: the agency a hit alerts (default: city police, who answer
        plate hits in the demo city's routing); ``fuzzy_distance`` 0 matches exactly."""
        self._check(kind, fuzzy_distance)
        now = datetime.now(UTC)
        target = alert_target or "city-police"
        row = PlateListRow(
            id=str(uuid.uuid4()), agency_id=agency_id, name=name, kind=kind,
            alert_target=target, fuzzy_distance=fuzzy_distance, priority=priority,
            visibility=sorted(set(visibility or []) | {agency_id, target}),
            created_by=created_by, created_at=now, updated_at=now,
        )  # fmt: skip
        with self._session.begin() as s:
            s.add(row)
        self._changed()
        return row

    @staticmethod
    def _check(kind: str | None, fuzzy_distance: int | None) -> None:
        if kind is not None and kind not in KINDS:
            raise PlateListError(f"kind must be one of {', '.join(KINDS)}")
        if fuzzy_distance is not None and not 0 <= fuzzy_distance <= MAX_DISTANCE:
            raise PlateListError(f"fuzzy_distance must be 0 (exact) to {MAX_DISTANCE}")

    def get(self, list_id: str) -> PlateListRow:
        with self._session() as s:
            row = s.get(PlateListRow, list_id)
        if row is None:
            raise PlateListError(f"no plate list {list_id!r}")
        return row

    def lists(self) -> list[PlateListRow]:
        with self._session() as s:
            return list(s.scalars(select(PlateListRow).order_by(PlateListRow.name)))

    def visible(self, agency_id: str) -> list[PlateListRow]:
        return [r for r in self.lists() if agency_id == r.agency_id or agency_id in r.visibility]

    def update(self, list_id: str, **change: Any) -> PlateListRow:
        self._check(change.get("kind"), change.get("fuzzy_distance"))
        allowed = {"name", "kind", "alert_target", "fuzzy_distance", "priority", "visibility"}
        if extra := set(change) - allowed:
            raise PlateListError(f"cannot change {sorted(extra)}")
        with self._session.begin() as s:
            row = s.get(PlateListRow, list_id)
            if row is None:
                raise PlateListError(f"no plate list {list_id!r}")
            for k, v in change.items():
                setattr(row, k, v)
            row.visibility = sorted(set(row.visibility) | {row.agency_id, row.alert_target})
            row.updated_at = datetime.now(UTC)
        self._changed()
        return row

    def delete_list(self, list_id: str) -> int:
        """Drop a list and its entries; returns the entries dropped."""
        with self._session.begin() as s:
            n = self._count(s, list_id)
            s.execute(delete(PlateEntryRow).where(PlateEntryRow.list_id == list_id))
            s.execute(delete(PlateListRow).where(PlateListRow.id == list_id))
        self._changed()
        return n

    @staticmethod
    def _count(s: Any, list_id: str) -> int:
        q = select(func.count()).select_from(PlateEntryRow)
        return int(s.scalar(q.where(PlateEntryRow.list_id == list_id)) or 0)

    def size(self, list_id: str) -> int:
        with self._session() as s:
            return self._count(s, list_id)

    # ------------------------------------------------------------ entries
    def entries(
        self, list_id: str, *, plate: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[PlateEntryRow]:
        q = select(PlateEntryRow).where(PlateEntryRow.list_id == list_id)
        if plate:
            q = q.where(PlateEntryRow.plate.startswith(normalise(plate)))
        q = q.order_by(PlateEntryRow.plate).limit(limit).offset(offset)
        with self._session() as s:
            return list(s.scalars(q))

    def entry(self, list_id: str, entry_id: str) -> PlateEntryRow:
        with self._session() as s:
            row = s.get(PlateEntryRow, entry_id)
        if row is None or row.list_id != list_id:
            raise PlateListError(f"no entry {entry_id!r} in list {list_id!r}")
        return row

    def put(
        self,
        list_id: str,
        plate: str,
        *,
        reason: str,
        added_by: str,
        valid_until: datetime | None = None,
    ) -> tuple[str, PlateEntryRow]:
        """Add a plate, or change its reason / end; returns (created|updated|unchanged, row)."""
        got = self._put_many(list_id, [(plate, reason, valid_until)], added_by)
        self._changed()
        return got[0]

    def _put_many(
        self, list_id: str, items: list[tuple[str, str, datetime | None]], added_by: str
    ) -> list[tuple[str, PlateEntryRow]]:
        self.get(list_id)
        now = datetime.now(UTC)
        out: list[tuple[str, PlateEntryRow]] = []
        with self._session.begin() as s:
            plates = {normalise(p) for p, _, _ in items}
            have = {
                r.plate: r
                for r in s.scalars(
                    select(PlateEntryRow).where(
                        PlateEntryRow.list_id == list_id, PlateEntryRow.plate.in_(plates)
                    )
                )
            }
            for raw, reason, until in items:
                plate = normalise(raw)
                reason = reason.strip()[:500]
                row = have.get(plate)
                if row is None:
                    row = PlateEntryRow(
                        id=str(uuid.uuid4()), list_id=list_id, plate=plate,
                        plate_display=raw.strip()[:32], reason=reason, added_by=added_by,
                        valid_until=until, created_at=now, updated_at=now,
                    )  # fmt: skip
                    s.add(row)
                    have[plate] = row
                    out.append(("created", row))
                elif row.reason == reason and row.valid_until == until:
                    out.append(("unchanged", row))
                else:
                    row.reason, row.valid_until, row.updated_at = reason, until, now
                    out.append(("updated", row))
        return out

    def remove(self, list_id: str, entry_id: str) -> PlateEntryRow:
        row = self.entry(list_id, entry_id)
        with self._session.begin() as s:
            s.execute(delete(PlateEntryRow).where(PlateEntryRow.id == entry_id))
        self._changed()
        return row

    def import_csv(self, list_id: str, text: str, added_by: str) -> ImportReport:
        """Columns ``plate,reason,valid_until`` (a header row names them; ``valid_until``
        may be empty). Good rows are stored; each bad one is reported by line and field,
        and nothing else is lost."""
        report = ImportReport()
        reader = csv.DictReader(io.StringIO(text))
        fields = [f.strip().lower() for f in reader.fieldnames or []]
        if "plate" not in fields or "reason" not in fields:
            raise PlateListError("line 1: the header must name at least 'plate' and 'reason'")
        reader.fieldnames = fields
        good: list[tuple[str, str, datetime | None]] = []
        seen: dict[str, int] = {}
        for n, rec in enumerate(reader, start=2):
            if n - 1 > MAX_IMPORT_ROWS:
                report.fail(n, None, f"more than {MAX_IMPORT_ROWS} rows: the rest not read")
                break
            try:
                plate = normalise(rec.get("plate") or "")
            except PlateTextError as exc:
                report.fail(n, "plate", str(exc))
                continue
            reason = (rec.get("reason") or "").strip()
            if not reason:
                report.fail(n, "reason", "empty")
                continue
            try:
                until = parse_valid_until(rec.get("valid_until") or "")
            except PlateListError as exc:
                report.fail(n, "valid_until", str(exc))
                continue
            if plate in seen:
                report.fail(n, "plate", f"{plate} again (first on line {seen[plate]})")
                continue
            seen[plate] = n
            good.append((rec.get("plate") or plate, reason, until))
        for i in range(0, len(good), 1000):
            for outcome, _ in self._put_many(list_id, good[i : i + 1000], added_by):
                setattr(report, outcome, getattr(report, outcome) + 1)
        self._changed()
        return report

    def active_entries(self) -> list[tuple[PlateEntryRow, PlateListRow]]:
        """Every entry with its list (the matcher's view); expired ones included, the
        matcher compares ``valid_until`` with each read's time."""
        with self._session() as s:
            q = select(PlateEntryRow, PlateListRow).join(
                PlateListRow, PlateListRow.id == PlateEntryRow.list_id
            )
            return [(e, lst) for e, lst in s.execute(q).tuples()]
