"""Watchlists and their persons: create, enrol photos, sync from an external database.

Sync is incremental and idempotent: each record carries the source's ``external_id``;
a digest of name, case data and photo hashes tells an unchanged record from a changed
one, so re-sending a list is cheap and changes nothing. Photos, names and case data are
sealed at rest (:mod:`kuzet.faces.sealed`).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from kuzet.crypto import KeyRing
from kuzet.faces.calibration import CalibrationError, ListThreshold, list_threshold
from kuzet.faces.gallery import Entry, Gallery, template_context
from kuzet.faces.records import PersonRecord, SyncReport
from kuzet.faces.sealed import opened, seal_person
from kuzet.faces.tables import PersonRow, PhotoRow, WatchlistRow
from kuzet.faces.templates import PhotoEmbedder

KINDS = ("wanted", "missing", "vip_exclusion", "other")
SYNC_BATCH = 500  # persons per transaction of an import


class WatchlistError(ValueError):
    pass


def photo_context(photo_id: str) -> str:
    return f"photo:{photo_id}"


@dataclass
class _Batch:
    """What one import transaction has read and will write."""

    persons: dict[str, PersonRow] = field(default_factory=dict)
    photos: dict[str, dict[str, PhotoRow]] = field(default_factory=dict)
    new: list[tuple[PhotoRow, Any]] = field(default_factory=list)
    stale: list[PhotoRow] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


class Watchlists:
    def __init__(
        self, engine: Engine, keys: KeyRing, embedder: PhotoEmbedder, gallery: Gallery
    ) -> None:
        self._session = sessionmaker(engine, expire_on_commit=False)
        self.keys = keys
        self.embedder = embedder
        self.gallery = gallery
        # whose measured impostor scores set thresholds from a false-alert target
        self.embedder_name: str = getattr(embedder, "name", "dlib")

    def create(
        self,
        agency_id: str,
        name: str,
        *,
        kind: str = "wanted",
        threshold: float = 0.963,  # dlib at FMR 0.1 % on the tuning faces (docs/faces.md)
        priority: int = 1,
        visibility: list[str] | None = None,
        id: str | None = None,
        false_alert_target: float | None = None,
    ) -> WatchlistRow:
        """``false_alert_target`` (expected false alerts per search) replaces a fixed
        ``threshold``: the threshold then follows the list's size."""
        if kind not in KINDS:
            raise WatchlistError(f"kind must be one of {KINDS}")
        if false_alert_target is not None:
            threshold = self._calibrated(0, false_alert_target, strict=True).threshold
        if not 0.0 < threshold < 1.0:
            raise WatchlistError("threshold is a cosine similarity in (0, 1)")
        now = datetime.now(UTC)
        row = WatchlistRow(
            id=id or str(uuid.uuid4()),
            agency_id=agency_id,
            name=name,
            kind=kind,
            threshold=threshold,
            false_alert_target=false_alert_target,
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

    def size(self, watchlist_id: str) -> int:
        with self._session() as s:
            q = select(func.count()).select_from(PersonRow)
            return int(s.scalar(q.where(PersonRow.watchlist_id == watchlist_id)) or 0)

    def _calibrated(self, size: int, target: float, *, strict: bool = False) -> ListThreshold:
        """``strict``: refuse a target the embedder cannot meet (a person asked for it);
        a list grown past it by enrolment keeps the strictest threshold and says so."""
        try:
            got = list_threshold(self.embedder_name, size, target)
        except CalibrationError as exc:
            raise WatchlistError(str(exc)) from None
        if strict and not got.reachable:
            raise WatchlistError(got.explain())
        return got

    def threshold_info(self, watchlist_id: str) -> ListThreshold | None:
        """How the list's threshold follows from its target and size (None: fixed)."""
        row = self.get(watchlist_id)
        if row.false_alert_target is None:
            return None
        return self._calibrated(self.size(watchlist_id), row.false_alert_target)

    def retune(self, watchlist_id: str) -> WatchlistRow:
        """Recompute a target-driven threshold for the list's current size (it only
        tightens as the list grows; after removals it loosens again here)."""
        row = self.get(watchlist_id)
        if row.false_alert_target is None:
            return row
        t = self._calibrated(self.size(watchlist_id), row.false_alert_target).threshold
        if t == row.threshold:
            return row
        with self._session.begin() as s:
            live = s.get(WatchlistRow, watchlist_id)
            if live is None:
                raise WatchlistError(f"no watchlist {watchlist_id!r}")
            live.threshold, live.updated_at = t, datetime.now(UTC)
            row = live
        self.gallery.set_list(row.id, row.threshold, row.priority, tuple(row.visibility))
        return row

    def update(
        self,
        watchlist_id: str,
        *,
        name: str | None = None,
        threshold: float | None = None,
        priority: int | None = None,
        visibility: list[str] | None = None,
        false_alert_target: float | None = None,
    ) -> WatchlistRow:
        """Change a list; the live gallery follows at once (threshold, who sees hits).
        A fixed ``threshold`` clears the false-alert target; a target sets the
        threshold from the list's size."""
        if threshold is not None and not 0.0 < threshold < 1.0:
            raise WatchlistError("threshold is a cosine similarity in (0, 1)")
        if threshold is not None and false_alert_target is not None:
            raise WatchlistError("give a threshold or a false-alert target, not both")
        if false_alert_target is not None:
            size = self.size(watchlist_id)
            threshold = self._calibrated(size, false_alert_target, strict=True).threshold
        with self._session.begin() as s:
            row = s.get(WatchlistRow, watchlist_id)
            if row is None:
                raise WatchlistError(f"no watchlist {watchlist_id!r}")
            if name is not None:
                row.name = name
            if threshold is not None:
                row.threshold = threshold
                row.false_alert_target = false_alert_target
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
        got = self._upsert_batch(watchlist_id, [rec])[0]
        self.retune(watchlist_id)
        return got

    def _upsert_batch(
        self, watchlist_id: str, records: list[PersonRecord]
    ) -> list[tuple[str, list[str]]]:
        """One transaction for the batch, its persons and photos read in two queries and
        written in two flushes: a 10,000-person import was a commit and three queries a
        person (114 s in a full test run)."""
        self.get(watchlist_id)
        b = _Batch()
        with self._session.begin() as s:
            b.persons = {
                p.external_id: p
                for p in s.scalars(
                    select(PersonRow).where(
                        PersonRow.watchlist_id == watchlist_id,
                        PersonRow.external_id.in_([r.external_id for r in records]),
                    )
                )
            }
            ids = [p.id for p in b.persons.values()]
            for ph in s.scalars(select(PhotoRow).where(PhotoRow.person_id.in_(ids))):
                b.photos.setdefault(ph.person_id, {})[ph.sha256] = ph
            out = [self._upsert(s, watchlist_id, rec, b) for rec in records]
            s.flush()  # the persons first: photos refer to them
            for row in b.stale:
                s.delete(row)
            s.add_all(row for row, _ in b.new)
        self.gallery.remove([row.id for row in b.stale] + b.removed)
        for row, template in b.new:
            self.gallery.add(Entry(row.id, row.person_id, watchlist_id), template)
        return out

    def _upsert(
        self, s: Session, watchlist_id: str, rec: PersonRecord, b: _Batch
    ) -> tuple[str, list[str]]:
        digest = rec.digest()
        person = b.persons.get(rec.external_id)
        if person is not None and person.digest == digest:
            return "unchanged", []
        have = {} if person is None else b.photos.get(person.id, {})
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
                del b.persons[rec.external_id]
                b.removed += [p.id for p in have.values()]
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
            b.persons[rec.external_id] = person  # the same id twice in one batch: one person
            outcome = "created"
        else:
            outcome = "updated"
        person.name, person.case = seal_person(self.keys, pid, rec.name, rec.case)
        person.digest, person.updated_at = digest, now
        b.stale += stale
        b.new += new
        b.photos[pid] = {
            **{sha: p for sha, p in have.items() if sha in wanted},
            **{row.sha256: row for row, _ in new},
        }
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
            gone = self._remove(s, watchlist_id, [external_id]) > 0
        self.retune(watchlist_id)
        return gone

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
        for i in range(0, len(records), SYNC_BATCH):
            batch = records[i : i + SYNC_BATCH]
            for rec, (outcome, reasons) in zip(
                batch, self._upsert_batch(watchlist_id, batch), strict=True
            ):
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
        self.retune(watchlist_id)
        return report

    def photo(self, photo_id: str) -> bytes:
        """The enrolled photo, decrypted; callers must have audited the view."""
        with self._session() as s:
            row = s.get(PhotoRow, photo_id)
        if row is None:
            raise WatchlistError(f"no photo {photo_id!r}")
        return self.keys.open(row.key_id, row.photo_enc, photo_context(photo_id))
