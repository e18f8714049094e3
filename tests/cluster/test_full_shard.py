"""A full shard (`kuzet cluster run --full`) runs what `kuzet serve` runs but the HTTP API:
its cameras' enrichers and recording too, not only detect -> track -> rules. Built here as
the plain object Ray wraps (no Ray start: the actor side is the fault test's), with the
labelled detector stand-in over real footage."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from rtsp import make_h264_clip

from kuzet.cluster.plan import ShardPlan, plan_shards, service_site
from kuzet.cluster.workers import ShardWorker
from kuzet.config import parse_site
from kuzet.config.devices import DeviceGatewayConfig, MqttInputConfig
from kuzet.core import EventQuery
from kuzet.record import SegmentIndex
from kuzet.schema import open_store

ALL = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def _site(tmp: Path, clip: Path) -> str:
    rule = "{type: intrusion, name: people, classes: [person]}"
    cam = f"    main_url: '{clip}'\n    loop: true\n    rules: [{{type: scene, rules: [{rule}]}}]\n"
    return (
        f"site: t\ndata_dir: {tmp / 'var'}\n"
        f"store: {{url: 'sqlite:///{tmp / 'k.db'}', batch_wait_ms: 10}}\n"
        "access: {embedded_keys: true}\n"
        "faces: {clothing_colours: true}\n"
        "record: {enabled: true, mode: continuous, segment_s: 2}\n"
        f"cameras:\n  - id: cam-a\n{cam}  - id: cam-b\n{cam}"
    )


def test_a_full_shard_enriches_and_records_only_its_own_cameras(tmp_path: Path) -> None:
    clip = make_h264_clip(tmp_path / "cam.ts", seconds=6)
    site = parse_site(_site(tmp_path, clip))
    plan = plan_shards(site, 2)[0]
    assert plan.cameras == ("cam-a",)
    shard = ShardWorker(site.model_dump_json(), plan, "standin", full=True)
    try:
        deadline = time.monotonic() + 60
        store = open_store(site.store.url)
        events: list = []
        while time.monotonic() < deadline:
            events, _ = store.query_events(EventQuery(limit=200))
            coloured = [e for e in events if e.attributes.get("upper_colour")]
            if coloured and SegmentIndex(store.engine).between("cam-a", *ALL):
                break
            time.sleep(0.5)
        stats = shard.stats()
    finally:
        shard.stop()
    assert stats["full"] and stats["analysed"].get("cam-a", 0) > 0
    assert events and {e.camera_id for e in events} == {"cam-a"}  # not the other shard's
    assert coloured, [e.attributes for e in events[:3]]  # the attributes enricher ran
    segs = SegmentIndex(store.engine).between("cam-a", *ALL)
    assert segs and not SegmentIndex(store.engine).between("cam-b", *ALL)  # it recorded
    store.close()


def test_a_full_shard_leaves_the_one_per_city_parts_out() -> None:
    site = parse_site(
        "device_gateway: {mqtt: {host: broker}}\ncameras: [{id: c, main_url: 'x.mp4'}]\n"
    )
    assert isinstance(site.device_gateway.mqtt, MqttInputConfig)
    cut = service_site(site)
    assert cut.device_gateway == DeviceGatewayConfig() and not cut.device_gateway.enabled
    assert cut.drones == [] and cut.devices == [] and cut.cameras == site.cameras
    assert ShardPlan(0, "s", ("c",)).cameras == ("c",)
