"""The demo site: cameras across Almaty fed from real CCTV footage (vtest.avi), looped.

Each camera watches the footage through a different scene, so the operations centre shows
what the product does in the first two minutes: a counting line on the main path (figures,
not alarms), an after-hours intrusion on a school lawn, loitering by the parked van, a
crowd at the sign post. Every rule but the counting line has a 'start' and an 'end', so
episodes close. Retention keeps one day of events, snapshots and clips.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from kuzet.assets import ensure
from kuzet.config.access import AccessConfig, RetentionConfig, TlsConfig
from kuzet.config.models import ApiConfig, CameraCategory, CameraConfig, SiteConfig, StoreConfig
from kuzet.config.record import LocalVolumeConfig, RecordConfig
from kuzet.config.rules import WEEKDAYS, SceneRuleSetConfig, ScheduleConfig, WindowConfig
from kuzet.rules.schedule import Schedule

TZ = "Asia/Almaty"
RETENTION_DAYS = 1
RECORD_QUOTA_GB = 2.0
"""Demo recording: the four cameras' main streams, continuous, one day at most and never
more than this on disk (about two hours of the four cameras at ~0.27 GB per camera-hour)."""
"""Demo retention: events, snapshots and clips older than this go (checked hourly)."""

_PLACES = [
    ("Abay ave / Dostyk", CameraCategory.PUBLIC_SAFETY, "Medeu", 43.2389, 76.9457),
    ("School No. 25 yard", CameraCategory.SCHOOL, "Bostandyk", 43.2205, 76.9089),
    ("Safe Yard, Samal-2", CameraCategory.SAFE_YARD, "Medeu", 43.2331, 76.9541),
    ("Metro Raiymbek", CameraCategory.INFRASTRUCTURE, "Zhetysu", 43.2617, 76.9225),
    ("Kindergarten No. 7", CameraCategory.KINDERGARTEN, "Almaly", 43.2567, 76.9286),
    ("City hospital No. 4", CameraCategory.HOSPITAL, "Alatau", 43.2788, 76.8401),
    ("Al-Farabi / Nauryzbay", CameraCategory.TRAFFIC, "Bostandyk", 43.2183, 76.9172),
    ("Taza Kazakhstan, Sayran", CameraCategory.TAZA_KAZAKHSTAN, "Auezov", 43.2401, 76.8625),
]

# vtest.avi (768x576) geometry, in pixels: the paved main path runs left to right across
# the upper half, the lawn fills the lower left, the van is parked top right.
_MAIN_PATH_LINE = {"points": [[230, 170], [230, 330]], "in_point": [300, 245]}  # "in" = right
_LAWN = [[0, 260], [330, 330], [450, 390], [768, 500], [768, 576], [0, 576]]
_BY_THE_VAN = [[540, 110], [768, 90], [768, 260], [560, 260]]
_SIGN_POST = [[250, 150], [650, 150], [650, 330], [250, 330]]


def after_hours(now: datetime) -> ScheduleConfig:
    """A school's closed hours: weekday evenings and nights, weekends. A demo started while
    the school is open also arms it for 8 hours from the hour it started, so the rule is
    seen working; a real site writes its own hours only (docs/rules.md)."""
    windows = [
        WindowConfig(days=list(WEEKDAYS), start=time(19), end=time(7)),  # past midnight
        WindowConfig(days=["sat", "sun"], start=time(0), end=time(0)),  # whole days
    ]
    cfg = ScheduleConfig(name="after_hours", timezone=TZ, windows=windows)
    local = now.astimezone(ZoneInfo(TZ))
    if not Schedule(cfg).active(local.timestamp()):
        start = local.replace(minute=0, second=0, microsecond=0)
        end = start + timedelta(hours=8)
        demo = WindowConfig(days=[WEEKDAYS[start.weekday()]], start=start.time(), end=end.time())
        cfg = cfg.model_copy(update={"windows": [*windows, demo]})
    return cfg


def _counting(now: datetime) -> SceneRuleSetConfig:
    """Pedestrians counted both ways across the main path: statistics, not alarms."""
    return SceneRuleSetConfig.model_validate({
        "name": "main-path",
        "lines": [{"name": "main_path", **_MAIN_PATH_LINE}],
        "rules": [{"type": "line_crossing", "name": "main-path-count", "line": "main_path"}],
    })  # fmt: skip


def _lawn_after_hours(now: datetime) -> SceneRuleSetConfig:
    """Anyone on the school lawn while the school is closed; one alarm a minute at most
    (a school routes to high priority: each alarm also records a clip)."""
    return SceneRuleSetConfig.model_validate({
        "name": "lawn",
        "zones": [{"name": "lawn", "points": _LAWN}],
        "schedules": [after_hours(now).model_dump()],
        "rules": [{"type": "intrusion", "name": "lawn-after-hours", "zone": "lawn",
                   "schedule": "after_hours", "min_frames": 3, "exit_after_s": 2,
                   "cooldown_s": 60, "dedup": "rule"}],
    })  # fmt: skip


def _loitering(now: datetime) -> SceneRuleSetConfig:
    """Someone staying 15 s or more by the parked van."""
    return SceneRuleSetConfig.model_validate({
        "name": "van",
        "zones": [{"name": "by_the_van", "points": _BY_THE_VAN}],
        "rules": [{"type": "loitering", "name": "loitering-by-van", "zone": "by_the_van",
                   "min_dwell_s": 15, "exit_after_s": 3}],
    })  # fmt: skip


def _crowd(now: datetime) -> SceneRuleSetConfig:
    """Five people or more at the sign post for 3 s."""
    return SceneRuleSetConfig.model_validate({
        "name": "sign-post",
        "zones": [{"name": "sign_post", "points": _SIGN_POST}],
        "rules": [{"type": "crowd", "name": "crowd-at-sign", "zone": "sign_post",
                   "min_count": 5, "min_duration_s": 3, "exit_after_s": 2}],
    })  # fmt: skip


SCENES: list[Callable[[datetime], SceneRuleSetConfig]] = [
    _counting,
    _lawn_after_hours,
    _loitering,
    _crowd,
]
"""Camera i watches scene i mod 4 (and place i mod 8)."""


def recordable_footage() -> Path:
    """vtest.avi's MS-MPEG4 cannot be stored without re-encoding, so the demo's main
    streams are an H.264 copy (made once, ~8 s, cached); analysis keeps vtest.avi."""
    from fractions import Fraction

    import av
    import av.video.stream

    from kuzet.assets import cache_dir

    out = cache_dir() / "footage" / "vtest-h264.mp4"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    with av.open(str(ensure("vtest.avi"))) as src, av.open(str(tmp), "w", format="mp4") as dst:
        st = dst.add_stream("libx264", rate=10)
        assert isinstance(st, av.video.stream.VideoStream)
        st.width, st.height, st.pix_fmt = 768, 576, "yuv420p"
        st.options = {"preset": "veryfast", "g": "20", "bf": "0", "crf": "26"}
        for i, frame in enumerate(src.decode(video=0)):
            frame.pts, frame.time_base = i, Fraction(1, 10)
            for packet in st.encode(frame.reformat(format="yuv420p")):
                dst.mux(packet)
        for packet in st.encode(None):
            dst.mux(packet)
    os.replace(tmp, out)
    return out


def demo_site(
    cameras: int = 4,
    port: int = 8080,
    data_dir: Path = Path("var"),
    host: str = "127.0.0.1",
    now: datetime | None = None,
) -> SiteConfig:
    footage = str(ensure("vtest.avi"))
    recorded = str(recordable_footage())
    now = now or datetime.now(ZoneInfo(TZ))
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
                main_url=recorded,  # recorded (H.264), like a camera's main stream
                sub_url=footage,  # analysed, like its sub stream
                loop=True,
                rules=[SCENES[i % len(SCENES)](now)],
            )
        )
    tls_hosts = ["localhost", "127.0.0.1"]
    if host not in (*tls_hosts, "0.0.0.0", "::", ""):
        tls_hosts.append(host)
    retention = RetentionConfig(snapshots_days=RETENTION_DAYS, events_days=RETENTION_DAYS)
    return SiteConfig(
        site="almaty-demo",
        data_dir=data_dir,
        store=StoreConfig(url=f"sqlite:///{data_dir / 'kuzet.db'}"),
        api=ApiConfig(host=host, port=port),
        # self-signed TLS; keys made under data_dir/keys (loud warning), demo only
        access=AccessConfig(
            tls=TlsConfig(enabled=True, self_signed_hosts=tls_hosts),
            retention=retention,
            embedded_keys=True,
        ),
        record=RecordConfig(
            enabled=True,
            days=RETENTION_DAYS,
            volumes={"default": LocalVolumeConfig(quota_gb=RECORD_QUOTA_GB, min_free_gb=1)},
        ),
        cameras=cams,
    )


CREDENTIALS_FILE = "first-admin.txt"


def web_url(site: SiteConfig) -> str:
    """Where a browser on this machine finds the operations centre."""
    host = site.api.host
    if host in ("0.0.0.0", "::", ""):
        host = "localhost"
    elif ":" in host:
        host = f"[{host}]"
    scheme = "https" if site.access.tls.enabled else "http"
    return f"{scheme}://{host}:{site.api.port}/"


def announce_first_admin(site: SiteConfig, username: str, secret: str | None) -> Path:
    """Print the web app's address and the first administrator's one-time password in a
    box, and keep them in ``data_dir/first-admin.txt``, readable by its owner only (0600).

    ``secret`` is None when the administrator exists already (a later run): the box then
    points to the file the first run wrote.
    """
    path = site.data_dir / CREDENTIALS_FILE
    url = web_url(site)
    if site.api.host in ("0.0.0.0", "::", ""):
        url += "  (all addresses of this machine)"
    lines = [f"Operations centre: {url}", f"Administrator:     {username}"]
    if secret is not None:
        lines += [
            f"One-time password: {secret}",
            "Sign in with it once, then set up TOTP and a new password.",
        ]
        _write_private(
            path,
            f"url: {web_url(site)}\nusername: {username}\none_time_password: {secret}\n"
            f"created: {datetime.now().astimezone().isoformat(timespec='seconds')}\n",
        )
        lines.append(f"Also saved to {path} (readable by you only).")
    else:
        lines.append(f"Created on the first run; its one-time password is in {path}.")
    width = max(len(x) for x in lines)
    rule = "+" + "-" * (width + 2) + "+"
    print("\n".join([rule, *(f"| {x.ljust(width)} |" for x in lines), rule]), flush=True)
    return path


def _write_private(path: Path, text: str) -> None:
    """Create or replace ``path`` with mode 0600 from the start (never briefly readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # an older file keeps its mode through O_CREAT: set it
        os.write(fd, text.encode())
    finally:
        os.close(fd)
