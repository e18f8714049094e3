"""The shared batched detector (Ray Serve) seen from two shards, for the fault test: frames
of two shard-like Ray actors land in one batch, and each gets back the detections of its
own frames. The deployment runs the STAND-IN (dark blobs as people) over real vtest frames:
a claim about routing and batching, none about detection."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import av
import numpy as np


def frames(path: Path, picks: list[int]) -> list[np.ndarray]:
    out = []
    with av.open(str(path)) as src:
        for i, f in enumerate(src.decode(video=0)):
            if i in picks:
                out.append(f.to_ndarray(format="bgr24"))
            if i >= max(picks):
                return out
    raise AssertionError("clip too short")


class Caller:
    """A shard's side of it: a SharedDetector in its own Ray worker process."""

    def __init__(self, name: str) -> None:
        from kuzet.cluster.serving import SharedDetector

        self.det = SharedDetector(caller=name)

    def detect(self, images: list[np.ndarray], at: float) -> list[Any]:
        time.sleep(max(0.0, at - time.time()))  # both callers send at the same moment
        return self.det.detect_served(images)


def check_two_shards_share_a_batch(ray: Any, clip: Path, tries: int = 3) -> None:
    """Send two callers' frames at once until one batch holds frames of both (the live
    city's own frames may close a batch between them); every try checks the routing."""
    from kuzet.cluster.standin import DarkBlobStandIn

    # test modules are not importable in Ray's workers: ship this one by value
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    imgs = frames(clip, [0, 30, 60, 90])
    mine = {"shard-a": imgs[:2], "shard-b": imgs[2:]}
    local = DarkBlobStandIn()
    expected = {name: local.detect(ims) for name, ims in mine.items()}
    # the two callers' frames give different boxes, so a mix-up would show
    a, b = (np.concatenate([d.xyxy for d in expected[n]]) for n in mine)
    assert a.shape != b.shape or not np.array_equal(a, b)
    actor = ray.remote(num_cpus=0)(Caller)
    callers = {name: actor.remote(name) for name in mine}
    shared = False
    for _ in range(tries):
        at = time.time() + 1.0
        refs = {name: c.detect.remote(mine[name], at) for name, c in callers.items()}
        got = {name: ray.get(ref, timeout=60) for name, ref in refs.items()}
        # each caller got the detections of its own frames, in its order
        for name, served in got.items():
            assert len(served) == len(expected[name]) == 2
            for s, e in zip(served, expected[name], strict=True):
                np.testing.assert_array_equal(s.detections.xyxy, e.xyxy)
                assert s.detections.class_id.tolist() == e.class_id.tolist()
        batches = {name: {(s.replica, s.batch) for s in served} for name, served in got.items()}
        if batches["shard-a"] & batches["shard-b"]:
            shared = True
            break
    for c in callers.values():
        ray.kill(c)
    assert shared, f"no batch held frames of both callers in {tries} tries"
