"""``kuzet users`` and ``kuzet agencies``: account administration from the shell.

The shell holds the database and the keys, so it is the root of trust: it acts as
``system`` (audited like every change), is not capped by separation of duties, and is
how the first supervisors (the second person for clearances) are made. The same
operations exist in the HTTP API (``/api/users``, ``/api/agencies``, ``/api/grants``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from kuzet.access.service import AccessService

users_app = typer.Typer(help="Accounts: create, change, unlock, reset, deactivate; API keys.")
keys_app = typer.Typer(help="API keys of integration accounts.")
agencies_app = typer.Typer(help="Agencies and the widest scope of their users.")
users_app.add_typer(keys_app, name="keys")

Site = Annotated[Path | None, typer.Option(help="site YAML file (its store.url and access)")]
Db = Annotated[str | None, typer.Option(help="database URL; overrides the site file's")]
Name = Annotated[str, typer.Argument(help="user name")]
Multi = Annotated[list[str] | None, typer.Option()]
Reason = Annotated[str | None, typer.Option(help="why (kept in the audit log)")]
ROLES = "operator, supervisor, investigator, analyst, administrator, auditor, integration"


@contextmanager
def _svc(site: Path | None, db: str | None) -> Iterator[AccessService]:
    """The access service, with every access error as a red line and exit code 1."""
    from kuzet.access.errors import AccessError
    from kuzet.cli_access import _open

    _, store, svc = _open(site, db)
    try:
        yield svc
    except AccessError as exc:
        typer.secho(f"kuzet: {exc.message}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from None
    finally:
        store.close()


def _scope(category: list[str] | None, district: list[str] | None, camera: list[str] | None,
           event_type: list[str] | None) -> dict[str, list[str] | None] | None:  # fmt: skip
    given = {"categories": category, "districts": district, "camera_ids": camera,
             "event_types": event_type}  # fmt: skip
    return None if all(v is None for v in given.values()) else given


def _role(value: str) -> Any:
    from kuzet.access.model import Role

    try:
        return Role(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r}: one of {ROLES}") from None


def _clearances(values: list[str] | None) -> Any:
    from kuzet.access.model import DataClass

    if values is None:
        return None
    try:
        return frozenset(DataClass(v) for v in values)
    except ValueError:
        known = ", ".join(c.value for c in DataClass)
        raise typer.BadParameter(f"clearances are {known}") from None


def _show(view: dict[str, Any]) -> None:
    cl = ",".join(view["clearances"]) or "-"
    state = "active" if view["active"] else "inactive"
    lock = f" locked until {view['locked_until']:%H:%M:%S}" if view.get("locked_until") else ""
    fails = f" {view['failed_logins']} failed logins" if view.get("failed_logins") else ""
    totp = "on" if view["totp_enabled"] else "off"
    typer.echo(f"{view['username']:<24} {view['agency_id']:<18} {view['role']:<14} {state:<8} "
               f"totp={totp} clearances={cl}{fails}{lock}")  # fmt: skip


def _pending(view: dict[str, Any]) -> None:
    if grant := view.get("pending_grant"):
        typer.echo(f"waiting for a supervisor: {grant['clearances'] + grant['permissions']} "
                   f"(grant {grant['id']})")  # fmt: skip


@users_app.command("list")
def list_users(
    agency: Annotated[str | None, typer.Option(help="only this agency")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines")] = False,
    site: Site = None,
    db: Db = None,
) -> None:
    """Every account, with its lock state and failed logins."""
    with _svc(site, db) as svc:
        views = [v for v in svc.accounts.list_users(None) if agency in (None, v["agency_id"])]
    for v in views:
        typer.echo(json.dumps(v, default=str, sort_keys=True)) if as_json else _show(v)


@users_app.command("create")
def create_user(
    username: Name,
    agency: Annotated[str, typer.Option(help="agency id")],
    role: Annotated[str, typer.Option(help=ROLES)],
    clearance: Multi = None,
    category: Multi = None,
    district: Multi = None,
    camera: Multi = None,
    event_type: Multi = None,
    reason: Reason = None,
    site: Site = None,
    db: Db = None,
) -> None:
    """Make an account; people get a one-time password, shown here once."""
    from kuzet.access.model import Scope

    scope = _scope(category, district, camera, event_type)
    with _svc(site, db) as svc:
        view, secret = svc.accounts.create_user(
            None, username, agency, _role(role), clearances=_clearances(clearance),
            scope=None if scope is None else Scope.from_json(scope), reason=reason,
        )  # fmt: skip
    _show(view)
    if secret:
        typer.echo(f"one-time password: {secret}")
        typer.echo("It works for the first login only, which sets up TOTP and a new password.")


@users_app.command("set")
def set_user(
    username: Name,
    role: Annotated[str | None, typer.Option(help=ROLES)] = None,
    agency: Annotated[str | None, typer.Option(help="move to this agency")] = None,
    clearance: Multi = None,
    no_clearances: Annotated[bool, typer.Option(help="withdraw every clearance")] = False,
    category: Multi = None,
    district: Multi = None,
    camera: Multi = None,
    event_type: Multi = None,
    unlimited_scope: Annotated[bool, typer.Option(help="the agency's whole scope")] = False,
    reason: Reason = None,
    site: Site = None,
    db: Db = None,
) -> None:
    """Change role, agency, scope (narrows the agency's) or clearances."""
    changes: dict[str, Any] = {}
    if role is not None:
        changes["role"] = _role(role).value
    if agency is not None:
        changes["agency_id"] = agency
    if no_clearances or clearance is not None:
        changes["clearances"] = sorted(c.value for c in _clearances(clearance or []))
    scope = _scope(category, district, camera, event_type)
    if unlimited_scope or scope is not None:
        changes["scope"] = scope or {}
    if not changes:
        raise typer.BadParameter("nothing to change: give --role, --agency, --clearance, ...")
    with _svc(site, db) as svc:
        view = svc.accounts.update_user(None, svc.accounts.find(username), changes, reason)
    _show(view)


def _simple(username: str, site: Path | None, db: str | None, what: str, reason: str | None) -> Any:
    with _svc(site, db) as svc:
        user_id = svc.accounts.find(username)
        if what in ("deactivate", "reactivate"):
            return svc.accounts.update_user(None, user_id, {"active": what == "reactivate"}, reason)
        if what == "unlock":
            return svc.accounts.unlock(None, user_id, reason)
        if what == "reset-totp":
            return svc.accounts.reset_totp(None, user_id, reason)
        return svc.accounts.reset_user(None, user_id, reason)[0]


@users_app.command("unlock")
def unlock(username: Name, reason: Reason = None, site: Site = None, db: Db = None) -> None:
    """Forget the account's failed logins from every address."""
    typer.echo(f"{username}: {_simple(username, site, db, 'unlock', reason)} failures cleared")


@users_app.command("reset-totp")
def reset_totp(username: Name, reason: Reason = None, site: Site = None, db: Db = None) -> None:
    """A lost phone: TOTP and recovery codes cleared; the next login sets TOTP up again."""
    _simple(username, site, db, "reset-totp", reason)
    typer.echo(f"{username}: TOTP reset; sessions ended")


@users_app.command("reset-password")
def reset_password(username: Name, reason: Reason = None, site: Site = None, db: Db = None) -> None:
    """A new one-time password (TOTP and recovery codes are cleared too)."""
    secret = _simple(username, site, db, "reset-password", reason)
    typer.echo(f"{username}: one-time password: {secret}")


@users_app.command("deactivate")
def deactivate(username: Name, reason: Reason = None, site: Site = None, db: Db = None) -> None:
    """Sessions, keys and open streams end; the account and its history stay."""
    _show(_simple(username, site, db, "deactivate", reason))


@users_app.command("reactivate")
def reactivate(username: Name, reason: Reason = None, site: Site = None, db: Db = None) -> None:
    _show(_simple(username, site, db, "reactivate", reason))


@users_app.command("grants")
def grants(site: Site = None, db: Db = None) -> None:
    """Clearance requests waiting for a supervisor (who decides them in the API)."""
    with _svc(site, db) as svc:
        views = svc.grants.list(None)
    for g in views:
        typer.echo(f"{g['id']} {g['username']}: {g['clearances'] + g['permissions']} "
                   f"asked by {g['requested_by']} ({g['why']})")  # fmt: skip


@keys_app.command("create")
def key_create(
    username: Name,
    permission: Annotated[list[str], typer.Option(help="e.g. events.read; repeat")],
    ttl_days: Annotated[int | None, typer.Option(min=1, max=3650)] = None,
    site: Site = None,
    db: Db = None,
) -> None:
    """A key for an integration account, printed once (only its hash is kept)."""
    with _svc(site, db) as svc:
        view, key = svc.keys.create(None, svc.accounts.find(username), permission, ttl_days)
    typer.echo(f"key {view['id']} ({', '.join(view['permissions'])}): {key}")


@keys_app.command("list")
def key_list(username: Name, site: Site = None, db: Db = None) -> None:
    with _svc(site, db) as svc:
        views = svc.keys.list(None, svc.accounts.find(username))
    for k in views:
        state = "revoked" if k["revoked_at"] else "active"
        used = k["last_used_at"] or "-"
        typer.echo(f"{k['id']} {state:<8} {','.join(k['permissions'])} "
                   f"expires={k['expires_at'] or '-'} last_used={used}")  # fmt: skip


@keys_app.command("revoke")
def key_revoke(key_id: Annotated[str, typer.Argument()], site: Site = None, db: Db = None) -> None:
    with _svc(site, db) as svc:
        svc.keys.revoke(None, key_id)
    typer.echo(f"key {key_id} revoked")


@agencies_app.command("list")
def agencies_list(site: Site = None, db: Db = None) -> None:
    with _svc(site, db) as svc:
        for a in svc.accounts.agencies():
            limits = {k: v for k, v in a["scope"].items() if v is not None}
            typer.echo(f"{a['id']:<18} {a['name']}{' (platform)' if a['platform'] else ''} "
                       f"{json.dumps(limits) if limits else 'whole city'}")  # fmt: skip


@agencies_app.command("create")
def agencies_create(
    agency_id: Annotated[str, typer.Argument(help="e.g. city-police")],
    name: Annotated[str, typer.Option(help="display name")],
    platform: Annotated[bool, typer.Option(help="runs the platform (sees every agency)")] = False,
    category: Multi = None,
    district: Multi = None,
    camera: Multi = None,
    event_type: Multi = None,
    site: Site = None,
    db: Db = None,
) -> None:
    """Create (or change) an agency and the widest scope its users get."""
    from kuzet.access.model import Scope

    scope = Scope.from_json(_scope(category, district, camera, event_type))
    with _svc(site, db) as svc:
        svc.accounts.upsert_agency(agency_id, name, scope, platform=platform)
    typer.echo(f"agency {agency_id!r} saved")


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
    app.add_typer(agencies_app, name="agencies")
