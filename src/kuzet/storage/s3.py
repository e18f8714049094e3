"""An S3-compatible volume (boto3) with a local spool: video is never lost to an outage.

Committed segments are renamed into the spool folder first (as fast and as atomic as a
local commit) and an uploader thread copies them to the bucket, oldest first. When the
endpoint is down the uploader backs off and the spool grows; when it is back the spool
drains. ``on_uploaded(key)`` is called after each upload (the recorder marks the index
row ``remote``), then the spool file goes. Reads prefer the spool, then the bucket.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import botocore.exceptions

from kuzet.storage.base import (
    Location,
    StorageError,
    StorageFull,
    StorageUnavailable,
    check_key,
    key_from_staging,
    staging_name,
)
from kuzet.storage.local import STAGING_DIR, fsync_dir

log = logging.getLogger(__name__)

_DOWN = (
    botocore.exceptions.EndpointConnectionError,
    botocore.exceptions.ConnectTimeoutError,
    botocore.exceptions.ReadTimeoutError,
    botocore.exceptions.ConnectionClosedError,
    botocore.exceptions.ConnectionError,
)
_MISSING = {"NoSuchKey", "404", "NotFound"}
_DENIED = {"403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "Forbidden"}


def content_type(key: str) -> str:
    """By the key's extension (blobs: .jpg, .mp4, .zip); segments are MP4."""
    return mimetypes.guess_type(key)[0] or "video/mp4"


def _code(exc: botocore.exceptions.ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class S3Volume:
    """Segments as objects ``<prefix>/<key>`` in ``bucket``, spooled under ``spool``."""

    def __init__(
        self,
        name: str,
        *,
        bucket: str,
        spool: Path,
        endpoint: str | None = None,
        prefix: str = "",
        region: str = "us-east-1",
        access_key: str | None = None,
        secret_key: str | None = None,
        create_bucket: bool = True,
        spool_max_bytes: int = 20 << 30,
        quota_bytes: int | None = None,
        timeout_s: float = 10.0,
        retry_max_s: float = 30.0,
    ) -> None:
        self.name = name
        self.bucket = bucket
        self.prefix = "/".join(check_key(prefix.strip("/"))) + "/" if prefix.strip("/") else ""
        self.endpoint = endpoint
        self.create_bucket = create_bucket
        self.spool = Path(spool).resolve()
        self.staging = self.spool / STAGING_DIR
        self.spool_max_bytes = spool_max_bytes
        self.quota_bytes = quota_bytes
        self.min_free_bytes = 0
        self.retry_max_s = retry_max_s
        self.on_uploaded: Callable[[str], object] | None = None
        self.on_upload_failed: Callable[[str], object] | None = None
        try:
            self.staging.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"volume {name!r}: cannot create spool {self.spool}: {exc}"
            ) from None
        self.client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            config=botocore.config.Config(
                s3={"addressing_style": "path"},
                retries={"max_attempts": 2, "mode": "standard"},
                connect_timeout=timeout_s,
                read_timeout=timeout_s,
            ),
        )
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._pending: OrderedDict[str, int] = OrderedDict()  # spooled key -> bytes
        self._stop = False
        self._thread: threading.Thread | None = None
        self._bucket_ready = False
        self.available = True  # last request's outcome, for status and tests
        self.uploaded = 0
        self.upload_failures = 0
        self.last_error: str | None = None
        for path in sorted(self._spool_files()):  # left by an earlier run: upload them too
            self._pending[self._key_of(path)] = path.stat().st_size

    # ------------------------------------------------------------ keys and paths
    def object_key(self, key: str) -> str:
        return self.prefix + "/".join(check_key(key))

    def spool_path(self, key: str) -> Path:
        return self.spool.joinpath(*check_key(key))

    def _key_of(self, path: Path) -> str:
        return "/".join(path.relative_to(self.spool).parts)

    def _spool_files(self) -> Iterator[Path]:
        for dirpath, dirnames, filenames in os.walk(self.spool):
            dirnames[:] = [d for d in dirnames if d != STAGING_DIR]
            for f in filenames:
                if not f.endswith(".part"):
                    yield Path(dirpath) / f

    # ------------------------------------------------------------ the Volume protocol
    def staging_path(self, key: str) -> Path:
        return self.staging / staging_name(key)

    def commit(self, key: str, staged: Path) -> Location:
        target = self.spool_path(key)
        size = staged.stat().st_size
        if self.spool_bytes() + size > self.spool_max_bytes:
            raise StorageFull(
                f"volume {self.name!r}: spool holds {self.spool_bytes()} bytes, "
                f"its bound is {self.spool_max_bytes} (is {self.endpoint or 'S3'} down?)"
            )
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
        except OSError as exc:
            raise StorageError(f"volume {self.name!r}: cannot spool {key}: {exc}") from None
        with self._wake:
            self._pending[key] = size
            self._wake.notify()
        return "spool"

    def read(self, key: str, offset: int = 0, length: int | None = None) -> bytes:
        path = self.spool_path(key)
        try:
            with path.open("rb") as f:
                f.seek(offset)
                return f.read() if length is None else f.read(length)
        except FileNotFoundError:
            pass
        if length == 0:
            return b""
        args: dict[str, Any] = {"Bucket": self.bucket, "Key": self.object_key(key)}
        if offset or length is not None:
            end = "" if length is None else str(offset + length - 1)
            args["Range"] = f"bytes={offset}-{end}"
        body = self._call(self.client.get_object, key, **args)["Body"]
        try:
            return bytes(body.read())
        finally:
            body.close()

    def size(self, key: str) -> int:
        path = self.spool_path(key)
        if path.is_file():
            return path.stat().st_size
        head = self._call(
            self.client.head_object, key, Bucket=self.bucket, Key=self.object_key(key)
        )
        return int(head["ContentLength"])

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
        except KeyError:
            return False
        return True

    def local_path(self, key: str) -> Path | None:
        path = self.spool_path(key)
        return path if path.is_file() else None

    def delete(self, key: str) -> None:
        with self._lock:
            self._pending.pop(key, None)
        self.spool_path(key).unlink(missing_ok=True)
        self._call(self.client.delete_object, key, Bucket=self.bucket, Key=self.object_key(key))

    def list_keys(self, prefix: str) -> Iterator[str]:
        seen: set[str] = set()
        for path in self._spool_files():
            key = self._key_of(path)
            if key.startswith(prefix):
                seen.add(key)
        yield from sorted(seen)
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
                for obj in page.get("Contents", []):
                    key = str(obj["Key"])[len(self.prefix) :]
                    if key not in seen:
                        yield key
        except _DOWN as exc:
            raise StorageUnavailable(f"volume {self.name!r}: {exc}") from None

    def staged_files(self) -> Iterator[Path]:
        yield from sorted(self.staging.glob("*.part"))

    def key_of_staged(self, staged: Path) -> str:
        return key_from_staging(staged.name)

    def free_bytes(self) -> int:
        return shutil.disk_usage(self.spool).free

    def total_bytes(self) -> int:
        return shutil.disk_usage(self.spool).total

    # ------------------------------------------------------------ spool
    def spool_bytes(self) -> int:
        with self._lock:
            return sum(self._pending.values())

    def spool_count(self) -> int:
        with self._lock:
            return len(self._pending)

    def spooled(self) -> list[str]:
        with self._lock:
            return list(self._pending)

    def start(self) -> S3Volume:
        self._stop = False
        self._thread = threading.Thread(target=self._upload_loop, name=f"s3-{self.name}",
                                        daemon=True)  # fmt: skip
        self._thread.start()
        return self

    def close(self, timeout: float = 10.0) -> None:
        with self._wake:
            self._stop = True
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def drain(self, timeout: float) -> bool:
        """Wait until the spool is empty (tests, shutdown); False on timeout."""
        deadline = time.monotonic() + timeout
        while self.spool_count():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    # ------------------------------------------------------------ internals
    def _call(self, fn: Callable[..., Any], key: str, **kwargs: Any) -> Any:
        try:
            out = fn(**kwargs)
        except _DOWN as exc:
            self.available = False
            raise StorageUnavailable(f"volume {self.name!r}: {exc}") from None
        except botocore.exceptions.ClientError as exc:
            if _code(exc) in _MISSING:
                raise KeyError(key) from None
            raise StorageError(f"volume {self.name!r}: {_code(exc)}: {exc}") from None
        self.available = True
        return out

    def _ensure_bucket(self) -> None:
        if self._bucket_ready:
            return
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except botocore.exceptions.ClientError as exc:
            if _code(exc) not in ("404", "NoSuchBucket", "NotFound") or not self.create_bucket:
                raise
            try:
                self.client.create_bucket(Bucket=self.bucket)
            except botocore.exceptions.ClientError as race:  # another thread made it first
                if _code(race) != "BucketAlreadyOwnedByYou":
                    raise
            log.info("bucket created", extra={"volume": self.name, "bucket": self.bucket})
        self._bucket_ready = True

    def _upload(self, key: str) -> bool:
        path = self.spool_path(key)
        try:
            self._ensure_bucket()
            with path.open("rb") as f:
                self.client.put_object(Bucket=self.bucket, Key=self.object_key(key), Body=f,
                                       ContentType=content_type(key))  # fmt: skip
        except FileNotFoundError:  # deleted meanwhile (retention)
            with self._lock:
                self._pending.pop(key, None)
            return True
        except (*_DOWN, botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            self.available = False
            self.upload_failures += 1
            self.last_error = str(exc)[:300]
            log.warning("upload failed; segment stays in the spool",
                        extra={"volume": self.name, "key": key, "error": str(exc)[:200],
                               "spooled": self.spool_count()})  # fmt: skip
            if self.on_upload_failed is not None:
                self.on_upload_failed(key)
            return False
        self.available = True
        self.last_error = None
        if self.on_uploaded is not None:
            self.on_uploaded(key)
        with self._lock:
            self._pending.pop(key, None)
        path.unlink(missing_ok=True)
        fsync_dir(path.parent)
        self.uploaded += 1
        return True

    def check(self) -> str | None:
        """Why the bucket cannot be used now (unreachable, refused credentials...), or None."""
        try:
            self._ensure_bucket()
        except _DOWN as exc:
            self.available = False
            return f"cannot reach {self.endpoint or 'S3'}: {exc}"
        except botocore.exceptions.ClientError as exc:
            self.available = False
            code = _code(exc)
            if code in _DENIED:
                return f"access denied ({code}): check access_key and secret_key"
            return f"{code}: {exc.response.get('Error', {}).get('Message', exc)}"
        except botocore.exceptions.BotoCoreError as exc:
            self.available = False
            return str(exc)
        self.available = True
        return None

    def _upload_loop(self) -> None:
        problem = self.check()  # say at once, in one line, why uploads will wait
        self.last_error = problem
        if problem is not None:
            log.error(
                "volume %r: S3 bucket %r is not usable (%s); segments are kept in the spool "
                "%s and uploaded once it is", self.name, self.bucket, problem, self.spool,
                extra={"volume": self.name},
            )  # fmt: skip
        delay = 0.0
        while True:
            with self._wake:
                while not self._stop and (not self._pending or delay):
                    self._wake.wait(delay or None)
                    if delay:
                        break
                if self._stop:
                    return
                key = next(iter(self._pending), None)
            if key is None:
                delay = 0.0
                continue
            try:
                ok = self._upload(key)
            except Exception:  # the uploader must never die
                log.exception("uploader error", extra={"volume": self.name, "key": key})
                ok = False
            delay = 0.0 if ok else min(self.retry_max_s, max(0.5, delay * 2))
