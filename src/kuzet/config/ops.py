"""The operations centre's site settings: who owns which event (routing), how fast it
must be handled (SLA), and how events group into incidents."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RoutingRule(_Strict):
    """First matching rule wins; ``None`` on a field matches anything."""

    event_type: str | None = None
    category: str | None = None
    district: str | None = None
    agency: str
    priority: int = Field(2, ge=1, le=3, description="1 high, 2 medium, 3 low")

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
    RoutingRule(event_type="watchlist_hit", agency="city-police", priority=1),
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

    def route(self, event_type: str, category: str | None, district: str | None) -> RoutingRule:
        for rule in self.routing:
            if rule.matches(event_type, category, district):
                return rule
        return RoutingRule(agency=self.supervisor_agency, priority=2)
