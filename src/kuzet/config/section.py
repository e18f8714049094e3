"""Section (average-speed) control: pairs of cameras a known road distance apart.

A vehicle whose plate is read at ``from_camera`` and later at ``to_camera`` drove
``distance_m`` in the time between the two reads; above ``limit_kmh`` on average it
is an ``average_speed`` violation (kuzet.rules.section).
"""

from __future__ import annotations

from pydantic import Field, model_validator

from kuzet.config.scene_base import _Strict


class SectionConfig(_Strict):
    name: str = Field(min_length=1, description="unique; events carry it as their rule")
    from_camera: str = Field(min_length=1, description="camera where the section begins")
    to_camera: str = Field(min_length=1, description="camera where it ends")
    distance_m: float = Field(gt=0, description="road distance between the two read points")
    distance_error_m: float = Field(1.0, ge=0, description="standard error of distance_m")
    limit_kmh: float = Field(gt=0)
    clock_error_s: float = Field(
        0.05, ge=0, description="standard error of each camera's clock against the reference"
    )
    read_jitter_s: float = Field(
        0.3, ge=0, description="standard deviation of when, on its way past, a plate is read"
    )
    max_travel_s: float = Field(
        3600.0, gt=0, description="unmatched reads are forgotten after this (event time)"
    )
    classes: list[str] | None = Field(None, description="vehicle classes; all when omitted")
    beyond_uncertainty: bool = Field(
        False, description="count only when speed - uncertainty is above the limit"
    )

    @model_validator(mode="after")
    def _two_cameras(self) -> SectionConfig:
        if self.from_camera == self.to_camera:
            raise ValueError("to_camera: must differ from from_camera")
        return self


def check_sections(sections: list[SectionConfig], camera_ids: set[str]) -> None:
    """Unique names and known cameras; raises ValueError naming the entry and field."""
    seen: set[str] = set()
    for i, s in enumerate(sections):
        if s.name in seen:
            raise ValueError(f"sections[{i}].name: {s.name!r} appears twice")
        seen.add(s.name)
        for field in ("from_camera", "to_camera"):
            cam = getattr(s, field)
            if cam not in camera_ids:
                raise ValueError(f"sections[{i}] ({s.name}).{field}: no camera with id {cam!r}")
