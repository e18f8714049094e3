"""Person attributes (clothing colours, bag; gender and age band when cleared by the
site) as an enricher plugin (entry point ``kuzet.enrichers: person_attributes``)."""

from __future__ import annotations

from sqlalchemy import Engine

from kuzet.config.faces import FacesConfig
from kuzet.config.models import CameraConfig, SiteConfig
from kuzet.core.enrich import Enricher, PutBlob


class PersonAttributesPlugin:
    def setup(self, site: SiteConfig, engine: Engine) -> FacesConfig | None:
        return site.faces if site.faces.clothing_colours else None

    def enricher(
        self, state: FacesConfig, cam: CameraConfig, put_blob: PutBlob | None
    ) -> Enricher | None:
        from kuzet.attributes.clothing import ClothingColours

        face = None
        if state.gender:  # age was removed (issue 13; config refuses faces.age)
            from kuzet.attributes.demographics import PersonFace

            face = PersonFace(gender=state.gender)
        return ClothingColours(cam.id, face=face)
