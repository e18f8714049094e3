"""Vehicle attributes as an enricher plugin (entry point ``kuzet.enrichers: vehicles``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from kuzet.config.models import CameraConfig, SiteConfig
from kuzet.config.vehicles import VehiclesConfig
from kuzet.core.enrich import Enricher, PutBlob
from kuzet.core.labels import COCO_CLASSES
from kuzet.vehicles.makemodel import MakeModelClassifier


@dataclass(frozen=True, slots=True)
class VehiclesState:
    cfg: VehiclesConfig
    labels: tuple[str, ...]
    make_model: MakeModelClassifier | None


class VehiclesPlugin:
    def setup(self, site: SiteConfig, engine: Engine) -> VehiclesState | None:
        cfg = site.vehicles
        if not cfg.enabled:
            return None
        labels = tuple(getattr(site.detector, "labels", None) or COCO_CLASSES)
        mm = MakeModelClassifier(cfg.make_model) if cfg.make_model is not None else None
        return VehiclesState(cfg, labels, mm)

    def enricher(
        self, state: VehiclesState, cam: CameraConfig, put_blob: PutBlob | None
    ) -> Enricher | None:
        from kuzet.vehicles.enricher import VehicleAttributes

        c = state.cfg
        return VehicleAttributes(
            cam.id,
            state.labels,
            c.types,
            looks=c.looks,
            every_n=c.every_n,
            min_width=c.min_width,
            forget_after_s=c.forget_after_s,
            make_model=state.make_model,
        )
