"""Live face matching as an enricher plugin (entry point ``kuzet.enrichers: faces``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine

from kuzet.config.models import CameraConfig, SiteConfig
from kuzet.core.enrich import Enricher, PutBlob

if TYPE_CHECKING:  # FAISS and dlib load only when a site turns faces on
    from kuzet.faces.services import FaceServices


class FacesPlugin:
    def setup(self, site: SiteConfig, engine: Engine) -> FaceServices | None:
        """Built only when ``faces.enabled``; a missing key fails here, naming the variable."""
        if not site.faces.enabled:
            return None
        from kuzet.faces.services import FaceServices

        return FaceServices.build(engine, site.faces)

    def enricher(
        self, state: FaceServices, cam: CameraConfig, put_blob: PutBlob | None
    ) -> Enricher | None:
        return state.matcher(cam.id, put_blob)
