"""The operations centre's web app: TypeScript sources in ``web/``, the offline bundle in
``dist/`` (committed, so a clean clone serves it without Node; ``kuzet ui build`` remakes it)."""

from __future__ import annotations

import hashlib
from pathlib import Path

WEB = Path(__file__).with_name("web")
DIST = Path(__file__).with_name("dist")


def sources_hash(web: Path = WEB) -> str:
    """The digest ``web/build.mjs`` writes into ``dist/manifest.json``: same files, same order."""
    names = ["package.json", "package-lock.json", "build.mjs"]
    names += [f"src/{p.name}" for p in (web / "src").iterdir() if p.is_file()]
    names += [f"public/{p.name}" for p in (web / "public").iterdir() if p.is_file()]
    h = hashlib.sha256()
    for name in sorted(names):
        h.update(name.encode() + b"\0")
        h.update((web / name).read_bytes())
        h.update(b"\0")
    return h.hexdigest()
