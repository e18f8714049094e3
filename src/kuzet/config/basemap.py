"""The offline basemap: a PMTiles archive the city makes from its own GIS or an
OpenStreetMap extract (docs/ui.md), named by ``ops.basemap`` in the site file. The API
serves the file whole, by byte ranges (PMTiles readers in the browser fetch the header,
the directories and each tile as a range); what the map needs to open it (bounds, zooms,
centre, tile type) is read from the archive's 127-byte header, which loading the site
file checks, so a missing or damaged file is a configuration error with its line."""

from __future__ import annotations

from pathlib import Path

from pmtiles.reader import Reader
from pmtiles.tile import MagicNumberNotFound, SpecVersionUnsupported, TileType
from pydantic import BaseModel

URL = "/api/ops/basemap.pmtiles"
_TYPES = {TileType.MVT: "mvt", TileType.PNG: "png", TileType.JPEG: "jpg",
          TileType.WEBP: "webp", TileType.AVIF: "avif", TileType.MLT: "mlt"}  # fmt: skip


class BasemapError(ValueError):
    """A basemap file that cannot be used; the message names the file and the reason."""


class Basemap(BaseModel):
    """What a client needs to open the basemap (GET /api/ops/settings)."""

    url: str = URL
    bounds: list[float]  # west, south, east, north (degrees)
    min_zoom: int
    max_zoom: int
    center: list[float]  # lon, lat, zoom
    tile_type: str  # mvt (vector), png, jpg, webp, avif, mlt
    attribution: str = ""


def read_basemap(path: Path, attribution: str = "") -> Basemap:
    try:
        with path.open("rb") as f:
            head = f.read(127)
    except OSError as exc:
        raise BasemapError(f"{path}: cannot read the basemap: {exc.strerror or exc}") from None
    if len(head) < 127:
        raise BasemapError(f"{path}: not a PMTiles archive (shorter than its header)")
    try:
        h = Reader(lambda offset, length: head[offset : offset + length]).header()
    except MagicNumberNotFound:
        raise BasemapError(f"{path}: not a PMTiles archive (no 'PMTiles' magic)") from None
    except SpecVersionUnsupported:
        raise BasemapError(f"{path}: PMTiles version {head[7]} unsupported (3 expected)") from None
    except ValueError as exc:  # an unknown compression or tile type byte
        raise BasemapError(f"{path}: damaged PMTiles header: {exc}") from None
    e7 = 1e-7
    return Basemap(
        bounds=[h["min_lon_e7"] * e7, h["min_lat_e7"] * e7, h["max_lon_e7"] * e7,
                h["max_lat_e7"] * e7],
        min_zoom=h["min_zoom"],
        max_zoom=h["max_zoom"],
        center=[h["center_lon_e7"] * e7, h["center_lat_e7"] * e7, h["center_zoom"]],
        tile_type=_TYPES.get(h["tile_type"], "unknown"),
        attribution=attribution,
    )  # fmt: skip


class BasemapCache:
    """The header of the configured file, read again when the file changes."""

    def __init__(self) -> None:
        self._key: tuple[Path, float, str] | None = None
        self._info: Basemap | None = None

    def get(self, path: Path | None, attribution: str = "") -> Basemap | None:
        if path is None:
            return None
        try:
            key = (path, path.stat().st_mtime, attribution)
        except OSError as exc:
            raise BasemapError(f"{path}: cannot read the basemap: {exc.strerror or exc}") from None
        if key != self._key:
            self._info, self._key = read_basemap(path, attribution), key
        return self._info
