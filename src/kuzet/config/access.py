"""Site config of access control: passwords, tokens, throttling, retention, TLS.

Defaults are production-safe; tests pass a cheap argon2 profile to stay fast.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Argon2Config(_Strict):
    """argon2id cost. The defaults follow RFC 9106's second recommended profile."""

    time_cost: int = Field(3, ge=1)
    memory_kib: int = Field(65536, ge=8, description="memory per hash, KiB")
    parallelism: int = Field(4, ge=1)


class PasswordPolicy(_Strict):
    min_length: int = Field(12, ge=8)
    min_classes: int = Field(3, ge=1, le=4, description="of lower, upper, digit, symbol")
    argon2: Argon2Config = Field(default_factory=Argon2Config)
    max_concurrent_hashes: int | None = Field(
        None, ge=1, description="argon2 runs at once per process (each takes memory_kib and "
        "every core it can); default: half the CPU cores, at least 1",
    )  # fmt: skip
    busy_wait_s: float = Field(
        0.5, ge=0, description="how long a login waits for a free slot before 503 'busy'"
    )


class TokenConfig(_Strict):
    access_ttl_s: int = Field(900, ge=30, description="short-lived bearer token")
    refresh_ttl_s: int = Field(8 * 3600, ge=60, description="one shift; rotated on use")
    enrol_ttl_s: int = Field(900, ge=60, description="first-login session to set up TOTP")
    totp_issuer: str = "Kuzet"


class ThrottleConfig(_Strict):
    """Failed logins (``kuzet.access.throttle``): locks are per account *and* source."""

    window_s: int = Field(900, ge=1, description="failures counted over this window")
    max_user_failures: int = Field(
        5, ge=1, description="failures of one account from one address, then that pair is locked"
    )
    backoff_base_s: int = Field(30, ge=1, description="first lock; doubles with each failure")
    lockout_s: int = Field(900, ge=1, description="the longest lock")
    max_ip_failures: int = Field(20, ge=1, description="then the address gets 429")
    guard_account_failures: int = Field(
        20, ge=1, description="failures of an account from all addresses, then logins get no "
        "hint and need both factors at once",
    )  # fmt: skip


class RetentionConfig(_Strict):
    """Days each data type is kept; ``None`` keeps it forever (the audit log is)."""

    snapshots_days: int | None = Field(30, ge=1)
    events_days: int | None = Field(365, ge=1)
    sessions_days: int = Field(30, ge=1, description="expired sessions and login failures")
    audit_days: None = Field(None, description="the audit log is never purged")


class TlsConfig(_Strict):
    enabled: bool = False
    cert_file: Path | None = Field(None, description="PEM chain; made self-signed when absent")
    key_file: Path | None = None
    self_signed_hosts: list[str] = Field(default_factory=lambda: ["localhost", "127.0.0.1"])
    hsts_max_age_s: int = Field(31_536_000, ge=0)


class AccessConfig(_Strict):
    passwords: PasswordPolicy = Field(default_factory=PasswordPolicy)
    tokens: TokenConfig = Field(default_factory=TokenConfig)
    throttle: ThrottleConfig = Field(default_factory=ThrottleConfig)
    retention: RetentionConfig = Field(default_factory=RetentionConfig)
    tls: TlsConfig = Field(default_factory=TlsConfig)
    audit_key_env: str = Field(
        "KUZET_AUDIT_KEY",
        description="environment variable with the audit HMAC key (kept out of the database)",
    )
    keys_env: str = Field(
        "KUZET_ACCESS_KEYS",
        description="env var: 'id:base64key,...' sealing TOTP secrets (first seals, all open)",
    )
    key_file_env: str = Field(
        "KUZET_ACCESS_KEY_FILE", description="env var naming a key file (one 'id:base64key' a line)"
    )
    embedded_keys: bool = Field(
        False,
        description="demo / single test machine only: without KUZET_AUDIT_KEY and "
        "KUZET_ACCESS_KEYS, make keys under <data_dir>/keys (0600) instead of refusing to "
        "start; a loud warning at every start",
    )
    max_body_kib: int = Field(
        1024, ge=1, description="largest request body; upload routes name their own, larger"
    )
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="other origins (https://host[:port]) whose pages may open WebSockets "
        "with the session cookie; the API's own origin always may",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="addresses of reverse proxies whose X-Forwarded-For / -Proto headers "
        "are believed; none: the peer address is the client",
    )
    secure_cookies: bool = Field(True, description="Secure flag; off only for plain-HTTP tests")
    public_docs: bool = Field(True, description="serve /docs and /openapi.json unauthenticated")
