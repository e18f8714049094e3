"""Re-make enrolled templates after ``faces.embedder`` changes.

Templates of another embedder are never searched (:class:`~kuzet.faces.gallery.Gallery`
skips them), but every enrolled photo is kept sealed, so the new embedder can remake
each template from its photo (``kuzet faces reembed``). Batches are their own
transactions, so a stopped run resumes. Sightings keep their old templates until
retention removes them (only a crop of them is stored, not the frame).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import sessionmaker

from kuzet.crypto import KeyRing
from kuzet.faces.gallery import template_context
from kuzet.faces.tables import PhotoRow
from kuzet.faces.templates import PhotoEmbedder
from kuzet.faces.watchlists import photo_context


def pending(engine: Engine, embedder: str) -> Counter[str]:
    """Enrolled templates per embedder other than ``embedder``."""
    with sessionmaker(engine)() as s:
        q = select(PhotoRow.embedder, func.count()).where(PhotoRow.embedder != embedder)
        return Counter({name: int(n) for name, n in s.execute(q.group_by(PhotoRow.embedder))})


def reembed(
    engine: Engine, keys: KeyRing, embedder: PhotoEmbedder, batch: int = 100
) -> Counter[str]:
    """Remake every template not made by ``embedder`` from its sealed photo. A photo the
    new embedder refuses keeps its old template (not searched) and is counted by reason."""
    done: Counter[str] = Counter()
    maker = sessionmaker(engine)
    after = ""
    while True:
        with maker.begin() as s:
            q = (
                select(PhotoRow)
                .where(PhotoRow.embedder != embedder.name, PhotoRow.id > after)
                .order_by(PhotoRow.id)
                .limit(batch)
            )
            rows = list(s.scalars(q))
            for r in rows:
                photo = keys.open(r.key_id, r.photo_enc, photo_context(r.id))
                got = embedder.enrol(photo)
                if got.template is None:
                    done[f"refused: {got.reason}"] += 1
                    continue
                vec = np.asarray(got.template, np.float32).tobytes()
                t = keys.seal(vec, template_context(r.id))
                p = keys.reseal(r.key_id, r.photo_enc, photo_context(r.id))  # same key as t
                r.template_enc, r.photo_enc, r.key_id = t.blob, p.blob, t.key_id
                r.embedder, r.quality = embedder.name, got.quality
                done["photos"] += 1
            after = rows[-1].id if rows else after
        if len(rows) < batch:
            break
    return done
