"""A wanted person enrolled through one process (an API replica) is matched by another's
gallery (a worker shard's cameras) within seconds, and a removal stops matching there
too; a lost announcement is made good by the timed rebuild."""

from __future__ import annotations

import sqlalchemy as sa
from hash_embedder import HashPhotoEmbedder
from tests.incidents.conftest import wait_for

from kuzet.crypto import KeyRing
from kuzet.events import MemoryBus
from kuzet.faces.gallery import Gallery
from kuzet.faces.gallery_share import GalleryShare
from kuzet.faces.records import PersonRecord
from kuzet.faces.watchlists import Watchlists


def test_an_enrolment_on_one_replica_is_matched_in_another_process(
    engine: sa.Engine, keys: KeyRing
) -> None:
    bus = MemoryBus()  # one bus between the two (NATS in a city)
    replica, shard = Gallery(engine, keys), Gallery(engine, keys)
    shard.reload()  # the shard at its start: nothing enrolled yet
    lists = Watchlists(engine, keys, HashPhotoEmbedder(), replica)  # the API's edits
    shares = [GalleryShare(bus, g, settle_s=0.2) for g in (replica, shard)]
    face = HashPhotoEmbedder().enrol(b"face-of-p1").template
    try:
        wl = lists.create("police", "Wanted", threshold=0.9)
        lists.upsert(wl.id, PersonRecord("p1", "Wanted One", [b"face-of-p1"]))
        assert replica.search(face)  # in place, at once, where the edit was made
        (hit,) = wait_for(lambda: shard.search(face), timeout=30.0, what="the shard's match")
        assert hit.entry.watchlist_id == wl.id
        assert shares[0].announced >= 1 and shares[0].reloads == 0  # no rebuild of its own
        lists.remove(wl.id, "p1")
        wait_for(lambda: not shard.search(face), timeout=30.0, what="the removal to reach it")
    finally:
        for s in shares:
            s.close()
        bus.close()


def test_a_lost_announcement_is_made_good_by_the_timed_rebuild(
    engine: sa.Engine, keys: KeyRing
) -> None:
    replica, shard = Gallery(engine, keys), Gallery(engine, keys)
    shard.reload()
    lists = Watchlists(engine, keys, HashPhotoEmbedder(), replica)  # announces to no one
    share = GalleryShare(MemoryBus(), shard, every_s=0.3)
    face = HashPhotoEmbedder().enrol(b"face-of-p2").template
    try:
        wl = lists.create("police", "Wanted", threshold=0.9)
        lists.upsert(wl.id, PersonRecord("p2", "Wanted Two", [b"face-of-p2"]))
        wait_for(lambda: shard.search(face), timeout=30.0, what="the timed rebuild")
        assert share.reloads >= 1
    finally:
        share.close()
