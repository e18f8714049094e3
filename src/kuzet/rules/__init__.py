"""Rules turn tracks into events. The core ships one: object of class C present in zone Z."""

from kuzet.rules.base import RULES, Rule, create_rule
from kuzet.rules.zone_presence import ZonePresenceRule

__all__ = ["RULES", "Rule", "ZonePresenceRule", "create_rule"]
