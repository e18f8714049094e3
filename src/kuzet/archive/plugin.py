"""The track index as an enricher plugin (entry point ``kuzet.enrichers: archive``).

The pipeline never names the archive: it runs whatever plugins are installed, and this
one gives each camera a :class:`~kuzet.archive.collector.TrackCollector` that hands
finished tracks to the site's one :class:`~kuzet.archive.writer.TrackIndexWriter`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from kuzet.archive.collector import TrackCollector
from kuzet.archive.storage import open_layout
from kuzet.archive.writer import TrackIndexWriter
from kuzet.config.models import CameraConfig, SiteConfig
from kuzet.core.enrich import Enricher, PutBlob
from kuzet.core.labels import COCO_CLASSES


@dataclass(slots=True)
class TrackIndexState:
    writer: TrackIndexWriter
    labels: tuple[str, ...]
    collectors: list[TrackCollector] = field(default_factory=list)

    def close(self) -> None:
        """On stop (the pipeline's threads have ended): tracks still open become rows,
        then everything buffered is written."""
        for c in self.collectors:
            c.drain()
        self.writer.close()


def detector_labels(site: SiteConfig) -> tuple[str, ...]:
    labels = getattr(site.detector, "labels", None)
    return tuple(labels) if labels else COCO_CLASSES


class TrackIndexPlugin:
    def setup(self, site: SiteConfig, engine: Engine) -> TrackIndexState | None:
        cfg = site.archive
        if not cfg.enabled:
            return None
        writer = TrackIndexWriter(open_layout(cfg, site.data_dir), cfg).start()
        return TrackIndexState(writer, detector_labels(site))

    def enricher(
        self, state: TrackIndexState, cam: CameraConfig, put_blob: PutBlob | None
    ) -> Enricher | None:
        collector = TrackCollector(cam.id, state.labels, state.writer.add, state.writer.cfg)
        state.collectors.append(collector)
        return collector
