"""Which cameras each shard analyses: a pure function of the site file, so a restarted
shard (on whatever node Ray picks) analyses exactly the cameras it had before."""

from __future__ import annotations

from dataclasses import dataclass

from kuzet.config.models import SiteConfig


@dataclass(frozen=True, slots=True)
class ShardPlan:
    index: int
    name: str
    cameras: tuple[str, ...]


def plan_shards(site: SiteConfig, shards: int) -> list[ShardPlan]:
    """Enabled cameras dealt round-robin in id order over ``shards`` shards (none empty).

    Raises ValueError on ``shards < 1``; fewer cameras than shards gives fewer shards.
    """
    if shards < 1:
        raise ValueError(f"shards must be >= 1, got {shards}")
    ids = sorted(c.id for c in site.cameras if c.enabled)
    n = min(shards, len(ids))
    return [
        ShardPlan(index=i, name=f"{site.site}-shard-{i}", cameras=tuple(ids[i::n]))
        for i in range(n)
    ]


def shard_site(site: SiteConfig, plan: ShardPlan) -> SiteConfig:
    """The site file one shard runs: the same settings, only its cameras; its recording's
    retention touches only them (the index is the city's: the other cameras are other
    shards', not cameras gone from the site file)."""
    keep = set(plan.cameras)
    record = site.record.model_copy(update={"retention_scope": "cameras"})
    return site.model_copy(
        update={"cameras": [c for c in site.cameras if c.id in keep], "record": record}
    )


def service_site(site: SiteConfig) -> SiteConfig:
    """The site a full shard runs as a whole service (``--full``): its cameras with their
    enrichers, recording and clips, but none of what exactly one process of the city must
    run: the device gateway (one MQTT session), the drones (flights are not dealt to
    shards), the device registry's responses and section control (it pairs a car's
    reads at two cameras in memory: the incident engine actor runs it)."""
    from kuzet.config.devices import DeviceGatewayConfig

    return site.model_copy(
        update={"device_gateway": DeviceGatewayConfig(), "drones": [], "devices": [],
                "sections": []}
    )  # fmt: skip


def city_problems(site: SiteConfig) -> list[str]:
    """Why this site file cannot run as a cluster: shards on several nodes share state only
    through the bus and the store, so both must be network services."""
    problems = []
    if site.bus.type != "nats":
        problems.append(f"bus.type is {site.bus.type!r}: a cluster needs 'nats' (JetStream)")
    if not site.store.url.startswith("postgresql"):
        problems.append(
            f"store.url is {site.store.url.split(':', 1)[0]}: a cluster needs postgresql+psycopg://"
        )
    if not any(c.enabled for c in site.cameras):
        problems.append("no enabled cameras")
    return problems
