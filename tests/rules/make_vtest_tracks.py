"""Regenerate tests/rules/data/vtest_tracks.txt: NanoDet + ByteTrack over vtest.avi at 5 fps.

Written in MOTChallenge text (frame,id,left,top,width,height,conf,class,-1,-1), 1-based
source frame numbers (10 fps), so ``kuzet rules replay`` reads it with ``--fps 10``.
Run: .venv/bin/python tests/rules/make_vtest_tracks.py
"""

from __future__ import annotations

from pathlib import Path

import av

from kuzet.assets import ensure
from kuzet.config import NanoDetConfig
from kuzet.tracking import ByteTracker, TrackerSettings
from kuzet.vision import create_detector

OUT = Path(__file__).parent / "data" / "vtest_tracks.txt"


def main() -> None:
    det = create_detector(NanoDetConfig(threads=1))
    tracker = ByteTracker(TrackerSettings(fps=5.0))
    rows: list[str] = []
    with av.open(str(ensure("vtest.avi", quiet=True))) as c:
        for i, vf in enumerate(c.decode(video=0)):
            if i % 2:
                continue  # 10 fps source analysed at 5 fps, like the pipeline default
            t = tracker.update(det.detect([vf.to_ndarray(format="bgr24")])[0])
            assert t.tracker_id is not None
            for box, tid, conf, cls in zip(
                t.xyxy, t.tracker_id, t.confidence, t.class_id, strict=True
            ):
                x1, y1, x2, y2 = (float(v) for v in box)
                rows.append(
                    f"{i + 1},{tid},{x1:.1f},{y1:.1f},{x2 - x1:.1f},{y2 - y1:.1f},"
                    f"{conf:.3f},{cls},-1,-1"
                )
    OUT.write_text("\n".join(rows) + "\n")
    print(f"{len(rows)} rows -> {OUT}")


if __name__ == "__main__":
    main()
