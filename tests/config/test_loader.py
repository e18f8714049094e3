import pytest

from kuzet.config import ConfigError, load_site, parse_site

GOOD = """
site: almaty
detector:
  type: nanodet
  input_size: 416
cameras:
  - id: cam-1
    category: school
    district: Bostandyk
    latitude: 43.2
    longitude: 76.9
    main_url: rtsp://admin:${CAM_PASS}@10.0.0.5/main
    rules:
      - type: scene
        name: yard
        zones: [{name: yard, points: [[0, 0], [100, 0], [100, 100]]}]
        rules: [{type: intrusion, name: in_yard, zone: yard}]
"""


def test_good_file_interpolates_secrets_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAM_PASS", "s3cret")
    site = parse_site(GOOD)
    assert site.cameras[0].main_url == "rtsp://admin:s3cret@10.0.0.5/main"
    assert site.cameras[0].rules[0].name == "yard"


def test_missing_secret_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAM_PASS", raising=False)
    with pytest.raises(ConfigError, match="CAM_PASS is not set"):
        parse_site(GOOD)


def test_env_override_of_nested_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAM_PASS", "x")
    monkeypatch.setenv("KUZET_STORE__URL", "postgresql+psycopg://u:p@db/kuzet")
    assert parse_site(GOOD).store.url.startswith("postgresql")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "cameras:\n  - id: a\n    main_url: x\n    latitude: 123\n",
            "line 4: cameras[0].latitude",
        ),
        ("detector:\n  type: tpu\n", "line 2: detector"),
        ("cameras:\n  - id: a\n    main_url: x\n    colour: red\n", "line 4: cameras[0].colour"),
        ("cameras:\n  - id: a\n  - id: b\n    main_url: y\n", "line 2: cameras[0].main_url"),
        ("site: [unclosed\n", "YAML syntax error"),
        ("- just\n- a list\n", "must be a mapping"),
        ("cameras:\n  - {id: a, main_url: x}\n  - {id: a, main_url: y}\n", "appears twice"),
    ],
)
def test_bad_files_name_field_and_line(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_site(text, "site.yaml")
    assert expected in str(info.value)
    assert "Traceback" not in str(info.value)


def test_missing_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="file not found"):
        load_site(tmp_path / "nope.yaml")


def test_example_site_file_in_deploy_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    monkeypatch.setenv("CAM_0001_PASSWORD", "x")
    site = load_site(Path(__file__).parents[2] / "deploy" / "site.example.yaml")
    assert site.cameras[0].sub_url is not None and site.cameras[0].rules


def test_a_line_that_forgets_between_two_frames_is_an_error() -> None:
    text = (
        "analysis: {fps: 5}\n"
        "cameras:\n"
        "  - id: a\n"
        "    main_url: x.mp4\n"
        "    rules:\n"
        "      - type: scene\n"
        "        lines: [{name: l, points: [[0, 0], [0, 100]], in_point: [10, 50]}]\n"
        "        rules:\n"
        "          - type: line_crossing\n"
        "            name: count\n"
        "            line: l\n"
        "            forget_after_s: 0.1\n"
    )
    with pytest.raises(ConfigError) as info:
        parse_site(text, "site.yaml")
    assert (
        "line 12: cameras[0].rules[0].rules[0] (count).forget_after_s: 0.1 s is shorter than "
        "one frame (0.2 s at 5 fps)" in str(info.value)
    )
    assert parse_site(text.replace("fps: 5", "fps: 10")).cameras[0].fps is None  # 0.1 s: ok


def test_env_override_of_a_list_inside_a_tagged_union(monkeypatch: pytest.MonkeyPatch) -> None:
    """City scale from the environment: switch the bus to NATS and give it two servers
    (a JSON list, as pydantic-settings reads complex values)."""
    monkeypatch.setenv("CAM_PASS", "x")
    monkeypatch.setenv("KUZET_BUS__TYPE", "nats")
    monkeypatch.setenv("KUZET_BUS__SERVERS", '["nats://10.0.0.1:4222", "nats://10.0.0.2:4222"]')
    bus = parse_site(GOOD).bus
    assert bus.type == "nats"
    assert bus.servers == ["nats://10.0.0.1:4222", "nats://10.0.0.2:4222"]  # type: ignore[union-attr]


def test_env_overrides_win_over_the_file_and_keep_its_other_fields(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CAM_PASS", "x")
    monkeypatch.setenv("kuzet_detector__input_size", "320")  # names are case-insensitive
    site = parse_site(GOOD)
    assert site.detector.input_size == 320 and site.detector.type == "nanodet"
    assert site.cameras[0].id == "cam-1"


def test_bad_env_override_names_the_variable_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAM_PASS", "x")
    monkeypatch.setenv("KUZET_API__PORT", "99999")
    with pytest.raises(ConfigError, match=r"api\.port: Input should be less than"):
        parse_site(GOOD, "site.yaml")
    monkeypatch.delenv("KUZET_API__PORT")
    monkeypatch.setenv("KUZET_STORE__URLL", "sqlite:///x.db")  # a typo must not pass silently
    with pytest.raises(ConfigError, match=r"store\.urll: Extra inputs are not permitted"):
        parse_site(GOOD, "site.yaml")
    monkeypatch.delenv("KUZET_STORE__URLL")
    monkeypatch.setenv("KUZET_BUS__TYPE", "nats")
    monkeypatch.setenv("KUZET_BUS__SERVERS", "nats://10.0.0.1:4222")  # not JSON
    with pytest.raises(ConfigError, match=r"environment: .*\"bus\".*lists and mappings are JSON"):
        parse_site(GOOD, "site.yaml")
