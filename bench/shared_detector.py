"""Shared batched detector (Ray Serve) vs a detector per shard: NanoDet on CPU, real frames.

N shard actors, each with C camera threads that send one real vtest.avi frame (768x576) at
a time to their detector as fast as it answers (closed loop, the pipeline's worst case).
*per-shard*: each shard loads its own NanoDet (as `kuzet cluster run` without
`--shared-detector`); *shared*: R Serve replicas batch the frames of every shard (as
`kuzet cluster run --shared-detector`). Prints images/s over all shards, the mean batch
the detector ran, the share of batches holding frames of several shards, and p50/p95 of
the per-frame round trip. The detector copies are pinned to ``--threads`` ONNX threads.

    PYTHONPATH=src python bench/shared_detector.py [--shards 4] [--cameras 2] [--seconds 20]
    PYTHONPATH=src python bench/shared_detector.py --quick   # a few seconds, checks it runs
"""

from __future__ import annotations

import argparse
import logging
import threading
import time
from typing import Any

import av
import numpy as np

from kuzet.assets import ensure
from kuzet.cluster.batch_stats import merge_reports
from kuzet.config.models import SiteConfig


def real_frames(n: int) -> list[np.ndarray]:
    out = []
    with av.open(str(ensure("vtest.avi", quiet=True))) as src:
        for i, f in enumerate(src.decode(video=0)):
            if i % 25 == 0:
                out.append(f.to_ndarray(format="bgr24"))
            if len(out) == n:
                break
    return out


class BenchShard:
    """A shard's detector traffic: C camera threads, one frame in flight each."""

    def __init__(self, name: str, site_json: str, shared: bool) -> None:
        from kuzet.cluster.workers import make_detector

        site = SiteConfig.model_validate_json(site_json)
        self.det: Any = make_detector(site, "shared" if shared else "site", caller=name)

    def run(self, frames: list[np.ndarray], cameras: int, start: float, stop: float) -> list[float]:
        """Round-trip seconds of every frame answered between ``start`` and ``stop``."""
        times: list[list[float]] = [[] for _ in range(cameras)]

        def camera(k: int) -> None:
            i = k
            while (now := time.time()) < stop:
                self.det.detect([frames[i % len(frames)]])
                if now >= start:
                    times[k].append(time.time() - now)
                i += 1

        threads = [threading.Thread(target=camera, args=(k,)) for k in range(cameras)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return [x for ts in times for x in ts]

    def report(self) -> dict[str, Any]:
        return dict(self.det.report()) if hasattr(self.det, "report") else {}


def measure(ray: Any, args: argparse.Namespace, shared: bool) -> dict[str, Any]:
    from kuzet.cluster import serving

    site = SiteConfig.model_validate(
        {
            "cameras": [{"id": "a", "main_url": "x.mp4"}],
            "detector": {"type": "nanodet", "threads": args.threads},
        }
    )
    if shared:
        opts = serving.SharedDetectorOptions(
            replicas=args.replicas,
            max_batch=args.batch,
            wait_ms=args.wait_ms,
            num_cpus=0,  # the 2-core machine: placement by count is not the point here
        )
        serving.start(site, opts)
    actor = ray.remote(num_cpus=0)(BenchShard)
    shards = [
        actor.remote(f"shard-{i}", site.model_dump_json(), shared) for i in range(args.shards)
    ]
    ray.get([s.report.remote() for s in shards])  # all loaded (per-shard: model per shard)
    frames = ray.put(real_frames(8))
    start = time.time() + args.warmup
    stop = start + args.seconds
    rtts = [
        x
        for r in ray.get([s.run.remote(frames, args.cameras, start, stop) for s in shards])
        for x in r
    ]
    row: dict[str, Any] = {
        "mode": f"shared ({args.replicas} replica, batch {args.batch}, wait {args.wait_ms:g} ms)"
        if shared
        else "per-shard (a NanoDet in each shard)",
        "images_s": len(rtts) / args.seconds,
        "p50_ms": 1000 * float(np.percentile(rtts, 50)),
        "p95_ms": 1000 * float(np.percentile(rtts, 95)),
        "mean_batch": 1.0,
        "shared_batches": 0.0,
    }
    if shared:
        det = merge_reports(ray.get([s.report.remote() for s in shards]))
        row["mean_batch"] = det["mean_batch"]  # over the whole run, warm-up included
        row["shared_batches"] = det["shared_batches"] / max(1, det["batches"])
    for s in shards:
        ray.kill(s)
    if shared:
        serving.stop()
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--shards", type=int, default=4)
    ap.add_argument("--cameras", type=int, default=2, help="camera threads per shard")
    ap.add_argument("--replicas", type=int, default=1)
    ap.add_argument("--batch", type=int, default=8, help="shared detector max batch")
    ap.add_argument("--wait-ms", type=float, default=10.0, help="shared detector batch wait")
    ap.add_argument("--threads", type=int, default=1, help="ONNX threads per detector copy")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--warmup", type=float, default=5.0)
    ap.add_argument("--quick", action="store_true", help="2 shards, 3 s: checks that it runs")
    args = ap.parse_args()
    if args.quick:
        args.shards, args.seconds, args.warmup = 2, 3.0, 2.0
    import ray

    # address="local": a Ray of its own, never another job's cluster on this machine
    ray.init(
        address="local", include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR
    )
    try:
        rows = [measure(ray, args, shared=False), measure(ray, args, shared=True)]
    finally:
        ray.shutdown()
    print(
        f"NanoDet 416 on CPU, {args.shards} shards x {args.cameras} cameras, closed loop, "
        f"{args.threads} ONNX thread(s) per detector copy, {args.seconds:g} s"
    )
    print("| mode | images/s | mean batch | batches with >1 shard | p50 ms | p95 ms |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['mode']} | {r['images_s']:.1f} | {r['mean_batch']:.2f} | "
            f"{100 * r['shared_batches']:.0f}% | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} |"
        )


if __name__ == "__main__":
    main()
