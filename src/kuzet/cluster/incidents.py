"""The city's incident engine as a plain object: Ray wraps it as an actor next to the sink
(:mod:`kuzet.cluster.driver`). It is the same :class:`~kuzet.incidents.engine.OpsEngine`
``kuzet serve`` runs, on the same durable group (``ops``): API replicas on that group
share the work with it, and a restarted actor resumes where the group's acks stopped.
The incident book's writes are idempotent per event, so a batch redelivered after a
crash joins no event twice.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from kuzet.access.audit import AuditLog
from kuzet.access.keyfiles import audit_key
from kuzet.config.models import SiteConfig
from kuzet.events.factory import create_bus
from kuzet.incidents.book import IncidentBook
from kuzet.incidents.engine import GROUP, OpsEngine
from kuzet.incidents.model import Change
from kuzet.incidents.share import IncidentShare
from kuzet.integrations.deadletters import DeadLetters
from kuzet.integrations.hub import Integrations
from kuzet.record.incident_holds import IncidentHolds
from kuzet.rules.section import SectionControl
from kuzet.rules.section_consumer import SectionConsumer
from kuzet.store.blobs import open_blobs

log = logging.getLogger(__name__)


class IncidentWorker:
    """Events of the whole city -> incidents (routing, grouping, SLA clock) in PostgreSQL."""

    def __init__(self, site_json: str) -> None:
        from kuzet.schema import open_store

        site = SiteConfig.model_validate_json(site_json)
        self.site = site
        self.started_at = time.time()
        self.store = open_store(site.store.url)
        self.bus = create_bus(site.bus)
        # The audit chain's key comes from the node's environment ($KUZET_AUDIT_KEY, set
        # on every Ray node as on every API replica): the actor moves between nodes, so no
        # key file or head file in a node's data directory, except in the embedded mode
        # (one machine: the data directory's key file, as kuzet serve there uses it).
        embedded = site.data_dir if site.access.embedded_keys else None
        audit = AuditLog(self.store.engine, audit_key(site.access, embedded))
        self.engine = OpsEngine(
            IncidentBook(self.store.engine, audit, site.ops), self.bus, self.store
        )
        self._lock = threading.Lock()
        self.changes = 0  # incident changes made here (opened, joined, escalated)
        self.last_change_at: float | None = None
        self.engine.listen(self._count)
        # what it opens or escalates is pushed to the operators of every API replica
        self.share = IncidentShare(self.bus, self.engine)
        # and acted on here, once, as kuzet serve acts on its own engine's changes: the
        # video of a recorded camera held while open, incident webhooks / MQTT / CAP (the
        # events' webhooks are the API replicas' durable group, not this actor's)
        self.engine.listen(IncidentHolds.of_recorders(self.store.engine, audit))
        self.blobs = open_blobs(site.blobs, site.data_dir)
        self.integrations = Integrations(
            site.integrations, DeadLetters(self.store.engine), incidents=self.engine,
            read_blob=self.blobs.get,
        )  # fmt: skip
        self.integrations.start()
        # section control pairs a car's reads at two cameras in memory: one consumer of
        # its group in the whole city, so here, in the one actor Ray keeps running
        self.sections: SectionConsumer | None = (
            SectionConsumer(SectionControl(site.sections), self.bus).start()
            if site.sections else None
        )  # fmt: skip
        self.engine.start()
        log.info("incident engine started", extra={"group": GROUP})

    def _count(self, changes: list[Change]) -> None:
        with self._lock:
            self.changes += len(changes)
            self.last_change_at = time.time()

    def stats(self) -> dict[str, Any]:
        from kuzet.cluster.workers import pending

        with self._lock:
            return {
                "group": GROUP,
                "pid": os.getpid(),
                "started_at": self.started_at,
                "changes": self.changes,
                "last_change_at": self.last_change_at,
                "pending": pending(self.site.bus, GROUP),
            }

    def stop(self) -> None:
        self.engine.stop()
        if self.sections is not None:
            self.sections.stop()
        self.integrations.stop()
        self.share.close()
        self.bus.close()
        self.blobs.close()
        self.store.close()
