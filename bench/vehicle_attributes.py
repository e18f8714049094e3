"""Vehicle attributes: colour naming on the labelled real vehicles, and the cost a vehicle
track adds to a camera (docs/vehicles.md, docs/benchmarks.md).

Accuracy: the 12 vehicles of tests/vehicles/data/colours.json (real photos from
opencv-doc and the ultralytics wheel, one vtest.avi frame; labelled by eye), by part.
Cost: the enricher (kuzet.vehicles.enricher.VehicleAttributes) on one core, fed each
real vehicle box; a look (colour votes over the body band) is timed per box, and a
frame without a look (bookkeeping only) too. A track costs ``looks`` looks (default 5)
plus one bookkeeping call a frame it is seen. With ``--make-model`` a stand-in ONNX
classifier (224 px input, a 3x3 matrix: the slot's resize/normalise/run overhead, not
a real make/model network, none exists offline) is timed too.

    .venv/bin/python bench/vehicle_attributes.py [--runs 200] [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("OMP_NUM_THREADS", "1")

from tests.vehicles.colour_set import picture, vehicles

from kuzet.config.vehicles import DEFAULT_TYPES, MakeModelConfig
from kuzet.core import COCO_CLASSES, Detections, Frame
from kuzet.vehicles.colour import body_colour, colour_shares
from kuzet.vehicles.enricher import VehicleAttributes
from kuzet.vehicles.makemodel import MakeModelClassifier


def accuracy() -> None:
    print("vehicle                              label  named  part")
    per_part: dict[str, list[bool]] = {}
    for v in vehicles():
        got = body_colour(picture(v.asset, v.frame), v.box)
        per_part.setdefault(v.part, []).append(got == v.colour)
        w = int(v.box[2] - v.box[0])
        print(f"{v.asset[:28]:28} {w:4d}px  {v.colour:6} {got or '-':6} {v.part}")
    for part, ok in per_part.items():
        print(f"{part}: {sum(ok)} of {len(ok)} right")
    allok = [x for ok in per_part.values() for x in ok]
    print(f"all: {sum(allok)} of {len(allok)} right")


def timed(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    fn()
    t = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        t.append(time.perf_counter() - t0)
    return statistics.median(t) * 1000


def tiny_classifier(folder: Path) -> MakeModelClassifier:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    w = numpy_helper.from_array(np.eye(3, dtype=np.float32), "w")
    ax = numpy_helper.from_array(np.array([2, 3], np.int64), "axes")
    graph = helper.make_graph(
        [helper.make_node("ReduceMean", ["x", "axes"], ["m"], keepdims=0),
         helper.make_node("MatMul", ["m", "w"], ["y"])],
        "mm", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 224, 224])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])], [w, ax],
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 9
    onnx.save(model, str(folder / "mm.onnx"))
    (folder / "labels.txt").write_text("A|1\nB|2\nC|3\n")
    return MakeModelClassifier(
        MakeModelConfig(model=folder / "mm.onnx", labels=folder / "labels.txt", threads=1)
    )


def cost(runs: int, make_model: bool) -> None:
    car = COCO_CLASSES.index("car")
    with tempfile.TemporaryDirectory() as tmp:
        mm = tiny_classifier(Path(tmp)) if make_model else None
        looks, idle, shares = [], [], []
        for v in vehicles():
            img = picture(v.asset, v.frame)
            shares.append(timed(lambda: colour_shares(img, v.box), runs))  # noqa: B023
            tracks = Detections(v.box[None], np.array([0.9]), np.array([car]),
                                tracker_id=np.array([1]))  # fmt: skip

            def look() -> None:
                enr = VehicleAttributes("b", COCO_CLASSES, DEFAULT_TYPES, looks=10**6,
                                        every_n=1, make_model=mm)  # fmt: skip
                enr.enrich(Frame("b", 0, 0.0, 1.8e9, img), tracks)  # noqa: B023

            enr = VehicleAttributes("b", COCO_CLASSES, DEFAULT_TYPES, looks=10**6,
                                    every_n=10**9, make_model=mm)  # fmt: skip
            enr.enrich(Frame("b", 0, 0.0, 1.8e9, img), tracks)  # the one look it gets
            n = iter(range(1, 10**9))
            idle.append(timed(lambda: enr.enrich(Frame("b", next(n), 0.0, 1.8e9, img), tracks),  # noqa: B023
                              runs))  # fmt: skip
            looks.append(timed(look, runs))
        med = statistics.median
        print(f"colour votes a look: median {med(shares):.2f} ms, max {max(shares):.2f} ms "
              f"over {len(shares)} real boxes")  # fmt: skip
        label = "look (colour + make/model stand-in)" if mm else "look (colour)"
        print(f"enricher {label}: median {med(looks):.2f} ms, max {max(looks):.2f} ms")
        print(f"enricher frame without a look: median {med(idle) * 1000:.0f} us")
        print(f"a track of 5 looks over 50 frames: {5 * med(looks) + 45 * med(idle):.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--quick", action="store_true", help="few runs: checks that it runs")
    a = ap.parse_args()
    runs = 5 if a.quick else a.runs
    accuracy()
    cost(runs, make_model=False)
    cost(runs, make_model=True)


if __name__ == "__main__":
    main()
