"""The forensic search routes through the policy gate: scope, clearances, bad input."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient
from hash_embedder import HashPhotoEmbedder
from tests.access.conftest import City, FakeFaces, cheap_config

from kuzet.access.model import DataClass, Role, Scope
from kuzet.access.service import AccessService
from kuzet.api import create_app
from kuzet.archive import TrackIndex, TrackIndexWriter
from kuzet.config.faces import FacesConfig
from kuzet.core.records import CameraInfo
from kuzet.crypto import KeyRing
from kuzet.events import MemoryBus
from kuzet.faces.services import FaceServices
from kuzet.faces.sightings import Sighting
from kuzet.schema import open_store
from kuzet.store import LocalBlobStore

from .conftest import DAY, row

CAMS = [
    CameraInfo(
        id="school-1",
        category="school",
        district="Bostandyk",
        latitude=43.22,
        longitude=76.90,
        main_url="file:a.mp4",
    ),
    CameraInfo(
        id="traffic-1",
        category="traffic",
        district="Medeu",
        latitude=43.26,
        longitude=76.95,
        main_url="file:b.mp4",
    ),
    CameraInfo(
        id="street-1",
        category="public_safety",
        district="Medeu",
        latitude=43.30,
        longitude=77.10,
        main_url="file:c.mp4",
    ),
]
DAY_Q = {"since": DAY.isoformat(), "until": (DAY + timedelta(days=1)).isoformat()}
WHY = {"reason": "case 2026/17"}


def _jpeg() -> bytes:
    ok, buf = cv2.imencode(".jpg", np.full((64, 32, 3), 120, np.uint8))
    assert ok
    return buf.tobytes()


@pytest.fixture
def city(tmp_path: Path) -> Iterator[City]:
    store = open_store(f"sqlite:///{tmp_path / 'kuzet.db'}")
    svc = AccessService(store.engine, cheap_config())
    svc.seed_agencies()
    for cam in CAMS:
        store.upsert_camera(cam)
    w = TrackIndexWriter(tmp_path / "archive")
    w.add(row("school-1", 1, 3600, upper_colour="red", gender="female", age_band="30-39"), _jpeg())
    w.add(row("school-1", 2, 3700, upper_colour="blue"))
    w.add(row("traffic-1", 1, 3650, upper_colour="red", plate="123ABC02"), _jpeg())
    w.add(row("street-1", 5, 4000, path=[(500, 300), (100, 300)], upper_colour="red"))
    w.flush()
    faces = FaceServices.build(
        store.engine,
        FacesConfig(enabled=True),
        keys=KeyRing.parse(KeyRing.generate()),
        embedder=HashPhotoEmbedder(),
    )
    app = create_app(
        store=store,
        blobs=LocalBlobStore(tmp_path / "blobs"),
        bus=(bus := MemoryBus()),
        access=svc,
        faces=lambda: FakeFaces(),
        face_services=faces,
        archive_index=TrackIndex(tmp_path / "archive"),
    )
    with TestClient(app, base_url="https://testserver") as client:
        c = City(svc, store, LocalBlobStore(tmp_path / "blobs"), bus, app, client, faces=faces)
        c.user("oper", "situation-centre", Role.OPERATOR)
        c.user("inv", "city-police", Role.INVESTIGATOR)
        c.user("school", "education", Role.OPERATOR, scope=Scope(categories=frozenset({"school"})))
        c.user("analyst", "situation-centre", Role.ANALYST)
        c.user(
            "noplate", "situation-centre", Role.OPERATOR, clearances=frozenset({DataClass.VIDEO})
        )
        yield c
    bus.close()
    store.close()


def search(city: City, who: str, **params: Any) -> Any:
    return city.client.get("/api/archive/tracks", headers=city.h(who), params=DAY_Q | params)


def refs(r: Any) -> list[tuple[str, int]]:
    assert r.status_code == 200, r.text
    return [(i["camera_id"], i["track_id"]) for i in r.json()["items"]]


def test_search_by_colour_and_class_newest_first(city: City) -> None:
    r = search(city, "oper", attr="upper_colour:red")
    assert refs(r) == [("street-1", 5), ("traffic-1", 1), ("school-1", 1)]
    item = r.json()["items"][2]
    assert item["attributes"] == {"upper_colour": "red"}  # gender and age band hidden
    assert item["snapshot_url"] == f"/api/archive/tracks/{item['ref']}/snapshot"
    assert item["duration_s"] == 10.0 and item["at"] == item["start"]
    inv = search(city, "inv", attr="upper_colour:red").json()["items"][2]
    assert inv["attributes"] == {"upper_colour": "red", "gender": "female", "age_band": "30-39"}
    assert refs(search(city, "oper", class_name="person", attr="upper_colour:blue")) == [
        ("school-1", 2)
    ]
    audit = city.svc.audit.rows(action="archive.search")
    assert audit and "upper_colour" in str(audit[-1])


def test_biometric_and_plate_filters_need_clearance(city: City) -> None:
    r = search(city, "oper", attr="gender:female")
    assert r.status_code == 403 and r.json()["error"] == "clearance_required"
    assert refs(search(city, "inv", attr="gender:female")) == [("school-1", 1)]
    assert search(city, "noplate", attr="plate:123ABC02").status_code == 403
    plate = search(city, "noplate", camera_id="traffic-1").json()["items"][0]
    assert "plate" not in plate["attributes"]
    info = city.client.get("/api/archive/info", headers=city.h("oper")).json()
    assert "gender" not in info["attributes"] and "upper_colour" in info["attributes"]


def test_scope_categories_districts_and_map_area(city: City) -> None:
    assert refs(search(city, "school")) == [("school-1", 2), ("school-1", 1)]
    r = search(city, "school", camera_id="traffic-1")  # outside the scope: unknown
    assert r.status_code == 422 and "unknown camera 'traffic-1'" in r.text
    assert refs(search(city, "oper", district="Medeu")) == [("street-1", 5), ("traffic-1", 1)]
    assert refs(search(city, "oper", category="traffic,school", attr="upper_colour:red")) == [
        ("traffic-1", 1),
        ("school-1", 1),
    ]
    area = "43.2,76.85;43.28,76.85;43.28,77.0;43.2,77.0"  # school-1 and traffic-1
    assert refs(search(city, "oper", area=area, camera_id="traffic-1")) == [("traffic-1", 1)]
    assert len(refs(search(city, "oper", area=area))) == 3
    assert search(city, "oper", district="Nowhere").status_code == 422
    assert search(city, "analyst").status_code == 403  # analysts do not search the archive


def test_a_line_drawn_after_the_fact(city: City) -> None:
    r = search(city, "oper", camera_id="street-1", line="300,100,300,500", in_point="400,300")
    (item,) = r.json()["items"]
    assert item["crossings"] == [{"at": item["at"], "direction": "out"}]
    assert item["at"] == (DAY + timedelta(seconds=4005)).isoformat().replace("+00:00", "Z")
    assert (
        refs(
            search(
                city,
                "oper",
                camera_id="street-1",
                line="300,100,300,500",
                in_point="400,300",
                direction="in",
            )
        )
        == []
    )
    zone = search(
        city,
        "oper",
        camera_id="school-1",
        zone="250,250,350,250,350,350,250,350",
        trajectory="true",
    )
    assert refs(zone) == [("school-1", 2), ("school-1", 1)]
    assert zone.json()["items"][0]["trajectory"] == [[100, 300, 0], [500, 300, 10000]]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"camera_id": "nope"}, "query.camera_id"),
        ({"since": (DAY + timedelta(days=1)).isoformat(), "until": DAY.isoformat()}, "query.until"),
        ({"until": (DAY + timedelta(days=60)).isoformat()}, "query.until"),
        ({"line": "1,2,3"}, "query.line"),
        ({"line": "1,2,3,x"}, "query.line"),
        ({"line": "10,10,10,10", "camera_id": "school-1"}, "query.line"),
        ({"line": "0,0,100,100"}, "query.line"),  # no camera named
        ({"zone": "0,0,1,1", "camera_id": "school-1"}, "query.zone"),
        ({"area": "91,0;0,0;0,1"}, "query.area"),
        ({"attr": "hat:red"}, "query.attr"),
        ({"attr": "red"}, "query.attr"),
        ({"cursor": "garbage"}, "query.cursor"),
        ({"limit": "0"}, "query.limit"),
        ({"since": "yesterday"}, "query.since"),
    ],
)
def test_bad_input_is_a_clear_error(city: City, params: dict[str, str], field: str) -> None:
    r = search(city, "oper", **params)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "validation_error" and body["fields"][0]["field"] == field
    assert "Traceback" not in r.text


def test_snapshots_are_blurred_without_biometric_clearance(city: City) -> None:
    item = search(city, "oper", camera_id="school-1", attr="upper_colour:red").json()["items"][0]
    url = item["snapshot_url"]
    calls = FakeFaces.calls
    plain = city.client.get(url, headers=city.h("inv"))
    assert plain.status_code == 200 and plain.content == _jpeg() and FakeFaces.calls == calls
    blurred = city.client.get(url, headers=city.h("oper"))
    assert blurred.status_code == 200 and FakeFaces.calls == calls + 1
    assert blurred.headers["content-type"] == "image/jpeg"
    other = search(city, "oper", camera_id="traffic-1").json()["items"][0]["snapshot_url"]
    assert city.client.get(other, headers=city.h("school")).status_code == 404  # out of scope
    assert (
        city.client.get("/api/archive/tracks/x/snapshot", headers=city.h("oper")).status_code == 404
    )


def test_tracks_of_a_face(city: City) -> None:
    assert city.faces is not None
    t = HashPhotoEmbedder().enrol(b"face-1").template
    assert t is not None
    city.faces.sightings.record(
        Sighting("street-1", 5, DAY + timedelta(seconds=4003), (1, 2, 3, 4), 0.8, t)
    )
    form = DAY_Q | {"cameras": "street-1"}
    photo = {"photo": ("q.jpg", b"face-1", "image/jpeg")}
    post = city.client.post
    assert (
        post("/api/archive/tracks/face", headers=city.h("inv"), data=form, files=photo).status_code
        == 422
    )  # no reason
    r = post("/api/archive/tracks/face", headers=city.h("inv"), data=form | WHY, files=photo)
    assert refs(r) == [("street-1", 5)]
    item = r.json()["items"][0]
    assert item["face_score"] > 0.99
    assert item["at"] == (DAY + timedelta(seconds=4003)).isoformat().replace("+00:00", "Z")
    assert (
        post(
            "/api/archive/tracks/face", headers=city.h("oper"), data=form | WHY, files=photo
        ).status_code
        == 403
    )


def test_without_an_index_the_routes_answer_503(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'k.db'}")
    svc = AccessService(store.engine, cheap_config())
    svc.seed_agencies()
    app = create_app(
        store=store, blobs=LocalBlobStore(tmp_path), bus=(bus := MemoryBus()), access=svc
    )
    with TestClient(app, base_url="https://testserver") as client:
        c = City(svc, store, LocalBlobStore(tmp_path), bus, app, client)
        c.user("oper", "situation-centre", Role.OPERATOR)
        r = client.get("/api/archive/tracks", headers=c.h("oper"), params=DAY_Q)
        assert r.status_code == 503 and r.json()["error"] == "archive_disabled"
    bus.close()
    store.close()


def test_an_unreachable_s3_index_is_a_503_naming_it(city: City, tmp_path: Path) -> None:
    """The index on S3 and nothing listening there: every route says which storage failed,
    in the API's one error shape, never a traceback."""
    import socket

    from kuzet.archive.s3 import S3Layout

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    lay = S3Layout(bucket="kuzet-index", spool=tmp_path / "spool", prefix="idx",
                   endpoint=f"http://127.0.0.1:{port}", access_key="k", secret_key="s",
                   timeout_s=1.0)  # fmt: skip
    city.app.state.kuzet.archive = TrackIndex(lay)
    where = f"track index storage s3://kuzet-index/idx at http://127.0.0.1:{port}"
    search_ref = "school-1:1796518800000000:1:0"
    for r in (
        search(city, "oper", attr="upper_colour:red"),
        search(city, "oper", camera_id="street-1", line="300,100,300,500"),
        city.client.get(
            "/api/archive/info", headers=city.h("oper"), params={"camera_id": "school-1"}
        ),
        city.client.get(f"/api/archive/tracks/{search_ref}/snapshot", headers=city.h("inv")),
    ):
        assert r.status_code == 503, (r.status_code, r.text)
        body = r.json()
        assert body["error"] == "archive_unavailable" and body["message"].startswith(where)
        assert "Traceback" not in r.text


def test_openapi_contract_of_the_archive_routes(city: City) -> None:
    """Schemathesis over /api/archive/*: random input never gives a 5xx or a body that
    breaks the schema (the index holds rows, so searches really run)."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis import Case
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    schema = schemathesis.openapi.from_asgi("/openapi.json", city.app)
    ops = [r.ok() for r in schema.get_all_operations()]
    ops = [op for op in ops if op.path.startswith("/api/archive")]
    assert len(ops) == 4
    failures: dict[str, str] = {}
    for op in ops:

        @given(case=op.as_strategy())
        @settings(max_examples=60, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), database=None)  # fmt: skip
        def run(case: Case) -> None:
            case.call_and_validate(
                headers=city.h("inv"), excluded_checks=[positive_data_acceptance]
            )

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:
            failures[op.label] = str(exc)[:2000]
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())


def test_info_gives_a_cameras_analysed_picture_size(city: City) -> None:
    """The search screen draws lines and zones on a picture of another size (a recording's
    thumbnail, the live view): it scales them to the size the stored tracks were analysed at."""

    def info(who: str, **params: str) -> Any:
        return city.client.get("/api/archive/info", headers=city.h(who), params=params)

    r = info("oper", camera_id="school-1")
    assert r.status_code == 200, r.text
    assert r.json()["frame"] == {"width": 768, "height": 576}
    assert info("oper").json()["frame"] is None  # no camera asked
    city.store.upsert_camera(CameraInfo(id="idle-1", category="school", main_url="file:d.mp4"))
    assert info("oper", camera_id="idle-1").json()["frame"] is None  # nothing stored yet
    bad = info("school", camera_id="traffic-1")  # outside the caller's scope reads as unknown
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "query.camera_id"
