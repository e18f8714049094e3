"""TLS for the API (a self-signed certificate for the demo, real files by config) and
which proxies are believed about the client address."""

from __future__ import annotations

import ipaddress
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kuzet.config.access import AccessConfig, TlsConfig


def self_signed(cert_file: Path, key_file: Path, hosts: list[str], days: int = 365) -> None:
    """Write an ECDSA P-256 key (mode 0600) and a certificate for ``hosts``."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0] if hosts else "kuzet")])
    alt: list[x509.GeneralName] = []
    for h in hosts:
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(h)))
        except ValueError:
            alt.append(x509.DNSName(h))
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_file.parent.mkdir(parents=True, exist_ok=True)
    cert_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def uvicorn_ssl(cfg: TlsConfig, data_dir: Path) -> dict[str, str]:
    """``ssl_certfile`` / ``ssl_keyfile`` for ``uvicorn.Config``; ``{}`` when TLS is off.

    Without configured files a self-signed pair is made once under ``data_dir/tls``.
    """
    if not cfg.enabled:
        return {}
    cert, key = cfg.cert_file, cfg.key_file
    if cert is None or key is None:
        cert, key = data_dir / "tls" / "cert.pem", data_dir / "tls" / "key.pem"
        if not (cert.exists() and key.exists()):
            self_signed(cert, key, cfg.self_signed_hosts)
    return {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}


def uvicorn_proxy(cfg: AccessConfig) -> dict[str, Any]:
    """uvicorn's proxy-header settings: believe ``X-Forwarded-For`` / ``-Proto`` only
    from the configured reverse proxies (uvicorn's own default trusts any local peer,
    so any process on the host could claim any address)."""
    if not cfg.trusted_proxies:
        return {"proxy_headers": False, "forwarded_allow_ips": ""}
    return {"proxy_headers": True, "forwarded_allow_ips": list(cfg.trusted_proxies)}
