"""Outputs: sirens, speakers and door release, as commands an operator asks for, confirms,
and the device acknowledges (or not: the command then times out, and the operator sees it).

Two steps, each audited: ``request`` checks the device (visible to the person, a kind that
takes this action, a topic to send on) and returns a one-time confirmation token;
``confirm`` (the same person, within ``confirm_ttl_s``) sends the command over MQTT, QoS 1,
to the device's command topic. The device answers on its ack topic with the command's id;
without an answer within ``ack_timeout_s`` the command is ``timed_out``. The log is the
``device_commands`` table (migration 0031).
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from kuzet.access.audit import AuditLog
from kuzet.access.errors import AccessError, Forbidden, NotFound
from kuzet.access.model import Principal
from kuzet.devices.ports import DeviceDirectory, DeviceLike, device_visible
from kuzet.devices.respond_tables import DeviceCommandRow
from kuzet.devices.settings import ResponseSettings

log = logging.getLogger(__name__)

# device kind -> action -> the parameter it takes (None: none)
ACTIONS: dict[str, dict[str, str | None]] = {
    "siren": {"siren_on": "duration_s", "siren_off": None},
    "speaker": {"announce": "text", "speaker_stop": None},
    "door": {"door_release": "duration_s", "door_lock": None},
    "intercom": {"door_release": "duration_s"},
}
OPEN_STATES = frozenset({"awaiting_confirmation", "sent"})
State = Literal[
    "awaiting_confirmation", "sent", "acknowledged", "failed", "timed_out", "expired",
    "send_failed",
]  # fmt: skip


class CommandRefused(AccessError):
    """A command that cannot be asked or confirmed; ``code`` names why (API error code)."""

    def __init__(self, code: str, message: str, status: int = 409) -> None:
        super().__init__(message, code=code)
        self.status = status


class Publisher(Protocol):
    def publish(self, topic: str, payload: bytes, timeout: float = 5.0) -> bool: ...


class CommandIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(min_length=1, max_length=32, description="e.g. siren_on, door_release")
    reason: str = Field(min_length=3, max_length=500, description="why: kept in the audit log")
    duration_s: int | None = Field(None, ge=1, le=600, description="siren_on, door_release")
    text: str | None = Field(None, min_length=1, max_length=500, description="announce")


class Command(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    device_id: str
    device_kind: str
    action: str
    params: dict[str, Any]
    reason: str
    state: State
    agency_id: str
    requested_by: str
    requested_at: datetime
    confirm_until: datetime
    confirmed_at: datetime | None
    deadline_at: datetime | None
    finished_at: datetime | None
    result: dict[str, Any] | None


class Asked(BaseModel):
    command: Command
    confirm_token: str = Field(description="send it back to .../confirm to send the command")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CommandDesk:
    def __init__(
        self, engine: Engine, audit: AuditLog, registry: DeviceDirectory,
        link: Publisher | None, settings: ResponseSettings,
    ) -> None:  # fmt: skip
        self._maker = sessionmaker(engine, expire_on_commit=False)
        self.audit, self.registry, self.link, self.s = audit, registry, link, settings
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ lifecycle
    def start(self, tick_s: float = 0.2) -> None:
        def loop() -> None:
            while not self._stop.wait(tick_s):
                try:
                    self.sweep()
                except Exception:
                    log.exception("devices: command sweep failed")

        self._thread = threading.Thread(target=loop, name="device-commands", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3.0)

    # ------------------------------------------------------------ the operator's two steps
    def _device(self, p: Principal, device_id: str) -> DeviceLike:
        dev = self.registry.get(device_id)
        if dev is None or not device_visible(p, dev):
            raise NotFound("no such device")
        return dev

    def request(self, p: Principal, device_id: str, body: CommandIn) -> Asked:
        dev = self._device(p, device_id)
        actions = ACTIONS.get(dev.kind, {})
        if body.action not in actions:
            raise CommandRefused(
                "action_not_supported", f"a {dev.kind} does not take {body.action}", 422
            )
        if not dev.command_topic:
            raise CommandRefused("no_command_topic", "this device has no command topic")
        param = actions[body.action]
        params: dict[str, Any] = {}
        if param is not None:
            value = getattr(body, param)
            if value is None:
                raise CommandRefused("missing_parameter", f"{body.action} needs {param}", 422)
            params[param] = value
        token = secrets.token_urlsafe(24)
        now = datetime.now(UTC)
        until = now + timedelta(seconds=self.s.confirm_ttl_s)
        row = DeviceCommandRow(
            id=str(uuid.uuid4()), device_id=dev.id, device_kind=dev.kind, action=body.action,
            params=params, reason=body.reason, state="awaiting_confirmation",
            agency_id=p.agency_id, requested_by=p.username, requested_at=now,
            confirm_hash=_digest(token), confirm_until=until,
            confirmed_at=None, topic=dev.command_topic, deadline_at=None, finished_at=None,
            result=None,
        )  # fmt: skip
        with self._maker.begin() as s:
            s.add(row)
        self.audit.record(
            p.username, "device.command.request", target=f"device/{dev.id}",
            agency_id=p.agency_id, ip=p.ip, reason=body.reason,
            detail={"command": row.id, "action": body.action, "params": params},
        )  # fmt: skip
        return Asked(command=Command.model_validate(row), confirm_token=token)

    def confirm(self, p: Principal, command_id: str, token: str) -> Command:
        now = datetime.now(UTC)
        # the lock covers the send's audit too: a quick device's ack (audited under the
        # same lock) must not come before it in the audit chain
        with self._lock:
            cmd, topic, sent = self._send(p, command_id, token, now)
            self.audit.record(
                p.username, "device.command.send", target=f"device/{cmd.device_id}",
                agency_id=p.agency_id, ip=p.ip, reason=cmd.reason,
                outcome="ok" if sent else "error",
                detail={"command": cmd.id, "action": cmd.action, "params": cmd.params,
                        "topic": topic, "state": cmd.state},
            )  # fmt: skip
        return cmd

    def _send(
        self, p: Principal, command_id: str, token: str, now: datetime
    ) -> tuple[Command, str | None, bool]:
        with self._maker.begin() as s:
            row = s.get(DeviceCommandRow, command_id)
            if row is None or row.requested_by != p.username:
                raise NotFound("no such command")  # only its own asker confirms it
            self._device(p, row.device_id)
            if row.state != "awaiting_confirmation":
                raise CommandRefused("command_not_pending", f"the command is {row.state}")
            if row.confirm_until < now:
                row.state, row.finished_at = "expired", now
                raise CommandRefused("confirmation_expired", "asked too long ago: ask again")
            if row.confirm_hash is None or not secrets.compare_digest(
                row.confirm_hash, _digest(token)
            ):
                raise Forbidden("wrong confirmation token")
            row.confirm_hash, row.confirmed_at = None, now
            row.deadline_at = now + timedelta(seconds=self.s.ack_timeout_s)
            payload = json.dumps(
                {"command_id": row.id, "action": row.action, **row.params,
                 "ts": now.isoformat(), "ack_by": row.deadline_at.isoformat()}
            ).encode()  # fmt: skip
            topic, link = row.topic, self.link
            sent = link is not None and topic is not None and link.publish(topic, payload)
            row.state = "sent" if sent else "send_failed"
            if not sent:
                row.finished_at = now
            return Command.model_validate(row), topic, bool(sent)

    # ------------------------------------------------------------ reading
    def get(self, p: Principal, command_id: str) -> Command:
        self.sweep()
        with self._maker() as s:
            row = s.get(DeviceCommandRow, command_id)
        if row is None:
            raise NotFound("no such command")
        self._device(p, row.device_id)
        return Command.model_validate(row)

    def recent(self, p: Principal, device_id: str, limit: int = 20) -> list[Command]:
        self._device(p, device_id)
        with self._maker() as s:
            rows = s.scalars(
                select(DeviceCommandRow)
                .where(DeviceCommandRow.device_id == device_id)
                .order_by(DeviceCommandRow.requested_at.desc())
                .limit(limit)
            ).all()
        return [Command.model_validate(r) for r in rows]

    # ------------------------------------------------------------ the device's answer
    def on_ack(
        self, command_id: str, ok: bool = True, detail: Any = None, *, source: str = "mqtt",
        device_id: str | None = None,
    ) -> Command | None:  # fmt: skip
        """The device's acknowledgement; late ones (after the timeout) are noted, not
        counted as success. Only the command's own device may answer it."""
        now = datetime.now(UTC)
        with self._lock, self._maker.begin() as s:
            row = s.get(DeviceCommandRow, command_id)
            if row is None or (device_id is not None and row.device_id != device_id):
                log.info("devices: ack of unknown command %s from %s", command_id, device_id)
                return None
            if row.state != "sent":
                row.result = {**(row.result or {}), "late_ack": {"ok": ok, "at": now.isoformat()}}
                return Command.model_validate(row)
            row.state, row.finished_at = ("acknowledged" if ok else "failed"), now
            row.result = {"ok": ok, "detail": detail, "source": source}
            cmd = Command.model_validate(row)
        self.audit.record(
            f"device:{cmd.device_id}", "device.command.ack", target=f"device/{cmd.device_id}",
            agency_id=cmd.agency_id, outcome="ok" if ok else "error",
            detail={"command": cmd.id, "action": cmd.action, "state": cmd.state},
        )  # fmt: skip
        return cmd

    def on_ack_message(self, topic: str, payload: bytes) -> Command | None:
        """An MQTT message on an ack topic: ``{"command_id": ..., "ok": true}``."""
        try:
            data = json.loads(payload)
            command_id = str(data["command_id"])
        except (ValueError, KeyError, TypeError):
            log.warning("devices: unreadable ack on %s (%d bytes)", topic, len(payload))
            return None
        dev = next((d for d in self.registry.list() if d.ack_topic == topic), None)
        ok = data.get("ok", True) is not False
        return self.on_ack(
            command_id, ok, data.get("detail"), source="mqtt",
            device_id=None if dev is None else dev.id,
        )  # fmt: skip

    def sweep(self, now: datetime | None = None) -> list[Command]:
        """Sent commands past their deadline time out; unconfirmed ones expire."""
        now = now or datetime.now(UTC)
        with self._lock, self._maker.begin() as s:
            rows = s.scalars(
                select(DeviceCommandRow).where(
                    ((DeviceCommandRow.state == "sent") & (DeviceCommandRow.deadline_at <= now))
                    | (
                        (DeviceCommandRow.state == "awaiting_confirmation")
                        & (DeviceCommandRow.confirm_until <= now)
                    )
                )
            ).all()
            out = []
            for row in rows:
                row.state = "timed_out" if row.state == "sent" else "expired"
                row.finished_at = now
                out.append(Command.model_validate(row))
        for cmd in out:
            if cmd.state == "timed_out":
                self.audit.record(
                    "kuzet:devices", "device.command.timeout", target=f"device/{cmd.device_id}",
                    agency_id=cmd.agency_id, outcome="error",
                    detail={"command": cmd.id, "action": cmd.action,
                            "waited_s": self.s.ack_timeout_s},
                )  # fmt: skip
        return out
