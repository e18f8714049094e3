"""How the operations centre answers devices: which alarms open cameras, how far to look
for cameras when none are linked, how long video is held, how long a device may take to
acknowledge a command. Strict pydantic, like every site section."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ResponseSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    triggers: list[str] = Field(
        default_factory=lambda: ["sos", "fire_alarm"],
        description="device event types whose incident opens cameras, snapshots and holds",
    )
    nearest_cameras: int = Field(3, ge=0, le=16, description="when none are linked")
    nearest_max_m: float = Field(500.0, gt=0, description="no farther than this")
    snapshot_wait_s: float = Field(
        1.2, gt=0, le=5, description="wait for a fresh live frame before an older picture"
    )
    fresh_s: float = Field(2.0, gt=0, description="a live frame this recent is taken at once")
    hold_pre_s: float = Field(120.0, ge=0, description="video held before the alarm")
    hold_post_s: float = Field(900.0, gt=0, description="video held after the alarm")
    ack_timeout_s: float = Field(10.0, gt=0, le=600, description="sent -> acknowledged")
    confirm_ttl_s: float = Field(60.0, gt=0, le=600, description="asked -> confirmed")
    alarm_shown_s: float = Field(600.0, gt=0, description="a device shows 'alarm' this long")
