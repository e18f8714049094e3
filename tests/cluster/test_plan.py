"""What runs where, decided without Ray: the shard plan, the city check, the CLI's refusal,
and the single-process default never importing Ray."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kuzet.cli import app
from kuzet.cli_cluster import format_status
from kuzet.cluster.batch_stats import merge_reports
from kuzet.cluster.plan import city_problems, plan_shards, shard_site
from kuzet.config.models import SiteConfig


def site(n: int, **extra: object) -> SiteConfig:
    cams = [{"id": f"c{i:02d}", "main_url": "x.mp4"} for i in range(n)]
    cams.append({"id": "off", "main_url": "x.mp4", "enabled": False})
    return SiteConfig.model_validate({"site": "city", "cameras": cams, **extra})


def test_every_enabled_camera_is_in_exactly_one_shard_and_shards_are_balanced() -> None:
    plans = plan_shards(site(10), 3)
    cams = [c for p in plans for c in p.cameras]
    assert sorted(cams) == [f"c{i:02d}" for i in range(10)]  # "off" is in none
    assert [len(p.cameras) for p in plans] == [4, 3, 3]
    assert [p.name for p in plans] == ["city-shard-0", "city-shard-1", "city-shard-2"]
    # a restarted shard gets the same cameras: the plan is a function of the site file
    assert plans == plan_shards(site(10), 3)
    one = shard_site(site(10), plans[1])
    assert [c.id for c in one.cameras] == list(plans[1].cameras)
    # its recording's retention keeps to its cameras: the others are other shards'
    assert one.record.retention_scope == "cameras" and site(10).record.retention_scope == "site"


def test_fewer_cameras_than_shards_gives_no_empty_shard() -> None:
    assert [len(p.cameras) for p in plan_shards(site(2), 5)] == [1, 1]
    with pytest.raises(ValueError, match="shards must be >= 1"):
        plan_shards(site(2), 0)


def test_a_cluster_needs_a_shared_bus_and_store() -> None:
    problems = city_problems(site(2))
    assert any("bus.type is 'memory'" in p for p in problems)
    assert any("store.url is sqlite" in p for p in problems)
    ok = site(2, bus={"type": "nats"}, store={"url": "postgresql+psycopg://h/db"})
    assert city_problems(ok) == []


def test_cluster_run_refuses_a_single_node_site_file_with_the_reason(tmp_path: Path) -> None:
    f = tmp_path / "site.yaml"
    f.write_text("cameras:\n  - {id: a, main_url: a.mp4}\n")
    res = CliRunner().invoke(app, ["cluster", "run", str(f)])
    assert res.exit_code == 2
    assert "a cluster needs 'nats'" in res.output and "Traceback" not in res.output


def test_the_single_process_default_never_imports_ray() -> None:
    code = (
        "import sys, kuzet.cli, kuzet.service, kuzet.demo, kuzet.cluster, kuzet.cluster.workers;"
        "print('ray' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_status_shows_the_shared_detector_s_batches_from_the_newest_counters_shards_saw() -> None:
    def counters(batches: int, sizes: dict[int, int], shared: int) -> dict[str, object]:
        images = sum(k * v for k, v in sizes.items())
        return {"batches": batches, "images": images, "shared_batches": shared, "sizes": sizes}

    # shard 0 saw replica r1 before shard 1 did: the newer (larger) counters win
    reports = [
        {"replicas": {"r1": counters(2, {1: 1, 3: 1}, 1)}},
        {"replicas": {"r1": counters(3, {1: 1, 3: 1, 4: 1}, 2), "r2": counters(1, {2: 1}, 0)}},
        {},  # a shard that has sent nothing yet
    ]
    det = merge_reports(reports)
    assert det == {
        "replicas": 2,
        "batches": 4,
        "images": 10,
        "shared_batches": 2,
        "mean_batch": 2.5,
        "sizes": {1: 1, 2: 1, 3: 1, 4: 1},
    }
    line = format_status({"shards": [], "sink": {"error": "x"}, "detector": det})
    assert "detector: 2 replicas, 10 frames in 4 batches (mean 2.5, 2 with frames of" in line
    assert "sizes 1x1, 2x1, 3x1, 4x1" in line


def test_status_line_shows_a_shard_s_spooled_and_dropped_snapshots() -> None:
    from kuzet.cli_cluster import format_status

    blobs = {"type": "s3", "spool_count": 3, "dropped": 2}
    shard = {"shard": "city-shard-0", "cameras": ["cam-0"], "node_id": "n1", "restarts": 0,
             "metrics": {"analysed": {"cam-0": 5}, "events": 1, "blobs": blobs}}  # fmt: skip
    line = format_status({"shards": [shard], "sink": {"error": "x"}}).splitlines()[0]
    assert line.endswith("; snapshots 3 spooled, 2 dropped"), line
    shard["metrics"]["blobs"] = {"type": "local"}  # type: ignore[index]
    assert "snapshots" not in format_status({"shards": [shard], "sink": {"error": "x"}})
    assert line.startswith("city-shard-0: 1 cameras")
    shard["metrics"]["full"] = True  # type: ignore[index]
    full = format_status({"shards": [shard], "sink": {"error": "x"}})
    assert full.startswith("city-shard-0 (full): 1 cameras"), full
