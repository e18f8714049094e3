"""Blobs (snapshots, clips, pictures) in an S3-compatible bucket, for a city where shards and
API replicas run on many nodes and must all see the same pictures.

A put goes straight to the bucket, so an event published right after its snapshot can be
served at once by any API replica. When the bucket cannot take it (endpoint down, refused),
the blob goes to a local spool instead (the recording's :class:`~kuzet.storage.s3.S3Volume`:
same client, same uploader thread, oldest first) and later puts queue behind it until the
spool has drained, so a dead endpoint costs one failed request, not one per event. A put
never raises on an outage, because it runs on the pipeline's detector thread: past the
spool's bound (or on a local disk error) the blob is dropped, counted in ``dropped`` and
logged; the event itself is never lost. Reads prefer the spool, then the bucket; a bucket
that cannot be reached raises :class:`~kuzet.storage.StorageUnavailable` (the API says 503).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import botocore.exceptions

from kuzet.config.blobs import S3BlobsConfig
from kuzet.storage import StorageError, StorageUnavailable
from kuzet.storage.s3 import S3Volume, content_type
from kuzet.store.blobs import check_key, cutoff_day

log = logging.getLogger(__name__)
GB = 1 << 30
_PUT_FAILED = (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError)


class S3BlobStore:
    """put/get/delete/purge_days over ``bucket`` (keys under ``prefix``)."""

    def __init__(self, volume: S3Volume) -> None:
        self.volume = volume
        self._lock = threading.Lock()
        self.written = 0  # straight to the bucket
        self.spooled = 0  # via the spool (the bucket could not take them then)
        self.dropped = 0  # neither: spool full or local disk error

    @classmethod
    def from_config(cls, cfg: S3BlobsConfig, data_dir: Path) -> S3BlobStore:
        spool = cfg.spool_dir if cfg.spool_dir.is_absolute() else data_dir / cfg.spool_dir
        return cls(
            S3Volume(
                "blobs", bucket=cfg.bucket, spool=spool, endpoint=cfg.endpoint,
                prefix=cfg.prefix, region=cfg.region, access_key=cfg.access_key,
                secret_key=cfg.secret_key, create_bucket=cfg.create_bucket,
                spool_max_bytes=int(cfg.spool_max_gb * GB), timeout_s=cfg.timeout_s,
                retry_max_s=10.0,
            )
        )  # fmt: skip

    def start(self) -> S3BlobStore:
        self.volume.start()
        return self

    def close(self, timeout: float = 5.0) -> None:
        """Give the uploader ``timeout`` s to empty the spool; what stays is uploaded by the
        next start on this node (the spool is on its disk)."""
        if self.volume.spool_count():
            self.volume.drain(timeout)
        self.volume.close()

    # ------------------------------------------------------------ the blob interface
    def put(self, key: str, data: bytes) -> None:
        check_key(key)
        if not self.volume.spool_count() and self._put_direct(key, data):
            with self._lock:
                self.written += 1
            return
        self._spool(key, data)

    def get(self, key: str) -> bytes | None:
        check_key(key)
        try:
            return self.volume.read(key)
        except KeyError:
            return None

    def delete(self, key: str) -> bool:
        check_key(key)
        existed = self.volume.local_path(key) is not None or self.volume.exists(key)
        self.volume.delete(key)
        return existed

    def purge_days(self, folder: str, days: int, now: datetime | None = None) -> int:
        """Retention by key day folders: every object under ``<folder>/YYYY/MM/DD/`` older
        than ``days`` goes (listing day prefixes only, then batch deletes). Returns days."""
        cutoff, prefix = cutoff_day(days, now), "/".join(check_key(folder)) + "/"
        old = [d for d in self._day_prefixes(prefix) if d[len(prefix) : -1] < cutoff]
        vol = self.volume
        for day in old:
            for key in [k for k in vol.spooled() if k.startswith(day)]:
                vol.delete(key)  # not uploaded yet: from the spool and its queue
            pages = vol.client.get_paginator("list_objects_v2").paginate(
                Bucket=vol.bucket, Prefix=vol.prefix + day
            )  # a page (<= 1000 keys) at a time: a city's day holds millions
            try:
                for page in pages:
                    objs = [{"Key": o["Key"]} for o in page.get("Contents", [])]
                    if objs:
                        delete = {"Objects": objs, "Quiet": True}
                        vol.client.delete_objects(Bucket=vol.bucket, Delete=delete)
            except _PUT_FAILED as exc:
                raise StorageUnavailable(f"blobs: cannot purge {day}: {exc}") from None
        return len(old)

    def stats(self) -> dict[str, Any]:
        with self._lock:
            counts = {"written": self.written, "spooled": self.spooled, "dropped": self.dropped}
        return {
            "type": "s3",
            "bucket": self.volume.bucket,
            **counts,
            "spool_count": self.volume.spool_count(),
            "spool_bytes": self.volume.spool_bytes(),
            "uploaded": self.volume.uploaded,
            "available": self.volume.available,
            "last_error": self.volume.last_error,
        }

    # ------------------------------------------------------------ internals
    def _put_direct(self, key: str, data: bytes) -> bool:
        vol = self.volume
        try:
            vol._ensure_bucket()
            vol.client.put_object(Bucket=vol.bucket, Key=vol.object_key(key), Body=data,
                                  ContentType=content_type(key))  # fmt: skip
        except _PUT_FAILED as exc:
            vol.available = False
            vol.last_error = str(exc)[:300]
            log.warning("blob put failed; spooled for a later upload",
                        extra={"key": key, "error": str(exc)[:200]})  # fmt: skip
            return False
        vol.available = True
        return True

    def _spool(self, key: str, data: bytes) -> None:
        staged = self.volume.staging_path(key)
        try:
            staged.write_bytes(data)
            self.volume.commit(key, staged)
        except (OSError, StorageError) as exc:
            staged.unlink(missing_ok=True)
            with self._lock:
                self.dropped += 1
                dropped = self.dropped
            log.error("blob dropped: S3 cannot take it and the spool cannot hold it",
                      extra={"key": key, "error": str(exc)[:200], "dropped": dropped})  # fmt: skip
            return
        with self._lock:
            self.spooled += 1

    def _day_prefixes(self, prefix: str) -> list[str]:
        """``<folder>/YYYY/MM/DD/`` prefixes in the bucket and the spool."""
        days = {
            "/".join(k.split("/")[: prefix.count("/") + 3]) + "/"
            for k in self.volume.spooled() if k.startswith(prefix)
        }  # fmt: skip
        level = [prefix]
        for _ in range(3):  # year, month, day
            level = [p for parent in level for p in self._children(parent)]
        return sorted(days | set(level))

    def _children(self, parent: str) -> list[str]:
        vol, out = self.volume, []
        pages = vol.client.get_paginator("list_objects_v2").paginate(
            Bucket=vol.bucket, Prefix=vol.prefix + parent, Delimiter="/"
        )
        try:
            for page in pages:
                out += [str(p["Prefix"])[len(vol.prefix) :] for p in page.get("CommonPrefixes", [])]
        except _PUT_FAILED as exc:
            raise StorageUnavailable(f"blobs: cannot list {parent}: {exc}") from None
        return out
