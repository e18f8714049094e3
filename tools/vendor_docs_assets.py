"""Vendor the API documentation pages' assets (Swagger UI, ReDoc) into the package.

FastAPI's default /docs and /redoc load these from a CDN: a white page offline and a
third-party request online. Kuzet serves them from ``src/kuzet/api/docs_assets``, which is
committed (a clean clone needs no Node); this script remakes that folder from the pinned
npm packages, fetched with npm's own client (``npm pack``), and records each package's
registry integrity and each file's sha256 in ``manifest.json`` (the tests check the
served files against it).

    python tools/vendor_docs_assets.py        # needs npm; rewrites src/kuzet/api/docs_assets

ReDoc stays on 2.x: 3.x bundles an OpenTelemetry client, needs Node 22 to build with,
and no longer registers the ``<redoc>`` element FastAPI's page uses.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "kuzet" / "api" / "docs_assets"
# package -> (version, {file in the package: name in OUT})
PINS: dict[str, tuple[str, dict[str, str]]] = {
    "swagger-ui-dist": (
        "5.35.0",
        {
            "swagger-ui-bundle.js": "swagger-ui-bundle.js",
            "swagger-ui.css": "swagger-ui.css",
            "favicon-32x32.png": "favicon-32x32.png",
            "LICENSE": "LICENSE.swagger-ui",
        },
    ),
    "redoc": (
        "2.5.4",
        {"bundles/redoc.standalone.js": "redoc.standalone.js", "LICENSE": "LICENSE.redoc"},
    ),
}


def _pack(name: str, version: str, workdir: Path) -> tuple[Path, str]:
    out = subprocess.run(
        ["npm", "pack", f"{name}@{version}", "--json", "--pack-destination", str(workdir)],
        check=True,
        capture_output=True,
        text=True,
        cwd=workdir,
    )
    info = json.loads(out.stdout)[0]
    return workdir / info["filename"], info["integrity"]


def main() -> int:
    if shutil.which("npm") is None:
        print("npm is needed to vendor the docs assets", file=sys.stderr)
        return 1
    manifest: dict[str, object] = {"packages": {}, "files": {}}
    packages: dict[str, object] = {}
    files: dict[str, str] = {}
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, (version, wanted) in PINS.items():
            tgz, integrity = _pack(name, version, work)
            packages[name] = {"version": version, "integrity": integrity}
            with tarfile.open(tgz) as tar:
                for member, target in wanted.items():
                    f = tar.extractfile(f"package/{member}")
                    if f is None:
                        raise SystemExit(f"{name}@{version} has no {member}")
                    data = f.read()
                    (OUT / target).write_bytes(data)
                    files[target] = hashlib.sha256(data).hexdigest()
    manifest["packages"], manifest["files"] = packages, files
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    print(f"wrote {len(files)} files to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
