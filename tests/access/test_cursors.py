"""Page cursors say nothing about events the caller may not see: they are made from
visible rows only and sealed (neither readable nor usable by anyone else)."""

from __future__ import annotations

import base64
from typing import Any

from kuzet.access.model import Role

from .conftest import City, event


def _page(city: City, who: str, **params: Any) -> dict[str, Any]:
    r = city.client.get("/api/events", params=params, headers=city.h(who))
    assert r.status_code == 200, r.text
    return dict(r.json())


def _hits(city: City) -> None:
    """Two hits of person p-1 on a police list, shared with no other agency."""
    city.store.insert_events([
        event(50 + i, "street-1", "watchlist_hit",
              attributes={"person_id": "p-1", "visible_to": ["city-police"]})
        for i in range(2)
    ])  # fmt: skip


def test_hidden_watchlist_hits_leave_no_cursor(city: City) -> None:
    _hits(city)
    city.user("police", "city-police", Role.INVESTIGATOR)
    city.user("guard", "national-guard", Role.INVESTIGATOR)  # biometric clearance, not shared
    seen = _page(city, "police", type="watchlist_hit", limit=1)
    assert len(seen["items"]) == 1 and seen["next_cursor"]
    for params in ({"type": "watchlist_hit", "limit": 1},
                   {"type": "watchlist_hit", "attr": "person_id:p-1", "limit": 1}):  # fmt: skip
        page = _page(city, "guard", **params)
        # was person p-1 hit? The answer must read exactly like "no"
        assert page == {"items": [], "next_cursor": None}, page
    assert _page(city, "guard", attr="person_id:p-2", limit=1) == {"items": [], "next_cursor": None}


def test_cursor_is_sealed_and_bound_to_its_caller(city: City) -> None:
    city.user("opr", "city-police", Role.OPERATOR)
    city.user("opr2", "city-police", Role.OPERATOR)
    page = _page(city, "opr", limit=1)
    cursor = page["next_cursor"]
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    assert page["items"][0]["id"].encode() not in raw and b"ev-" not in raw  # names nothing
    r = city.client.get("/api/events", params={"cursor": cursor, "limit": 1},
                        headers=city.h("opr2"))  # fmt: skip
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "query.cursor"
    # a forged store cursor (base64 of "time|id") is refused too
    forged = base64.urlsafe_b64encode(b"2030-01-01T00:00:00+00:00|ev-x").decode()
    r = city.client.get("/api/events", params={"cursor": forged}, headers=city.h("opr"))
    assert r.status_code == 422


def test_pages_walk_the_visible_events_exactly(city: City) -> None:
    """An operator (no biometrics, no plates) pages one by one through events among
    which hidden ones sit: every visible event once, no empty page, no dangling cursor."""
    _hits(city)
    city.user("opr", "city-police", Role.OPERATOR)
    everything = _page(city, "opr", limit=1000)["items"]
    ids, cursor = [], None
    while True:
        page = _page(city, "opr", limit=1, **({"cursor": cursor} if cursor else {}))
        assert len(page["items"]) == 1
        ids.append(page["items"][0]["id"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert ids == [e["id"] for e in everything] and len(ids) == len(set(ids))
