"""``kuzet ui build``: rebuild the operations centre bundle with the locked npm packages."""

from __future__ import annotations

import shutil
import subprocess

import typer

ui_app = typer.Typer(help="The operations centre web app.")


@ui_app.command("build")
def build(
    install: bool = typer.Option(True, help="run `npm ci` when node_modules is missing"),
) -> None:
    """npm ci (from package-lock.json) + esbuild into kuzet/ui/dist."""
    from kuzet.ui import WEB

    npm = shutil.which("npm")
    if npm is None:
        raise typer.BadParameter(
            "npm not found: install Node.js 20 (the bundle in dist/ still works)"
        )
    if install and not (WEB / "node_modules").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=WEB, check=True)
    subprocess.run([npm, "run", "--silent", "build"], cwd=WEB, check=True)
    typer.echo(f"built {WEB.parent / 'dist'}")
