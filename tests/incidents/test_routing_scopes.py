"""The default routing and the seeded agencies agree: every agency the routing hands an
incident to can see it (scope is strict, so a mismatch would hide a fire from the fire
service)."""

from __future__ import annotations

import pytest

from kuzet.access.seed import AGENCIES
from kuzet.config.ops import DEFAULT_ROUTING, RoutingRule

SCOPES = {agency: scope for agency, _, scope in AGENCIES}
CATEGORIES = ["public_safety", "traffic", "school", "kindergarten", "hospital", "safe_yard",
              "taza_kazakhstan", "infrastructure"]  # fmt: skip


def _cases(rule: RoutingRule) -> list[tuple[str, str]]:
    """(event type, camera category) pairs this rule is first to match."""
    types = [rule.event_type] if rule.event_type else ["intrusion", "loitering", "crowd"]
    cats = [rule.category] if rule.category else CATEGORIES
    out = []
    for t in types:
        for c in cats:
            first = next(r for r in DEFAULT_ROUTING if r.matches(t, c, None))
            if first is rule:
                out.append((t, c))
    return out


@pytest.mark.parametrize("rule", DEFAULT_ROUTING, ids=lambda r: f"{r.event_type}/{r.category}")
def test_the_owner_of_each_routed_incident_can_see_it(rule: RoutingRule) -> None:
    scope = SCOPES[rule.agency]
    for event_type, category in _cases(rule):
        assert scope.type_allowed(event_type), (rule.agency, event_type)
        assert scope.camera_allowed("any-camera", category, "Medeu"), (
            f"{rule.agency} owns {event_type} on {category} cameras but its scope hides them"
        )
