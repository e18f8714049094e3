"""The package table of docs/architecture.md is true: every import between Kuzet's
packages is listed there, nothing listed is stale, and no two packages import each
other (directly or around a cycle)."""

from __future__ import annotations

import re
from pathlib import Path

import grimp
import pytest

DOC = Path(__file__).parents[1] / "docs" / "architecture.md"
ANY = {"any"}


def _declared() -> dict[str, set[str]]:
    """``package -> packages it may import`` from the table's rows."""
    out: dict[str, set[str]] = {}
    for line in DOC.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        names = re.findall(r"`([a-z_*]+)(?:/|\.py)?`", cells[0])
        deps = {d.strip() for d in cells[2].split(",")} - {"—", ""}
        for name in names:
            out[name] = deps
    return out


def _actual() -> dict[str, set[str]]:
    graph = grimp.build_graph("kuzet", cache_dir=None)
    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        parts = module.split(".")
        if len(parts) < 2:
            continue
        src = parts[1]
        edges.setdefault(src, set())
        for imported in graph.find_modules_directly_imported_by(module):
            dst = imported.split(".")
            if len(dst) >= 2 and dst[1] != src:
                edges[src].add(dst[1])
    return edges


def _row(declared: dict[str, set[str]], package: str) -> set[str] | None:
    if package in declared:
        return declared[package]
    for pattern, deps in declared.items():  # `cli*.py`
        if "*" in pattern and re.fullmatch(pattern.replace("*", ".*"), package):
            return deps
    return None


def test_every_package_has_a_row_and_imports_only_what_it_lists() -> None:
    declared, actual = _declared(), _actual()
    problems = []
    for package, deps in sorted(actual.items()):
        allowed = _row(declared, package)
        if allowed is None:
            problems.append(f"{package}: no row in docs/architecture.md")
        elif allowed != ANY and (extra := deps - allowed):
            problems.append(f"{package} imports {sorted(extra)}, not in its row")
        elif allowed != ANY and (stale := allowed - deps):
            problems.append(f"{package}'s row lists {sorted(stale)}, which it never imports")
    assert not problems, "\n".join(problems)


def test_no_import_cycle_between_packages() -> None:
    actual = _actual()
    cyclic = [
        (a, b) for a, deps in actual.items() for b in deps if a in _reach(actual, b)
    ]  # fmt: skip
    assert not cyclic, f"package cycles through: {sorted(cyclic)}"


def _reach(edges: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


@pytest.mark.parametrize("package", ["core", "config", "crypto"])
def test_the_neutral_packages_import_nothing_of_kuzet(package: str) -> None:
    assert _actual()[package] == set()
