"""Key rotation: re-seal every row not sealed with the active key.

Run after putting a new key first in the ring (``kuzet faces rekey``); once it
reports nothing left under the old key id, the old key can be removed. Rows are
re-sealed in batches, each its own transaction, so a stopped run resumes.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from kuzet.crypto import KeyRing, is_sealed, sealed_with
from kuzet.faces.gallery import template_context
from kuzet.faces.sealed import needs_sealing, opened, seal_person
from kuzet.faces.tables import PersonRow, PhotoRow, SightingRow
from kuzet.faces.watchlists import photo_context


def pending(engine: Engine, keys: KeyRing) -> Counter[str]:
    """Rows per key id still sealed with another key than the active one."""
    out: Counter[str] = Counter()
    with sessionmaker(engine)() as s:
        for table in (PhotoRow, SightingRow):
            for kid in s.scalars(select(table.key_id).where(table.key_id != keys.active)):
                out[kid] += 1
        for name in s.scalars(select(PersonRow.name)):  # names: "kzs1:<key id>:..." or plain
            if not sealed_with(name, keys.active):
                out[name.split(":")[1] if is_sealed(name) else "(not sealed)"] += 1
    return out


def rekey(engine: Engine, keys: KeyRing, batch: int = 500) -> Counter[str]:
    """Re-seal photos, templates, sighting crops and persons' names and case data (plain
    ones from before sealing included); returns rows done per table."""
    done: Counter[str] = Counter()
    maker = sessionmaker(engine)
    after = ""
    while True:
        with maker.begin() as s:
            pq = select(PersonRow).where(PersonRow.id > after).order_by(PersonRow.id).limit(batch)
            prows = list(s.scalars(pq))
            for pr in prows:
                if needs_sealing(keys, pr):
                    plain = opened(keys, pr)
                    pr.name, pr.case = seal_person(keys, pr.id, plain.name, plain.case)
                    done["persons"] += 1
            after = prows[-1].id if prows else after
        if len(prows) < batch:
            break
    while True:
        with maker.begin() as s:
            rows = list(
                s.scalars(select(PhotoRow).where(PhotoRow.key_id != keys.active).limit(batch))
            )
            for r in rows:
                t = keys.reseal(r.key_id, r.template_enc, template_context(r.id))
                p = keys.reseal(r.key_id, r.photo_enc, photo_context(r.id))
                r.template_enc, r.photo_enc, r.key_id = t.blob, p.blob, t.key_id
            done["photos"] += len(rows)
        if len(rows) < batch:
            break
    while True:
        with maker.begin() as s:
            q = select(SightingRow).where(SightingRow.key_id != keys.active).limit(batch)
            srows = list(s.scalars(q))
            for sr in srows:
                t = keys.reseal(sr.key_id, sr.template_enc, f"sighting:{sr.id}")
                if sr.crop_enc is not None:
                    sr.crop_enc = keys.reseal(sr.key_id, sr.crop_enc, f"sighting-crop:{sr.id}").blob
                sr.template_enc, sr.key_id = t.blob, t.key_id
            done["sightings"] += len(srows)
        if len(srows) < batch:
            break
    return done
