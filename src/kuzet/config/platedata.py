"""Site config of plate data: how long plate reads are kept, how search and watchlists
behave. Reading plates from video is ``site.plates`` (:mod:`kuzet.config.plates`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class PlateDataConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(
        True, description="store plate reads, match them against plate watchlists, search them"
    )
    retention_days: int | None = Field(
        90,
        ge=1,
        description="days plate reads (rows, their events, snapshots and crops) and plate "
        "matches are kept; None keeps them as long as events are kept",
    )
    max_search_rows: int = Field(200, ge=1, le=1000, description="largest page of a search")
    match_refresh_s: float = Field(
        5.0, gt=0, description="the matcher re-reads the lists at least this often"
    )
