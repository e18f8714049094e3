"""Rules turn tracks into events: the scene engine and its rule families."""

from kuzet.rules.base import RULES, Rule, create_rule
from kuzet.rules.engine import SceneEngine

__all__ = ["RULES", "Rule", "SceneEngine", "create_rule"]
