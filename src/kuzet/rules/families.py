"""Which family updates which rule types (importing this registers them)."""

from __future__ import annotations

from kuzet.rules.bins import BinOverflowFamily
from kuzet.rules.bus_lane import BusLaneFamily
from kuzet.rules.crowd import CrowdFamily
from kuzet.rules.engine import family
from kuzet.rules.fight import FightFamily
from kuzet.rules.fire_rule import FireFamily
from kuzet.rules.kinematics import KinematicsFamily
from kuzet.rules.lines import LineFamily
from kuzet.rules.objects import StaticObjectFamily
from kuzet.rules.presence import PresenceFamily
from kuzet.rules.signal_rules import SignalRuleFamily
from kuzet.rules.solid_line import SolidLineFamily

family("presence", "intrusion", "loitering")(PresenceFamily)
family("crowd", "crowd")(CrowdFamily)
family("lines", "line_crossing")(LineFamily)
family("kinematics", "stopped_vehicle", "illegal_stopping", "wrong_way", "speeding")(
    KinematicsFamily
)
family("signals", "red_light", "stop_line")(SignalRuleFamily)
family("bus_lane", "bus_lane")(BusLaneFamily)
family("solid_line", "solid_line")(SolidLineFamily)
family("objects", "abandoned_object", "object_removed", "illegal_dump")(StaticObjectFamily)
family("bins", "bin_overflow")(BinOverflowFamily)
family("fight", "fight")(FightFamily)
family("fire", "fire", "smoke")(FireFamily)
