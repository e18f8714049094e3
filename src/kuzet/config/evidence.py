"""The site's ``evidence:`` section: playback and export limits, caches, bookmarks."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class EvidenceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    playback_max_s: float = Field(
        3600.0, gt=0, le=86400, description="longest range one playlist or MP4 may cover"
    )
    export_max_s: float = Field(
        4 * 3600.0, gt=0, le=7 * 86400, description="longest range one export may cover"
    )
    export_max_cameras: int = Field(16, ge=1, le=256, description="cameras in one export")
    exports_dir: Path = Field(
        Path("exports"), description="where signed bundles are kept; relative = under data_dir"
    )
    cache_dir: Path = Field(
        Path("cache/playback"),
        description="blurred segments and single-file MP4s made on demand; under data_dir",
    )
    cache_max_mb: float = Field(2048.0, gt=0, description="oldest cache files go past this")
    bookmark_hold_s: float = Field(
        120.0, ge=0, le=86400, description="a bookmark keeps this much video around it (total)"
    )
    blur_concurrency: int = Field(
        1, ge=1, le=16, description="segments anonymised at once (each takes one core)"
    )
