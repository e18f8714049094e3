"""The Ray side: shards and the sink as actors with restart policies and resource requests.

Ray places the actors, notices a dead node and restarts its actors elsewhere
(``max_restarts=-1``); Kuzet only declares what runs. The board is a small named actor
where every shard incarnation signs in, so ``kuzet cluster status`` (another process) can
show where each shard runs and how often it was restarted.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, cast

import ray
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from kuzet.cluster.plan import ShardPlan, plan_shards
from kuzet.cluster.workers import DetectorChoice, ShardWorker, SinkWorker
from kuzet.config.models import SiteConfig

log = logging.getLogger(__name__)
NAMESPACE = "kuzet"
BOARD = "kuzet-board"
SINK = "kuzet-sink"


class Board:
    """Who runs where: each shard incarnation signs in with its node and process."""

    def __init__(self) -> None:
        self.shards: dict[str, dict[str, Any]] = {}

    def plan(self, plans: list[tuple[str, list[str]]]) -> None:
        for name, cameras in plans:
            self.shards.setdefault(name, {"cameras": cameras, "starts": 0, "history": []})

    def started(self, shard: str, node_id: str, pid: int) -> None:
        row = self.shards.setdefault(shard, {"cameras": [], "starts": 0, "history": []})
        row["starts"] += 1
        row["node_id"] = node_id
        row["pid"] = pid
        row["since"] = time.time()
        row["history"].append((node_id, row["since"]))

    def snapshot(self) -> dict[str, dict[str, Any]]:
        return self.shards


class _Shard(ShardWorker):
    def __init__(self, site_json: str, plan: ShardPlan, detector: DetectorChoice) -> None:
        super().__init__(site_json, plan, detector)
        ctx = ray.get_runtime_context()
        board = ray.get_actor(BOARD, namespace=NAMESPACE)
        ray.get(board.started.remote(plan.name, ctx.get_node_id(), self.stats()["pid"]))

    def node_id(self) -> str:
        return str(ray.get_runtime_context().get_node_id())


# restarted without end, wherever Ray finds room; a method call waiting on a restarting
# actor is retried (max_task_retries) instead of failing the caller
ShardActor: Any = ray.remote(max_restarts=-1, max_task_retries=-1)(_Shard)
SinkActor: Any = ray.remote(max_restarts=-1, max_task_retries=-1)(SinkWorker)
BoardActor: Any = ray.remote(max_restarts=-1)(Board)


@dataclass
class Deployment:
    """The actors of one running city, as seen by the driver that started them."""

    site: SiteConfig
    plans: list[ShardPlan]
    board: Any
    sink: Any
    shards: dict[str, Any] = field(default_factory=dict)

    def status(self, timeout: float = 5.0) -> dict[str, Any]:
        return collect_status(self.board, self.sink, self.shards, timeout)

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
        for h in [*self.shards.values(), self.sink, self.board]:
            ray.kill(h, no_restart=True)


def deploy(
    site: SiteConfig,
    *,
    shards: int,
    shard_cpus: float = 1.0,
    shard_gpus: float = 0.0,
    shard_resources: dict[str, float] | None = None,
    detector: DetectorChoice = "site",
) -> Deployment:
    """Start the board, the sink and one actor per shard on the connected Ray cluster."""
    plans = plan_shards(site, shards)
    if not plans:
        raise ValueError("the site has no enabled cameras")
    site_json = site.model_dump_json()
    here = ray.get_runtime_context().get_node_id()
    # the board lives beside its driver: a lost driver node ends the run anyway
    board = BoardActor.options(
        name=BOARD,
        namespace=NAMESPACE,
        num_cpus=0,
        scheduling_strategy=NodeAffinitySchedulingStrategy(here, soft=True),
    ).remote()
    ray.get(board.plan.remote([(p.name, list(p.cameras)) for p in plans]))
    sink = SinkActor.options(name=SINK, namespace=NAMESPACE, num_cpus=0).remote(site_json)
    dep = Deployment(site=site, plans=plans, board=board, sink=sink)
    for p in plans:
        dep.shards[p.name] = ShardActor.options(
            name=p.name,
            namespace=NAMESPACE,
            num_cpus=shard_cpus,
            num_gpus=shard_gpus,
            resources=shard_resources or {},
        ).remote(site_json, p, detector)
    return dep


def collect_status(board: Any, sink: Any, shards: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Shards (cameras, node, restarts, metrics) and the sink (stored, lag, pending)."""
    rows: dict[str, dict[str, Any]] = ray.get(board.snapshot.remote(), timeout=timeout)
    out: dict[str, Any] = {"shards": [], "sink": None}
    for name, row in sorted(rows.items()):
        item = {
            "shard": name,
            "cameras": row.get("cameras", []),
            "node_id": row.get("node_id"),
            "restarts": max(0, int(row.get("starts", 0)) - 1),
            "metrics": None,
        }
        handle = shards.get(name)
        if handle is not None:
            try:
                item["metrics"] = ray.get(handle.stats.remote(), timeout=timeout)
            except Exception as exc:  # restarting, or its node is gone
                item["metrics"] = {"error": type(exc).__name__}
        out["shards"].append(item)
    try:
        out["sink"] = ray.get(sink.stats.remote(), timeout=timeout)
    except Exception as exc:
        out["sink"] = {"error": type(exc).__name__}
    return out


def remote_status(timeout: float = 5.0) -> dict[str, Any]:
    """Status from another process: finds the actors by name in the ``kuzet`` namespace."""
    board = ray.get_actor(BOARD, namespace=NAMESPACE)
    rows = cast(dict[str, Any], ray.get(board.snapshot.remote(), timeout=timeout))
    shards = {}
    for name in rows:
        try:
            shards[name] = ray.get_actor(name, namespace=NAMESPACE)
        except ValueError:
            continue
    return collect_status(board, ray.get_actor(SINK, namespace=NAMESPACE), shards, timeout)
