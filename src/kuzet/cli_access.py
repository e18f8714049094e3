"""``kuzet admin``, ``kuzet audit``, ``kuzet purge``, ``kuzet tls``: access from the shell.

Imports stay inside commands so ``kuzet --help`` stays instant.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from kuzet.access.service import AccessService
    from kuzet.config.models import SiteConfig
    from kuzet.store import Store

admin_app = typer.Typer(help="Accounts: the first administrator, the demo agencies.")
audit_app = typer.Typer(help="The tamper-evident audit log.")
tls_app = typer.Typer(help="TLS certificates for the API.")

Site = Annotated[Path | None, typer.Option(help="site YAML file (its store.url and access)")]
Db = Annotated[str | None, typer.Option(help="database URL; overrides the site file's")]


def _site(site: Path | None) -> SiteConfig:
    from kuzet.config import ConfigError, SiteConfig, load_site

    if site is None:
        return SiteConfig()
    try:
        return load_site(site)
    except ConfigError as exc:
        typer.secho(str(exc), err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from None


def _open(site: Path | None, db: str | None) -> tuple[SiteConfig, Store, AccessService]:
    """The site's store and access service. The site's data dir (key files, audit head
    file) is used with the site's own database only, never with a ``--db`` alone."""
    from kuzet.access.service import AccessService
    from kuzet.schema import open_store  # alembic: kept off other commands' start-up

    cfg = _site(site)
    store = open_store(db or cfg.store.url)  # upgrades the schema, access tables included
    data_dir = cfg.data_dir if site is not None or db is None else None
    return cfg, store, AccessService(store.engine, cfg.access, data_dir=data_dir)


@admin_app.command("create-first")
def create_first(
    username: Annotated[str, typer.Option(help="login name, e.g. a.nurlanov")],
    agency: Annotated[str, typer.Option(help="agency id")] = "situation-centre",
    site: Site = None,
    db: Db = None,
) -> None:
    """Create the first administrator and print its one-time password (once, here only)."""
    from kuzet.access.errors import AccessError

    _, store, svc = _open(site, db)
    try:
        secret = svc.create_first_admin(username, agency)
    except AccessError as exc:
        typer.secho(f"kuzet: {exc.message}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from None
    finally:
        store.close()
    typer.echo(f"administrator {username!r} created in agency {agency!r}.")
    typer.echo(f"one-time password: {secret}")
    typer.echo("Log in with it, set up TOTP and a new password; it works for that only.")


@admin_app.command("seed-agencies")
def seed_agencies(site: Site = None, db: Db = None) -> None:
    """Create the demo city's twelve agencies (those missing)."""
    _, store, svc = _open(site, db)
    try:
        typer.echo(f"{svc.seed_agencies()} agencies added")
    finally:
        store.close()


@audit_app.command("verify")
def audit_verify(site: Site = None, db: Db = None) -> None:
    """Walk the hash chain; name every edited, deleted or reordered record (exit 1)."""
    _, store, svc = _open(site, db)
    try:
        problems = svc.audit.verify()
        n = svc.audit.count()
    finally:
        store.close()
    if problems:
        for p in problems:
            typer.secho(str(p), fg=typer.colors.RED)
        typer.echo(f"{len(problems)} problem(s) in {n} records")
        raise typer.Exit(1)
    typer.echo(f"audit log intact: {n} records")


@audit_app.command("export")
def audit_export(
    out: Annotated[Path, typer.Option("--out", "-o", help="file to write")],
    format: Annotated[str, typer.Option(help="csv or jsonl")] = "jsonl",
    site: Site = None,
    db: Db = None,
) -> None:
    """Export the whole audit log (the export itself is audited)."""
    _, store, svc = _open(site, db)
    try:
        rows = svc.audit.rows()
        out.write_text(svc.audit.to_csv(rows) if format == "csv" else svc.audit.to_jsonl(rows))
        svc.audit.record("cli", "audit.export", target=str(out), detail={"rows": len(rows)})
    finally:
        store.close()
    typer.echo(f"{len(rows)} records -> {out}")


def purge_command(site: Site = None, db: Db = None) -> None:
    """Delete events, snapshots, sessions past their retention (access.retention), and
    plate data past plate_data.retention_days."""
    from kuzet.access.retention import purge
    from kuzet.platedata.privacy import purge_plates
    from kuzet.storage import StorageError
    from kuzet.store.blobs import open_blobs

    cfg, store, svc = _open(site, db)
    blobs = open_blobs(cfg.blobs, cfg.data_dir)
    try:
        st = purge(store.engine, cfg.access.retention, blobs.delete, svc.audit)
        days = cfg.plate_data.retention_days if cfg.plate_data.enabled else None
        plates = purge_plates(store.engine, days, blobs.delete)
        if days is not None:
            svc.audit.record("cli", "plate.retention.purge",
                             detail=plates.as_dict() | {"retention_days": days})  # fmt: skip
        keep = cfg.access.retention.snapshots_days  # clips and snapshots by key day folders
        day_folders = 0 if keep is None else sum(
            blobs.purge_days(folder, keep) for folder in ("clips", "snapshots")
        )  # fmt: skip
    except StorageError as exc:  # S3 unreachable: say so; the next run finishes the work
        typer.secho(f"kuzet: blob storage: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from None
    finally:
        blobs.close()
        store.close()
    typer.echo(
        f"purged: {st.events} events, {st.snapshots} snapshots, {st.sessions} sessions, "
        f"{st.login_failures} login failures, {plates.reads} plate reads, "
        f"{plates.matches} plate matches, {day_folders} days of clips/snapshots"
    )


@tls_app.command("self-signed")
def tls_self_signed(
    cert: Annotated[Path, typer.Option(help="certificate file (PEM)")] = Path("var/tls/cert.pem"),
    key: Annotated[Path, typer.Option(help="private key file (PEM, mode 0600)")] = Path(
        "var/tls/key.pem"
    ),
    host: Annotated[list[str] | None, typer.Option(help="DNS name or IP; repeat")] = None,
) -> None:
    """Make a self-signed certificate for the demo (production: configure real files)."""
    from kuzet.access.tls import self_signed

    self_signed(cert, key, host or ["localhost", "127.0.0.1"])
    typer.echo(f"certificate {cert}, key {key}")


def register(app: typer.Typer) -> None:
    app.add_typer(admin_app, name="admin")
    app.add_typer(audit_app, name="audit")
    app.add_typer(tls_app, name="tls")
    app.command("purge")(purge_command)
