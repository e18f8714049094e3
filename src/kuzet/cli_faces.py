"""``kuzet faces``: bulk import of a watchlist, key generation and rotation.

Imports stay inside commands so ``kuzet --help`` stays instant.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from kuzet.access.service import AccessService
    from kuzet.config.models import BusConfig
    from kuzet.faces.importer import Row
    from kuzet.faces.services import FaceServices

faces_app = typer.Typer(help="Watchlists: bulk import, face-data keys and their rotation.")

Site = Annotated[Path | None, typer.Option(help="site YAML file (its store.url and faces)")]
Db = Annotated[str | None, typer.Option(help="database URL; overrides the site file's")]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.secho(f"kuzet: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


def _services(site: Path | None, db: str | None):  # type: ignore[no-untyped-def]
    from kuzet.access.service import AccessService
    from kuzet.cli_access import _site
    from kuzet.crypto import KeyRingError
    from kuzet.faces.services import FaceServices
    from kuzet.schema import open_store  # alembic: kept off other commands' start-up

    cfg = _site(site)
    store = open_store(db or cfg.store.url)
    try:  # dlib loads only when a photo is enrolled (import), not for rekey
        faces = FaceServices.build(store.engine, cfg.faces)
    except KeyRingError as exc:
        store.close()
        raise _fail(str(exc)) from None
    return store, faces, AccessService(store.engine, cfg.access, data_dir=cfg.data_dir), cfg


def _rows(folder: Path | None, csv_file: Path | None, images: Path | None, zip_file: Path | None):  # type: ignore[no-untyped-def]
    from kuzet.faces import importer

    given = [x for x in (folder, csv_file, zip_file) if x is not None]
    if len(given) != 1:
        raise _fail("give exactly one of --folder, --csv (with --images) or --zip")
    if csv_file is not None:
        if images is None:
            raise _fail("--csv needs --images DIR (where the photo files are)")
        return list(importer.from_csv(csv_file, images))
    if zip_file is not None:
        return list(importer.from_zip(zip_file))
    assert folder is not None
    return list(importer.from_folder(folder))


def _watchlist(
    faces: FaceServices, access: AccessService, name: str, agency: str | None, kind: str
) -> str:
    from kuzet.faces.watchlists import WatchlistError

    found = [w for w in faces.lists.lists() if name in (w.id, w.name)]
    if len(found) > 1:
        raise _fail(f"{len(found)} lists are called {name!r}: give its id")
    if found:
        return found[0].id
    if agency is None:
        raise _fail(f"no watchlist {name!r}; add --agency ID to create it")
    known = [a["id"] for a in access.accounts.agencies()]
    if agency not in known:
        raise _fail(f"no agency {agency!r}; known agencies: {', '.join(known) or 'none'}")
    try:
        wl = faces.lists.create(agency, name, kind=kind, threshold=faces.default_threshold)
    except WatchlistError as exc:
        raise _fail(f"cannot create watchlist {name!r}: {exc}") from None
    typer.echo(f"created watchlist {wl.name!r} ({wl.id}) of agency {agency}")
    return wl.id


@faces_app.command("import")
def import_command(
    list_name: Annotated[str, typer.Option("--list", help="watchlist name or id")],
    folder: Annotated[Path | None, typer.Option(help="a sub-folder or image a person")] = None,
    csv_file: Annotated[Path | None, typer.Option("--csv", help="external_id,name,photos")] = None,
    images: Annotated[Path | None, typer.Option(help="image folder of --csv")] = None,
    zip_file: Annotated[
        Path | None, typer.Option("--zip", help="a ZIP laid out as --folder")
    ] = None,
    agency: Annotated[str | None, typer.Option(help="create the list for this agency")] = None,
    kind: Annotated[str, typer.Option(help="kind of a created list")] = "wanted",
    site: Site = None,
    db: Db = None,
) -> None:
    """Enrol every person of a folder, CSV + images or ZIP; re-running is incremental."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
    from rich.table import Table

    rows: list[Row] = _rows(folder, csv_file, images, zip_file)
    store, faces, access, cfg = _services(site, db)
    try:
        wl_id = _watchlist(faces, access, list_name, agency, kind)
        counts: dict[str, int] = {}
        report: list[tuple[str, str]] = [(r.ref, r.problem) for r in rows if r.problem]
        columns = (BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*Progress.get_default_columns()[:1], *columns, transient=True) as bar:
            task = bar.add_task("enrolling", total=len(rows))
            for r in rows:
                if r.record is not None:
                    outcome, reasons = faces.lists.upsert(wl_id, r.record)
                    counts[outcome] = counts.get(outcome, 0) + 1
                    if outcome == "rejected":
                        reasons = reasons or ["no usable photo"]
                    report += [(r.ref, why) for why in reasons]
                bar.advance(task)
        counts["unreadable"] = sum(1 for r in rows if r.problem)
        access.audit.record(
            f"cli:{getpass.getuser()}", "watchlist.import", target=wl_id,
            detail={"counts": counts, "rejected_photos": len(report)},
        )  # fmt: skip
    finally:
        store.close()
    _tell_running_services(cfg.bus)
    console = Console()
    if report:
        table = Table("row", "rejected because", title="Rejected photos and rows")
        for ref, why in report:
            table.add_row(ref, why)
        console.print(table)
    console.print(", ".join(f"{k}: {v}" for k, v in sorted(counts.items()) if v) or "nothing")


def _tell_running_services(bus_cfg: BusConfig) -> None:
    """Running processes rebuild their galleries now (NATS bus), not at their next timed
    rebuild (``kuzet.faces.gallery_share``: every 10 minutes, also with the memory bus)."""
    from kuzet.events import create_bus
    from kuzet.faces.gallery_share import KEY, TOPIC

    if bus_cfg.type != "nats":
        return
    try:
        bus = create_bus(bus_cfg)
        try:
            bus.announce(TOPIC, KEY, b"cli")
        finally:
            bus.close()
    except Exception as exc:  # the import is done; only the push is missing
        typer.secho(f"kuzet: running services not told ({exc}); they pick the lists up "
                    "within 10 minutes", err=True, fg=typer.colors.YELLOW)  # fmt: skip


@faces_app.command("keygen")
def keygen(key_id: Annotated[str, typer.Option(help="1-32 characters")] = "k1") -> None:
    """Print a new ``id:base64key`` for KUZET_FACE_KEYS or the key file (keep it secret)."""
    from kuzet.crypto import KeyRing

    typer.echo(KeyRing.generate(key_id))


@faces_app.command("reembed")
def reembed_command(site: Site = None, db: Db = None) -> None:
    """Remake every enrolled template with the site's faces.embedder (from the sealed
    photos), after the embedder was changed; then restart the service."""
    from kuzet.faces.reembed import pending, reembed

    store, faces, access, _ = _services(site, db)
    name = faces.embedder.name
    try:
        before = pending(store.engine, name)
        done = reembed(store.engine, faces.keys, faces.embedder)
        left = pending(store.engine, name)
        access.audit.record(
            f"cli:{getpass.getuser()}", "faces.reembed", target=name,
            detail={"before": dict(before), "done": dict(done)},
        )  # fmt: skip
    finally:
        store.close()
    typer.echo(f"templates remade with {name!r}: {dict(done)}; were {dict(before) or '{}'}")
    if left:
        raise _fail(f"templates of other embedders left (not searched): {dict(left)}", 1)


@faces_app.command("rekey")
def rekey_command(site: Site = None, db: Db = None) -> None:
    """Re-seal every photo, template and sighting with the first (active) key."""
    from kuzet.faces.rekey import pending, rekey

    store, faces, access, _ = _services(site, db)  # no templates are computed: dlib stays unloaded
    try:
        before = pending(store.engine, faces.keys)
        done = rekey(store.engine, faces.keys)
        left = pending(store.engine, faces.keys)
        access.audit.record(
            f"cli:{getpass.getuser()}", "faces.rekey", target=faces.keys.active,
            detail={"before": dict(before), "done": dict(done)},
        )  # fmt: skip
    finally:
        store.close()
    typer.echo(f"re-sealed under {faces.keys.active!r}: {dict(done)}; was {dict(before) or '{}'}")
    if left:
        raise _fail(f"still sealed with other keys: {dict(left)}", 1)
    typer.echo("no row uses another key now: old keys can be removed from the ring")
