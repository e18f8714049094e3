"""Enricher plugins come from entry points: the pipeline names no capability."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest

import kuzet.pipeline.enrichers as enrichers
from kuzet.config.archive import ArchiveConfig
from kuzet.config.faces import FacesConfig
from kuzet.config.models import CameraConfig, SiteConfig
from kuzet.core import Detections, Event, Frame
from kuzet.schema import open_store


class CountingEnricher:
    def __init__(self, camera_id: str) -> None:
        self.camera_id, self.frames = camera_id, 0

    def enrich(self, frame: Frame, tracks: Detections) -> list[Event]:
        self.frames += 1
        return []

    def finish(self) -> list[Event]:
        return []


class PlatesLikePlugin:
    """What a new capability (plates, devices) ships: no edit of the pipeline."""

    def setup(self, site: SiteConfig, engine: Any) -> str | None:
        return "shared-model"

    def enricher(self, state: str, cam: CameraConfig, put_blob: Any) -> CountingEnricher | None:
        return CountingEnricher(cam.id) if cam.category.value == "traffic" else None


def _site(tmp_path: Path, **faces: Any) -> SiteConfig:
    return SiteConfig(
        data_dir=tmp_path,
        faces=FacesConfig(**faces),
        archive=ArchiveConfig(enabled=False),  # on by default; tests/archive covers it
        cameras=[
            CameraConfig(id="t1", category="traffic", main_url="x.mp4"),
            CameraConfig(id="s1", category="school", main_url="y.mp4"),
        ],
    )


def test_installed_plugins_are_found_by_entry_point() -> None:
    assert {"archive", "faces", "person_attributes"} <= set(enrichers.plugins().types())


def test_a_site_turns_plugins_on_and_off(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'k.db'}")
    try:
        off = enrichers.Enrichment(_site(tmp_path, clothing_colours=False), store.engine)
        assert off.enabled == [] and off.for_camera(_site(tmp_path).cameras[0], None) == []
        on = enrichers.Enrichment(_site(tmp_path, clothing_colours=True), store.engine)
        assert on.enabled == ["person_attributes"]
        (e,) = on.for_camera(_site(tmp_path).cameras[0], None)
        assert type(e).__name__ == "ClothingColours"
    finally:
        store.close()


def test_a_new_capability_plugs_in_through_its_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ep = EntryPoint("plates", f"{__name__}:PlatesLikePlugin", enrichers.GROUP)
    monkeypatch.setattr(enrichers, "entry_points", lambda group: [ep])
    site = _site(tmp_path)
    en = enrichers.Enrichment(site, engine=None)  # type: ignore[arg-type]
    assert en.enabled == ["plates"] and en.state("plates") == "shared-model"
    traffic, school = (en.for_camera(c, None) for c in site.cameras)
    assert [e.camera_id for e in traffic] == ["t1"] and school == []  # type: ignore[attr-defined]


def test_a_broken_plugin_fails_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    ep = EntryPoint("broken", "kuzet.no_such_module:Plugin", enrichers.GROUP)
    monkeypatch.setattr(enrichers, "entry_points", lambda group: [ep])
    with pytest.raises(RuntimeError, match="'broken'"):
        enrichers.plugins()
