"""A small, real PMTiles basemap for tests: the UI's schematic outline of the city
(districts, roads) cut into Mapbox vector tiles at a few zooms, written with the
``pmtiles`` writer, as ``tippecanoe`` or ``pmtiles convert`` would for a real city."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path
from typing import Any

import mapbox_vector_tile
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import write
from shapely.geometry import box, shape
from shapely.ops import transform

from kuzet.ui import WEB

OUTLINE = WEB / "public" / "almaty.geojson"
R = 6378137.0


def _merc(lon: float, lat: float) -> tuple[float, float]:
    return R * math.radians(lon), R * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def _tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    size = 2 * math.pi * R / 2**z
    west, north = -math.pi * R + x * size, math.pi * R - y * size
    return west, north - size, west + size, north


def make_basemap(path: Path, zooms: range = range(9, 12)) -> dict[str, Any]:
    """Writes the archive; returns what a reader should find (bounds, zooms, tiles)."""
    features = json.loads(OUTLINE.read_text())["features"]
    geoms = [(transform(lambda x, y, z=None: _merc(x, y), shape(f["geometry"])),
              f["properties"]) for f in features]  # fmt: skip
    lons = [c[0] for f in features for c in _coords(f["geometry"])]
    lats = [c[1] for f in features for c in _coords(f["geometry"])]
    w, s, e, n = min(lons), min(lats), max(lons), max(lats)
    tiles: dict[tuple[int, int, int], bytes] = {}
    for z in zooms:
        x0, y0 = _tile_of(w, n, z)
        x1, y1 = _tile_of(e, s, z)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                bounds = _tile_bounds(z, x, y)
                clip = box(*bounds)
                feats = [{"geometry": g.intersection(clip), "properties": p}
                         for g, p in geoms if g.intersects(clip)]  # fmt: skip
                if not feats:
                    continue
                mvt = mapbox_vector_tile.encode(
                    [{"name": "outline", "features": feats}],
                    default_options={"quantize_bounds": bounds, "extents": 4096},
                )
                tiles[(z, x, y)] = gzip.compress(mvt, mtime=0)
    e7 = 10_000_000
    header = {
        "tile_type": TileType.MVT,
        "tile_compression": Compression.GZIP,
        "min_lon_e7": int(w * e7), "min_lat_e7": int(s * e7),
        "max_lon_e7": int(e * e7), "max_lat_e7": int(n * e7),
        "center_zoom": zooms.start + 1,
        "center_lon_e7": int((w + e) / 2 * e7), "center_lat_e7": int((s + n) / 2 * e7),
    }  # fmt: skip
    layer = {"id": "outline", "fields": {"kind": "String", "name": "String"}}
    metadata = {"name": "schematic outline", "vector_layers": [layer]}
    with write(path) as writer:
        for (z, x, y), data in sorted(tiles.items(), key=lambda t: zxy_to_tileid(*t[0])):
            writer.write_tile(zxy_to_tileid(z, x, y), data)
        writer.finalize(header, metadata)
    return {"bounds": (w, s, e, n), "zooms": (zooms.start, zooms.stop - 1), "tiles": tiles}


def _coords(geom: dict[str, Any]) -> list[list[float]]:
    c = geom["coordinates"]
    if geom["type"] == "Polygon":
        return [p for ring in c for p in ring]
    if geom["type"] == "LineString":
        return list(c)
    if geom["type"] == "Point":
        return [c]
    return [
        p for part in c for ring in part for p in (ring if isinstance(ring[0], list) else [ring])
    ]
