"""What a violation is (the RULES contract) and what its package holds."""

from __future__ import annotations

from typing import Any

VIOLATION_TYPES = frozenset(
    {
        "red_light",
        "stop_line",
        "bus_lane",
        "solid_line",
        "illegal_stopping",
        "wrong_way",
        "speeding",
        "average_speed",
    }
)
FORMAT = "kuzet-violation-package/1"
NOT_RECORDED = "not recorded"

_SIGNAL = ("signal_state", "signal_source", "signal_since")
_SPEED = ("speed_kmh", "speed_uncertainty_kmh", "limit_kmh", "calibration")
# The facts each type should carry; one missing is shown as "not recorded", never invented.
FACTS: dict[str, tuple[str, ...]] = {
    "red_light": ("vehicle_class", *_SIGNAL, "line", "zone"),
    "stop_line": ("vehicle_class", *_SIGNAL, "line"),
    "bus_lane": ("vehicle_class", "zone"),
    "solid_line": ("vehicle_class", "line"),
    "illegal_stopping": ("vehicle_class", "zone", "stopped_s"),
    "wrong_way": ("vehicle_class", "zone"),
    "speeding": ("vehicle_class", *_SPEED, "zone"),
    "average_speed": (
        "vehicle_class",
        *_SPEED,
        "from_camera",
        "to_camera",
        "distance_m",
        "t_from",
        "t_to",
        "plate",
        "from_event_id",
        "to_event_id",
    ),
}
# attributes that are bookkeeping, not facts about the offence
_INTERNAL = frozenset({"violation", "clip", "evidence_frames"})


def facts_of(
    event_type: str, attributes: dict[str, Any], class_name: str | None = None
) -> dict[str, Any]:
    """The type's expected facts (absent ones "not recorded") plus any other fact the
    rule sent (so a newer rule's field is never dropped)."""
    out: dict[str, Any] = {k: attributes.get(k, NOT_RECORDED) for k in FACTS.get(event_type, ())}
    for k, v in attributes.items():
        if k not in out and k not in _INTERNAL:
            out[k] = v
    if out.get("vehicle_class") == NOT_RECORDED and class_name:
        out["vehicle_class"] = class_name  # the detector's class, as the event carries it
    return out
