"""The store: cameras and events behind one small synchronous API (SQLite or PostgreSQL)."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    String,
    cast,
    delete,
    func,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import sessionmaker

from kuzet.core import CameraInfo, DeviceInfo, Event, EventQuery
from kuzet.store.cursor import decode_cursor, encode_cursor
from kuzet.store.engine import make_engine
from kuzet.store.tables import CameraRow, DeviceRow, EventRow

log = logging.getLogger(__name__)

_CAMERA_FIELDS = tuple(CameraInfo.model_fields)

# Attribute keys with an expression index of their own (migration 0005_attr_index): the
# person attributes an operator searches by. Their SQL must read exactly as the index.
INDEXED_ATTRIBUTES = ("upper_colour", "lower_colour", "carried_bag", "gender", "age_band")

_EVENT_COLUMNS = (
    ("id", "text"), ("type", "text"), ("camera_id", "text"), ("ts", "timestamptz"),
    ("pts", "float8"), ("phase", "text"), ("rule", "text"), ("track_id", "int8"),
    ("class_name", "text"), ("score", "float8"), ("box_x1", "float8"), ("box_y1", "float8"),
    ("box_x2", "float8"), ("box_y2", "float8"), ("attributes", "text"), ("snapshot", "text"),
)  # fmt: skip
_SQLITE_TS = "%Y-%m-%d %H:%M:%S.%f"  # what SQLAlchemy's SQLite DATETIME writes
_SQLITE_INSERT = "INSERT INTO events ({}) VALUES ({}) ON CONFLICT (id) DO NOTHING".format(
    ", ".join(n for n, _ in _EVENT_COLUMNS), ", ".join("?" for _ in _EVENT_COLUMNS)
)
_PG_UNNEST_INSERT = text(
    "INSERT INTO events ({cols}) SELECT {select} FROM unnest({arrays}) AS t({cols}) "
    "ON CONFLICT (id) DO NOTHING".format(
        cols=", ".join(n for n, _ in _EVENT_COLUMNS),
        select=", ".join("attributes::json" if n == "attributes" else n for n, _ in _EVENT_COLUMNS),
        arrays=", ".join(f"CAST(:{n} AS {t}[])" for n, t in _EVENT_COLUMNS),
    )
)


def event_to_row(e: Event) -> dict[str, Any]:
    box = e.box
    return {
        "id": e.id,
        "type": e.type,
        "camera_id": e.camera_id,
        "ts": e.ts,
        "pts": e.pts,
        "phase": e.phase,
        "rule": e.rule,
        "track_id": e.track_id,
        "class_name": e.class_name,
        "score": e.score,
        "box_x1": box[0] if box else None,
        "box_y1": box[1] if box else None,
        "box_x2": box[2] if box else None,
        "box_y2": box[3] if box else None,
        "attributes": e.attributes,
        "snapshot": e.snapshot,
    }


def row_to_event(r: EventRow) -> Event:
    x1, y1, x2, y2 = r.box_x1, r.box_y1, r.box_x2, r.box_y2
    box = None
    if x1 is not None and y1 is not None and x2 is not None and y2 is not None:
        box = (x1, y1, x2, y2)
    return Event(
        id=r.id,
        type=r.type,
        camera_id=r.camera_id,
        ts=r.ts,
        pts=r.pts,
        phase=r.phase,
        rule=r.rule,
        track_id=r.track_id,
        class_name=r.class_name,
        score=r.score,
        box=box,
        attributes=r.attributes or {},
        snapshot=r.snapshot,
    )


class Store:
    """Repository over one database URL; thread-safe (a session per call).

    It does not migrate: :func:`kuzet.schema.open_store` opens one with the schema of
    every feature upgraded to the newest migration.
    """

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine: Engine = make_engine(url, **engine_kwargs)
        self.dialect = self.engine.dialect.name
        self._session = sessionmaker(self.engine, expire_on_commit=False)
        ins = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        self._insert_events = ins(EventRow).on_conflict_do_nothing(index_elements=["id"])  # others
        if self.dialect not in ("postgresql", "sqlite"):
            log.warning("untested database backend %s", self.dialect)

    # ------------------------------------------------------------ cameras
    def list_cameras(
        self, *, category: str | None = None, district: str | None = None
    ) -> list[CameraInfo]:
        stmt = select(CameraRow).order_by(CameraRow.id)
        if category is not None:
            stmt = stmt.where(CameraRow.category == category)
        if district is not None:
            stmt = stmt.where(CameraRow.district == district)
        with self._session() as s:
            return [CameraInfo.model_validate(r) for r in s.scalars(stmt)]

    def get_camera(self, camera_id: str) -> CameraInfo | None:
        with self._session() as s:
            row = s.get(CameraRow, camera_id)
            return None if row is None else CameraInfo.model_validate(row)

    # ------------------------------------------------------------ devices (written by
    # kuzet.devices.registry; read here so scope checks treat them like cameras)
    def list_devices(self) -> list[DeviceInfo]:
        with self._session() as s:
            rows = s.scalars(select(DeviceRow).order_by(DeviceRow.id))
            return [DeviceInfo.model_validate(r) for r in rows]

    def get_device(self, device_id: str) -> DeviceInfo | None:
        with self._session() as s:
            row = s.get(DeviceRow, device_id)
            return None if row is None else DeviceInfo.model_validate(row)

    def upsert_camera(self, cam: CameraInfo) -> CameraInfo:
        now = datetime.now(UTC)
        values = cam.model_dump(include=set(_CAMERA_FIELDS))
        category = values["category"]
        values["category"] = getattr(category, "value", category)
        with self._session.begin() as s:
            row = s.get(CameraRow, cam.id, with_for_update=self.dialect == "postgresql")
            if row is None:
                row = CameraRow(**values, created_at=now, updated_at=now)
                s.add(row)
            else:
                for key, value in values.items():
                    setattr(row, key, value)
                row.updated_at = now
            s.flush()
            return CameraInfo.model_validate(row)

    def delete_camera(self, camera_id: str) -> bool:
        """Forget a camera; its events stay (they are evidence)."""
        with self._session.begin() as s:
            result = s.execute(delete(CameraRow).where(CameraRow.id == camera_id))
            return bool(getattr(result, "rowcount", 0))

    # ------------------------------------------------------------ events
    def insert_events(self, events: Sequence[Event]) -> int:
        """Insert in one transaction, ignoring ids already stored; returns how many were new.

        Ignoring known ids is what turns at-least-once delivery into stored-once.
        """
        if not events:
            return 0
        for e in events:
            if e.ts.tzinfo is None:
                raise ValueError(f"event {e.id} has a naive ts; the store needs aware UTC")
        if self.dialect == "postgresql":
            return self._insert_events_pg(events)
        if self.dialect == "sqlite":
            return self._insert_events_sqlite(events)
        rows = [event_to_row(e) for e in events]
        with self.engine.begin() as conn:
            return int(conn.execute(self._insert_events, rows).rowcount)

    def _insert_events_sqlite(self, events: Sequence[Event]) -> int:
        """Plain DB-API ``executemany`` of tuples: ~2x the rows/s of the ORM-typed path.

        Values are encoded as ``UTCDateTime`` and ``JSON`` store them (UTC text, JSON
        text); the round-trip tests read them back through SQLAlchemy.
        """
        rows = []
        for e in events:
            box = e.box or (None, None, None, None)
            ts = e.ts.astimezone(UTC).strftime(_SQLITE_TS)
            attrs = json.dumps(e.attributes)
            rows.append(
                (e.id, e.type, e.camera_id, ts, e.pts, e.phase, e.rule, e.track_id,
                 e.class_name, e.score, *box, attrs, e.snapshot)
            )  # fmt: skip
        with self.engine.begin() as conn:
            return int(conn.exec_driver_sql(_SQLITE_INSERT, rows).rowcount)

    def _insert_events_pg(self, events: Sequence[Event]) -> int:
        """One ``INSERT .. SELECT unnest(arrays)``: 1 round trip and an exact rowcount.

        (psycopg reports no rowcount for executemany, and RETURNING ran 4x slower.)
        """
        cols: dict[str, list[Any]] = {name: [] for name, _ in _EVENT_COLUMNS}
        for e in events:
            for name, value in event_to_row(e).items():
                cols[name].append(json.dumps(value) if name == "attributes" else value)
        with self.engine.begin() as conn:
            return int(conn.execute(_PG_UNNEST_INSERT, cols).rowcount)

    def get_event(self, event_id: str) -> Event | None:
        with self._session() as s:
            row = s.get(EventRow, event_id)
            return None if row is None else row_to_event(row)

    def query_events(self, q: EventQuery) -> tuple[list[Event], str | None]:
        """Newest first; the returned cursor fetches the next (older) page, None at the end."""
        with self._session() as s:
            rows = list(s.scalars(self._page(q)))
        more = len(rows) > q.limit
        rows = rows[: q.limit]
        events = [row_to_event(r) for r in rows]
        cursor = encode_cursor(rows[-1].ts, rows[-1].id) if more and rows else None
        return events, cursor

    def _page(self, q: EventQuery) -> Select[EventRow]:
        """The query of one page: one more row than asked, to know whether more follow."""
        stmt = self._filtered(q).order_by(EventRow.ts.desc(), EventRow.id.desc())
        if q.cursor:
            c_ts, c_id = decode_cursor(q.cursor)
            stmt = stmt.where(or_(EventRow.ts < c_ts, (EventRow.ts == c_ts) & (EventRow.id < c_id)))
        return stmt.limit(q.limit + 1)

    def _filtered(self, q: EventQuery) -> Select[EventRow]:
        stmt = select(EventRow)
        if q.camera_id:
            stmt = stmt.where(EventRow.camera_id.in_(q.camera_id))
        if q.type:
            stmt = stmt.where(EventRow.type.in_(q.type))
        if q.class_name:
            stmt = stmt.where(EventRow.class_name.in_(q.class_name))
        if q.since is not None:
            stmt = stmt.where(EventRow.ts >= _aware(q.since))
        if q.until is not None:
            stmt = stmt.where(EventRow.ts < _aware(q.until))
        for key, values in (q.attributes or {}).items():
            stmt = stmt.where(self._attribute(key).in_(values))
        return stmt

    def _attribute(self, key: str) -> ColumnElement[str]:
        """``attributes[key]`` as text: JSON_EXTRACT on SQLite, ->> on PostgreSQL.

        Any key is a bound parameter, except the indexed ones: a planner matches an
        expression index only when the query spells the same expression, literal key
        included, so those are written out as the index has them (from a fixed list,
        never from the request). The SQL is the same either way, only the key's spelling.
        """
        if key in INDEXED_ATTRIBUTES:
            if self.dialect == "sqlite":
                path = literal_column(f"'$.\"{key}\"'", String)
                return cast(func.json_extract(EventRow.attributes, path), String)
            if self.dialect == "postgresql":
                return cast(EventRow.attributes.op("->>")(literal_column(f"'{key}'")), String)
        return EventRow.attributes[key].as_string()

    def count_events(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(EventRow)).scalar_one())

    # ------------------------------------------------------------ lifecycle
    def ping(self) -> bool:
        """True when the database answers; for /healthz, never raises."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:
            log.warning("store ping failed", exc_info=True)
            return False

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"


def _aware(ts: datetime) -> datetime:
    """Filters given without a zone are taken as UTC (what every stored ts is)."""
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts
