"""Which extra stages a camera runs after tracking: face matching against watchlists
(when ``faces.enabled``) and clothing colours of person tracks. Kept here so the
service and the node stay ignorant of faces."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine

from kuzet.config.models import CameraConfig, SiteConfig
from kuzet.pipeline.camera import Enricher, PutBlob

if TYPE_CHECKING:
    from kuzet.faces.services import FaceServices


def face_services(site: SiteConfig, engine: Engine) -> FaceServices | None:
    """Built only when enabled; a missing key fails here, naming the variable."""
    if not site.faces.enabled:
        return None
    from kuzet.faces.services import FaceServices

    return FaceServices.build(engine, site.faces)


def camera_enrichers(
    cam: CameraConfig, site: SiteConfig, faces: FaceServices | None, put_blob: PutBlob | None
) -> list[Enricher]:
    out: list[Enricher] = []
    if faces is not None:
        out.append(faces.matcher(cam.id, put_blob))
    if site.faces.clothing_colours:
        from kuzet.attributes.clothing import ClothingColours

        face = None
        if site.faces.gender or site.faces.age:
            from kuzet.attributes.demographics import PersonFace

            face = PersonFace(gender=site.faces.gender, age=site.faces.age)
        out.append(ClothingColours(cam.id, face=face))
    return out
