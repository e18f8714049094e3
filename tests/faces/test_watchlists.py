"""Watchlists with synthetic templates: sync is incremental and idempotent, at 10k."""

from __future__ import annotations

import time

import numpy as np
import pytest
import sqlalchemy as sa
from hash_embedder import HashPhotoEmbedder

from kuzet.faces.gallery import Gallery
from kuzet.faces.records import PersonRecord
from kuzet.faces.watchlists import Watchlists


def test_enrol_rejects_unusable_photo_with_reason(synthetic_lists: Watchlists) -> None:
    wl = synthetic_lists.create("police", "Wanted")
    outcome, reasons = synthetic_lists.upsert(wl.id, PersonRecord("p1", "A", [b"BAD photo"]))
    assert outcome == "rejected" and reasons == [f"photo {_sha(b'BAD photo')}: no face found"]
    outcome, reasons = synthetic_lists.upsert(wl.id, PersonRecord("p1", "A", [b"ok", b"BAD x"]))
    assert outcome == "created" and len(reasons) == 1
    assert (
        synthetic_lists.photo(
            synthetic_lists.gallery.search(HashPhotoEmbedder().enrol(b"ok").template)[
                0
            ].entry.photo_id
        )
        == b"ok"
    )


def _sha(b: bytes) -> str:
    import hashlib

    return hashlib.sha256(b).hexdigest()[:12]


def test_photos_are_sealed_in_the_database(synthetic_lists: Watchlists, engine: sa.Engine) -> None:
    wl = synthetic_lists.create("police", "Wanted")
    synthetic_lists.upsert(wl.id, PersonRecord("p1", "A", [b"secret-photo-bytes"]))
    with engine.connect() as c:
        blob, tmpl = c.execute(
            sa.text("SELECT photo_enc, template_enc FROM watchlist_photos")
        ).one()
    assert b"secret-photo-bytes" not in blob
    assert HashPhotoEmbedder().enrol(b"secret-photo-bytes").template.tobytes() not in tmpl  # type: ignore[union-attr]


@pytest.mark.slow
def test_ten_thousand_person_import_and_incremental_resync(engine: sa.Engine, keys) -> None:  # type: ignore[no-untyped-def]
    lists = Watchlists(engine, keys, HashPhotoEmbedder(), Gallery(engine, keys))
    wl = lists.create("police", "Missing", kind="missing", threshold=0.9)
    recs = [
        PersonRecord(f"x{i}", f"P{i}", [f"photo-{i}".encode()], {"case": i}) for i in range(10_000)
    ]
    t = time.perf_counter()
    first = lists.sync(wl.id, recs, full=True)
    took = time.perf_counter() - t
    assert first.counts == {"created": 10_000} and len(lists.gallery) == 10_000
    again = lists.sync(wl.id, recs, full=True)  # idempotent: nothing changes
    assert again.counts == {"unchanged": 10_000}
    changed = [*recs[:9_990], PersonRecord("x5", "P5 renamed", [b"photo-5", b"new-5"], {})]
    changed[5] = changed[-1]
    inc = lists.sync(wl.id, changed[:-1], full=True)
    assert inc.counts == {"unchanged": 9_989, "updated": 1, "deleted": 10}
    assert len(lists.gallery) == 9_990 + 1  # x5 now has two photos
    hit = lists.gallery.search(HashPhotoEmbedder().enrol(b"new-5").template)  # type: ignore[arg-type]
    assert hit[0].entry.person_id == next(
        p.id for p in lists.persons(wl.id) if p.external_id == "x5"
    )
    fresh = Gallery(engine, keys)  # a restart: rebuilt from sealed rows
    assert fresh.reload() == 9_991
    probe = HashPhotoEmbedder().enrol(b"photo-42").template
    assert fresh.search(np.asarray(probe))[0].score > 0.99
    print(f"10k import {took:.1f} s")
