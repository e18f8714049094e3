"""Bad recording settings are clear errors naming the line and field, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kuzet.cli import app
from kuzet.config import ConfigError, parse_site
from kuzet.config.record import RecordMode

CAM = "cameras:\n  - {id: cam-1, main_url: a.mp4, category: school}\n"


def problems(record: str) -> str:
    with pytest.raises(ConfigError) as err:
        parse_site("record:\n" + record + CAM)
    return str(err.value)


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ("  segment_s: 0.5\n", "line 2: record.segment_s"),
        ("  mode: sometimes\n", "line 2: record.mode"),
        ("  volume: nas\n", "record.volume: unknown volume 'nas'"),
        ("  cameras: {cam-9: {days: 3}}\n", "record.cameras.cam-9: no camera with that id"),
        ("  categories: {schools: {days: 3}}\n", "record.categories.schools: unknown category"),
        ("  cameras: {cam-1: {volume: nas}}\n", "cameras.cam-1.volume: unknown volume 'nas'"),
        ("  volumes: {city: {type: s3, bucket: My_Bucket}}\n", "line 2: record.volumes.city"),
        ("  volumes: {city: {type: s3, bucket: kuzet, access_key: k}}\n",
         "give both access_key and secret_key"),
        ("  volumes: {city: {type: s3, bucket: kuzet, endpoint: 'minio:9000'}}\n",
         "endpoint must start with http:// or https://"),
        ("  volumes: {city: {type: nfs}}\n", "record.volumes.city"),
        ("  days: -1\n", "line 2: record.days"),
    ],
)  # fmt: skip
def test_bad_record_settings(record: str, expected: str) -> None:
    msg = problems(record)
    assert expected in msg, msg
    assert "Traceback" not in msg


def test_overrides_resolve_camera_over_category_over_defaults() -> None:
    site = parse_site(
        "record:\n  mode: motion\n  days: 7\n  categories: {school: {days: 30, mode: off}}\n"
        "  cameras: {cam-1: {mode: continuous}}\n" + CAM
    )
    st = site.record.for_camera("cam-1", "school")
    assert (st.mode, st.days, st.segment_s) == (RecordMode.CONTINUOUS, 30, 10.0)
    assert site.record.for_camera("other", "school").mode is RecordMode.OFF  # YAML's bare off
    assert site.record.for_camera("other", "traffic").mode is RecordMode.MOTION


def test_serve_with_an_unusable_volume_exits_2_without_traceback(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the recordings folder should be")
    site = tmp_path / "site.yaml"
    site.write_text(
        f"data_dir: {tmp_path / 'var'}\n"
        f"store: {{url: 'sqlite:///{tmp_path / 'k.db'}'}}\n"
        "access: {embedded_keys: true}\n"
        f"record: {{enabled: true, volumes: {{default: {{type: local, path: '{blocker}/rec'}}}}}}\n"
        "cameras: [{id: cam-1, main_url: a.mp4}]\n"
    )
    res = CliRunner().invoke(app, ["serve", "--site", str(site)])
    assert res.exit_code == 2, res.output
    assert "recording storage: volume 'default': cannot create" in res.output
    assert "Traceback" not in res.output


def test_the_demo_records_its_main_streams_within_a_bound() -> None:
    import av

    from kuzet.demo import RECORD_QUOTA_GB, demo_site

    site = demo_site(4)
    assert site.record.enabled and site.record.days == 1
    assert site.record.volumes["default"].quota_gb == RECORD_QUOTA_GB == 2.0  # type: ignore[union-attr]
    for cam in site.cameras:  # main stream recorded (H.264), the sub stream analysed
        assert cam.sub_url is not None and cam.sub_url.endswith("vtest.avi")
    with av.open(site.cameras[0].main_url) as c:
        assert c.streams.video[0].codec_context.name == "h264"
        # the whole footage: every one of vtest.avi's 795 frames
        assert sum(1 for p in c.demux(c.streams.video[0]) if p.size) == 795
