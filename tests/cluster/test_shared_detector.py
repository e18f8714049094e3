"""The shared batched detector (Ray Serve): frames of two shard-like Ray actors land in one
batch of one replica, and each gets back the detections of its own frames. The detector is
the STAND-IN (dark blobs as people) over real vtest frames: a claim about routing and
batching, none about detection."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from services import import_service

from kuzet.config.models import SiteConfig

pytestmark = pytest.mark.slow


def frames(path: Path, picks: list[int]) -> list[np.ndarray]:
    out = []
    with av.open(str(path)) as src:
        for i, f in enumerate(src.decode(video=0)):
            if i in picks:
                out.append(f.to_ndarray(format="bgr24"))
            if i >= max(picks):
                return out
    raise AssertionError("clip too short")


@pytest.fixture
def serve_detector() -> Iterator[Any]:
    ray = import_service("ray", "ray", "ray missing: pip install kuzet[cluster]")
    import_service("ray.serve", "ray[serve]", "Ray Serve missing: pip install kuzet[cluster]")
    from kuzet.cluster import serving

    ray.init(
        num_cpus=2,
        include_dashboard=False,
        object_store_memory=80 * 1024**2,
        log_to_driver=False,
        namespace="kuzet",
    )
    site = SiteConfig.model_validate({"cameras": [{"id": "a", "main_url": "x.mp4"}]})
    # a long batch wait, so frames sent together surely meet in one batch
    opts = serving.SharedDetectorOptions(max_batch=16, wait_ms=500, num_cpus=0, standin=True)
    try:
        serving.start(site, opts)
        yield ray
    finally:
        serving.stop()
        ray.shutdown()


class Caller:
    """A shard's side of it: a SharedDetector in its own Ray worker process."""

    def __init__(self, name: str) -> None:
        from kuzet.cluster.serving import SharedDetector

        self.det = SharedDetector(caller=name)

    def detect(self, images: list[np.ndarray], at: float) -> list[Any]:
        time.sleep(max(0.0, at - time.time()))  # both callers send at the same moment
        return self.det.detect_served(images)

    def report(self) -> dict[str, Any]:
        return self.det.report()


def test_frames_of_two_shards_share_a_batch_and_each_gets_its_own_detections(
    serve_detector: Any, vtest_clip: Path
) -> None:
    from kuzet.cluster.serving import merge_reports
    from kuzet.cluster.standin import DarkBlobStandIn

    ray = serve_detector
    # test modules are not importable in Ray's workers: ship this one by value
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    imgs = frames(vtest_clip, [0, 30, 60, 90])
    mine = {"shard-a": imgs[:2], "shard-b": imgs[2:]}
    actor = ray.remote(num_cpus=0)(Caller)
    callers = {name: actor.remote(name) for name in mine}
    ray.get([c.report.remote() for c in callers.values()])  # both connected to the deployment
    at = time.time() + 1.0
    refs = {name: c.detect.remote(mine[name], at) for name, c in callers.items()}
    got = {name: ray.get(ref, timeout=60) for name, ref in refs.items()}

    # one batch held frames of both shards
    batches = {name: {(s.replica, s.batch) for s in served} for name, served in got.items()}
    assert batches["shard-a"] & batches["shard-b"]
    assert max(s.callers for served in got.values() for s in served) == 2

    # each caller got the detections of its own frames, in its order
    local = DarkBlobStandIn()
    expected = {name: local.detect(ims) for name, ims in mine.items()}
    for name, served in got.items():
        assert len(served) == len(expected[name]) == 2
        for s, e in zip(served, expected[name], strict=True):
            np.testing.assert_array_equal(s.detections.xyxy, e.xyxy)
            assert s.detections.class_id.tolist() == e.class_id.tolist()
    # the two shards' frames give different boxes, so a mix-up would show above
    a, b = (np.concatenate([d.xyxy for d in expected[n]]) for n in mine)
    assert a.shape != b.shape or not np.array_equal(a, b)

    # what `kuzet cluster status` shows: the replica's batch sizes, as the shards saw them
    det = merge_reports(ray.get([c.report.remote() for c in callers.values()]))
    assert det["replicas"] == 1 and det["images"] == 4 and det["shared_batches"] >= 1
    assert sum(k * v for k, v in det["sizes"].items()) == 4
