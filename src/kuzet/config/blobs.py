"""The site's ``blobs:`` section: where snapshots, clips and pictures live.

``local`` (the default) keeps them as files under ``data_dir`` (one node, or a shared
mount); ``s3`` puts them in an S3-compatible bucket so every shard and API replica of a
city deployment writes and reads the same objects (docs/cluster.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from kuzet.config.record import S3BucketConfig


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LocalBlobsConfig(_Strict):
    """Blobs as files on a local (or mounted) disk."""

    type: Literal["local"] = "local"
    path: Path = Field(Path("."), description="folder; relative paths are under data_dir")


class S3BlobsConfig(S3BucketConfig):
    """Blobs as objects ``<prefix>/<key>`` in an S3-compatible bucket. A write goes straight
    to the bucket; while it cannot, it waits in a local spool (bounded by ``spool_max_gb``)
    and a background thread uploads it later."""

    type: Literal["s3"] = "s3"
    spool_dir: Path = Field(  # not under the recording's spool/<volume> folders
        Path("blob-spool"), description="writes wait here while S3 is down; under data_dir"
    )
    spool_max_gb: float = Field(
        2.0, gt=0, description="past this, new blobs are dropped (counted) until S3 is back"
    )
    timeout_s: float = Field(5.0, gt=0, description="connect and read timeout of one request")


BlobsConfig = Annotated[LocalBlobsConfig | S3BlobsConfig, Field(discriminator="type")]
