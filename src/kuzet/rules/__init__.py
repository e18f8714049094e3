"""Rules turn tracks into events: zone presence, and the scene engine's rule families."""

from kuzet.rules.base import RULES, Rule, create_rule
from kuzet.rules.engine import SceneEngine
from kuzet.rules.zone_presence import ZonePresenceRule

__all__ = ["RULES", "Rule", "SceneEngine", "ZonePresenceRule", "create_rule"]
