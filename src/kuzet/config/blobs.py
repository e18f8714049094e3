"""The site's ``blobs:`` section: where snapshots, clips and pictures live.

``local`` (the default) keeps them as files under ``data_dir`` (one node, or a shared
mount); ``s3`` puts them in an S3-compatible bucket so every shard and API replica of a
city deployment writes and reads the same objects (docs/cluster.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LocalBlobsConfig(_Strict):
    """Blobs as files on a local (or mounted) disk."""

    type: Literal["local"] = "local"
    path: Path = Field(Path("."), description="folder; relative paths are under data_dir")


class S3BlobsConfig(_Strict):
    """Blobs as objects ``<prefix>/<key>`` in an S3-compatible bucket (AWS, SeaweedFS, MinIO,
    Ceph...). A write goes straight to the bucket; while it cannot, it waits in a local spool
    (bounded by ``spool_max_gb``) and a background thread uploads it later."""

    type: Literal["s3"] = "s3"
    endpoint: str | None = Field(None, description="http(s)://host:port; None = AWS")
    bucket: str = Field(min_length=3, max_length=63, pattern=r"^[a-z0-9][a-z0-9.-]+[a-z0-9]$")
    prefix: str = Field("", description="key prefix inside the bucket, e.g. 'kuzet/blobs'")
    region: str = "us-east-1"
    access_key: str | None = Field(None, description="None = the standard AWS credential chain")
    secret_key: str | None = None
    create_bucket: bool = Field(True, description="create the bucket when it does not exist")
    spool_dir: Path = Field(  # not under the recording's spool/<volume> folders
        Path("blob-spool"), description="writes wait here while S3 is down; under data_dir"
    )
    spool_max_gb: float = Field(
        2.0, gt=0, description="past this, new blobs are dropped (counted) until S3 is back"
    )
    timeout_s: float = Field(5.0, gt=0, description="connect and read timeout of one request")

    @model_validator(mode="after")
    def _keys_together(self) -> S3BlobsConfig:
        if (self.access_key is None) != (self.secret_key is None):
            raise ValueError("give both access_key and secret_key, or neither")
        if self.endpoint is not None and not self.endpoint.startswith(("http://", "https://")):
            raise ValueError(
                f"endpoint must start with http:// or https:// (got {self.endpoint!r})"
            )
        return self


BlobsConfig = Annotated[LocalBlobsConfig | S3BlobsConfig, Field(discriminator="type")]
