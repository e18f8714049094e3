"""Site config of the track index (forensic search over every finished track).

The index is Parquet files partitioned by UTC day and camera under ``path`` (default
``<data_dir>/archive``), or in an S3 bucket (``s3:``, the recorder's S3 settings),
queried with DuckDB; docs/archive.md explains the layout.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kuzet.config.record import S3VolumeConfig


class ArchiveConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="write a track-index row for every finished track")
    path: Path | None = Field(None, description="index folder; <data_dir>/archive when omitted")
    classes: list[str] | None = Field(
        None, description="classes indexed (label names); every class when omitted"
    )
    end_after_s: float = Field(
        10.0, gt=0, le=600, description="a track unseen this long has finished (its row is made)"
    )
    max_span_s: float = Field(
        600.0, ge=10, le=3600, description="longer tracks are cut into rows of this span"
    )
    simplify_px: float = Field(
        4.0, ge=0, le=50, description="trajectory tolerance (time-synchronised Douglas-Peucker)"
    )
    snapshot_height: int = Field(192, ge=32, le=1080, description="best snapshot height, px")
    snapshot_quality: int = Field(80, ge=10, le=100, description="best snapshot JPEG quality")
    flush_s: float = Field(30.0, gt=0, le=3600, description="buffered rows are written this often")
    flush_rows: int = Field(20_000, ge=1, description="or when this many rows wait")
    compact_files: int = Field(
        12, ge=2, description="a camera-day with this many small files is merged into one"
    )
    retention_days: int | None = Field(
        30, ge=1, description="days of index (and its snapshots) kept; none = forever"
    )
    max_range_days: float = Field(
        31.0, gt=0, le=3660, description="longest time range one search may cover"
    )
    max_cameras: int = Field(5000, ge=1, description="most cameras one search may name")
    threads: int = Field(0, ge=0, description="DuckDB threads for searches; 0 = all cores")
    s3: S3VolumeConfig | None = Field(
        None,
        description="keep the index in this S3 bucket (the recorder's S3 settings; files are "
        "spooled under spool_dir/track-index while it is unreachable); none = `path`",
    )

    @model_validator(mode="after")
    def _s3_fits(self) -> ArchiveConfig:
        if self.s3 is not None and self.s3.quota_gb is not None:
            raise ValueError(
                "s3.quota_gb: the track index is bounded by retention_days, not a quota"
            )
        if self.s3 is not None and self.path is not None:
            raise ValueError("give `path` (a local index) or `s3`, not both")
        return self

    def root(self, data_dir: Path) -> Path:
        return self.path if self.path is not None else Path(data_dir) / "archive"
