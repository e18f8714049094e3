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
