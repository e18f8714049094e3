"""The site's track-index storage: a local folder by default, or S3 (``archive.s3``)."""

from __future__ import annotations

from pathlib import Path

from kuzet.archive.layout import Layout, LocalLayout
from kuzet.archive.s3 import S3Layout
from kuzet.config.archive import ArchiveConfig

GB = 1 << 30
SPOOL_NAME = "track-index"  # under the S3 settings' spool_dir


def open_layout(cfg: ArchiveConfig, data_dir: Path) -> Layout:
    """Where this site's index lives; relative paths are under ``data_dir``."""
    s3 = cfg.s3
    if s3 is None:
        return LocalLayout(cfg.root(data_dir))
    spool = s3.spool_dir if s3.spool_dir.is_absolute() else Path(data_dir) / s3.spool_dir
    return S3Layout(
        bucket=s3.bucket, spool=spool / SPOOL_NAME, endpoint=s3.endpoint, prefix=s3.prefix,
        region=s3.region, access_key=s3.access_key, secret_key=s3.secret_key,
        create_bucket=s3.create_bucket, timeout_s=s3.timeout_s,
        spool_max_bytes=int(s3.spool_max_gb * GB),
    )  # fmt: skip
