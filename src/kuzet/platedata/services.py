"""What a site runs for plate data: the lists, the matcher, the ``plates`` consumer.

The composition root (:class:`kuzet.service.Service`) builds one, starts and stops it,
and hands it to the API (``create_app(plates=...)``).
"""

from __future__ import annotations

from sqlalchemy import Engine

from kuzet.access.audit import AuditLog
from kuzet.config.platedata import PlateDataConfig
from kuzet.events.base import Bus
from kuzet.platedata.consumer import PlateConsumer
from kuzet.platedata.lists import PlateLists
from kuzet.platedata.matcher import Matcher
from kuzet.platedata.privacy import DeleteBlob, Erased, purge_plates


class PlateData:
    def __init__(self, engine: Engine, bus: Bus, cfg: PlateDataConfig | None = None) -> None:
        self.engine = engine
        self.cfg = cfg or PlateDataConfig()
        self.lists = PlateLists(engine)
        self.matcher = Matcher(self.lists, self.cfg.match_refresh_s)
        self.consumer = PlateConsumer(engine, bus, self.matcher)

    def start(self) -> PlateData:
        self.consumer.start()
        return self

    def stop(self) -> None:
        self.consumer.stop()

    def purge(self, delete_blob: DeleteBlob, audit: AuditLog | None = None) -> Erased:
        """One retention pass, audited as ``plate.retention.purge`` (counts and policy)."""
        got = purge_plates(self.engine, self.cfg.retention_days, delete_blob)
        if audit is not None:
            policy = {"retention_days": self.cfg.retention_days}
            audit.record("system", "plate.retention.purge", detail=got.as_dict() | policy)
        return got
