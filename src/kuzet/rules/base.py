"""The rule contract and its registry."""

from __future__ import annotations

from typing import Protocol

from kuzet.config.models import RuleConfig
from kuzet.core import Detections, Event, Frame, Registry


class Rule(Protocol):
    """One entry point; state is kept per track id inside the rule."""

    name: str

    def update(self, frame: Frame, tracks: Detections, labels: tuple[str, ...]) -> list[Event]:
        """Events raised by this frame's tracks (boxes in frame pixels)."""
        ...


RULES: Registry[Rule] = Registry("rule")


def create_rule(camera_id: str, cfg: RuleConfig) -> Rule:
    return RULES.create(cfg.type, camera_id, cfg)
