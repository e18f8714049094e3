"""The demo site: cameras across Almaty fed from real CCTV footage, looped."""

from __future__ import annotations

from pathlib import Path

from kuzet.assets import ensure
from kuzet.config.access import AccessConfig, TlsConfig
from kuzet.config.models import (
    ApiConfig,
    CameraCategory,
    CameraConfig,
    SiteConfig,
    StoreConfig,
    ZonePresenceRuleConfig,
)

# The paved paths of vtest.avi's scene (fractions of the frame), where people walk.
PATHS_ZONE = [
    (0.0, 0.32), (0.45, 0.30), (0.75, 0.24), (1.0, 0.20),
    (1.0, 0.85), (0.60, 0.62), (0.40, 0.50), (0.0, 0.42),
]  # fmt: skip

_PLACES = [
    ("Abay ave / Dostyk", CameraCategory.PUBLIC_SAFETY, "Medeu", 43.2389, 76.9457),
    ("School No. 25 yard", CameraCategory.SCHOOL, "Bostandyk", 43.2205, 76.9089),
    ("Safe Yard, Samal-2", CameraCategory.SAFE_YARD, "Medeu", 43.2331, 76.9541),
    ("Taza Kazakhstan, Sayran", CameraCategory.TAZA_KAZAKHSTAN, "Auezov", 43.2401, 76.8625),
    ("Kindergarten No. 7", CameraCategory.KINDERGARTEN, "Almaly", 43.2567, 76.9286),
    ("City hospital No. 4", CameraCategory.HOSPITAL, "Alatau", 43.2788, 76.8401),
    ("Al-Farabi / Nauryzbay", CameraCategory.TRAFFIC, "Bostandyk", 43.2183, 76.9172),
    ("Metro Raiymbek", CameraCategory.INFRASTRUCTURE, "Zhetysu", 43.2617, 76.9225),
]


def demo_site(cameras: int = 4, port: int = 8080, data_dir: Path = Path("var")) -> SiteConfig:
    footage = str(ensure("vtest.avi"))
    cams = []
    for i in range(cameras):
        name, category, district, lat, lon = _PLACES[i % len(_PLACES)]
        cams.append(
            CameraConfig(
                id=f"cam-{i + 1:03d}",
                name=name,
                category=category,
                district=district,
                latitude=lat,
                longitude=lon,
                main_url=footage,
                loop=True,
                rules=[
                    ZonePresenceRuleConfig(
                        name="person-on-paths", classes=["person"], zone=PATHS_ZONE, normalized=True
                    )
                ],
            )
        )
    return SiteConfig(
        site="almaty-demo",
        data_dir=data_dir,
        store=StoreConfig(url=f"sqlite:///{data_dir / 'kuzet.db'}"),
        api=ApiConfig(port=port),
        # self-signed TLS; keys made under data_dir/keys (loud warning), demo only
        access=AccessConfig(tls=TlsConfig(enabled=True), embedded_keys=True),
        cameras=cams,
    )
