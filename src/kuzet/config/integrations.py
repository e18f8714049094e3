"""Site settings of the outbound integrations: signed webhooks, MQTT topics, CAP, ONVIF.

Secrets (webhook keys, MQTT and ONVIF passwords) belong in the environment: write
``secret: ${KUZET_HOOK_112}`` and the loader substitutes it (kuzet.config.loader).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kuzet.config.secret import Secret


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EventFilter(_Strict):
    """Which events a target receives; ``None`` on a field matches anything."""

    types: list[str] | None = Field(None, description="event types, e.g. [sos, intrusion]")
    cameras: list[str] | None = Field(None, description="camera (or device) ids")
    min_score: float | None = Field(None, ge=0, le=1, description="drop weaker detections")
    sensitive: bool = Field(
        False,
        description="also face-match and plate events and the biometric / plate attributes "
        "of other events (gender, age, plate text ...); off: those never leave Kuzet here",
    )


class IncidentFilter(_Strict):
    """Which incident changes a target receives; ``None`` on a field matches anything."""

    types: list[str] | None = Field(None, description="incident (first event) types")
    states: list[str] | None = Field(None, description="e.g. [new, resolved]")
    agencies: list[str] | None = Field(None, description="owning agency ids")
    max_priority: int = Field(3, ge=1, le=3, description="1 = high only, 3 = all")


class WebhookTarget(_Strict):
    """One receiver: what it gets (filters), how it is signed, how hard we try."""

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    url: str = Field(pattern=r"^https?://", description="where the JSON is POSTed")
    secret: Secret = Field(description="HMAC-SHA256 key, from the environment: ${VAR}")
    events: EventFilter | None = Field(None, description="send events matching this")
    incidents: IncidentFilter | None = Field(None, description="send incident changes")
    cap: bool = Field(False, description="incidents as CAP 1.2 XML instead of JSON")
    max_attempts: int = Field(5, ge=1, le=50, description="then the dead-letter list")
    backoff_s: float = Field(1.0, gt=0, le=3600, description="first retry; doubles each try")
    max_backoff_s: float = Field(300.0, gt=0, description="longest wait between tries")
    timeout_s: float = Field(10.0, gt=0, le=120, description="per HTTP request")

    @model_validator(mode="after")
    def _something(self) -> WebhookTarget:
        if self.events is None and self.incidents is None:
            raise ValueError(f"webhook {self.name}: give events and/or incidents filters")
        if len(self.secret.get_secret_value()) < 16:
            raise ValueError(f"webhook {self.name}: secret shorter than 16 characters")
        return self


class MqttOutConfig(_Strict):
    """Frigate-style topics on an MQTT broker for Home-Assistant-type consumers."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(1883, ge=1, le=65535)
    username: str | None = None
    password: Secret | None = None
    client_id: str = "kuzet"
    topic_prefix: str = Field("kuzet", pattern=r"^[^#+]+$")
    qos: Literal[0, 1] = 1
    snapshots: bool = Field(
        False,
        description="also the event's JPEG on <prefix>/<camera>/<type>/snapshot (retained); "
        "off by default: pictures leave Kuzet unblurred",
    )
    events: EventFilter = Field(default_factory=EventFilter)
    incidents: IncidentFilter = Field(default_factory=IncidentFilter)


class CapConfig(_Strict):
    """Common Alerting Protocol 1.2 as an emergency dispatch (112/102) expects it."""

    sender: str = Field(
        "kuzet@example.invalid",
        pattern=r"^[^\s,<&]+$",
        description="CAP <sender>: unique, no spaces or commas (CAP 1.2, 3.2.1)",
    )
    sender_name: str = "Kuzet operations centre"
    status: Literal["Actual", "Exercise", "System", "Test", "Draft"] = "Actual"
    language: str = "en-US"
    web: str | None = Field(None, description="link base of the incident page in the web app")


class OnvifCamera(_Strict):
    """A camera's ONVIF device service (for PTZ and stream lookup)."""

    camera_id: str = Field(min_length=1)
    url: str = Field(pattern=r"^https?://", description="device service, .../onvif/device_service")
    username: str | None = None
    password: Secret | None = None


class OnvifConfig(_Strict):
    timeout_s: float = Field(5.0, gt=0, le=60)
    discovery: list[str] = Field(
        default_factory=lambda: ["239.255.255.250:3702"],
        description="where WS-Discovery probes go: the multicast group, or host:port of "
        "cameras across a router",
    )
    discovery_timeout_s: float = Field(3.0, gt=0, le=30)
    cameras: list[OnvifCamera] = Field(default_factory=list)


class IntegrationsConfig(_Strict):
    webhooks: list[WebhookTarget] = Field(default_factory=list)
    mqtt: MqttOutConfig = Field(default_factory=MqttOutConfig)
    cap: CapConfig = Field(default_factory=CapConfig)
    onvif: OnvifConfig = Field(default_factory=OnvifConfig)

    @model_validator(mode="after")
    def _unique(self) -> IntegrationsConfig:
        names = [w.name for w in self.webhooks]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"webhook name {sorted(dup)[0]!r} appears twice")
        return self
