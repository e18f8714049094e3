"""``kuzet cameras import FILE [--dry-run]``: the camera registry from a CSV file.

Every row is checked first; errors are printed as ``FILE:ROW: FIELD: message`` and
nothing is written unless the whole file is clean (exit code 1 on row errors, 2 on a
bad site file or an unreadable CSV). The shell acts as ``system``, audited like the API's
``POST /api/cameras/import``; URL passwords are stored sealed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

cameras_app = typer.Typer(help="The camera registry: import from CSV.")

Site = Annotated[Path | None, typer.Option(help="site YAML file (its store.url and access)")]
Db = Annotated[str | None, typer.Option(help="database URL; overrides the site file's")]


@cameras_app.command("import")
def import_csv(
    file: Annotated[Path, typer.Argument(help="CSV with a header row (docs/integrations.md)")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="check every row, write nothing")
    ] = False,
    site: Site = None,
    db: Db = None,
) -> None:
    """Add or update cameras from a CSV file; all rows or none."""
    from kuzet.cli_access import _open
    from kuzet.integrations.camera_csv import run_import

    try:
        data = file.read_bytes()
    except OSError as exc:
        typer.secho(f"kuzet: cannot read {file}: {exc.strerror}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from None
    _, store, svc = _open(site, db)
    try:
        rep = run_import(
            data, dry_run=dry_run,
            exists=lambda cid: store.get_camera(cid) is not None,
            upsert=lambda cam: store.upsert_camera(svc.cameras.seal(cam)),
        )  # fmt: skip
        if not dry_run:
            svc.audit.record(
                "system", "camera.import", target=str(file),
                outcome="ok" if rep.applied else "refused",
                detail={"create": rep.create, "update": rep.update, "errors": len(rep.errors)},
            )  # fmt: skip
    finally:
        store.close()
    for e in rep.errors:
        where = f"{file}:{e.row}" if e.row else str(file)
        typer.secho(f"{where}: {e.field + ': ' if e.field else ''}{e.message}", err=True,
                    fg=typer.colors.RED)  # fmt: skip
    for p in rep.plan:
        typer.echo(f"{file}:{p.row}: {p.action} {p.id}")
    if rep.errors:
        typer.echo(f"{len(rep.errors)} error(s): nothing written.")
        raise typer.Exit(1)
    if dry_run:
        typer.echo(f"dry run: would create {rep.create}, update {rep.update}; nothing written.")
    else:
        typer.echo(f"created {rep.create}, updated {rep.update} camera(s).")
