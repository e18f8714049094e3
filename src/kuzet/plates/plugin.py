"""Plate reading as an enricher plugin (entry point ``kuzet.enrichers: plates``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from kuzet.config.models import CameraConfig, SiteConfig
from kuzet.config.plates import OnnxFinderConfig, PlatesConfig
from kuzet.core.enrich import Enricher, PutBlob
from kuzet.plates.finder import FinderSettings
from kuzet.plates.ocr import PlateOcr
from kuzet.plates.reader import PlateReader, TextFinder


@dataclass
class PlatesState:
    cfg: PlatesConfig
    reader: PlateReader


def build_reader(cfg: PlatesConfig, ocr: PlateOcr | None = None) -> PlateReader:
    """The site's reader: one OCR (and detector) shared by its cameras."""
    if ocr is None:
        det_side = 640 if isinstance(cfg.finder, OnnxFinderConfig) else cfg.finder.det_side
        ocr = PlateOcr(det_side=det_side)
    finder: TextFinder = ocr
    if isinstance(cfg.finder, OnnxFinderConfig):
        from kuzet.plates.onnx_detector import OnnxPlateDetector

        finder = OnnxPlateDetector(
            cfg.finder.path,
            threshold=cfg.finder.threshold,
            iou=cfg.finder.iou,
            layout=cfg.finder.layout,
        )
    settings = FinderSettings(
        search_top=cfg.search_top,
        min_aspect=cfg.min_aspect,
        max_aspect=cfg.max_aspect,
        min_height_px=cfg.min_plate_height,
        min_contrast=cfg.min_contrast,
    )
    return PlateReader(
        finder,
        ocr,
        settings,
        min_confidence=cfg.min_confidence,
        max_fixes=cfg.max_fixes,
        stop_confidence=cfg.stop_confidence,
    )


class PlatesPlugin:
    def setup(self, site: SiteConfig, engine: Engine) -> PlatesState | None:
        if not site.plates.enabled:
            return None
        return PlatesState(site.plates, build_reader(site.plates))

    def enricher(
        self, state: PlatesState, cam: CameraConfig, put_blob: PutBlob | None
    ) -> Enricher | None:
        from kuzet.plates.enricher import PlateEnricher

        cfg = state.cfg
        if cfg.cameras is not None and cam.id not in cfg.cameras:
            return None
        return PlateEnricher(
            cam.id,
            state.reader,
            put_blob,
            classes=tuple(cfg.classes),
            min_vehicle_height=cfg.min_vehicle_height,
            min_share=cfg.min_share,
            every_n=cfg.every_n,
            max_reads=cfg.max_reads,
            early_votes=cfg.early_votes,
            forget_after=cfg.forget_after,
            emit_unread=cfg.emit_unread,
        )
