"""Drones in the site file: a moving camera, its telemetry and its camera geometry.

Strict (unknown keys refused) like the rest of the site file; the telemetry source is a
discriminated union on ``type`` (a MAVLink ``.tlog`` / stream, or JSON over MQTT).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# what kuzet.sources reads; SRT is not among them: the FFmpeg inside PyAV's wheels is built
# without libsrt ("Protocol not found"), so an SRT feed needs a relay to RTSP (docs/drones.md)
_SCHEMES = ("file", "rtsp", "rtsps", "http", "https")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MavlinkTelemetryConfig(_Strict):
    """MAVLink through pymavlink: a recorded ``.tlog`` or a live connection string."""

    type: Literal["mavlink"] = "mavlink"
    url: str = Field(
        description="a .tlog path, or a pymavlink connection string (udpin:0.0.0.0:14550, tcp:...)"
    )


class MqttTelemetryConfig(_Strict):
    """One JSON object per message on a topic; field names map the payload."""

    type: Literal["mqtt"] = "mqtt"
    host: str = "127.0.0.1"
    port: int = Field(1883, ge=1, le=65535)
    topic: str
    fields: dict[str, str] = Field(
        default_factory=dict,
        description="Kuzet field -> payload key (ts, lat, lon, alt, yaw, pitch, roll, "
        "gimbal_pitch, gimbal_yaw, gimbal_roll); unmapped fields use their own name",
    )


TelemetryConfig = Annotated[
    MavlinkTelemetryConfig | MqttTelemetryConfig, Field(discriminator="type")
]


class DroneCameraConfig(_Strict):
    """The geometry the flat-ground projection needs."""

    hfov_deg: float = Field(
        description="horizontal field of view of the frames as decoded", gt=1, lt=179
    )
    mount_pitch_deg: float = Field(
        -90.0,
        ge=-90,
        le=30,
        description="fixed mount: camera pitch relative to the airframe when telemetry "
        "carries no gimbal attitude (-90 = straight down)",
    )
    mount_yaw_deg: float = Field(0.0, ge=-180, le=180)


class DroneConfig(_Strict):
    """One drone: a moving camera whose frames are placed on the map by its telemetry."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    name: str = ""
    url: str = Field(description="video: a file, rtsp:// or http(s):// (read by kuzet.sources)")
    telemetry: TelemetryConfig
    camera: DroneCameraConfig
    video_start: datetime | None = Field(
        None,
        description="UTC time of the video's first frame; none = the telemetry's first sample",
    )
    time_offset_s: float = Field(
        0.0, description="added to frame times before looking up telemetry (clock skew)"
    )
    max_gap_s: float = Field(
        2.0, gt=0, description="frames further than this from any telemetry sample are skipped"
    )
    ground_alt_m: float | None = Field(
        None,
        description="ground height above mean sea level; none = flat ground at the home "
        "point (MAVLink relative_alt)",
    )
    max_range_m: float = Field(
        2000.0, gt=0, description="foot points further than this are not placed on the map"
    )
    classes: list[str] = Field(
        default_factory=lambda: ["person", "car", "truck", "bus", "motorcycle", "bicycle"],
        description="detector classes that become drone_detection events",
    )
    category: str = Field(
        "public_safety", description="camera category of the drone's entry (scope, routing)"
    )
    district: str | None = Field(None, description="district of the drone's entry (scope)")

    @field_validator("url")
    @classmethod
    def _readable(cls, v: str) -> str:
        scheme = v.split("://", 1)[0].lower() if "://" in v else "file"
        if scheme not in _SCHEMES:
            raise ValueError(
                f"unsupported video URL scheme {scheme!r} (a file, rtsp://, http(s)://; "
                "SRT: relay it to RTSP first)"
            )
        return v
