"""Every benchmark script still runs: `--help` loads it with all its imports, so an API
change that breaks a benchmark fails here, not months later (its figures are not asserted:
speed targets live in bench/ and docs/benchmarks.md, never in tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[1] / "bench"
SCRIPTS = sorted(p for p in BENCH.glob("*.py") if p.name[0] != "_")  # _x.py: shared helpers


def test_there_are_benchmarks() -> None:
    assert len(SCRIPTS) >= 10


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_benchmark_script_loads(script: Path) -> None:
    r = subprocess.run(
        [sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr[-2000:]
    # gpu_detector.py needs torch, no Kuzet dependency: it says so and exits 0
    assert "usage" in r.stdout.lower() or "not run: needs torch" in r.stdout, r.stdout[-500:]
