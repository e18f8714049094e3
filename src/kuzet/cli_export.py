"""``kuzet export``: check an evidence bundle offline, print or make the signing key.

``verify`` needs nothing but the bundle (and, to pin the site, its public key): no
database, no network. Exit codes: 0 intact, 1 altered (each finding named), 2 unusable
input (no such file, not a bundle, a bad key).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

export_app = typer.Typer(help="Evidence exports: verify a bundle offline, the signing key.")
evidence_app = typer.Typer(
    help="Evidence: verify an export bundle or a signed violation package offline."
)

KeyOpt = Annotated[
    str | None,
    typer.Option(
        "--key",
        help="the site's public key (base64 or PEM, or a file holding it); "
        "else $KUZET_EXPORT_PUBLIC_KEY; else the key the bundle carries (not pinned)",
    ),
]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.secho(f"kuzet: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


def _violation_header(m: dict[str, object]) -> None:
    v, r = m.get("violation") or {}, m.get("review") or {}
    cam, key = m.get("camera") or {}, m.get("signing_key") or {}
    assert isinstance(v, dict) and isinstance(r, dict) and isinstance(cam, dict)
    assert isinstance(key, dict)
    officer = (r.get("officer") or {}).get("username")
    typer.echo(f"violation {v.get('id')}  {v.get('type')}  at {v.get('ts')}")
    typer.echo(f"  camera {cam.get('id')} ({cam.get('name')})")
    typer.echo(f"  {r.get('decision')} by officer {officer} at {r.get('decided_at')}"
               f"  reason: {r.get('reason')}  key owner: {key.get('owner')}")  # fmt: skip


@evidence_app.command("verify")
@export_app.command("verify")
def verify(
    bundle: Annotated[
        Path, typer.Argument(help="the export's .zip, or the folder it was unpacked to")
    ],
    key: KeyOpt = None,
) -> None:
    """Check the signature and every file's SHA-256; name what was altered."""
    from kuzet.crypto.signing import SigningError, parse_public_key
    from kuzet.evidence.verify import BundleUnreadable, verify_bundle

    text = key or os.environ.get("KUZET_EXPORT_PUBLIC_KEY")
    pinned = None
    if text:
        candidate = Path(text)
        try:
            if len(text) < 4096 and candidate.is_file():
                text = candidate.read_text()
            pinned = parse_public_key(text)
        except (OSError, SigningError) as exc:
            raise _fail(f"--key: {exc}") from None
    try:
        rep = verify_bundle(bundle, pinned)
    except BundleUnreadable as exc:
        raise _fail(str(exc)) from None
    m = rep.manifest or {}
    if m.get("format", "").startswith("kuzet-violation-package"):
        _violation_header(m)
    elif m:
        req = m.get("requested") or {}
        typer.echo(f"export {m.get('export_id')}  case {m.get('case_number')}")
        typer.echo(f"  by {(m.get('exported_by') or {}).get('user')} at {m.get('created_at')}"
                   f"  reason: {m.get('reason')}")  # fmt: skip
        typer.echo(f"  cameras {', '.join(req.get('cameras') or [])}  "
                   f"{req.get('start')} .. {req.get('end')}")  # fmt: skip
    for f in rep.findings:
        typer.secho(f"ALTERED  {f}", fg=typer.colors.RED)
    typer.echo(f"  files intact: {rep.files_ok}")
    if rep.key_fingerprint:
        how = "pinned" if rep.key_pinned else "carried by the bundle, NOT pinned (pass --key)"
        typer.echo(f"  signing key {rep.key_fingerprint} ({how})")
    if not rep.ok:
        typer.secho("FAILED: the bundle is not as it was signed", err=True, fg=typer.colors.RED)
        raise typer.Exit(1)
    typer.secho("OK: signature valid, every file matches the manifest", fg=typer.colors.GREEN)


@export_app.command("public-key")
def public_key(
    data_dir: Annotated[Path, typer.Option(help="the site's data_dir (embedded-mode key)")] = Path(
        "data"
    ),
) -> None:
    """Print the site's export public key (base64) and its fingerprint, to publish."""
    from kuzet.crypto.signing import Signer, SigningError

    try:
        signer = Signer.load(data_dir, generate=False)
    except SigningError as exc:
        raise _fail(str(exc)) from None
    typer.echo(signer.public_b64)
    typer.echo(signer.fingerprint, err=True)


@export_app.command("keygen")
def keygen() -> None:
    """Print a new signing key for KUZET_EXPORT_SIGNING_KEY (keep it secret)."""
    from kuzet.crypto.signing import Signer

    typer.echo(Signer.generate_text())


@evidence_app.command("revoke-officer-key")
def revoke_officer_key(
    username: Annotated[str, typer.Argument(help="the officer's user name")],
    reason: Annotated[str, typer.Option(help="why (kept in the audit log)")],
    site: Annotated[Path | None, typer.Option(help="site YAML file")] = None,
    db: Annotated[str | None, typer.Option(help="database URL; overrides the site's")] = None,
) -> None:
    """Retire an officer's signing key (lost passphrase, left the force); packages already
    signed stay valid. The officer then enrols a new key in the review screen."""
    from kuzet.access.errors import AccessError
    from kuzet.cli_access import _open
    from kuzet.violations.keys import OfficerKeys

    _, store, svc = _open(site, db)
    try:
        user_id = svc.accounts.find(username)
        n = OfficerKeys(store.engine, lambda: svc.totp_secrets.ring).revoke(user_id)
        svc.audit.record("system", "violation.key.revoke", target=username, reason=reason,
                         detail={"keys": n})  # fmt: skip
    except AccessError as exc:
        raise _fail(exc.message, 1) from None
    finally:
        store.close()
    typer.echo(f"{username}: {n} signing key(s) revoked")
