"""Which family updates which rule types (importing this registers them)."""

from __future__ import annotations

from kuzet.rules.bins import BinOverflowFamily
from kuzet.rules.crowd import CrowdFamily
from kuzet.rules.engine import family
from kuzet.rules.fight import FightFamily
from kuzet.rules.fire_rule import FireFamily
from kuzet.rules.kinematics import KinematicsFamily
from kuzet.rules.lines import LineFamily
from kuzet.rules.objects import StaticObjectFamily
from kuzet.rules.presence import PresenceFamily

family("presence", "intrusion", "loitering")(PresenceFamily)
family("crowd", "crowd")(CrowdFamily)
family("lines", "line_crossing")(LineFamily)
family("kinematics", "stopped_vehicle", "wrong_way", "speeding")(KinematicsFamily)
family("objects", "abandoned_object", "object_removed", "illegal_dump")(StaticObjectFamily)
family("bins", "bin_overflow")(BinOverflowFamily)
family("fight", "fight")(FightFamily)
family("fire", "fire", "smoke")(FireFamily)
