"""Writes public/almaty.geojson: a SCHEMATIC Almaty for the offline demo map.

District shapes and street lines are hand-placed approximations (a few points each), not
survey data: enough to orient an operator, never to navigate by. Re-run after editing.
"""

import json
from pathlib import Path

# name: (south, west, north, east) of a rough box, clipped into polygons below
DISTRICTS = {
    "Nauryzbay": [(43.16, 76.74), (43.23, 76.74), (43.23, 76.84), (43.16, 76.84)],
    "Alatau": [(43.23, 76.74), (43.33, 76.74), (43.33, 76.86), (43.23, 76.86)],
    "Auezov": [(43.20, 76.84), (43.26, 76.84), (43.26, 76.90), (43.20, 76.90)],
    "Bostandyk": [
        (43.15, 76.84),
        (43.20, 76.84),
        (43.20, 76.90),
        (43.23, 76.90),
        (43.23, 76.95),
        (43.15, 76.95),
    ],
    "Almaly": [(43.23, 76.90), (43.26, 76.90), (43.26, 76.95), (43.23, 76.95)],
    "Zhetysu": [(43.26, 76.86), (43.33, 76.86), (43.33, 76.94), (43.26, 76.94)],
    "Turksib": [(43.26, 76.94), (43.38, 76.94), (43.38, 77.03), (43.26, 77.03)],
    "Medeu": [(43.15, 76.95), (43.26, 76.95), (43.26, 77.05), (43.15, 77.05)],
}
STREETS = {
    "Al-Farabi ave": [(43.205, 76.84), (43.218, 76.90), (43.225, 76.95), (43.235, 77.00)],
    "Abay ave": [(43.240, 76.84), (43.240, 76.90), (43.242, 76.95)],
    "Tole bi st": [(43.252, 76.84), (43.254, 76.90), (43.256, 76.95)],
    "Raiymbek ave": [(43.270, 76.80), (43.268, 76.90), (43.266, 76.96)],
    "Dostyk ave": [(43.215, 76.965), (43.240, 76.957), (43.265, 76.950)],
    "Seifullin ave": [(43.215, 76.935), (43.265, 76.935), (43.300, 76.930)],
    "Sain st": [(43.200, 76.845), (43.260, 76.845), (43.300, 76.845)],
    "Rozybakiev st": [(43.195, 76.895), (43.240, 76.893), (43.265, 76.890)],
}


def ring(pts: list[tuple[float, float]]) -> list[list[float]]:
    out = [[lon, lat] for lat, lon in pts]
    return [*out, out[0]]


features = [
    {
        "type": "Feature",
        "properties": {"kind": "district", "name": n},
        "geometry": {"type": "Polygon", "coordinates": [ring(p)]},
    }
    for n, p in DISTRICTS.items()
] + [
    {
        "type": "Feature",
        "properties": {"kind": "street", "name": n},
        "geometry": {"type": "LineString", "coordinates": [[lon, lat] for lat, lon in p]},
    }
    for n, p in STREETS.items()
]
doc = {
    "type": "FeatureCollection",
    "name": "Almaty (schematic, for the Kuzet demo)",
    "features": features,
}
Path(__file__).with_name("public").joinpath("almaty.geojson").write_text(
    json.dumps(doc, separators=(",", ":")) + "\n"
)
