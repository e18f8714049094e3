"""The JetStream stream's limits (age, size, replicas, duplicate window, discard policy):
set when Kuzet makes the stream, brought in line (and logged) when it exists with others,
so a site file is the one place an operator sizes the bus (docs/capacity.md)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

from nats.js.api import DiscardPolicy, StorageType, StreamConfig

from kuzet.config.models import NatsBusConfig
from kuzet.events.base import StreamConfigError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StreamLimits:
    """``None`` = no limit (JetStream's 0 / -1)."""

    max_age_s: float | None = None
    max_bytes: int | None = None
    replicas: int = 1
    duplicate_window_s: float = 120.0
    discard: Literal["old", "new"] = "old"

    @classmethod
    def of(cls, cfg: NatsBusConfig) -> StreamLimits:
        return cls(
            max_age_s=cfg.max_age_s,
            max_bytes=None if cfg.max_bytes is None else int(cfg.max_bytes),
            replicas=cfg.replicas,
            duplicate_window_s=cfg.duplicate_window_s,
            discard=cfg.discard,
        )

    def fields(self) -> dict[str, Any]:
        """The limits as :class:`StreamConfig` fields, in the server's terms."""
        return {
            "max_age": float(self.max_age_s or 0),
            "max_bytes": -1 if self.max_bytes is None else self.max_bytes,
            "num_replicas": self.replicas,
            "duplicate_window": float(self.duplicate_window_s),
            "discard": DiscardPolicy(self.discard),
        }


def _normal(cfg: StreamConfig) -> dict[str, Any]:
    """A stream's limits as the server reports them, with its defaults filled in."""
    return {
        "max_age": float(cfg.max_age or 0),
        "max_bytes": -1 if cfg.max_bytes in (None, 0) else cfg.max_bytes,
        "num_replicas": cfg.num_replicas or 1,
        "duplicate_window": float(cfg.duplicate_window or 0),
        "discard": DiscardPolicy(cfg.discard or DiscardPolicy.OLD),
    }


def differences(current: StreamConfig, limits: StreamLimits) -> dict[str, tuple[Any, Any]]:
    """``{field: (now, wanted)}`` for each limit the stream has otherwise."""
    have, want = _normal(current), limits.fields()
    return {k: (have[k], v) for k, v in want.items() if have[k] != v}


async def ensure_stream(
    js: Any, name: str, subjects: list[str], limits: StreamLimits | None
) -> None:
    """Create the stream with ``limits``, or update an existing one whose limits differ.
    ``None`` (a tool, a test reading the stream): the site file's default limits for a new
    stream, an existing one left as it is.

    Raises StreamConfigError when the stream exists for other subjects (another application's)
    or the server refuses the limits (e.g. replicas > 1 on a single server).
    """
    import nats.js.errors

    try:
        info = await js.stream_info(name)
    except nats.js.errors.NotFoundError:
        limits = limits or StreamLimits.of(NatsBusConfig())
        config = StreamConfig(
            name=name, subjects=subjects, storage=StorageType.FILE, **limits.fields()
        )
        await _apply(js.add_stream, config, name, limits)
        log.info("created JetStream stream %s for %s with %s", name, subjects, limits)
        return
    if set(subjects) - set(info.config.subjects or []):
        raise StreamConfigError(
            f"stream {name!r} exists with subjects {info.config.subjects}, "
            f"not {subjects}; pick another stream name or subject prefix"
        )
    changed = {} if limits is None else differences(info.config, limits)
    if limits is None or not changed:
        return
    config = info.config.evolve(**{k: v for k, (_, v) in changed.items()})
    await _apply(js.update_stream, config, name, limits)
    log.warning(
        "updated the limits of JetStream stream %s: %s",
        name,
        ", ".join(f"{k} {old} -> {new}" for k, (old, new) in changed.items()),
    )


async def _apply(call: Any, config: StreamConfig, name: str, limits: StreamLimits) -> None:
    import nats.js.errors

    try:
        await call(config)
    except nats.js.errors.APIError as exc:
        raise StreamConfigError(
            f"JetStream refused stream {name} with the site file's bus limits {limits}: "
            f"{exc.description}"
        ) from None
