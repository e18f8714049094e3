"""What an external source sends for one person, and what a sync of a list answers: the
records :class:`kuzet.faces.watchlists.Watchlists` imports (the API, the bulk importer)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PersonRecord:
    external_id: str
    name: str
    photos: list[bytes]
    case: dict[str, Any] = field(default_factory=dict)

    def digest(self) -> str:
        body = {
            "name": self.name,
            "case": self.case,
            "photos": sorted(hashlib.sha256(p).hexdigest() for p in self.photos),
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class SyncReport:
    counts: Counter[str] = field(default_factory=Counter)  # created/updated/unchanged/...
    rejected: dict[str, list[str]] = field(default_factory=dict)  # external_id -> reasons

    def as_dict(self) -> dict[str, Any]:
        return {"counts": dict(self.counts), "rejected": self.rejected}
