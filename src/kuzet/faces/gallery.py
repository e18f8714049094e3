"""The searchable gallery: enrolled templates in a :class:`FaceIndex` plus what each
index id means (photo, person, list). Rebuilt from the store at start-up; enrolment
and removal update it in place, so changes take effect without a restart."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from kuzet.crypto import KeyRing
from kuzet.faces.index import FaceIndex
from kuzet.faces.pgvector import PgVectorIndex
from kuzet.faces.tables import PersonRow, PhotoRow, WatchlistRow

log = logging.getLogger(__name__)


def vector_id(photo_id: str) -> int:
    """Stable int64 id for FAISS from a photo's UUID (63 random bits: no collisions)."""
    return uuid.UUID(photo_id).int >> 65


def template_context(photo_id: str) -> str:
    return f"template:{photo_id}"


@dataclass(frozen=True)
class Entry:
    photo_id: str
    person_id: str
    watchlist_id: str


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float
    threshold: float
    priority: int
    visible_to: tuple[str, ...] = ()  # agencies that may see a hit on this list


class Gallery:
    """``embedder`` names the model whose templates this gallery searches: templates made
    by another embedder (another space, often another dimension) are never mixed in;
    ``reload`` skips them and counts them in ``foreign`` (re-enrol to use them)."""

    def __init__(
        self,
        engine: Engine,
        keys: KeyRing,
        index: FaceIndex | PgVectorIndex | None = None,
        embedder: str = "dlib",
        dim: int = 128,
    ) -> None:
        self._session = sessionmaker(engine)
        self._keys = keys
        self.embedder = embedder
        self.index = index if index is not None else FaceIndex(dim)  # an empty one is falsy
        if self.index.dim != dim:
            raise ValueError(f"index of dim {self.index.dim} for {embedder} templates ({dim}-d)")
        self.foreign = 0  # templates of other embedders in the store, not searchable
        self._entries: dict[int, Entry] = {}
        self._lists: dict[str, tuple[float, int]] = {}  # id -> (threshold, priority)
        self._visible: dict[str, tuple[str, ...]] = {}  # id -> agencies that see hits
        self._lock = threading.Lock()
        self._on_change: Callable[[], None] | None = None

    def on_change(self, fn: Callable[[], None] | None) -> None:
        """``fn`` is called after each change made in place (an enrolment, a removal, a
        list's settings): the other processes must rebuild (:mod:`.gallery_share`)."""
        self._on_change = fn

    def _changed(self) -> None:
        fn = self._on_change
        if fn is not None:
            fn()

    def refresh(self) -> int:
        """Catch up with what another process changed in the store. A shared index
        (pgvector) already holds its templates, so only the entries and lists are read
        (rebuilding it from every process would truncate one table many times over); a
        private one (FAISS) is rebuilt."""
        return self.reload(build=not isinstance(self.index, PgVectorIndex))

    def reload(self, *, build: bool = True) -> int:
        """Rebuild from the store (decrypts every template once); without ``build`` only
        the entries and lists, not the index."""
        ids, vecs, entries, foreign = [], [], {}, 0
        with self._session() as s:
            wls = list(s.scalars(select(WatchlistRow)))
            lists = {w.id: (w.threshold, w.priority) for w in wls}
            visible = {w.id: tuple(w.visibility) for w in wls}
            rows = s.execute(
                select(
                    PhotoRow.id,
                    PhotoRow.key_id,
                    PhotoRow.template_enc,
                    PersonRow.id,
                    PersonRow.watchlist_id,
                    PhotoRow.embedder,
                ).join(PersonRow)
            )
            for photo_id, key_id, blob, person_id, wl, made_by in rows:
                if made_by != self.embedder:
                    foreign += 1
                    continue
                vid = vector_id(photo_id)
                entries[vid] = Entry(photo_id, person_id, wl)
                if build:
                    raw = self._keys.open(key_id, blob, template_context(photo_id))
                    ids.append(vid)
                    vecs.append(np.frombuffer(raw, np.float32))
        if build:
            self.index.build(
                np.asarray(ids, np.int64),
                np.stack(vecs) if vecs else np.empty((0, self.index.dim), np.float32),
            )
        with self._lock:
            self._entries, self._lists, self._visible = entries, lists, visible
            self.foreign = foreign
        if foreign:
            log.warning(
                "%d enrolled templates were made by another embedder than %s and are not"
                " searched; re-enrol their photos",
                foreign,
                self.embedder,
            )
        return len(entries)

    def set_list(
        self, watchlist_id: str, threshold: float, priority: int, visible_to: tuple[str, ...] = ()
    ) -> None:
        with self._lock:
            self._lists[watchlist_id] = (threshold, priority)
            self._visible[watchlist_id] = tuple(visible_to)
        self._changed()

    def drop_list(self, watchlist_id: str) -> None:
        """A deleted list matches nothing from now on (its entries go with its photos)."""
        with self._lock:
            self._lists.pop(watchlist_id, None)
            self._visible.pop(watchlist_id, None)
        self._changed()

    def check(self, template: np.ndarray, embedder: str) -> None:
        """Refuse a template this gallery cannot search (another embedder or size)."""
        if embedder != self.embedder or np.shape(template)[-1] != self.index.dim:
            raise ValueError(
                f"a {np.shape(template)[-1]}-d template of {embedder!r} cannot join a gallery"
                f" of {self.embedder!r} ({self.index.dim}-d)"
            )

    def add(self, entry: Entry, template: np.ndarray) -> None:
        self.check(template, self.embedder)
        vid = vector_id(entry.photo_id)
        self.index.add(np.array([vid]), template[None])
        with self._lock:
            self._entries[vid] = entry
        self._changed()

    def remove(self, photo_ids: list[str]) -> None:
        vids = [vector_id(p) for p in photo_ids]
        if vids:
            self.index.remove(np.asarray(vids, np.int64))
        with self._lock:
            for v in vids:
                self._entries.pop(v, None)
        if vids:
            self._changed()

    def __len__(self) -> int:
        return len(self._entries)

    def search(self, template: np.ndarray, k: int = 10) -> list[Match]:
        """Persons whose best photo scores above their list's threshold, best first;
        one match per (person, list)."""
        scores, ids = self.index.search(template, k)
        best: dict[tuple[str, str], Match] = {}
        with self._lock:
            for score, vid in zip(scores[0], ids[0], strict=True):
                entry = self._entries.get(int(vid))
                if entry is None or entry.watchlist_id not in self._lists:
                    continue
                threshold, priority = self._lists[entry.watchlist_id]
                key = (entry.person_id, entry.watchlist_id)
                if score >= threshold and (key not in best or best[key].score < score):
                    vis = self._visible.get(entry.watchlist_id, ())
                    best[key] = Match(entry, float(score), threshold, priority, vis)
        return sorted(best.values(), key=lambda m: (-m.priority, -m.score))
