"""Watchlists and their persons: create, enrol photos, sync from an external database.

Sync is incremental and idempotent: each record carries the source's ``external_id``;
a digest of name, case data and photo hashes tells an unchanged record from a changed
one, so re-sending a list is cheap and changes nothing. Photos, names and case data are
sealed at rest (:mod:`kuzet.faces.sealed`).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session, sessionmaker

from kuzet.crypto import KeyRing
from kuzet.faces.gallery import Entry, Gallery, template_context
from kuzet.faces.sealed import opened, seal_person
from kuzet.faces.tables import PersonRow, PhotoRow, WatchlistRow
from kuzet.faces.templates import PhotoEmbedder

KINDS = ("wanted", "missing", "vip_exclusion", "other")


@dataclass(frozen=True)
class PersonRecord:
    external_id: str
    name: str
    photos: list[bytes]
    case: dict[str, Any] = field(default_factory=dict)

    def digest(self) -> str:
        body = {
            "name": self.name,
            "case": self.case,
            "photos": sorted(hashlib.sha256(p).hexdigest() for p in self.photos),
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class SyncReport:
    counts: Counter[str] = field(default_factory=Counter)  # created/updated/unchanged/...
    rejected: dict[str, list[str]] = field(default_factory=dict)  # external_id -> reasons

    def as_dict(self) -> dict[str, Any]:
        return {"counts": dict(self.counts), "rejected": self.rejected}


class WatchlistError(ValueError):
    pass


def photo_context(photo_id: str) -> str:
    return f"photo:{photo_id}"


class Watchlists:
    def __init__(
        self, engine: Engine, keys: KeyRing, embedder: PhotoEmbedder, gallery: Gallery
    ) -> None:
        self._session = sessionmaker(engine, expire_on_commit=False)
        self.keys = keys
        self.embedder = embedder
        self.gallery = gallery

    def create(
        self,
        agency_id: str,
        name: str,
        *,
        kind: str = "wanted",
        threshold: float = 0.92,
        priority: int = 1,
        visibility: list[str] | None = None,
        id: str | None = None,
    ) -> WatchlistRow:
        if kind not in KINDS:
            raise WatchlistError(f"kind must be one of {KINDS}")
        if not 0.0 < threshold < 1.0:
            raise WatchlistError("threshold is a cosine similarity in (0, 1)")
        now = datetime.now(UTC)
        row = WatchlistRow(
            id=id or str(uuid.uuid4()),
            agency_id=agency_id,
            name=name,
            kind=kind,
            threshold=threshold,
            priority=priority,
            visibility=sorted(set(visibility or []) | {agency_id}),
            created_at=now,
            updated_at=now,
        )
        with self._session.begin() as s:
            s.add(row)
        self.gallery.set_list(row.id, threshold, priority, tuple(row.visibility))
        return row

    def get(self, watchlist_id: str) -> WatchlistRow:
        with self._session() as s:
            row = s.get(WatchlistRow, watchlist_id)
        if row is None:
            raise WatchlistError(f"no watchlist {watchlist_id!r}")
        return row

    def update(
        self,
        watchlist_id: str,
        *,
        name: str | None = None,
        threshold: float | None = None,
        priority: int | None = None,
        visibility: list[str] | None = None,
    ) -> WatchlistRow:
        """Change a list; the live gallery follows at once (threshold, who sees hits)."""
        if threshold is not None and not 0.0 < threshold < 1.0:
            raise WatchlistError("threshold is a cosine similarity in (0, 1)")
        with self._session.begin() as s:
            row = s.get(WatchlistRow, watchlist_id)
            if row is None:
                raise WatchlistError(f"no watchlist {watchlist_id!r}")
            if name is not None:
                row.name = name
            if threshold is not None:
                row.threshold = threshold
            if priority is not None:
                row.priority = priority
            if visibility is not None:
                row.visibility = sorted(set(visibility) | {row.agency_id})
            row.updated_at = datetime.now(UTC)
        self.gallery.set_list(row.id, row.threshold, row.priority, tuple(row.visibility))
        return row

    def delete_list(self, watchlist_id: str) -> None:
        """Drop an (already emptied, see ``kuzet.faces.subject``) list."""
        self.gallery.drop_list(watchlist_id)
        with self._session.begin() as s:
            s.execute(delete(WatchlistRow).where(WatchlistRow.id == watchlist_id))

    def person(self, person_id: str) -> PersonRow | None:
        """The person with name and case opened (they are sealed at rest)."""
        with self._session() as s:
            row = s.get(PersonRow, person_id)
            if row is not None:
                s.expunge(row)
        return None if row is None else opened(self.keys, row)

    def photos_of(self, person_id: str) -> list[PhotoRow]:
        with self._session() as s:
            q = select(PhotoRow).where(PhotoRow.person_id == person_id)
            return list(s.scalars(q.order_by(PhotoRow.created_at)))

    def lists(self) -> list[WatchlistRow]:
        with self._session() as s:
            return list(s.scalars(select(WatchlistRow).order_by(WatchlistRow.name)))

    def persons(self, watchlist_id: str) -> list[PersonRow]:
        with self._session() as s:
            q = select(PersonRow).where(PersonRow.watchlist_id == watchlist_id)
            rows = list(s.scalars(q.order_by(PersonRow.external_id)))
            s.expunge_all()
        return [opened(self.keys, r) for r in rows]

    def upsert(self, watchlist_id: str, rec: PersonRecord) -> tuple[str, list[str]]:
        """Enrol or update one person; returns (outcome, reasons of rejected photos).

        A person whose photos are all unusable is not created (outcome ``rejected``).
        """
        self.get(watchlist_id)
        digest = rec.digest()
        with self._session.begin() as s:
            person = s.scalar(
                select(PersonRow).where(
                    PersonRow.watchlist_id == watchlist_id, PersonRow.external_id == rec.external_id
                )
            )
            if person is not None and person.digest == digest:
                return "unchanged", []
            have = (
                {}
                if person is None
                else {
                    p.sha256: p
                    for p in s.scalars(select(PhotoRow).where(PhotoRow.person_id == person.id))
                }
            )
            wanted = {hashlib.sha256(p).hexdigest(): p for p in rec.photos}
            new, reasons = [], []
            pid = person.id if person is not None else str(uuid.uuid4())
            for sha, photo in wanted.items():
                if sha in have:
                    continue
                got = self.embedder.enrol(photo)
                if got.template is None:
                    reasons.append(f"photo {sha[:12]}: {got.reason}")
                    continue
                new.append(self._photo_row(pid, sha, photo, got.template.tobytes(), got.quality))
            stale = [p for sha, p in have.items() if sha not in wanted]
            if len(have) - len(stale) + len(new) == 0:
                if person is not None:
                    s.delete(person)
                    self.gallery.remove([p.id for p in have.values()])
                return "rejected", reasons or ["no photo"]
            now = datetime.now(UTC)
            if person is None:
                person = PersonRow(
                    id=pid,
                    watchlist_id=watchlist_id,
                    external_id=rec.external_id,
                    created_at=now,
                    name="",
                    case={},
                    digest="",
                    updated_at=now,
                )
                s.add(person)
                outcome = "created"
            else:
                outcome = "updated"
            person.name, person.case = seal_person(self.keys, pid, rec.name, rec.case)
            person.digest, person.updated_at = digest, now
            s.flush()
            for p in stale:
                s.delete(p)
            s.add_all(row for row, _ in new)
        self.gallery.remove([p.id for p in stale])
        for row, template in new:
            self.gallery.add(Entry(row.id, pid, watchlist_id), template)
        return outcome, reasons

    def _photo_row(
        self, person_id: str, sha: str, photo: bytes, template: bytes, quality: dict[str, Any]
    ) -> tuple[PhotoRow, Any]:
        import numpy as np

        photo_id = str(uuid.uuid4())
        t = self.keys.seal(template, template_context(photo_id))
        p = self.keys.seal(photo, photo_context(photo_id))
        assert t.key_id == p.key_id
        row = PhotoRow(
            id=photo_id,
            person_id=person_id,
            sha256=sha,
            key_id=t.key_id,
            photo_enc=p.blob,
            template_enc=t.blob,
            quality=quality,
            created_at=datetime.now(UTC),
            embedder=self.gallery.embedder,
        )
        return row, np.frombuffer(template, np.float32)

    def remove(self, watchlist_id: str, external_id: str) -> bool:
        with self._session.begin() as s:
            return self._remove(s, watchlist_id, [external_id]) > 0

    def _remove(self, s: Session, watchlist_id: str, external_ids: list[str]) -> int:
        persons = list(
            s.scalars(
                select(PersonRow).where(
                    PersonRow.watchlist_id == watchlist_id, PersonRow.external_id.in_(external_ids)
                )
            )
        )
        ids = [p.id for p in persons]
        photos = list(s.scalars(select(PhotoRow.id).where(PhotoRow.person_id.in_(ids))))
        s.execute(delete(PhotoRow).where(PhotoRow.person_id.in_(ids)))
        s.execute(delete(PersonRow).where(PersonRow.id.in_(ids)))
        self.gallery.remove(photos)
        return len(ids)

    def sync(
        self,
        watchlist_id: str,
        records: list[PersonRecord],
        *,
        deleted: list[str] | None = None,
        full: bool = False,
    ) -> SyncReport:
        """Apply a batch from the source. ``full``: the batch is the whole list, so
        persons absent from it are removed; otherwise only ``deleted`` are."""
        report = SyncReport()
        for rec in records:
            outcome, reasons = self.upsert(watchlist_id, rec)
            report.counts[outcome] += 1
            if reasons:
                report.rejected[rec.external_id] = reasons
        gone = list(deleted or [])
        if full:
            present = {r.external_id for r in records}
            gone += [
                p.external_id for p in self.persons(watchlist_id) if p.external_id not in present
            ]
        if gone:
            with self._session.begin() as s:
                for i in range(0, len(gone), 500):
                    report.counts["deleted"] += self._remove(s, watchlist_id, gone[i : i + 500])
        return report

    def photo(self, photo_id: str) -> bytes:
        """The enrolled photo, decrypted; callers must have audited the view."""
        with self._session() as s:
            row = s.get(PhotoRow, photo_id)
        if row is None:
            raise WatchlistError(f"no photo {photo_id!r}")
        return self.keys.open(row.key_id, row.photo_enc, photo_context(photo_id))
