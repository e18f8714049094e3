"""The operations centre's site settings: who owns which event (routing), which events
are statistics only, how fast it must be handled (SLA), how events group into incidents,
the operating procedure (checklist) per event type, and the offline basemap."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from kuzet.config.basemap import read_basemap

# Event types that count things rather than raise alarms: no incident unless a routing
# rule says ``incident: true`` for them.
# A plate read is every passing car: stored and searchable, never an alarm by itself
# (a watchlist hit, ``plate_match``, is).
# A device coming back online or acknowledging a command is a fact for the log, not an alarm.
INFORMATIONAL_TYPES = frozenset(
    {"line_crossing", "plate_read", "plate_unread", "traffic_stats", "device_online", "device_ack"}
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RoutingRule(_Strict):
    """First matching rule wins; ``None`` on a field matches anything."""

    event_type: str | None = None
    category: str | None = None
    district: str | None = None
    agency: str
    priority: int = Field(2, ge=1, le=3, description="1 high, 2 medium, 3 low")
    incident: bool | None = Field(
        None,
        description="false: statistics only, no incident (the events are still stored and "
        "searchable); null: the default, false for line_crossing and plate reads, true "
        "otherwise",
    )

    def makes_incident(self, event_type: str) -> bool:
        if self.incident is not None:
            return self.incident
        return event_type not in INFORMATIONAL_TYPES

    def matches(self, event_type: str, category: str | None, district: str | None) -> bool:
        return (
            (self.event_type is None or self.event_type == event_type)
            and (self.category is None or self.category == category)
            and (self.district is None or self.district == district)
        )


class Sla(_Strict):
    ack_s: int = Field(ge=1, description="new -> acknowledged")
    resolve_s: int = Field(ge=1, description="created -> resolved or false alarm")


# The demo city's routing: who owns what by default (the situation centre sees all).
DEFAULT_ROUTING = [
    RoutingRule(event_type="fire", agency="emergency", priority=1),
    RoutingRule(event_type="smoke", agency="emergency", priority=1),
    RoutingRule(event_type="fight", agency="city-police", priority=1),
    # devices (issue 15): a panic button is the police's, a fire panel's alarm DChS's;
    # the device's own category and district route the rest like a camera's
    RoutingRule(event_type="sos", agency="city-police", priority=1),
    RoutingRule(event_type="fire_alarm", agency="emergency", priority=1),
    RoutingRule(event_type="door_forced", agency="city-police", priority=1),
    RoutingRule(event_type="device_tamper", agency="city-police", priority=2),
    # a silent or flat device is the situation centre's to get repaired
    RoutingRule(event_type="device_offline", agency="situation-centre", priority=3),
    RoutingRule(event_type="device_battery_low", agency="situation-centre", priority=3),
    RoutingRule(event_type="watchlist_hit", agency="city-police", priority=1),
    # a plate watchlist hit (stolen, wanted, unpaid car) goes to the city police, also
    # from traffic cameras (before the traffic category's rule below)
    RoutingRule(event_type="plate_match", agency="city-police", priority=1),
    RoutingRule(category="traffic", agency="traffic-police", priority=2),
    RoutingRule(category="school", agency="education", priority=1),
    RoutingRule(category="kindergarten", agency="education", priority=1),
    RoutingRule(category="hospital", agency="health", priority=2),
    RoutingRule(category="safe_yard", agency="housing-yards", priority=3),
    RoutingRule(category="taza_kazakhstan", agency="ecology", priority=3),
    RoutingRule(category="infrastructure", agency="utilities", priority=2),
    RoutingRule(agency="city-police", priority=2),
]
DEFAULT_SLA = {
    1: Sla(ack_s=60, resolve_s=900),
    2: Sla(ack_s=180, resolve_s=3600),
    3: Sla(ack_s=600, resolve_s=4 * 3600),
}


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
# One checklist item: plain text, or the text per UI language ({ru: ..., kk: ..., en: ...}).
ChecklistItem = Text | dict[Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")], Text]

# The demo city's operating procedures; a site's ``ops.procedures`` replaces them.
DEFAULT_PROCEDURES: dict[str, list[ChecklistItem]] = {
    "fire": [
        {"en": "Call the fire service (101 / 112)", "ru": "Вызвать пожарную службу (101 / 112)",
         "kk": "Өрт сөндіру қызметін шақыру (101 / 112)"},
        {"en": "Check neighbouring cameras", "ru": "Проверить соседние камеры",
         "kk": "Көршілес камераларды тексеру"},
        {"en": "Report the situation to the supervisor", "ru": "Доложить старшему смены",
         "kk": "Жағдайды ауысым жетекшісіне баяндау"},
    ],
    "fight": [
        {"en": "Call the police (102 / 112)", "ru": "Вызвать полицию (102 / 112)",
         "kk": "Полицияны шақыру (102 / 112)"},
        {"en": "Follow the people on nearby cameras", "ru": "Вести людей по соседним камерам",
         "kk": "Адамдарды көршілес камералар арқылы қадағалау"},
        {"en": "Call an ambulance if anyone is hurt",
         "ru": "Если есть пострадавшие, вызвать скорую помощь (103)",
         "kk": "Зардап шеккендер болса, жедел жәрдем шақыру (103)"},
    ],
}  # fmt: skip


class OpsConfig(_Strict):
    routing: list[RoutingRule] = Field(default_factory=lambda: list(DEFAULT_ROUTING))
    sla: dict[int, Sla] = Field(default_factory=lambda: dict(DEFAULT_SLA))
    group_window_s: float = Field(
        120.0,
        ge=0,
        description="events of one camera and type this close to an open incident join it",
    )
    sla_check_s: float = Field(1.0, gt=0)
    supervisor_agency: str = Field("situation-centre", description="escalations also go here")
    procedures: dict[str, list[ChecklistItem]] = Field(
        default_factory=lambda: dict(DEFAULT_PROCEDURES),
        description="operating procedure per event type: the checklist an operator ticks",
    )
    basemap: Path | None = Field(
        None, description="offline basemap: a PMTiles file (see docs/ui.md); none: outline map"
    )
    basemap_attribution: str = Field(
        "", max_length=300, description="shown on the map, e.g. '© OpenStreetMap contributors'"
    )

    @field_validator("basemap")
    @classmethod
    def _readable(cls, v: Path | None) -> Path | None:
        if v is not None:
            read_basemap(v)  # BasemapError is a ValueError: reported with the file's line
        return v

    @field_validator("procedures")
    @classmethod
    def _short_lists(cls, v: dict[str, list[ChecklistItem]]) -> dict[str, list[ChecklistItem]]:
        for event_type, items in v.items():
            if len(items) > 50:
                raise ValueError(f"{event_type}: at most 50 checklist items")
        return v

    def route(self, event_type: str, category: str | None, district: str | None) -> RoutingRule:
        for rule in self.routing:
            if rule.matches(event_type, category, district):
                return rule
        return RoutingRule(agency=self.supervisor_agency, priority=2)
