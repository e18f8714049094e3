"""Plate reads in the store: written once per event, found exactly, by wildcard and by
edit distance, narrowed by camera and time, paged without loss or repeat."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from kuzet.platedata.reads import Filters, read_row, search, write_reads
from kuzet.platedata.text import parse_query
from kuzet.schema import open_store

from .conftest import T0, hours, plate_read

PLATES = ["123ABC02", "123AB02", "123A8C02", "777KZA01", "A123BCD", "128A8C02"]


@pytest.fixture
def engine(db_url: str) -> Engine:
    """SQLite, and PostgreSQL (marker ``postgres``): the upserts and ranges differ."""
    store = open_store(db_url)
    rows = []
    for i, plate in enumerate(PLATES):
        cam = "traffic-1" if i % 2 == 0 else "school-1"
        row = read_row(plate_read(plate, cam, track=i, ts=T0 + hours(i)))
        assert row is not None
        rows.append(row)
    assert write_reads(store.engine, rows) == len(PLATES)
    return store.engine


def plates(
    engine: Engine, text: str, mode: str | None = None, d: int = 1, **f: object
) -> list[str]:
    hits, _ = search(engine, parse_query(text, mode, d), Filters(**f), limit=100)  # type: ignore[arg-type]
    return [h.row.plate for h in hits]


def test_redelivered_reads_are_written_once(engine: Engine) -> None:
    row = read_row(plate_read("123ABC02", "traffic-1", track=0, ts=T0))
    assert row is not None
    assert write_reads(engine, [row]) == 0
    assert plates(engine, "123ABC02") == ["123ABC02"]


def test_unread_or_garbled_plates_are_not_rows() -> None:
    ev = plate_read("123ABC02")
    assert read_row(ev.model_copy(update={"type": "plate_unread", "attributes": {}})) is None
    assert read_row(ev.model_copy(update={"attributes": {"plate": "12#"}})) is None


def test_exact_wildcard_and_fuzzy(engine: Engine) -> None:
    assert plates(engine, "123 abc 02") == ["123ABC02"]
    assert plates(engine, "123*02") == ["123A8C02", "123AB02", "123ABC02"]
    assert plates(engine, "123?BC02") == ["123ABC02"]
    assert plates(engine, "123?C02") == []  # "?" is one character, not a run
    assert plates(engine, "123A?C02") == ["123A8C02", "123ABC02"]
    assert plates(engine, "*KZA*") == ["777KZA01"]
    fuzzy1 = plates(engine, "123ABC02", "fuzzy", 1)
    assert sorted(fuzzy1) == ["123A8C02", "123AB02", "123ABC02"]
    assert "128A8C02" in plates(engine, "123ABC02", "fuzzy", 2)
    hits, _ = search(engine, parse_query("123ABC02", "fuzzy", 1), Filters(), limit=10)
    assert {h.row.plate: h.distance for h in hits}["123A8C02"] == 1


def test_camera_and_time_filters(engine: Engine) -> None:
    assert plates(engine, "123*02", cameras=frozenset({"traffic-1"})) == ["123A8C02", "123ABC02"]
    got = plates(engine, "123*02", since=T0 + hours(1), until=T0 + hours(2.5))
    assert got == ["123A8C02", "123AB02"]


def test_pages_cover_everything_once(engine: Engine) -> None:
    q = parse_query("*02", "wildcard")
    seen: list[str] = []
    cursor = None
    while True:
        hits, cursor = search(engine, q, Filters(), limit=2, cursor=cursor)
        seen += [h.row.event_id for h in hits]
        if cursor is None:
            break
    every, _ = search(engine, q, Filters(), limit=100)
    assert seen == [h.row.event_id for h in every] and len(seen) == 4


def test_fuzzy_and_unanchored_patterns_follow_the_time_range(engine: Engine) -> None:
    # 123A8C02 was read at T0+2h only: a window after it leaves it out
    assert plates(engine, "123ABC02", "fuzzy", 1, since=T0 + hours(2.5)) == []
    assert plates(engine, "*A8C02", since=T0 + hours(1.5)) == ["128A8C02", "123A8C02"]
    assert plates(engine, "*A8C02", until=T0 + hours(2.5)) == ["123A8C02"]


def test_many_plates_fall_back_to_scanning_reads(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pattern that many distinct plates answer scans the reads instead: same answer."""
    before = plates(engine, "*02")
    monkeypatch.setattr("kuzet.platedata.reads.MAX_FUZZY_PLATES", 1)
    assert plates(engine, "*02") == before and len(before) == 4


def test_a_read_again_keeps_the_plates_span(engine: Engine) -> None:
    row = read_row(plate_read("777KZA01", "school-1", track=99, ts=T0 - hours(24)))
    assert row is not None and write_reads(engine, [row]) == 1
    assert plates(engine, "777KZA0", "fuzzy", 1, until=T0 - hours(20)) == ["777KZA01"]
    assert plates(engine, "*KZA01", since=T0 + hours(3)) == ["777KZA01"]
