"""The operations centre's web app: TypeScript sources in ``web/``, the offline bundle in
``dist/`` (committed, so a clean clone serves it without Node; ``kuzet ui build`` remakes it)."""

from __future__ import annotations

import hashlib
from pathlib import Path

WEB = Path(__file__).with_name("web")
DIST = Path(__file__).with_name("dist")


def _walk(web: Path, folder: str) -> list[str]:
    """Every file under ``web/folder`` at any depth, as a ``/``-separated relative path."""
    return [p.relative_to(web).as_posix() for p in (web / folder).rglob("*") if p.is_file()]


def sources_hash(web: Path = WEB) -> str:
    """The digest ``web/build.mjs`` writes into ``dist/manifest.json``: same files (``src/``
    and ``public/`` recursively), same order (code-point sort of the relative paths)."""
    names = ["package.json", "package-lock.json", "build.mjs", *_walk(web, "src")]
    names += _walk(web, "public")
    h = hashlib.sha256()
    for name in sorted(names):
        h.update(name.encode() + b"\0")
        h.update((web / name).read_bytes())
        h.update(b"\0")
    return h.hexdigest()
