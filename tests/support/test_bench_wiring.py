"""`make bench` runs every script in bench/ (README says so), each with a quick mode.

The figures themselves are not checked here (speed is never asserted in tests); this only
keeps the promise that nothing in bench/ is left out of `make bench`.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted(  # bench/_x.py are helpers the scripts share, not benchmarks
    p.relative_to(ROOT).as_posix() for p in (ROOT / "bench").glob("*.py") if p.name[0] != "_"
)


def test_make_bench_runs_every_script_quick_or_full() -> None:
    for quick in (False, True):
        args = ["make", "-n", "bench", *(["QUICK=1"] if quick else [])]
        plan = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True).stdout
        for script in SCRIPTS:
            assert script in plan, (script, plan)
        assert ("--quick" in plan) == quick


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_bench_script_is_a_program_with_a_quick_mode(script: str) -> None:
    text = (ROOT / script).read_text()
    assert 'if __name__ == "__main__":' in text
    assert '"--quick"' in text
