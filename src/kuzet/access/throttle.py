"""Failed-login throttling that cannot be turned against the account's owner.

Failures are counted per **(account, source address)**: five wrong passwords from one
address lock that pair only, with back-off (30 s, 60 s, 120 s ... up to
``lockout_s``), so an attacker elsewhere cannot lock the owner out. Per address, 20
failures in the window refuse that address (password spraying). Per account, many
failures from everywhere (``guard_account_failures``) put the account **on guard**: a
login must carry password and second factor together and every failure reads the same
(no hint that the password was right), so distributed guessing learns nothing while
the owner, who has both, still gets in. An administrator can clear an account's
failures (:meth:`Throttle.clear`).

Each attempt is **reserved before the password is checked**: its failure rows are
written first, in a transaction serialised per account (SQLite's single writer, a
PostgreSQL advisory lock), and the decision counts the rows before it. Concurrent
logins therefore see each other, and no more than the allowed number of guesses is
ever evaluated. A success deletes its rows (and the pair's earlier failures).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from kuzet.access.errors import Throttled
from kuzet.access.tables import AuthFailureRow
from kuzet.config.access import ThrottleConfig


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(ts: datetime) -> datetime:
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts


def user_key(username: str) -> str:
    return f"user:{username.lower()}"


def pair_prefix(username: str) -> str:
    return f"pair:{username.lower()}|"


def pair_key(username: str, ip: str | None) -> str:
    source = hashlib.sha256((ip or "-").encode()).hexdigest()[:16]
    return pair_prefix(username) + source


def ip_key(ip: str) -> str:
    return f"ip:{ip}"


class Locked(Throttled):
    """This account is locked for this source until ``until``."""

    code = "locked"

    def __init__(self, until: datetime) -> None:
        wait = max(1, int((until - _now()).total_seconds()) + 1)
        super().__init__(
            "too many failed attempts from here: try again after the time given, or from "
            "another device, or ask an administrator to unlock the account",
            retry_after=wait,
        )
        self.until = until


@dataclass(slots=True)
class Attempt:
    """A reserved attempt: its failure rows exist until it succeeds."""

    username: str
    ip: str | None
    row_ids: list[int] = field(default_factory=list)
    guarded: bool = False  # the account is under attack from many sources


class Throttle:
    def __init__(self, maker: sessionmaker[Session], cfg: ThrottleConfig) -> None:
        self._s = maker
        self.cfg = cfg

    def backoff_s(self, failures: int) -> int:
        """Lock time after ``failures`` of one pair (0 below the threshold)."""
        over = failures - self.cfg.max_user_failures
        if over < 0:
            return 0
        return int(min(self.cfg.lockout_s, self.cfg.backoff_base_s * 2 ** min(over, 30)))

    def locked_until(self, times: list[datetime]) -> datetime | None:
        """When a pair with these failure times is free again (None: it is not locked)."""
        wait = self.backoff_s(len(times))
        return None if not wait else max(_aware(t) for t in times) + timedelta(seconds=wait)

    def begin(self, username: str, ip: str | None) -> Attempt:
        """Reserve an attempt, or raise :class:`Locked` / :class:`Throttled`."""
        now = _now()
        since = now - timedelta(seconds=self.cfg.window_s)
        pair = pair_key(username, ip)
        keys = [pair, user_key(username)] + ([ip_key(ip)] if ip else [])
        with self._s.begin() as s:
            if s.get_bind().dialect.name == "postgresql":
                s.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": pair})
            rows = [AuthFailureRow(key=k, ts=now) for k in keys]
            s.add_all(rows)  # first: the write lock orders racing attempts
            s.flush()
            mine = [r.id for r in rows]

            def before(key: str) -> list[datetime]:
                q = select(AuthFailureRow.ts).where(
                    AuthFailureRow.key == key, AuthFailureRow.ts >= since,
                    AuthFailureRow.id.not_in(mine),
                )  # fmt: skip
                return list(s.scalars(q))

            if ip and len(before(ip_key(ip))) >= self.cfg.max_ip_failures:
                s.execute(delete(AuthFailureRow).where(AuthFailureRow.id.in_(mine)))
                raise Throttled("too many failed logins from this address",
                                retry_after=self.cfg.window_s)  # fmt: skip
            until = self.locked_until(before(pair))
            if until is not None and until > now:
                s.execute(delete(AuthFailureRow).where(AuthFailureRow.id.in_(mine)))
                raise Locked(until)
            guarded = len(before(user_key(username))) >= self.cfg.guard_account_failures
        return Attempt(username, ip, mine, guarded)

    def succeeded(self, attempt: Attempt) -> None:
        """The attempt's rows go, and the pair's earlier failures with them."""
        with self._s.begin() as s:
            s.execute(delete(AuthFailureRow).where(AuthFailureRow.id.in_(attempt.row_ids)))
            s.execute(
                delete(AuthFailureRow).where(
                    AuthFailureRow.key == pair_key(attempt.username, attempt.ip)
                )
            )

    def release(self, attempt: Attempt) -> None:
        """The attempt was not evaluated (the server was busy): it does not count."""
        with self._s.begin() as s:
            s.execute(delete(AuthFailureRow).where(AuthFailureRow.id.in_(attempt.row_ids)))

    def clear(self, username: str) -> int:
        """Forget every failure of an account (an administrator's unlock); returns how
        many failed attempts there were in the window."""
        since = _now() - timedelta(seconds=self.cfg.window_s)
        with self._s.begin() as s:
            attempts = s.scalar(
                select(func.count()).where(
                    AuthFailureRow.key == user_key(username), AuthFailureRow.ts >= since
                )
            )
            s.execute(
                delete(AuthFailureRow).where(
                    (AuthFailureRow.key == user_key(username))
                    | AuthFailureRow.key.startswith(pair_prefix(username), autoescape=True)
                )
            )
            return int(attempts or 0)

    def status(self, usernames: list[str]) -> dict[str, tuple[int, datetime | None]]:
        """``name -> (failures in the window, latest lock end of any source)``."""
        if not usernames:
            return {}
        since = _now() - timedelta(seconds=self.cfg.window_s)
        with self._s() as s:
            rows = s.execute(
                select(AuthFailureRow.key, func.count(), func.max(AuthFailureRow.ts))
                .where(AuthFailureRow.ts >= since, AuthFailureRow.key.like("pair:%"))
                .group_by(AuthFailureRow.key)
            ).all()
        out: dict[str, tuple[int, datetime | None]] = {u: (0, None) for u in usernames}
        lowered = {u.lower(): u for u in usernames}
        for key, n, newest in rows:
            name = lowered.get(key[len("pair:") :].rpartition("|")[0])
            if name is None:
                continue
            wait = self.backoff_s(int(n))
            until = _aware(newest) + timedelta(seconds=wait) if wait else None
            count, latest = out[name]
            if until is not None and until > _now() and (latest is None or until > latest):
                latest = until
            out[name] = (count + int(n), latest)
        return out
