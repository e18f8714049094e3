"""The site's ``record:`` section: modes, segment length, retention, storage volumes.

Settings resolve in three layers, most specific last: the section's own defaults, then
``categories.<category>``, then ``cameras.<camera id>`` (see :meth:`RecordConfig.for_camera`).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RecordMode(StrEnum):
    CONTINUOUS = "continuous"  # every second of the main stream
    MOTION = "motion"  # while the motion gate (or an event) says something moves, + pre/post
    EVENTS = "events"  # around events only, + pre/post
    OFF = "off"


def _yaml_off(value: object) -> object:
    """YAML 1.1 reads a bare ``off`` as false: ``mode: off`` means the mode ``off``."""
    return RecordMode.OFF if value is False else value


class LocalVolumeConfig(_Strict):
    """Segments as files on a local (or mounted) disk."""

    type: Literal["local"] = "local"
    path: Path = Field(Path("recordings"), description="folder; relative paths are under data_dir")
    quota_gb: float | None = Field(
        None, gt=0, description="oldest segments go once the volume holds more than this"
    )
    min_free_gb: float = Field(
        1.0, ge=0, description="oldest segments go while the disk has less free space"
    )


class S3BucketConfig(_Strict):
    """Where an S3-compatible bucket is and how to sign in (AWS, SeaweedFS, MinIO, Ceph...):
    shared by the recording's volumes and the blob store (kuzet.config.blobs)."""

    endpoint: str | None = Field(None, description="http(s)://host:port; None = AWS")
    bucket: str = Field(min_length=3, max_length=63, pattern=r"^[a-z0-9][a-z0-9.-]+[a-z0-9]$")
    prefix: str = Field("", description="key prefix inside the bucket, e.g. 'kuzet/rec'")
    region: str = "us-east-1"
    access_key: str | None = Field(None, description="None = the standard AWS credential chain")
    secret_key: str | None = None
    create_bucket: bool = Field(True, description="create the bucket when it does not exist")

    @model_validator(mode="after")
    def _keys_together(self) -> S3BucketConfig:
        if (self.access_key is None) != (self.secret_key is None):
            raise ValueError("give both access_key and secret_key, or neither")
        if self.endpoint is not None and not self.endpoint.startswith(("http://", "https://")):
            raise ValueError(
                f"endpoint must start with http:// or https:// (got {self.endpoint!r})"
            )
        return self


class S3VolumeConfig(S3BucketConfig):
    """S3-compatible object storage, spooled locally.

    Segments are written to ``spool_dir`` first and uploaded by a background thread, so an
    unreachable endpoint delays uploads instead of losing video."""

    type: Literal["s3"] = "s3"
    spool_dir: Path = Field(Path("spool"), description="relative paths are under data_dir")
    spool_max_gb: float = Field(
        20.0, gt=0, description="oldest spooled segments go when the spool grows past this"
    )
    quota_gb: float | None = Field(None, gt=0, description="oldest segments go past this")
    timeout_s: float = Field(10.0, gt=0, description="connect and read timeout of one request")


VolumeConfig = Annotated[LocalVolumeConfig | S3VolumeConfig, Field(discriminator="type")]


def _default_volumes() -> dict[str, VolumeConfig]:
    return {"default": LocalVolumeConfig()}


class RecordOverride(_Strict):
    """What a category or a camera may change; unset fields inherit."""

    mode: RecordMode | None = None
    segment_s: float | None = Field(None, ge=1, le=300)
    pre_s: float | None = Field(None, ge=0, le=120)
    post_s: float | None = Field(None, ge=0, le=600)
    days: float | None = Field(None, gt=0)
    volume: str | None = None

    _off = field_validator("mode", mode="before")(_yaml_off)


class CameraRecordSettings(_Strict):
    """The resolved settings of one camera."""

    mode: RecordMode
    segment_s: float
    pre_s: float
    post_s: float
    days: float | None
    volume: str


class RecordConfig(_Strict):
    enabled: bool = Field(False, description="record the cameras' main streams")
    mode: RecordMode = RecordMode.CONTINUOUS
    segment_s: float = Field(
        10.0, ge=1, le=300, description="a new segment starts at the first keyframe after this"
    )
    pre_s: float = Field(5.0, ge=0, le=120, description="motion/events modes: seconds before")
    post_s: float = Field(10.0, ge=0, le=600, description="motion/events modes: seconds after")
    days: float | None = Field(7.0, gt=0, description="keep segments this long; None = no limit")
    volume: str = Field("default", description="which of `volumes` the cameras record to")
    volumes: dict[str, VolumeConfig] = Field(default_factory=lambda: _default_volumes())
    categories: dict[str, RecordOverride] = Field(default_factory=dict)
    cameras: dict[str, RecordOverride] = Field(default_factory=dict)
    retention_interval_s: float = Field(60.0, ge=1, description="how often retention runs")
    retention_scope: Literal["site", "cameras"] = Field(
        "site",
        description="site: this process is the site's only recorder, its retention also "
        "deletes the segments of cameras no longer in the site file; cameras: one of several "
        "recorders sharing the index (a city's shards), it touches its own cameras' only",
    )
    fsync: bool = Field(True, description="flush each segment to disk before it is indexed")

    _off = field_validator("mode", mode="before")(_yaml_off)

    @model_validator(mode="after")
    def _volumes_known(self) -> RecordConfig:
        for name in self.volumes:
            if not name.replace("-", "").replace("_", "").isalnum():
                raise ValueError(f"volume name {name!r}: use letters, digits, '-' and '_'")
        layers: list[tuple[str, str | None]] = [("record", self.volume)]
        layers += [(f"categories.{k}", o.volume) for k, o in self.categories.items()]
        layers += [(f"cameras.{k}", o.volume) for k, o in self.cameras.items()]
        for where, vol in layers:
            if vol is not None and vol not in self.volumes:
                raise ValueError(
                    f"{where}.volume: unknown volume {vol!r} (volumes: {sorted(self.volumes)})"
                )
        return self

    def for_camera(self, camera_id: str, category: str | None) -> CameraRecordSettings:
        """Defaults, then the camera's category, then the camera itself."""
        values = {
            "mode": self.mode, "segment_s": self.segment_s, "pre_s": self.pre_s,
            "post_s": self.post_s, "days": self.days, "volume": self.volume,
        }  # fmt: skip
        for layer in (self.categories.get(category or ""), self.cameras.get(camera_id)):
            if layer is not None:
                values.update(layer.model_dump(exclude_none=True))
        return CameraRecordSettings.model_validate(values)
