"""Retrospective search through the hour cache gives the exact scan's answer.

Two thousand synthetic sightings, sealed as ``record`` seals them, scores bunched
around the search threshold like dlib's impostor scores; every answer is compared
with a row-by-row reference over the plaintext kept here.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import sqlalchemy as sa
from hash_embedder import HashPhotoEmbedder

from kuzet.config.faces import FacesConfig
from kuzet.core import Event
from kuzet.crypto import KeyRing, KeyRingError
from kuzet.faces.records import PersonRecord
from kuzet.faces.services import FaceServices
from kuzet.faces.sighting_cache import HOUR_US
from kuzet.faces.sighting_rows import to_us
from kuzet.faces.sightings import Found, Sighting, Sightings
from kuzet.faces.subject import erase_person
from kuzet.faces.tables import SightingRow
from kuzet.schema import upgrade
from kuzet.store.engine import make_engine

T0 = datetime(2026, 11, 25, 6, tzinfo=UTC)
CAMS = [f"cam-{i}" for i in range(25)]
H0 = 498_774  # the hour of T0 since the epoch


def unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


@dataclass
class World:
    """What the database holds, in plaintext, for the reference scan."""

    centre: np.ndarray
    rows: dict[str, tuple[str, datetime, np.ndarray]] = field(default_factory=dict)

    def reference(
        self,
        template: np.ndarray,
        start: datetime,
        end: datetime,
        cameras: list[str] | None,
        threshold: float,
        limit: int,
    ) -> list[tuple[str, float]]:
        t = template.astype(np.float32) / max(float(np.linalg.norm(template)), 1e-9)
        out = []
        for sid, (cam, ts, vec) in self.rows.items():
            if start <= ts < end and (not cameras or cam in cameras):
                s = float(vec @ t)
                if s >= threshold:
                    out.append((-s, ts, sid))
        return [(sid, -ns) for ns, _, sid in sorted(out)[:limit]]

    def face(self, rng: np.random.Generator, spread: float = 0.42) -> np.ndarray:
        """A template whose cosine to others is ~0.85 (dlib's impostors, docs/faces.md)."""
        return unit(self.centre + spread * rng.standard_normal(128) / np.sqrt(128))


def fill(
    engine: sa.Engine, keys: KeyRing, world: World, n: int, hours: int, rng: np.random.Generator
) -> None:
    """``n`` sightings over ``hours`` from T0, bulk-inserted, sealed as ``record`` does."""
    vecs = unit(world.centre + 0.42 * rng.standard_normal((n, 128)) / np.sqrt(128))
    offs = rng.integers(0, hours * 3_600_000_000, n)
    batch = []
    for i in range(n):
        sid = str(uuid.uuid4())
        ts = T0 + timedelta(microseconds=int(offs[i]))
        cam = CAMS[int(rng.integers(len(CAMS)))]
        sealed = keys.seal(vecs[i].tobytes(), f"sighting:{sid}")
        batch.append({"id": sid, "camera_id": cam, "track_id": i, "ts": ts, "box": [0, 0, 1, 1],
                      "quality": 0.5, "key_id": sealed.key_id, "template_enc": sealed.blob,
                      "crop_enc": None, "listed": i % 10 == 0, "attributes": {}})  # fmt: skip
        world.rows[sid] = (cam, ts, vecs[i])
    with engine.begin() as c:
        c.execute(sa.insert(SightingRow), batch)


@pytest.fixture()
def world(engine: sa.Engine, keys: KeyRing) -> World:
    rng = np.random.default_rng(7)
    w = World(unit(rng.standard_normal(128)))
    fill(engine, keys, w, 2000, 6, rng)
    return w


def _ids(found: list[Found]) -> list[tuple[str, float]]:
    return [(f.sighting_id, f.score) for f in found]


QUERIES = [  # start (h from T0), end, cameras, threshold, limit
    (0.0, 6.0, None, 0.85, 100),
    (1.5, 4.25, ["cam-3", "cam-7", "cam-11"], 0.8, 20),
    (0.0, 6.0, None, 0.0, 5000),
    (0.0, 6.0, ["cam-1"], 0.85, 10),
    (2.1, 2.3, None, -1.0, 50),
    (-30.0, 0.5, ["cam-2", "cam-2", "nope"], 0.84, 7),
    (7.0, 9.0, None, 0.0, 10),
    (0.0, 6.0, [], 0.88, 30),
]


@pytest.mark.parametrize("direct_share", [0.0, 1.0])
def test_equals_brute_force_cold_and_warm(
    engine: sa.Engine, keys: KeyRing, world: World, direct_share: float
) -> None:
    rng = np.random.default_rng(1)
    probe = world.face(rng, 0.2)
    s = Sightings(engine, keys, direct_rows=int(direct_share * 1000), direct_share=direct_share)
    narrow = QUERIES[1]
    start, end = T0 + timedelta(hours=narrow[0]), T0 + timedelta(hours=narrow[1])
    got = s.search(probe, start, end, narrow[2], threshold=narrow[3], limit=narrow[4])
    assert _ids(got) == world.reference(probe, start, end, *narrow[2:])
    # few rows on three cameras: read directly, no hour loaded; else the hours are held
    assert s.cache.hours() == ([] if direct_share else [H0 + 1, H0 + 2, H0 + 3, H0 + 4])
    answered = 0
    for a, b, cams, thr, limit in QUERIES:
        start, end = T0 + timedelta(hours=a), T0 + timedelta(hours=b)
        want = world.reference(probe, start, end, cams, thr, limit)
        answered += bool(want)
        for _ in range(2):  # the first may load hours, the second finds them held
            got = s.search(probe, start, end, cams, threshold=thr, limit=limit)
            assert _ids(got) == want
    assert answered >= 5 and len(s.cache) == len(world.rows)


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[sa.Engine]:
    """A migrated database on the session's PostgreSQL (tests/conftest.py)."""
    eng = make_engine(pg_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.mark.postgres
def test_equals_brute_force_on_postgres(pg_engine: sa.Engine, keys: KeyRing) -> None:
    """timestamptz instead of SQLite's strings: the same answers."""
    rng = np.random.default_rng(7)
    world = World(unit(rng.standard_normal(128)))
    fill(pg_engine, keys, world, 2000, 6, rng)
    probe = world.face(np.random.default_rng(1), 0.2)
    for share in (0.0, 1.0):
        s = Sightings(pg_engine, keys, direct_rows=int(share * 1000), direct_share=share)
        for a, b, cams, thr, limit in QUERIES:
            start, end = T0 + timedelta(hours=a), T0 + timedelta(hours=b)
            want = world.reference(probe, start, end, cams, thr, limit)
            assert _ids(s.search(probe, start, end, cams, threshold=thr, limit=limit)) == want


def test_threshold_is_inclusive_to_the_last_bit(
    engine: sa.Engine, keys: KeyRing, world: World
) -> None:
    s = Sightings(engine, keys)
    probe = world.face(np.random.default_rng(2))
    end = T0 + timedelta(hours=6)
    exact = world.reference(probe, T0, end, None, -1.0, 1)[0]
    warm = s.search(probe, T0, end, threshold=exact[1], limit=5)
    assert _ids(warm)[0] == exact
    above = float(np.nextafter(np.float32(exact[1]), np.float32(2)))
    assert s.search(probe, T0, end, threshold=above) == []


def test_bulk_open_refuses_what_open_refuses(keys: KeyRing) -> None:
    sealed = keys.seal(b"template", "sighting:a")
    assert keys.open_many([sealed.key_id], [sealed.blob], ["sighting:a"]) == [b"template"]
    with pytest.raises(KeyRingError, match="does not open"):  # moved to another row
        keys.open_many([sealed.key_id], [sealed.blob], ["sighting:b"])
    with pytest.raises(KeyRingError, match="not in the key ring"):
        keys.open_many(["k9"], [sealed.blob], ["sighting:a"])


def test_record_after_load_is_visible(engine: sa.Engine, keys: KeyRing, world: World) -> None:
    s = Sightings(engine, keys, refresh_s=3600)  # only the append can show it
    probe = world.face(np.random.default_rng(3))
    end = T0 + timedelta(hours=6)
    s.search(probe, T0, end)
    held = len(s.cache)
    sid = s.record(Sighting("cam-9", 1, T0 + timedelta(hours=2, minutes=5), (1, 2, 3, 4), 0.9,
                            probe))  # fmt: skip
    assert len(s.cache) == held + 1
    got = s.search(probe, T0, end, ["cam-9"], threshold=0.5, limit=3)
    assert got[0].sighting_id == sid and got[0].score == pytest.approx(1.0, abs=1e-6)
    assert got[0].box == [1, 2, 3, 4] and got[0].track_id == 1


def test_purge_drops_old_hours_and_answers_stay_exact(
    engine: sa.Engine, keys: KeyRing, world: World
) -> None:
    s = Sightings(engine, keys, refresh_s=3600)
    probe = world.face(np.random.default_rng(4))
    end = T0 + timedelta(hours=6)
    s.search(probe, T0, end, threshold=0.0, limit=10)
    assert len(s.cache.hours()) == 6
    cutoff = T0 + timedelta(hours=2, minutes=30)
    listed = {sid for i, sid in enumerate(world.rows) if i % 10 == 0}
    gone = [k for k, (_, ts, _) in world.rows.items() if ts < cutoff and k not in listed]
    assert s.purge(cutoff + timedelta(days=30), timedelta(days=30)) == len(gone)
    assert min(s.cache.hours()) * HOUR_US >= to_us(cutoff)  # hours before it: dropped
    for k in gone:
        del world.rows[k]
    want = world.reference(probe, T0, end, None, 0.0, 4000)
    assert _ids(s.search(probe, T0, end, threshold=0.0, limit=4000)) == want


def test_erasure_takes_the_sighting_out_of_the_cache(engine: sa.Engine, keys: KeyRing) -> None:
    svc = FaceServices.build(engine, FacesConfig(enabled=True), keys=keys,
                             embedder=HashPhotoEmbedder())  # fmt: skip
    svc.sightings.refresh_s = 3600  # erasure, not a refresh, must drop it
    wl = svc.lists.create("police", "Wanted")
    svc.lists.upsert(wl.id, PersonRecord("p1", "P", [b"face-1"]))
    person = svc.lists.persons(wl.id)[0]
    face = HashPhotoEmbedder().enrol(b"face-1").template
    assert face is not None
    ev = Event(id="ev-1", type="watchlist_hit", camera_id="c1", ts=T0, track_id=5,
               attributes={"watchlist_id": wl.id, "person_id": person.id,
                           "photo_id": svc.lists.photos_of(person.id)[0].id})  # fmt: skip
    svc.hits.record(ev)
    sid = svc.sightings.record(Sighting("c1", 5, T0, (0, 0, 1, 1), 0.9, face, listed=True))
    other = svc.sightings.record(Sighting("c1", 6, T0, (0, 0, 1, 1), 0.9, face))
    svc.hits.link_sighting("c1", 5, sid)
    end = T0 + timedelta(hours=1)
    assert {f.sighting_id for f in svc.sightings.search(face, T0, end)} == {sid, other}
    assert erase_person(svc, person, lambda key: False).sightings == 1
    cache = svc.sightings.cache
    blocks = [b for b in map(cache.get, cache.hours()) if b is not None]
    assert {i.decode() for b in blocks for i in b.rows.ids.tolist()} == {other}
    assert [f.sighting_id for f in svc.sightings.search(face, T0, end)] == [other]


def test_rows_of_another_process(engine: sa.Engine, keys: KeyRing, world: World) -> None:
    """Deleted elsewhere: never answered, even before a refresh. Added elsewhere: seen
    once the hour is re-checked (``refresh_s``)."""
    mine = Sightings(engine, keys, refresh_s=3600)
    theirs = Sightings(engine, keys)
    probe = world.face(np.random.default_rng(5))
    end = T0 + timedelta(hours=6)
    top = mine.search(probe, T0, end, threshold=0.0, limit=5)
    erased = [f.sighting_id for f in top[:3]]
    with engine.begin() as c:
        c.execute(sa.delete(SightingRow).where(SightingRow.id.in_(erased)))
    for k in erased:
        del world.rows[k]
    new = theirs.record(Sighting("cam-4", 9, T0 + timedelta(hours=3), (0, 0, 1, 1), 1.0, probe))
    old = world.reference(probe, T0, end, None, 0.0, 50)
    assert _ids(mine.search(probe, T0, end, threshold=0.0, limit=50)) == old
    world.rows[new] = ("cam-4", T0 + timedelta(hours=3), probe.astype(np.float32))
    mine.refresh_s = 0
    got = mine.search(probe, T0, end, threshold=0.0, limit=50)
    assert got[0].sighting_id == new
    assert _ids(got) == world.reference(probe, T0, end, None, 0.0, 50)


def test_memory_bound_evicts_hours_not_answers(
    engine: sa.Engine, keys: KeyRing, world: World
) -> None:
    one_hour = 400 * (128 * 4 + 36 + 4 + 8)  # ~330 sightings an hour here
    s = Sightings(engine, keys, cache_bytes=2 * one_hour)
    probe = world.face(np.random.default_rng(6))
    end = T0 + timedelta(hours=6)
    for _ in range(2):
        got = s.search(probe, T0, end, threshold=0.0, limit=300)
        assert _ids(got) == world.reference(probe, T0, end, None, 0.0, 300)
        assert s.cache.bytes <= 2 * one_hour and len(s.cache.hours()) <= 2


def test_hours_no_search_used_are_let_go(engine: sa.Engine, keys: KeyRing, world: World) -> None:
    s = Sightings(engine, keys, cache_idle_s=3600)
    probe = world.face(np.random.default_rng(9))
    end = T0 + timedelta(hours=6)
    want = _ids(s.search(probe, T0, end))
    sid = s.record(Sighting("cam-1", 1, T0, (0, 0, 1, 1), 0.5, probe))  # appends: not a use
    assert len(s.cache.hours()) == 6
    s.cache.max_idle_s = 0.0
    s.cache.expire()
    assert s.cache.hours() == [] and s.cache.bytes == 0
    again = _ids(s.search(probe, T0, end))
    assert again[0][0] == sid and again[1:] == want[:-1]


def test_concurrent_record_and_search(engine: sa.Engine, keys: KeyRing, world: World) -> None:
    s = Sightings(engine, keys, refresh_s=3600)
    rng = np.random.default_rng(8)
    probe = world.face(rng)
    end = T0 + timedelta(hours=6)
    s.search(probe, T0, end - timedelta(hours=2))  # hours 0-3 held, 4-5 not
    errors: list[BaseException] = []
    lock = threading.Lock()
    faces = [world.face(rng) for _ in range(120)]

    def writer(k: int) -> None:
        try:
            for i in range(k, len(faces), 3):
                ts = T0 + timedelta(minutes=3 * i + 1)
                sid = s.record(Sighting(CAMS[i % 5], 10_000 + i, ts, (0, 0, 1, 1), 0.5, faces[i]))
                with lock:
                    world.rows[sid] = (CAMS[i % 5], ts, faces[i])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def reader() -> None:
        try:
            for _ in range(15):
                s.search(probe, T0, end, threshold=0.8, limit=50)
                s.search(probe, T0, end, CAMS[:3], threshold=0.8, limit=10)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(3)]
    threads += [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    want = world.reference(probe, T0, end, None, 0.0, 5000)
    assert _ids(s.search(probe, T0, end, threshold=0.0, limit=5000)) == want
