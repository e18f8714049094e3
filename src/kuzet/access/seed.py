"""The demo city's twelve agencies and the widest scope each one's users get."""

from __future__ import annotations

from kuzet.access.model import Scope

PLATFORM_AGENCY = "situation-centre"


def _s(*categories: str, types: tuple[str, ...] | None = None) -> Scope:
    return Scope(
        categories=frozenset(categories) if categories else None,
        event_types=None if types is None else frozenset(types),
    )


AGENCIES: list[tuple[str, str, Scope]] = [
    (PLATFORM_AGENCY, "Akimat situation centre", Scope()),
    ("city-police", "City police department", Scope()),
    ("traffic-police", "Traffic police", _s("traffic", "public_safety")),
    # fires and smoke are routed to DChS from every camera (kuzet.config.ops.DEFAULT_ROUTING),
    # and fire panels' alarms (issue 15)
    ("emergency", "Emergency service (DChS)", _s(types=("fire", "smoke", "fire_alarm"))),
    ("education", "Education department", _s("school", "kindergarten")),
    ("health", "Health department", _s("hospital")),
    ("utilities", "Utilities and housing", _s("infrastructure", "safe_yard")),
    ("transport", "Transport and roads", _s("traffic", "infrastructure")),
    ("ecology", "Ecology (Taza Kazakhstan)", _s("taza_kazakhstan")),
    ("housing-yards", "Safe Yard programme", _s("safe_yard")),
    ("national-guard", "National guard", _s("public_safety", "infrastructure")),
    ("prosecutor", "Prosecutor's office (oversight)", Scope()),
]
