"""Anchors of the audit chain's head: a signed (seq, hash) of the newest record.

A hash chain shows edits, deletions in the middle and reordering, but not the loss of
its newest records: what is left is consistent. So the head is kept outside the log,
signed with the audit key: in the ``audit_head`` row (updated in the append's own
transaction) and, where the site has a data directory, in a file beside it
(``<data_dir>/audit/head-<database>.json``, 0600), which a database-only attacker can neither
rewrite nor put back to an older signed value. ``verify`` compares each anchor with
the chain and names the records an anchor vouches for that are gone.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HEAD_DIR = Path("audit")  # under the site's data dir


def head_file(data_dir: Path, database_url: str) -> Path:
    """The head file of one database: named after it, so a data directory used with
    another database (``--db``) never checks that one against the wrong head."""
    tag = hashlib.sha256(database_url.encode()).hexdigest()[:12]
    return (data_dir / HEAD_DIR / f"head-{tag}.json").absolute()


def head_signature(key: bytes, seq: int, hash_: str) -> str:
    """HMAC-SHA256 of the head (plain SHA-256 without a key: then it proves nothing)."""
    msg = f"kuzet-audit-head|{seq}|{hash_}".encode()
    if key:
        return hmac.new(key, msg, hashlib.sha256).hexdigest()
    return hashlib.sha256(msg).hexdigest()


@dataclass(frozen=True, slots=True)
class Anchor:
    seq: int
    hash: str
    sig: str  # "" when not signed yet (written by the migration without a key)

    def signed_by(self, key: bytes) -> bool:
        return bool(self.sig) and hmac.compare_digest(
            self.sig, head_signature(key, self.seq, self.hash)
        )


class HeadFile:
    """The head as a small JSON file, replaced atomically, readable by the owner only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._written = -1

    def read(self) -> Anchor | None:
        try:
            data = json.loads(self.path.read_text())
            return Anchor(int(data["seq"]), str(data["hash"]), str(data["sig"]))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            return Anchor(-1, "", "")  # unreadable: reported as a bad signature

    def write(self, anchor: Anchor) -> None:
        if anchor.seq <= self._written:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump({"seq": anchor.seq, "hash": anchor.hash, "sig": anchor.sig}, f)
        try:
            os.replace(tmp, self.path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        self._written = anchor.seq


def anchor_problems(
    name: str,
    anchor: Anchor,
    key: bytes,
    last_seq: int,
    hash_at: Callable[[int], str | None],
    *,
    is_head: bool,
) -> list[tuple[int, str]]:
    """``(seq, problem)`` for each way the chain (newest ``last_seq``; 0 when empty)
    disagrees with ``anchor``. The head must name the newest record exactly; an older
    copy (the file, when another node wrote later) only has to be in the chain."""
    if not anchor.sig and is_head:
        return [(anchor.seq, f"{name} is not signed yet (the next audit record signs it)")]
    if not anchor.signed_by(key):
        return [(anchor.seq, f"{name} signature does not match (forged, or another audit key)")]
    if anchor.seq > last_seq:
        return [(last_seq + 1, f"missing (deleted): the newest records, every record up to "
                               f"{anchor.seq}, named by the {name}")]  # fmt: skip
    stored = hash_at(anchor.seq)
    if stored is not None and not hmac.compare_digest(stored, anchor.hash):
        return [(anchor.seq, f"edited (does not match the {name})")]
    if is_head and anchor.seq < last_seq:
        return [(anchor.seq + 1, f"not anchored (written after the {name}, not through the log)")]
    return []
