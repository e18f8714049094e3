"""Devices (SOS buttons, fire panels, doors, sirens ...) and the gateway that hears them.

A device is in the site file like a camera (``devices:``); its events come in over MQTT
(topic and payload mappings below) or an authenticated HTTP webhook, and enter the bus as
ordinary events whose ``camera_id`` is the device id (docs/devices.md). The gateway is off
unless ``device_gateway.mqtt`` or ``device_gateway.webhook`` is set.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from kuzet.config.scene_base import _Strict
from kuzet.config.secret import Secret

ID_PATTERN = r"^[A-Za-z0-9_.-]+$"

# The event types of the device contract (docs/devices.md); mapped payloads must give one.
DEVICE_EVENT_TYPES: frozenset[str] = frozenset(
    {
        "sos", "fire_alarm", "smoke", "door_forced", "door_held_open", "intercom_call",
        "sensor_alarm", "device_offline", "device_online", "device_tamper",
        "device_battery_low", "device_ack",
    }
)  # fmt: skip
# A payload that only says "I am alive" (or reports battery): last seen, no event.
HEARTBEAT = "heartbeat"


class DeviceKind(StrEnum):
    SOS_BUTTON = "sos_button"
    FIRE_PANEL = "fire_panel"
    SMOKE_SENSOR = "smoke_sensor"
    DOOR = "door"
    INTERCOM = "intercom"
    SIREN = "siren"
    SPEAKER = "speaker"
    SENSOR = "sensor"


class DeviceConfig(_Strict):
    id: str = Field(min_length=1, max_length=128, pattern=ID_PATTERN)
    kind: DeviceKind
    name: str | None = None
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    agency: str | None = Field(None, description="agency that owns the device (routing hint)")
    category: str = Field("public_safety", description="a camera category: scopes its events")
    district: str | None = None
    linked_cameras: list[str] = Field(default_factory=list, description="camera ids nearby")
    heartbeat_s: float | None = Field(
        None, gt=0, description="silent longer than this: device_offline; None: never checked"
    )
    battery_low: int = Field(20, ge=0, le=100, description="battery % at or below: low")
    command_topic: str | None = Field(None, description="MQTT topic commands are sent on")
    ack_topic: str | None = Field(None, description="MQTT topic the device acknowledges on")
    enabled: bool = True


class PayloadMapping(_Strict):
    """Which topic, and which JSON fields give the device id, event kind, message id ...

    A field is a dotted path into the JSON object (``data.id``); ``device_id`` may instead
    be ``topic:N`` (the N-th level of the topic, from 0). ``events`` maps the device's own
    event words to contract types (``press: sos``); a word not in it must already be a
    contract type or ``heartbeat``.
    """

    topic: str = Field(min_length=1, description="MQTT topic filter (+ and # allowed)")
    device_id: str = "device_id"
    event: str | None = Field("event", description="field of the event word")
    event_default: str | None = Field(None, description="the event when the field is absent")
    message_id: str | None = "message_id"
    timestamp: str | None = Field("ts", description="ISO 8601 or Unix seconds")
    battery: str | None = "battery"
    events: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_types(self) -> PayloadMapping:
        for word, kind in self.events.items():
            if kind not in DEVICE_EVENT_TYPES and kind != HEARTBEAT:
                raise ValueError(f"events.{word}: {kind!r} is not a device event type")
        if self.event is None and self.event_default is None:
            raise ValueError("event: give the field or an event_default")
        return self


class SignalFeedConfig(_Strict):
    """Traffic-signal states from a junction controller over MQTT, into the signal board."""

    topic: str = Field(min_length=1)
    camera_id: str = Field(min_length=1)
    signal: str = Field(min_length=1, description="signal name as in the camera's rules")
    state: str = Field("state", description="field: red, amber, green or unknown")
    timestamp: str | None = Field("ts", description="ISO 8601 or Unix seconds; else now")


class MqttInputConfig(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(1883, ge=1, le=65535)
    client_id: str = Field("kuzet-gateway", min_length=1, description="persistent session id")
    username: str | None = None
    password: Secret | None = None
    keepalive_s: int = Field(30, ge=5, le=3600)
    mappings: list[PayloadMapping] = Field(default_factory=list)
    signals: list[SignalFeedConfig] = Field(default_factory=list)


class WebhookKeyConfig(_Strict):
    id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    secret: Secret = Field(description="HMAC-SHA256 key, at least 16 characters")
    devices: list[str] | None = Field(None, description="device ids it may speak for; all")

    @model_validator(mode="after")
    def _long_enough(self) -> WebhookKeyConfig:
        if len(self.secret.get_secret_value()) < 16:
            raise ValueError("secret: at least 16 characters")
        return self


class WebhookConfig(_Strict):
    keys: list[WebhookKeyConfig] = Field(min_length=1)
    window_s: float = Field(300.0, gt=0, le=3600, description="accepted clock difference")
    mapping: PayloadMapping = Field(
        default_factory=lambda: PayloadMapping(topic="webhook"),
        description="field names of the JSON body (topic unused)",
    )


# How the operations centre answers devices: which alarms open cameras, how far to look for
# cameras when none are linked, how long video is held, how long a device may take to
# acknowledge a command.
class ResponseSettings(_Strict):
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


class DeviceGatewayConfig(_Strict):
    mqtt: MqttInputConfig | None = None
    webhook: WebhookConfig | None = None
    response: ResponseSettings = Field(
        default_factory=ResponseSettings, description="alarms -> cameras, commands to outputs"
    )
    check_every_s: float = Field(5.0, gt=0, description="how often silence is checked")
    max_payload_bytes: int = Field(65536, ge=64, description="larger payloads are rejected")
    max_future_s: float = Field(
        300.0, ge=0, description="a device time further ahead than this: arrival time is used"
    )

    @property
    def enabled(self) -> bool:
        return self.mqtt is not None or self.webhook is not None


def check_devices(devices: list[DeviceConfig], camera_ids: set[str], categories: set[str]) -> None:
    """Unique ids, none equal to a camera id, linked cameras known; ValueError names it."""
    seen: set[str] = set()
    for i, d in enumerate(devices):
        if d.id in seen:
            raise ValueError(f"devices[{i}].id: {d.id!r} appears twice")
        if d.id in camera_ids:
            raise ValueError(f"devices[{i}].id: {d.id!r} is a camera id (one id space)")
        seen.add(d.id)
        if d.category not in categories:
            raise ValueError(
                f"devices[{i}].category: unknown {d.category!r} "
                f"(one of {', '.join(sorted(categories))})"
            )
        for cam in d.linked_cameras:
            if cam not in camera_ids:
                raise ValueError(f"devices[{i}].linked_cameras: no camera with id {cam!r}")
