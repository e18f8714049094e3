"""One signal board for the whole city: reports fed to one process reach the others.

A junction controller posts to whichever API replica the load balancer picked, or
publishes to the MQTT broker the device gateway reads; the red-light rules of its
cameras run in a worker shard. Each process keeps its own :class:`SignalBoard`, and this
share relays every report fed to it over the bus's announcements (core NATS, outside the
event stream: a signal report is a state that the next one replaces, not an event to
store) to the boards of the other processes, which record it as if fed there.

Nothing is replayed: a worker that starts between two reports reads ``unknown`` until
the controller's next report (controllers repeat their state every few seconds, and a
red-light rule never judges on ``unknown``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from kuzet.config.traffic import SIGNAL_STATES, SignalState
from kuzet.events.base import Bus
from kuzet.events.relay import Relay
from kuzet.rules.signals import SignalBoard

TOPIC = "signals"


class SignalShare:
    """Relays ``board``'s fed reports over ``bus`` and records the other processes' ones.

    ``cameras``: listen only for these (a worker shard's own cameras); None: all of them
    (an API replica, which lists every signal).
    """

    def __init__(self, bus: Bus, board: SignalBoard, cameras: Sequence[str] | None = None) -> None:
        self.board = board
        self.relay = Relay(bus, TOPIC, self._record, cameras)
        board.add_relay(self._announce)

    @property
    def heard(self) -> int:
        return self.relay.heard

    @property
    def refused(self) -> int:
        return self.relay.refused

    def _announce(self, camera_id: str, signal: str, state: SignalState, at: float) -> None:
        self.relay.send(camera_id, {"signal": signal, "state": state, "at": at})

    def _record(self, camera_id: str, report: dict[str, Any]) -> int:
        signal, state, at = report["signal"], report["state"], float(report["at"])
        if not isinstance(signal, str) or state not in SIGNAL_STATES:
            raise ValueError(f"signal {signal!r} state {state!r}")
        self.board.record(camera_id, signal, cast(SignalState, state), at)
        return 1

    def close(self) -> None:
        self.board.remove_relay(self._announce)
        self.relay.close()
