"""Enricher plugins: the extra per-camera stages (faces, attributes, plates, ...).

Each capability publishes a plugin under the ``kuzet.enrichers`` entry-point group
(``pyproject.toml``); this module finds them, sets each up once per site and asks it for
each camera's enricher. The pipeline, the node and the service name no capability, so a
new one (or a third-party package) plugs in by declaring its entry point.
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points
from typing import Any, Protocol

from sqlalchemy import Engine

from kuzet.config.models import CameraConfig, SiteConfig
from kuzet.core.enrich import Enricher, PutBlob
from kuzet.core.registry import Registry

log = logging.getLogger(__name__)
GROUP = "kuzet.enrichers"


class EnricherPlugin(Protocol):
    """One capability. ``setup`` returns the state shared by the site's cameras (a
    gallery, a model) or ``None`` when the site turns the capability off."""

    def setup(self, site: SiteConfig, engine: Engine) -> Any | None: ...

    def enricher(
        self, state: Any, cam: CameraConfig, put_blob: PutBlob | None
    ) -> Enricher | None: ...


def plugins() -> Registry[EnricherPlugin]:
    """Every installed plugin, by entry-point name (a broken one fails loudly, by name)."""
    reg: Registry[EnricherPlugin] = Registry("enricher")
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        try:
            cls = ep.load()
        except Exception as exc:
            raise RuntimeError(f"enricher plugin {ep.name!r} ({ep.value}) fails to load") from exc
        reg.register(ep.name)(cls)
    return reg


class Enrichment:
    """The site's enabled plugins with their shared state, set up once."""

    def __init__(self, site: SiteConfig, engine: Engine) -> None:
        reg = plugins()
        self._active: dict[str, tuple[EnricherPlugin, Any]] = {}
        for name in reg.types():
            plugin = reg.create(name)
            state = plugin.setup(site, engine)
            if state is not None:
                self._active[name] = (plugin, state)
        log.info("enrichers", extra={"enabled": sorted(self._active)})

    @property
    def enabled(self) -> list[str]:
        return sorted(self._active)

    def state(self, name: str) -> Any | None:
        """A plugin's shared state (e.g. the face services the API also serves)."""
        entry = self._active.get(name)
        return None if entry is None else entry[1]

    def close(self) -> None:
        """Stop the plugins whose shared state has a ``close`` (e.g. the track index
        writes what it buffered); a failing one does not keep the others open."""
        for name, (_, state) in self._active.items():
            close = getattr(state, "close", None)
            if callable(close):
                try:
                    close()
                except Exception:
                    log.exception("enricher plugin failed to close", extra={"plugin": name})

    def for_camera(self, cam: CameraConfig, put_blob: PutBlob | None) -> list[Enricher]:
        out: list[Enricher] = []
        for plugin, state in self._active.values():
            if (e := plugin.enricher(state, cam, put_blob)) is not None:
                out.append(e)
        return out
