"""The incident engine's batched ingest groups events exactly as the per-event engine did,
sees what operators did to incidents (in this process or on another node), survives a
restart, and keeps the audit chain whole (SQLite and PostgreSQL)."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, update

import kuzet.incidents.book as incidents
from kuzet.access.audit import AuditLog
from kuzet.access.model import Principal, Role, Scope
from kuzet.config.ops import OpsConfig
from kuzet.core.event import Event
from kuzet.core.records import CameraInfo
from kuzet.incidents.book import IncidentBook, to_model
from kuzet.incidents.grouping import new_incident
from kuzet.incidents.model import OPEN, Incident, StepIn
from kuzet.incidents.tables import IncidentEventRow, IncidentLogRow, IncidentRow
from kuzet.schema import open_store
from kuzet.store import Store

from .conftest import Ops, ev, wait_for

T0 = datetime(2026, 11, 26, 12, tzinfo=UTC)
WINDOW = 120.0
CAMERAS = {
    "cam-school": CameraInfo(
        id="cam-school", category="school", district="Medeu", main_url="file:a.mp4"
    ),
    "cam-road": CameraInfo(id="cam-road", category="traffic", main_url="file:b.mp4"),
}


def camera(camera_id: str) -> CameraInfo | None:
    return CAMERAS.get(camera_id)


def event(
    n: int | str,
    camera_id: str,
    at_s: float,
    type: str = "intrusion",
    phase: str = "start",
    score: float | None = 0.5,
    snapshot: str | None = None,
) -> Event:
    return Event(
        id=f"e-{n}",
        type=type,
        camera_id=camera_id,
        ts=T0 + timedelta(seconds=at_s),
        phase=phase,
        rule="r",
        score=score,
        snapshot=snapshot,
    )


class PerEventBook(IncidentBook):
    """The engine before batching, kept as the reference: one query per event for the
    open incident to join, every change flushed before the next event looks."""

    def ingest(self, events: Sequence[Event], camera: incidents.CameraLookup) -> list[Incident]:
        changed: dict[str, IncidentRow] = {}
        with self._maker.begin() as s:
            ids = [e.id for e in events]
            known = set(
                s.scalars(
                    select(IncidentEventRow.event_id).where(IncidentEventRow.event_id.in_(ids))
                )
            )
            for e in events:
                if e.id in known:
                    continue
                known.add(e.id)
                since = e.ts - timedelta(seconds=self.cfg.group_window_s)
                row = s.scalars(
                    select(IncidentRow)
                    .where(
                        IncidentRow.camera_id == e.camera_id,
                        IncidentRow.type == e.type,
                        IncidentRow.state.in_([st.value for st in OPEN]),
                        IncidentRow.last_event_at >= since,
                    )
                    .order_by(IncidentRow.last_event_at.desc())
                    .limit(1)
                ).first()
                if row is None and e.phase == "end":
                    continue
                if row is None:
                    values, log = new_incident(e, camera(e.camera_id), self.cfg)
                    row = IncidentRow(**values)
                    s.add(row)
                    s.flush()
                    s.add(IncidentLogRow(**log))
                else:
                    row.event_count += 1
                    row.last_event_id = e.id
                    row.last_event_at = max(row.last_event_at, e.ts)
                    if e.score is not None and (row.score is None or e.score > row.score):
                        row.score = e.score
                    if row.snapshot_event_id is None and e.snapshot:
                        row.snapshot_event_id = e.id
                    row.updated_at = datetime.now(UTC)
                    row.version += 1
                s.add(
                    IncidentEventRow(
                        event_id=e.id, incident_id=row.id, type=e.type, ts=e.ts, score=e.score
                    )
                )
                changed[row.id] = row
        return [to_model(r) for r in changed.values()]


def make_book(url: str, cls: type[IncidentBook] = IncidentBook) -> tuple[Store, IncidentBook]:
    store = open_store(url)
    return store, cls(store.engine, AuditLog(store.engine), OpsConfig(group_window_s=WINDOW))


@pytest.fixture
def book(db_url: str) -> Iterator[IncidentBook]:
    store, b = make_book(db_url)
    yield b
    store.close()


def engine_of(book: IncidentBook) -> Engine:
    return book.audit.engine


def state(engine: Engine) -> list[tuple[Any, ...]]:
    """Every incident with what the grouping decided, without ids or wall-clock times."""
    with engine.connect() as c:
        links: dict[str, list[tuple[Any, ...]]] = {}
        for incident_id, *link in c.execute(
            select(IncidentEventRow.incident_id, IncidentEventRow.event_id,
                   IncidentEventRow.type, IncidentEventRow.ts, IncidentEventRow.score)
        ):  # fmt: skip
            links.setdefault(incident_id, []).append(tuple(link))
        logs: dict[str, int] = {}
        for (incident_id,) in c.execute(select(IncidentLogRow.incident_id)):
            logs[incident_id] = logs.get(incident_id, 0) + 1
        rows = c.execute(select(IncidentRow)).mappings().all()
    return sorted(
        (
            r["first_event_id"],
            r["state"],
            r["type"],
            r["camera_id"],
            r["camera_name"],
            r["category"],
            r["district"],
            r["agency_id"],
            tuple(r["agencies"]),
            r["priority"],
            r["score"],
            r["last_event_id"],
            r["snapshot_event_id"],
            r["event_count"],
            r["event_ts"],
            r["last_event_at"],
            r["version"],
            tuple(sorted(links[r["id"]], key=lambda link: link[0])),
            logs[r["id"]],
        )
        for r in rows
    )


def close_outside(engine: Engine, first_event_id: str) -> None:
    """What an operator on another node does: the incident is resolved behind our back."""
    with engine.begin() as c:
        c.execute(
            update(IncidentRow)
            .where(IncidentRow.first_event_id == first_event_id)
            .values(state="resolved", closed_at=T0, version=IncidentRow.version + 1)
        )


def random_stream(rng: random.Random, n: int) -> list[Event]:
    """Cameras and types mixed, time mostly forward with gaps past the window, some events
    late (out of order), some redelivered, some ends (with and without an open incident)."""
    out: list[Event] = []
    t = 0.0
    for i in range(n):
        t += rng.choice([0.0, 1.0, 5.0, 30.0, 90.0, 130.0])
        at = t - rng.choice([0.0, 0.0, 0.0, 50.0, 150.0])  # late events now and then
        if out and rng.random() < 0.08:
            out.append(rng.choice(out))  # redelivered
            continue
        out.append(
            event(
                i,
                rng.choice(["cam-school", "cam-road", "cam-x"]),
                at,
                type=rng.choice(["intrusion", "loitering"]),
                phase="end" if rng.random() < 0.2 else "start",
                score=rng.choice([None, 0.3, 0.6, 0.9]),
                snapshot=rng.choice([None, f"snap/{i}.jpg"]),
            )
        )
    return out


def changed(out: list[Incident]) -> dict[str, tuple[int, str, str]]:
    return {i.first_event_id: (i.event_count, i.last_event_id, i.state.value) for i in out}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_batched_ingest_groups_as_the_per_event_engine(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    monkeypatch.setattr(incidents, "BATCH", 16)  # several transactions per call too
    rng = random.Random(seed)
    stream = random_stream(rng, 500)
    ref_store, ref = make_book(f"sqlite:///{tmp_path / 'ref.db'}", PerEventBook)
    store, book = make_book(db_url)
    try:
        i = 0
        while i < len(stream):
            part = stream[i : i + rng.randint(1, 60)]
            i += len(part)
            assert changed(book.ingest(part, camera)) == changed(ref.ingest(part, camera))
            if rng.random() < 0.3:  # an operator closes one of the latest open incidents
                open_ = [s for s in state(ref_store.engine) if s[1] == "new"]
                if open_:
                    victim = rng.choice(sorted(open_, key=lambda s: s[15])[-3:])[0]
                    close_outside(ref_store.engine, victim)
                    close_outside(store.engine, victim)
        got, want = state(store.engine), state(ref_store.engine)
        assert got == want
        assert len(want) > 30 and any(s[1] == "resolved" for s in want)  # the test bites
        assert book.audit.verify() == []
        creates = [r for r in book.audit.rows() if r["action"] == "incident.create"]
        assert sorted(r["detail"]["event"] for r in creates) == sorted(s[0] for s in want)
    finally:
        ref_store.close()
        store.close()


@pytest.mark.parametrize("one_call", [True, False])
def test_grouping_window(book: IncidentBook, one_call: bool) -> None:
    evs = [
        event("a", "cam-road", 0),
        event("b", "cam-road", 100),  # within the window of a: joins
        event("c", "cam-road", 100, type="loitering"),  # another type: its own incident
        event("d", "cam-road", 221),  # 121 s after b: a new incident, the first stays open
        event("e", "cam-road", 150, phase="end"),  # late: both in reach, the latest wins
        event("f", "cam-school", 5, phase="end"),  # an end with nothing open: nothing
    ]
    out: dict[str, Incident] = {}
    for part in [evs] if one_call else [[e] for e in evs]:
        out.update((i.first_event_id, i) for i in book.ingest(part, camera))
    got = {k: (i.event_count, i.last_event_id, i.state.value) for k, i in out.items()}
    assert got == {"e-a": (2, "e-b", "new"), "e-c": (1, "e-c", "new"), "e-d": (2, "e-e", "new")}
    assert out["e-d"].last_event_at == T0 + timedelta(seconds=221)  # a late event moves nothing
    with engine_of(book).connect() as c:
        linked = dict(c.execute(select(IncidentEventRow.event_id, IncidentEventRow.ts)).all())
    assert set(linked) == {"e-a", "e-b", "e-c", "e-d", "e-e"}  # f: not grouped, redelivery may
    assert all(linked[e.id] == e.ts for e in evs if e.id in linked)  # stored as the type does
    assert book.ingest(evs, camera) == []  # redelivered: nothing changes


def test_closed_incident_is_not_joined(book: IncidentBook) -> None:
    (first,) = book.ingest([event(1, "cam-road", 0)], camera)
    close_outside(engine_of(book), first.first_event_id)
    (second,) = book.ingest([event(2, "cam-road", 10), event(3, "cam-road", 20)], camera)
    assert second.id != first.id and second.first_event_id == "e-2"
    assert second.event_count == 2
    # an end with only a closed incident in reach opens nothing
    (again,) = book.ingest([event(4, "cam-road", 30, phase="end")], camera)
    assert again.id == second.id and again.event_count == 3


def test_restart_sees_the_open_incidents(db_url: str) -> None:
    store, book = make_book(db_url)
    (first,) = book.ingest([event(1, "cam-school", 0)], camera)
    store.close()
    store, book = make_book(db_url)  # a new process: nothing carried over but the database
    try:
        (joined,) = book.ingest([event(2, "cam-school", 60)], camera)
        assert (joined.id, joined.event_count, joined.last_event_id) == (first.id, 2, "e-2")
        assert (joined.agency_id, joined.priority) == ("education", 1)
        (new,) = book.ingest([event(3, "cam-school", 400)], camera)  # past the window
        assert new.id != first.id
    finally:
        store.close()


def test_audit_chain_stays_whole_across_batches(
    book: IncidentBook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(incidents, "BATCH", 5)
    book.audit.record("someone", "login")
    out = book.ingest([event(i, f"cam-{i}", i) for i in range(23)], camera)  # 5 transactions
    book.audit.record("someone", "logout")
    assert len(out) == 23 and book.audit.verify() == []
    rows = book.audit.rows()
    assert [r["seq"] for r in rows] == list(range(1, 26))
    assert [r["action"] for r in rows] == ["login"] + ["incident.create"] * 23 + ["logout"]
    assert [r["detail"]["event"] for r in rows[1:-1]] == [f"e-{i}" for i in range(23)]


def test_event_after_an_operator_closes_opens_a_new_incident(ops: Ops) -> None:
    """Through the app: the API's step and the engine share one database, nothing else."""
    edu = ops.user("edu-op", "education")
    first = ev("school-1")
    ops.bus.publish(first)
    inc = wait_for(lambda: ops.open_incidents("edu-op"), what="an incident")[0]
    url = f"/api/ops/incidents/{inc['id']}/steps"
    for action in ("acknowledge", "resolve"):
        assert ops.client.post(url, headers=edu, json={"action": action}).status_code == 200
    assert ops.open_incidents("edu-op") == []
    second = ev("school-1")  # seconds later: well within the grouping window
    ops.bus.publish(second)
    new = wait_for(lambda: ops.open_incidents("edu-op"), what="a new incident")[0]
    assert new["id"] != inc["id"] and new["first_event_id"] == second.id
    ops.bus.publish(ev("school-1"))
    wait_for(lambda: ops.open_incidents("edu-op")[0]["event_count"] == 2, what="a join")
    old = ops.client.get(f"/api/ops/incidents/{inc['id']}", headers=edu).json()["incident"]
    assert (old["state"], old["event_count"]) == ("resolved", 1)
    assert ops.svc.audit.verify() == []


def test_step_waits_for_a_batch_in_flight(book: IncidentBook) -> None:
    """Ingest and a workflow step of one process take turns (SQLite has no row locks)."""
    (inc,) = book.ingest([event(1, "cam-road", 0)], camera)
    who = Principal(
        user_id="u",
        username="op",
        agency_id="traffic-police",
        role=Role.OPERATOR,
        permissions=frozenset(),
        scope=Scope(),
        clearances=frozenset(),
        session_id="s",
    )
    done = threading.Event()
    with book._write:  # a batch holds the turn
        t = threading.Thread(
            target=lambda: (book.step(who, inc.id, StepIn(action="acknowledge")), done.set())
        )
        t.start()
        assert not done.wait(0.3)
    t.join(5)
    assert done.is_set()
