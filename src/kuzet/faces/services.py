"""One object holding a site's face machinery, built once from ``FacesConfig``.

The service, the API and the CLI all need the same key ring, gallery, lists,
sightings and hits over one database; building them here keeps the three in step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from kuzet.config.faces import FacesConfig
from kuzet.crypto import KeyRing
from kuzet.faces.gallery import Gallery
from kuzet.faces.hits import Hits
from kuzet.faces.quality import QualityPolicy
from kuzet.faces.sightings import Sightings
from kuzet.faces.templates import PhotoEmbedder
from kuzet.faces.watchlists import Watchlists

if TYPE_CHECKING:
    from kuzet.faces.matcher import FaceMatcher

PutBlob = Callable[[str, bytes], None]


def enrol_policy(cfg: FacesConfig) -> QualityPolicy:
    q = cfg.quality
    return QualityPolicy(q.enrol_min_eye_px, q.enrol_min_sharpness, q.enrol_max_yaw)


def live_policy(cfg: FacesConfig) -> QualityPolicy:
    q = cfg.quality
    return QualityPolicy(q.live_min_eye_px, q.live_min_sharpness, q.live_max_yaw)


@dataclass
class FaceServices:
    cfg: FacesConfig
    engine: Engine
    keys: KeyRing
    gallery: Gallery
    lists: Watchlists
    sightings: Sightings
    hits: Hits

    @classmethod
    def build(
        cls,
        engine: Engine,
        cfg: FacesConfig,
        *,
        keys: KeyRing | None = None,
        embedder: PhotoEmbedder | None = None,
    ) -> FaceServices:
        """``keys`` default to the environment (a clear error names the variable);
        ``embedder`` to dlib (tests pass the synthetic one)."""
        keys = keys or KeyRing.from_env(cfg.keys_env, cfg.key_file_env)
        if embedder is None:
            from kuzet.faces.templates import DlibPhotoEmbedder

            embedder = DlibPhotoEmbedder(enrol_policy(cfg), cfg.embedder)
        index = None
        if cfg.index == "pgvector":  # opt-in: templates in plaintext (kuzet.faces.pgvector)
            from kuzet.faces.pgvector import PgVectorIndex

            index = PgVectorIndex(engine, dim=embedder.dim)
        gallery = Gallery(engine, keys, index, embedder.name, embedder.dim)
        gallery.reload()
        lists = Watchlists(engine, keys, embedder, gallery)
        sightings = Sightings(engine, keys, embedder=embedder.name)
        return cls(cfg, engine, keys, gallery, lists, sightings, Hits(engine))

    @property
    def embedder(self) -> PhotoEmbedder:
        """Photo -> template with the enrolment quality policy (also used for search)."""
        return self.lists.embedder

    def matcher(self, camera_id: str, put_blob: PutBlob | None = None) -> FaceMatcher:
        """The live-matching enricher of one camera."""
        from kuzet.faces.embedder import embedder_for
        from kuzet.faces.matcher import FaceMatcher

        return FaceMatcher(
            camera_id,
            embedder_for(self.cfg.embedder),
            self.gallery,
            sightings=self.sightings,
            hits=self.hits,
            put_blob=put_blob,
            policy=live_policy(self.cfg),
            cooldown_s=self.cfg.hit_cooldown_s,
        )

    @property
    def default_threshold(self) -> float:
        """For new lists: the embedder's measured threshold, else ``faces.default_threshold``
        (dlib's)."""
        measured = self.cfg.embedder.threshold
        return measured if measured is not None else self.cfg.default_threshold

    def purge(self, now: datetime | None = None) -> int:
        """Retention of face data of people on no list."""
        now = now or datetime.now(UTC)
        return self.sightings.purge(now, timedelta(days=self.cfg.retention_days))
