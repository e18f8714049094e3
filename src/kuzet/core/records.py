"""Records exchanged between the store and its readers (API, CLI)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class CameraInfo(BaseModel):
    """A camera as the registry of the city knows it."""

    model_config = ConfigDict(from_attributes=True)

    id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str | None = None
    category: str = "public_safety"
    district: str | None = None
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    direction_deg: float | None = Field(
        None, ge=0, le=360, description="view direction, degrees clockwise from north"
    )
    fov_deg: float | None = Field(None, gt=0, le=360, description="horizontal field of view")
    main_url: str = Field(min_length=1)
    sub_url: str | None = None
    enabled: bool = True


class DeviceInfo(BaseModel):
    """A device (SOS button, fire panel, door, siren ...) as the registry knows it.

    Devices share the cameras' id space: a device's events carry its id as ``camera_id``,
    and ``category`` / ``district`` scope them as a camera's would.
    """

    model_config = ConfigDict(from_attributes=True)

    id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.-]+$")
    kind: str
    name: str | None = None
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    agency: str | None = None
    category: str = "public_safety"
    district: str | None = None
    linked_cameras: list[str] = Field(default_factory=list)
    heartbeat_s: float | None = None
    battery_low: int = 20
    command_topic: str | None = None
    ack_topic: str | None = None
    enabled: bool = True
    # health, kept by the gateway
    last_seen: datetime | None = None
    online: bool | None = None
    battery: int | None = None


class EventQuery(BaseModel):
    """Filters of an events search; ``cursor`` is opaque, from the previous page.

    ``attributes`` filters on string attribute values: ``{"upper_colour": ["red"]}``;
    several values of one key mean any of them, several keys must all match.
    """

    camera_id: list[str] | None = None
    type: list[str] | None = None
    class_name: list[str] | None = None
    since: datetime | None = None
    until: datetime | None = None
    attributes: dict[str, list[str]] | None = None
    cursor: str | None = None
    limit: int = Field(100, ge=1, le=1000)
