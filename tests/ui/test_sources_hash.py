"""The bundle's staleness check sees every source file, also those in sub-folders
(per-module dictionaries in src/i18n/, modules in their own folders)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from services import require_service

from kuzet.ui import WEB, sources_hash


def _tree(root: Path) -> Path:
    for name in ("package.json", "package-lock.json", "build.mjs"):
        (root / name).write_text(name)
    (root / "src" / "i18n").mkdir(parents=True)
    (root / "public").mkdir()
    (root / "src" / "app.ts").write_text("app")
    (root / "src" / "i18n" / "admin.ts").write_text("export const a = 1;")
    (root / "public" / "index.html").write_text("<!doctype html>")
    return root


def test_a_change_in_a_subfolder_changes_the_digest(tmp_path: Path) -> None:
    web = _tree(tmp_path)
    before = sources_hash(web)
    (web / "src" / "i18n" / "admin.ts").write_text("export const a = 2;")
    assert sources_hash(web) != before
    (web / "src" / "i18n" / "extra.ts").write_text("")  # a new nested file counts too
    assert len({before, sources_hash(web)}) == 2


def test_python_and_node_compute_the_same_digest(tmp_path: Path) -> None:
    """build.mjs's own function on the same nested tree (run by node, no build)."""
    if shutil.which("node") is None:
        require_service("node", "node is not installed (Debian nodejs; it builds the UI)")
    web = _tree(tmp_path)
    src = (WEB / "build.mjs").read_text()
    fn = src[src.index("function sourcesHash") :]
    script = (
        'import { createHash } from "node:crypto";\n'
        'import { readdirSync, readFileSync, statSync } from "node:fs";\n'
        f"{fn}\nconsole.log(JSON.stringify(sourcesHash()));\n"
    )
    (web / "hash.mjs").write_text(script)
    out = subprocess.run(["node", "hash.mjs"], cwd=web, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == sources_hash(web)
