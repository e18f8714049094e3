"""Build a site's recording volumes from ``record.volumes``."""

from __future__ import annotations

from pathlib import Path

from kuzet.config.record import LocalVolumeConfig, S3VolumeConfig, VolumeConfig
from kuzet.storage.local import LocalVolume
from kuzet.storage.s3 import S3Volume

GB = 1 << 30

AnyVolume = LocalVolume | S3Volume


def _under(data_dir: Path, path: Path) -> Path:
    return path if path.is_absolute() else data_dir / path


def open_volume(name: str, cfg: VolumeConfig, data_dir: Path) -> AnyVolume:
    """A volume for ``cfg``; relative paths are under ``data_dir``."""
    if isinstance(cfg, LocalVolumeConfig):
        return LocalVolume(
            name, _under(data_dir, cfg.path),
            quota_bytes=None if cfg.quota_gb is None else int(cfg.quota_gb * GB),
            min_free_bytes=int(cfg.min_free_gb * GB),
        )  # fmt: skip
    assert isinstance(cfg, S3VolumeConfig)
    return S3Volume(
        name,
        bucket=cfg.bucket,
        spool=_under(data_dir, cfg.spool_dir) / name,
        endpoint=cfg.endpoint,
        prefix=cfg.prefix,
        region=cfg.region,
        access_key=cfg.access_key,
        secret_key=cfg.secret_key,
        create_bucket=cfg.create_bucket,
        spool_max_bytes=int(cfg.spool_max_gb * GB),
        quota_bytes=None if cfg.quota_gb is None else int(cfg.quota_gb * GB),
        timeout_s=cfg.timeout_s,
    )
