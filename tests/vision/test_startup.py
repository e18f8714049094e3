"""Start-up: a model already converted loads without ``onnx`` or the converter.

Run in a fresh interpreter (a subprocess), since this test session has imported both.
Timings are in bench/detector_startup.py, never asserted here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kuzet.assets import ensure
from kuzet.vision.models import pull

HEAVY = ("onnx", "kuzet.vision.tfjs.convert", "kuzet.vision.tfjs.registry", "alembic")

_LOAD = """
import json, sys
import cv2
from kuzet.config.models import NanoDetConfig
from kuzet.vision import create_detector
det = create_detector(NanoDetConfig(threads=1))
d = det.detect([cv2.imread(sys.argv[1])])[0]
print(json.dumps({"boxes": len(d), "loaded": [m for m in HEAVY if m in sys.modules]}))
"""

_CLI = """
import json, sys
from kuzet.cli import app
try:
    app(["detect", sys.argv[1], "--json"])
except SystemExit as exc:
    assert not exc.code, exc.code
print(json.dumps({"loaded": [m for m in HEAVY if m in sys.modules]}))
"""


def _run(code: str, image: Path) -> dict[str, object]:
    prog = f"HEAVY = {HEAVY!r}\n{code}"
    out = subprocess.run(
        [sys.executable, "-c", prog, str(image)], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_loading_a_converted_model_imports_neither_onnx_nor_the_converter() -> None:
    pull("nanodet", 416, quiet=True)  # converted (and cached) before the subprocess
    got = _run(_LOAD, ensure("bus.jpg"))
    assert got["loaded"] == []
    assert isinstance(got["boxes"], int) and got["boxes"] >= 5  # it really detected


def test_kuzet_detect_imports_neither_onnx_nor_alembic() -> None:
    pull("nanodet", 416, quiet=True)
    assert _run(_CLI, ensure("bus.jpg"))["loaded"] == []
