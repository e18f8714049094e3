"""A size-bounded folder of files made on demand (blurred segments, single-file MP4s).

``get(key, make)`` returns the cached file or makes it once (concurrent callers of one key
wait for the first); the oldest-used files go when the folder grows past its bound.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from collections.abc import Callable
from pathlib import Path


class FileCache:
    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str, suffix: str = ".mp4") -> Path:
        digest = hashlib.sha256(key.encode()).hexdigest()
        return self.root / digest[:2] / (digest + suffix)

    def get(self, key: str, make: Callable[[Path], None], suffix: str = ".mp4") -> Path:
        """The file for ``key``; ``make(path)`` writes it when missing (it may raise)."""
        path = self.path(key, suffix)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if path.is_file():
                with contextlib.suppress(OSError):
                    os.utime(path)  # recently used: evicted last
                return path
            path.parent.mkdir(parents=True, exist_ok=True)
            make(path)
        self.evict()
        return path

    def evict(self) -> int:
        files = []
        for p in self.root.rglob("*"):
            with contextlib.suppress(OSError):
                if p.is_file() and not p.name.endswith(".part"):
                    st = p.stat()
                    files.append((st.st_mtime, st.st_size, p))
        total = sum(s for _, s, _ in files)
        gone = 0
        for _, size, p in sorted(files):
            if total <= self.max_bytes:
                break
            p.unlink(missing_ok=True)
            total -= size
            gone += 1
        return gone
