"""Every benchmark script still runs: `--help` loads it with all its imports, so an API
change that breaks a benchmark fails here, not months later (its figures are not asserted:
speed targets live in bench/ and docs/benchmarks.md, never in tests).

All scripts load in one child process, one after the other (``runpy`` as ``__main__``):
forty interpreters each importing NumPy, OpenCV and Kuzet cost ~40 s of a full run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).parents[1] / "bench"
SCRIPTS = sorted(p for p in BENCH.glob("*.py") if p.name[0] != "_")  # _x.py: shared helpers

_DRIVER = r"""
import contextlib, io, json, os, runpy, sys, traceback
out = {}
for script in sys.argv[1:]:
    sys.path.insert(0, os.path.dirname(script))  # as `python bench/x.py` does
    sys.argv = [script, "--help"]
    so, se = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(so), contextlib.redirect_stderr(se):
        try:
            runpy.run_path(script, run_name="__main__")
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException:
            traceback.print_exc(file=se)
            code = 1
    out[script] = {"code": code, "stdout": so.getvalue(), "stderr": se.getvalue()}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def loaded() -> dict[str, dict[str, Any]]:
    r = subprocess.run(
        [sys.executable, "-c", _DRIVER, *map(str, SCRIPTS)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=BENCH.parent,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    result: dict[str, dict[str, Any]] = json.loads(r.stdout.splitlines()[-1])
    return result


def test_there_are_benchmarks() -> None:
    assert len(SCRIPTS) >= 10


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_benchmark_script_loads(script: Path, loaded: dict[str, dict[str, Any]]) -> None:
    r = loaded[str(script)]
    assert r["code"] == 0, r["stderr"][-2000:]
    # gpu_detector.py needs torch, no Kuzet dependency: it says so and exits 0
    assert "usage" in r["stdout"].lower() or "not run: needs torch" in r["stdout"], r["stdout"][
        -500:
    ]
