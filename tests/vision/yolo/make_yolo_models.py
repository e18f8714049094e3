"""Make the real-architecture YOLO test models (run once; the outputs are committed).

Kuzet promises to load "any YOLO v5/v8/v11 ONNX". No weights ship offline, so this builds
the real networks from the model YAMLs of the packages that define them, with random
weights (a fixed seed; nothing is downloaded), exports them with those packages' own ONNX
exporters, and records what those packages' own post-processing makes of the raw output
on a real photo (bus.jpg), for ``tests/vision/test_yolo_real.py``:

- ``yolov8n-w00625.onnx``: ultralytics' ``yolov8.yaml``, scale n (depth 0.33) at width
  multiple 0.0625 instead of 0.25, so the file stays under 5 MB; same layers, same head
  (DFL, anchor-free), output ``[1, 84, N]``; exported by ``YOLO.export(format="onnx")``;
- ``yolo11n-w00625.onnx``: the same for ``yolo11.yaml`` (v11: C3k2, C2PSA blocks);
- ``yolov5n-w00625.onnx``: the classic anchor-based YOLOv5n (``yolov5`` package, the
  packaged ultralytics/yolov5 v7.0) at width 0.0625, output ``[1, N, 85]`` with objectness;
  exported by that package's ``export_onnx`` after the steps its ``export.run`` takes;
- ``reference.npz``: the letterboxed input (uint8), samples of each raw output, and each
  package's ``non_max_suppression`` result (boxes in network pixels, score, class), plus
  boxes scaled back to the photo by the package's own ``scale_boxes``.

Random weights give random boxes: that is what a decode check needs (many boxes, many
classes, scores spread over 0..1), not what a detector finds. Weights: see
``randomize``; the class (and v5 objectness) biases are then set to 0, where the
packages start them at -9 (sigmoid ~1e-4) for training.

Needs a throw-away environment, never Kuzet's (torch is not a Kuzet dependency)::

    python3 -m venv /tmp/yolo-venv
    /tmp/yolo-venv/bin/pip install torch==2.14.1 torchvision==0.29.1 ultralytics==8.4.190 \\
        yolov5==7.0.14 onnx "setuptools<81"
    cd tests/vision/yolo && /tmp/yolo-venv/bin/python make_yolo_models.py BUS_JPG

(BUS_JPG: ``kuzet assets`` caches it, e.g. ``~/.cache/kuzet/assets/bus.jpg``.) Licences:
the YAMLs and exporters are AGPL-3.0; these files hold only their layer layout and our
random numbers, and are test data, not part of the Kuzet package.
"""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np
import torch
import yaml

HERE = Path(__file__).resolve().parent
SIZE = 320
WIDTH = 0.0625
CANDIDATES, IOU = 80, 0.45
SEED = 20261206


def letterbox(bgr: np.ndarray) -> np.ndarray:
    from ultralytics.data.augment import LetterBox

    return LetterBox((SIZE, SIZE), auto=False, scaleup=True)(image=bgr)


def threshold(best: np.ndarray) -> float:
    """A score threshold that lets through about CANDIDATES boxes (random weights score
    every model differently), kept clear of any box's score."""
    s = np.sort(best)[::-1]
    return float((s[CANDIDATES - 1] + s[CANDIDATES]) / 2)


def sample_rows(n: int) -> np.ndarray:
    return np.arange(0, n, 7)


def randomize(model: torch.nn.Module) -> None:
    """Random weights that keep the signal alive through ~200 layers: He-normal convs and
    BatchNorm statistics near identity (the packages' own init, fine for training, leaves
    the untrained output nearly constant: every score 0.5, every box alike). Fixed
    convs (v8's DFL, requires_grad False) are part of the architecture and stay."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.Conv2d) and m.weight.requires_grad:
                torch.nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                if m.bias is not None:
                    m.bias.normal_(0, 0.1)
            elif isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.1)
                m.running_mean.normal_(0, 0.1)
                m.running_var.uniform_(0.5, 1.5)


def zero_cls_bias(conv: torch.nn.Conv2d, start: int) -> None:
    with torch.no_grad():
        conv.bias[start:] = 0.0


def make_ultralytics(yaml_name: str, out_name: str, tmp: Path) -> tuple[Path, torch.nn.Module]:
    import ultralytics
    from ultralytics import YOLO

    src = Path(ultralytics.__file__).parent / "cfg/models" / yaml_name
    cfg = yaml.safe_load(src.read_text())
    depth, _, max_ch = cfg["scales"]["n"]
    cfg["scales"] = {"n": [depth, WIDTH, max_ch]}
    stem = Path(out_name).stem  # "yolov8n-w00625": ultralytics reads the scale from the name
    path = tmp / f"{stem}.yaml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    torch.manual_seed(SEED)
    model = YOLO(str(path))
    randomize(model.model)
    head = model.model.model[-1]
    for seq in head.cv3:  # class branch, last conv of each scale
        zero_cls_bias(seq[-1], 0)
    exported = Path(model.export(format="onnx", imgsz=SIZE, simplify=False, dynamic=False))
    return exported, model.model.eval()


def make_yolov5(tmp: Path) -> tuple[Path, torch.nn.Module]:
    import yolov5
    from yolov5.export import export_onnx
    from yolov5.models.yolo import Detect, Model

    cfg = yaml.safe_load((Path(yolov5.__file__).parent / "models/yolov5n.yaml").read_text())
    cfg["width_multiple"] = WIDTH
    torch.manual_seed(SEED)
    model = Model(cfg, ch=3, nc=80)
    randomize(model)
    head = model.model[-1]
    with torch.no_grad():
        for conv in head.m:  # per anchor: x, y, w, h, objectness, 80 classes
            conv.bias.view(head.na, -1)[:, 4:] = 0.0
    model.eval()
    model = model.fuse()
    for m in model.modules():  # what yolov5's export.run does before exporting
        if isinstance(m, Detect):
            m.inplace, m.dynamic, m.export = True, False, True
    im = torch.zeros(1, 3, SIZE, SIZE)
    for _ in range(2):
        model(im)
    # torch >= 2.9 exports through dynamo (onnxscript) by default; yolov5 7.0 was written
    # for the TorchScript exporter, which ultralytics' own exporter also picks
    plain = torch.onnx.export
    torch.onnx.export = functools.partial(plain, dynamo=False)  # type: ignore[assignment]
    try:
        f, _ = export_onnx(model, im, tmp / "yolov5n-w00625.pt", 12, False, False)
    finally:
        torch.onnx.export = plain
    if f is None:
        raise RuntimeError("yolov5 export failed (see its log)")
    return Path(f), model


def main(bus_jpg: str) -> None:
    from ultralytics.utils.nms import non_max_suppression as nms_v8
    from ultralytics.utils.ops import scale_boxes as scale_v8
    from yolov5.utils.general import non_max_suppression as nms_v5
    from yolov5.utils.general import scale_boxes as scale_v5

    bgr = cv2.imread(bus_jpg)
    lb = letterbox(bgr)
    x = torch.from_numpy(np.ascontiguousarray(lb[:, :, ::-1].transpose(2, 0, 1)))[None]
    x = x.float() / 255
    ref: dict[str, np.ndarray] = {"input_bgr": lb, "photo_hw": np.array(bgr.shape[:2])}
    sums = {}
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        built = {
            "v8": make_ultralytics("v8/yolov8.yaml", "yolov8n-w00625.onnx", tmp),
            "v11": make_ultralytics("11/yolo11.yaml", "yolo11n-w00625.onnx", tmp),
            "v5": make_yolov5(tmp),
        }
        for tag, (onnx_path, model) in built.items():
            name = {"v8": "yolov8n", "v11": "yolo11n", "v5": "yolov5n"}[tag] + "-w00625.onnx"
            if onnx_path.resolve() != (HERE / name).resolve():
                shutil.copy(onnx_path, HERE / name)
            with torch.no_grad():
                raw = model(x)
            raw = raw[0] if isinstance(raw, list | tuple) else raw
            rows = raw[0].numpy() if tag == "v5" else raw[0].numpy().T  # [N, 85] / [N, 84]
            best = (rows[:, 5:] * rows[:, 4:5] if tag == "v5" else rows[:, 4:]).max(axis=1)
            conf = threshold(best)
            if tag == "v5":
                kept = nms_v5(raw.clone(), conf, IOU)[0]
                scaled = scale_v5(lb.shape[:2], kept[:, :4].clone(), bgr.shape[:2])
            else:
                kept = nms_v8(raw.clone(), conf, IOU)[0]
                scaled = scale_v8(lb.shape[:2], kept[:, :4].clone(), bgr.shape[:2])
            ref[f"{tag}/conf"] = np.float32(conf)
            idx = sample_rows(len(rows))
            ref[f"{tag}/raw_rows"] = idx
            ref[f"{tag}/raw_values"] = rows[idx]
            ref[f"{tag}/raw_shape"] = np.array(raw.shape)
            ref[f"{tag}/net_xyxy"] = kept[:, :4].numpy()
            ref[f"{tag}/score"] = kept[:, 4].numpy()
            ref[f"{tag}/class"] = kept[:, 5].numpy().astype(np.int64)
            ref[f"{tag}/photo_xyxy"] = scaled.numpy()
            sums[name] = hashlib.sha256((HERE / name).read_bytes()).hexdigest()
            print(tag, name, (HERE / name).stat().st_size, "bytes, raw", tuple(raw.shape),
                  "kept", len(kept), "classes", len(set(ref[f"{tag}/class"].tolist())))  # fmt: skip
    versions = {"torch": torch.__version__}
    for pkg in ("ultralytics", "yolov5", "onnx"):
        versions[pkg] = __import__(pkg).__version__
    ref["info"] = np.array(json.dumps({"iou": IOU, "versions": versions}))
    np.savez_compressed(HERE / "reference.npz", **ref)  # type: ignore[arg-type]
    sums["reference.npz"] = hashlib.sha256((HERE / "reference.npz").read_bytes()).hexdigest()
    (HERE / "SHA256SUMS").write_text("".join(f"{h}  {n}\n" for n, h in sorted(sums.items())))
    print(versions)


if __name__ == "__main__":
    main(sys.argv[1])
