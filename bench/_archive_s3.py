"""S3 helpers of the archive benchmarks (archive_search.py, archive_ingest.py): a local
SeaweedFS or a given endpoint, the upload of a generated index, and the measured
whole-object alternative to Kuzet's own S3 reads."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow.fs as pafs

from kuzet.archive.s3 import S3Layout


class WholeObjectLayout(S3Layout):
    """A measured alternative (not used by Kuzet): GET each whole object into a local
    temporary file, then DuckDB's own ``read_parquet`` over those."""

    def source(self, cur: Any, files: list[str]) -> tuple[str, dict[str, Any]]:
        tmp = Path(tempfile.mkdtemp(prefix="kuzet-whole-"))
        self._tmp.append(tmp)

        def get(k_path: tuple[int, str]) -> str:
            k, path = k_path
            local = tmp / f"{k}.parquet"
            with self.fs.open_input_stream(path) as f:
                local.write_bytes(f.read())
            return str(local)

        with ThreadPoolExecutor(8) as pool:
            paths = list(pool.map(get, enumerate(files)))
        return "read_parquet($files)", {"files": paths}

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self._tmp: list[Path] = []

    def cleanup(self) -> None:
        for t in self._tmp:
            shutil.rmtree(t, ignore_errors=True)
        self._tmp.clear()


@contextmanager
def s3_endpoint(args: argparse.Namespace, scratch: Path) -> Iterator[tuple[str, str, str]]:
    """(endpoint, access key, secret key): a local SeaweedFS, or ``--s3-endpoint``."""
    if args.s3_endpoint:
        yield (args.s3_endpoint, os.environ.get("AWS_ACCESS_KEY_ID", ""),
               os.environ.get("AWS_SECRET_ACCESS_KEY", ""))  # fmt: skip
        return
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))
    from seaweed import SeaweedS3, seaweed_missing

    why = seaweed_missing()
    if why is not None:
        raise SystemExit(f"--s3: {why}")
    server = SeaweedS3(scratch).start()
    try:
        yield server.endpoint, server.access_key, server.secret_key
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)


def upload(root: Path, lay: S3Layout) -> tuple[int, int, float]:
    """Every Parquet file under ``root`` into the bucket: (files, bytes, seconds)."""
    t = time.perf_counter()
    lay.fs.create_dir(lay.bucket)
    files = sorted(root.rglob("*.parquet"))
    size = sum(f.stat().st_size for f in files)
    pafs.copy_files(str(root), lay.base, source_filesystem=pafs.LocalFileSystem(),
                    destination_filesystem=lay.fs, use_threads=True)  # fmt: skip
    return len(files), size, time.perf_counter() - t
