"""A gallery searches one embedder's templates: another's are flagged, never mixed in."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from hash_embedder import HashPhotoEmbedder, OtherHashPhotoEmbedder

from kuzet.crypto import KeyRing
from kuzet.faces.gallery import Entry, Gallery
from kuzet.faces.records import PersonRecord
from kuzet.faces.tables import PhotoRow
from kuzet.faces.watchlists import Watchlists
from kuzet.schema import upgrade


def test_templates_carry_their_embedder_and_another_gallery_refuses_them(
    engine: sa.Engine, keys: KeyRing
) -> None:
    lists = Watchlists(engine, keys, HashPhotoEmbedder(), Gallery(engine, keys))
    wl = lists.create("police", "Wanted")
    lists.upsert(wl.id, PersonRecord("p1", "A", [b"photo-a"]))
    with engine.connect() as c:
        assert c.execute(sa.select(PhotoRow.embedder)).scalars().all() == ["dlib"]
    same = Gallery(engine, keys)
    assert (same.reload(), same.foreign) == (1, 0)
    other = Gallery(engine, keys, embedder="mobileface", dim=256)
    assert (other.reload(), other.foreign) == (0, 1)  # flagged, not searched
    template = HashPhotoEmbedder().enrol(b"photo-a").template
    assert template is not None
    with pytest.raises(ValueError, match=r"128-d template .* gallery of 'mobileface' \(256-d\)"):
        other.add(Entry("00000000-0000-4000-8000-000000000001", "p", wl.id), template)
    with pytest.raises(ValueError, match="'onnx_arcface'"):
        same.check(template, "onnx_arcface")
    with pytest.raises(ValueError, match="index of dim 128"):
        Gallery(engine, keys, same.index, embedder="faceres", dim=1024)
    other.check(np.zeros(256, np.float32), "mobileface")  # its own: accepted


def test_migration_marks_existing_templates_as_dlib(tmp_path: Path) -> None:
    """A store made before 0025: its photos and sightings were all made by dlib."""
    eng = sa.create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(eng, "0024_evidence")
    now = datetime.now(UTC)
    with eng.begin() as c:
        c.execute(sa.text(
            "INSERT INTO face_sightings (id, camera_id, track_id, ts, box, quality, key_id,"
            " template_enc, listed, attributes) VALUES ('s1', 'cam', 1, :ts, '[]', 0.5, 'k1',"
            " x'00', 0, '{}')"
        ), {"ts": now})  # fmt: skip
    upgrade(eng)
    with eng.connect() as c:
        assert c.execute(sa.text("SELECT embedder FROM face_sightings")).scalar_one() == "dlib"
        cols = {r[1] for r in c.execute(sa.text("PRAGMA table_info(watchlist_photos)"))}
    assert "embedder" in cols


def test_site_embedder_is_wired_through_enrolment_gallery_and_matcher(
    engine: sa.Engine, keys: KeyRing
) -> None:
    """``faces.embedder: faceres``: real photos enrol with 1024-d templates named so, the
    gallery searches them, the live matcher embeds with the same model. (Measured:
    obama2.jpg vs obama.jpg 0.674, biden.jpg vs obama.jpg 0.358.)"""
    from kuzet.assets import ensure
    from kuzet.config.faces import FacesConfig
    from kuzet.faces.services import FaceServices

    cfg = FacesConfig.model_validate(
        {"enabled": True, "embedder": {"type": "faceres", "threshold": 0.55}}
    )
    svc = FaceServices.build(engine, cfg, keys=keys)
    assert (svc.gallery.embedder, svc.gallery.index.dim, svc.default_threshold) == (
        "faceres", 1024, 0.55,
    )  # fmt: skip
    wl = svc.lists.create("police", "Wanted", threshold=svc.default_threshold)
    obama = ensure("obama.jpg", quiet=True).read_bytes()
    assert svc.lists.upsert(wl.id, PersonRecord("o", "Obama", [obama]))[0] == "created"
    with engine.connect() as c:
        assert c.execute(sa.select(PhotoRow.embedder)).scalars().all() == ["faceres"]
    probe = svc.embedder.enrol(ensure("obama2.jpg", quiet=True).read_bytes()).template
    other = svc.embedder.enrol(ensure("biden.jpg", quiet=True).read_bytes()).template
    assert probe is not None and other is not None and probe.shape == (1024,)
    assert [m.score > 0.6 for m in svc.gallery.search(probe)] == [True]
    assert svc.gallery.search(other) == []
    assert svc.matcher("cam1").embedder.name == "faceres"


def test_sightings_of_another_embedder_are_kept_but_not_searched(
    engine: sa.Engine, keys: KeyRing
) -> None:
    """One hour with dlib (128-d) and MobileFace (256-d) sightings: each search sees only
    its own embedder's (held hour, loaded hour, and rows read directly)."""
    from kuzet.faces.sightings import Sighting, Sightings

    rng = np.random.default_rng(3)
    t0 = datetime(2026, 12, 6, 10, 5, tzinfo=UTC)
    vecs = {"dlib": rng.standard_normal(128), "mobileface": rng.standard_normal(256)}
    writer = Sightings(engine, keys)  # a dlib process: holds the hour after a search
    writer.search(vecs["dlib"], t0, t0.replace(hour=11))
    for i, (name, v) in enumerate([*vecs.items(), ("dlib", -vecs["dlib"])]):
        writer.record(Sighting("cam", i, t0, (0, 0, 1, 1), 0.9, v.astype(np.float32),
                               embedder=name))  # fmt: skip
    for name, v in vecs.items():
        for s, cams in ((writer, None), (Sightings(engine, keys, embedder=name), None),
                        (Sightings(engine, keys, embedder=name), ["cam"])):  # fmt: skip
            if s is writer and name != "dlib":
                continue
            found = s.search(v, t0, t0.replace(hour=11), cams, threshold=0.5)
            assert [f.track_id for f in found] == [0 if name == "dlib" else 1], (name, cams)


def test_reembed_remakes_templates_from_sealed_photos(engine: sa.Engine, keys: KeyRing) -> None:
    from kuzet.faces.reembed import pending, reembed

    lists = Watchlists(engine, keys, HashPhotoEmbedder(), Gallery(engine, keys))
    wl = lists.create("police", "Wanted")
    lists.upsert(wl.id, PersonRecord("p1", "A", [b"photo-a", b"OLD-photo"]))
    lists.upsert(wl.id, PersonRecord("p2", "B", [b"photo-b"]))
    assert pending(engine, "other") == {"dlib": 3}
    done = reembed(engine, keys, OtherHashPhotoEmbedder(), batch=2)
    assert done == {"photos": 2, "refused: face too small": 1}
    assert pending(engine, "other") == {"dlib": 1}  # the refused one: kept, not searched
    gallery = Gallery(engine, keys, embedder="other", dim=256)
    assert (gallery.reload(), gallery.foreign) == (2, 1)
    probe = OtherHashPhotoEmbedder().enrol(b"photo-b").template
    assert probe is not None
    best = gallery.search(probe)[0]
    assert best.score > 0.999 and lists.photo(best.entry.photo_id) == b"photo-b"
    assert reembed(engine, keys, OtherHashPhotoEmbedder()) == {
        "refused: face too small": 1
    }  # idempotent
