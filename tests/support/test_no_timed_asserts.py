"""No test asserts an upper bound on elapsed time: speed lives in bench/ (docs/benchmarks.md),
so a busy CI machine cannot fail the suite. Lower bounds (``waited at least 0.9 s``) and
deadlines of a wait loop (``time.monotonic() < deadline``) do not depend on the load."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
CLOCKS = {"perf_counter", "monotonic", "time", "process_time", "perf_counter_ns", "monotonic_ns"}


def _is_clock(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in CLOCKS
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "time"
    )


def _elapsed(node: ast.AST, names: set[str]) -> bool:
    """An expression holding a clock difference (or a name assigned from one)."""
    for sub in ast.walk(node):
        is_sub = isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Sub)
        if is_sub and any(_is_clock(n) for n in ast.walk(sub)):
            return True
        if isinstance(sub, ast.Name) and sub.id in names:
            return True
    return False


def timed_asserts(source: str) -> list[int]:
    """Line numbers of asserts that bound an elapsed time from above."""
    tree = ast.parse(source)
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _elapsed(node.value, names):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assert):
            continue
        for cmp in (n for n in ast.walk(node.test) if isinstance(n, ast.Compare)):
            operands = [cmp.left, *cmp.comparators]
            for i, op in enumerate(cmp.ops):
                left, right = operands[i], operands[i + 1]
                upper = (isinstance(op, ast.Lt | ast.LtE) and _elapsed(left, names)) or (
                    isinstance(op, ast.Gt | ast.GtE) and _elapsed(right, names)
                )
                if upper:
                    lines.append(node.lineno)
    return sorted(set(lines))


def test_the_checker_finds_upper_bounds_only() -> None:
    src = (
        "import time\n"
        "t0 = time.perf_counter()\n"
        "ms = (time.perf_counter() - t0) * 1e3\n"
        "assert ms < 5\n"
        "assert 0.1 < time.monotonic() - t0 < 1.0\n"
        "assert 2 > time.monotonic() - t0\n"
        "assert time.monotonic() - t0 >= 0.9\n"
        "assert time.monotonic() < t0 + 10\n"
    )
    assert timed_asserts(src) == [4, 5, 6]


def test_no_timed_assertion_in_tests() -> None:
    found = [
        f"{path.relative_to(TESTS)}:{line}"
        for path in sorted(TESTS.rglob("*.py"))
        if path != Path(__file__).resolve()
        for line in timed_asserts(path.read_text())
    ]
    assert not found, "move these to bench/ (see docs/benchmarks.md): " + ", ".join(found)
