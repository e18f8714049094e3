"""The Ray side: shards, the sink and the incident engine as actors with restart policies
and resource requests.

Ray places the actors, notices a dead node and restarts its actors elsewhere
(``max_restarts=-1``); Kuzet only declares what runs. The actors are named and detached:
the city outlives its driver (a lost driver node stops nothing), a driver started again
adopts the running actors, and ``kuzet cluster status`` finds them from any process.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import ray

from kuzet.cluster.batch_stats import merge_reports
from kuzet.cluster.incidents import IncidentWorker
from kuzet.cluster.metrics import ShardExporter
from kuzet.cluster.plan import ShardPlan, plan_shards, shard_site
from kuzet.cluster.workers import DetectorChoice, ShardWorker, SinkWorker
from kuzet.config.models import SiteConfig
from kuzet.config.secret import wire_json

if TYPE_CHECKING:
    from kuzet.cluster.serving import SharedDetectorOptions

log = logging.getLogger(__name__)
NAMESPACE = "kuzet"
SINK = "kuzet-sink"
INCIDENTS = "kuzet-incidents"


class Shard(ShardWorker):
    """The actor class of a shard (its name shows in Ray's actor table); its metrics go out
    through Ray's Prometheus exporter on whatever node it runs (kuzet.cluster.metrics)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.exporter = ShardExporter(self.plan.name, self.stats).start()

    def stop(self) -> None:
        self.exporter.stop()
        super().stop()


# restarted without end, wherever Ray finds room; a method call waiting on a restarting
# actor is retried (max_task_retries) instead of failing the caller
ShardActor: Any = ray.remote(max_restarts=-1, max_task_retries=-1)(Shard)
SinkActor: Any = ray.remote(max_restarts=-1, max_task_retries=-1)(SinkWorker)
# the incident engine: the durable group "ops", restarted like the sink
IncidentActor: Any = ray.remote(max_restarts=-1, max_task_retries=-1)(IncidentWorker)


@dataclass
class Deployment:
    """The actors of one running city, as seen by the driver that started them."""

    site: SiteConfig
    plans: list[ShardPlan]
    sink: Any
    shards: dict[str, Any] = field(default_factory=dict)
    incidents: Any | None = None
    shared_detector: bool = False  # the Serve detector application runs (kuzet.cluster.serving)

    def status(self, timeout: float = 5.0) -> dict[str, Any]:
        return collect_status(self.sink, self.shards, timeout, self.incidents)

    def stop(self) -> None:
        for h in self.shards.values():
            try:
                ray.get(h.stop.remote(), timeout=10)
            except Exception:
                log.warning("shard did not stop cleanly", exc_info=True)
        try:
            ray.get(self.sink.stop.remote(), timeout=30)
        except Exception:
            log.warning("sink did not stop cleanly", exc_info=True)
        if self.incidents is not None:
            try:  # what it fetched and did not commit is redelivered to the group later
                ray.get(self.incidents.stop.remote(), timeout=30)
            except Exception:
                log.warning("incident engine did not stop cleanly", exc_info=True)
        extra = [] if self.incidents is None else [self.incidents]
        for h in [*self.shards.values(), self.sink, *extra]:
            ray.kill(h, no_restart=True)
        if self.shared_detector:
            from kuzet.cluster import serving

            serving.stop()


def deploy(
    site: SiteConfig,
    *,
    shards: int,
    shard_cpus: float = 1.0,
    shard_gpus: float = 0.0,
    shard_resources: dict[str, float] | None = None,
    detector: DetectorChoice = "site",
    incidents: bool = True,
    shared_detector: SharedDetectorOptions | None = None,
    full: bool = False,
) -> Deployment:
    """Start the sink, the incident engine (unless ``incidents`` is false: API replicas
    run it) and one actor per shard on the connected Ray cluster; with
    ``shared_detector`` first the batched detector deployment every shard calls; ``full``
    shards run the whole service but the API (enrichers, recording, clips)."""
    plans = plan_shards(site, shards)
    if not plans:
        raise ValueError("the site has no enabled cameras")
    if shared_detector is not None:
        from kuzet.cluster import serving

        serving.start(site, shared_detector)  # returns once its replicas are up
        detector = "shared"
    # a shard's arguments hold only its own cameras: Ray keeps an actor's creation arguments
    # to restart it, and the city's file (57,604 cameras, ~9 MB) x 577 shards would be 5 GB
    site_json = wire_json(site)
    common: dict[str, Any] = {
        "namespace": NAMESPACE,
        "lifetime": "detached",  # the city outlives its driver
        "get_if_exists": True,  # a driver started again adopts the running actors
    }
    sink = SinkActor.options(name=SINK, num_cpus=0, **common).remote(site_json)
    dep = Deployment(site=site, plans=plans, sink=sink, shared_detector=detector == "shared")
    if incidents:
        dep.incidents = IncidentActor.options(name=INCIDENTS, num_cpus=0, **common).remote(
            site_json
        )
    for p in plans:
        dep.shards[p.name] = ShardActor.options(
            name=p.name,
            **common,
            num_cpus=shard_cpus,
            num_gpus=shard_gpus,
            resources=shard_resources or {},
        ).remote(wire_json(shard_site(site, p)), p, detector, full)
    return dep


def _actor_table() -> dict[str, dict[str, Any]]:
    """Ray's own record of each named actor: its node, state and restart count, read from
    the GCS (the public state API needs the dashboard, which small nodes leave out)."""
    from ray._private import state

    table: dict[str, dict[str, Any]] = {}
    for a in state.actors().values():
        if a.get("Name") and a.get("State") != "DEAD":
            table[a["Name"]] = a
    return table


def collect_status(
    sink: Any, shards: dict[str, Any], timeout: float, incidents: Any | None = None
) -> dict[str, Any]:
    """Shards (cameras, node, restarts, metrics), the sink (stored, lag, pending) and the
    incident engine (node, restarts, changes, pending; None when it does not run here)."""
    table = _actor_table()
    out: dict[str, Any] = {"shards": [], "sink": None, "incidents": None}
    for name, handle in sorted(shards.items()):
        row = table.get(name, {})
        item: dict[str, Any] = {
            "shard": name,
            "state": row.get("State"),
            "node_id": row.get("Address", {}).get("NodeID"),
            "restarts": int(row.get("NumRestarts", 0)),
            "cameras": [],
            "metrics": None,
        }
        try:
            item["metrics"] = ray.get(handle.stats.remote(), timeout=timeout)
            item["cameras"] = item["metrics"]["cameras"]
        except Exception as exc:  # restarting, or its node is gone
            item["metrics"] = {"error": type(exc).__name__}
        out["shards"].append(item)
    reports = [r for s in out["shards"] if (r := (s["metrics"] or {}).get("detector"))]
    if reports:  # the shared deployment's batch sizes, as the shards last saw them
        out["detector"] = merge_reports(reports)
    try:
        out["sink"] = ray.get(sink.stats.remote(), timeout=timeout)
    except Exception as exc:
        out["sink"] = {"error": type(exc).__name__}
    if incidents is not None:
        out["incidents"] = _incident_status(incidents, table.get(INCIDENTS, {}), timeout)
    return out


def _incident_status(handle: Any, row: dict[str, Any], timeout: float) -> dict[str, Any]:
    item: dict[str, Any] = {
        "state": row.get("State"),
        "node_id": row.get("Address", {}).get("NodeID"),
        "restarts": int(row.get("NumRestarts", 0)),
    }
    try:
        item.update(ray.get(handle.stats.remote(), timeout=timeout))
    except Exception as exc:  # restarting, or its node is gone
        item["error"] = type(exc).__name__
    return item


def remote_status(timeout: float = 5.0) -> dict[str, Any]:
    """Status from another process: the shards and the sink by name in the namespace."""
    names = [
        a["name"]
        for a in cast(list[dict[str, str]], ray.util.list_named_actors(True))
        if a["namespace"] == NAMESPACE
    ]
    if SINK not in names:
        raise LookupError("no Kuzet cluster runs there (no kuzet-sink actor)")
    table = _actor_table()
    shards = {
        n: ray.get_actor(n, namespace=NAMESPACE)
        for n in names
        if n != SINK and table.get(n, {}).get("ActorClassName") == "Shard"
    }
    incidents = ray.get_actor(INCIDENTS, namespace=NAMESPACE) if INCIDENTS in names else None
    return collect_status(ray.get_actor(SINK, namespace=NAMESPACE), shards, timeout, incidents)
