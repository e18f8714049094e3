"""Request bodies are bounded before anything reads them: 413 for a login of megabytes
(declared or chunked); upload routes take more, and only from callers whose
credentials work. (Memory figures: bench/bench_login_memory.py.)"""

from __future__ import annotations

from collections.abc import Iterator

from kuzet.access.model import Role

from .conftest import City

MIB = 1 << 20


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size


def test_a_huge_login_is_refused_unread(city: City) -> None:
    big = b'{"username": "a", "password": "' + b"p" * (2 * MIB) + b'"}'
    r = city.client.post("/api/auth/login", content=big,
                         headers={"Content-Type": "application/json"})  # fmt: skip
    assert r.status_code == 413 and r.json()["error"] == "payload_too_large"
    r = city.client.post("/api/auth/login", content=_chunks(3 * MIB),
                         headers={"Content-Type": "application/json"})  # fmt: skip
    assert r.status_code == 413 and r.json()["error"] == "payload_too_large"
    r = city.client.post("/api/auth/login", json={"username": "a", "password": "b"})
    assert r.status_code == 401  # an ordinary login is untouched


def test_uploads_take_more_but_only_from_known_callers(city: City) -> None:
    city.user("inv", "city-police", Role.INVESTIGATOR)
    form = {"external_id": "x", "name": "X"}
    photo = {"photos": ("p.jpg", b"\xff\xd8" + b"0" * (3 * MIB), "image/jpeg")}
    path = "/api/watchlists/nope/persons"
    r = city.client.post(path, data=form, files=photo)  # anonymous: the default limit
    assert r.status_code == 413
    r = city.client.post(path, data=form, files=photo, headers={"Authorization": "Bearer kza_x"})
    assert r.status_code == 413  # credentials that do not work count as none
    r = city.client.post(path, data=form, files=photo, headers=city.h("inv"))
    assert r.status_code == 404  # read, then: no such watchlist
