"""The shared detector's batch figures for ``kuzet cluster status``, without Ray: each
answer of a replica carries its counters, each shard keeps the newest it saw, and the
status merges the shards' views (a replica's counters only grow)."""

from __future__ import annotations

from collections import Counter
from typing import Any


def merge_reports(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """The deployment's batch figures for ``kuzet cluster status``: per replica the newest
    counters any shard saw (a replica's counters only grow), summed over replicas."""
    replicas: dict[str, dict[str, Any]] = {}
    for rep in reports:
        for rid, st in rep.get("replicas", {}).items():
            if rid not in replicas or replicas[rid]["batches"] < st["batches"]:
                replicas[rid] = st
    sizes: Counter[int] = Counter()
    for st in replicas.values():
        sizes.update({int(k): v for k, v in st["sizes"].items()})
    batches = sum(st["batches"] for st in replicas.values())
    images = sum(st["images"] for st in replicas.values())
    return {
        "replicas": len(replicas),
        "batches": batches,
        "images": images,
        "shared_batches": sum(st["shared_batches"] for st in replicas.values()),
        "mean_batch": round(images / batches, 2) if batches else 0.0,
        "sizes": dict(sorted(sizes.items())),
    }
