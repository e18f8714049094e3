from pathlib import Path

from typer.testing import CliRunner

from kuzet.cli import app

runner = CliRunner()


def test_help_lists_commands() -> None:
    out = runner.invoke(app, ["--help"]).output
    for cmd in ("analyze", "detect", "models", "serve", "demo", "assets", "config"):
        assert cmd in out


def test_config_check_reports_line_not_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "site.yaml"
    bad.write_text("cameras:\n  - id: a\n    main_url: x\n    fps: -1\n")
    res = runner.invoke(app, ["config", "check", str(bad)])
    assert res.exit_code == 2
    assert "line 4: cameras[0].fps" in res.output
    assert "Traceback" not in res.output
    good = tmp_path / "ok.yaml"
    good.write_text("cameras:\n  - id: a\n    main_url: x.mp4\n")
    res = runner.invoke(app, ["config", "check", str(good)])
    assert res.exit_code == 0 and "1 cameras" in res.output


def test_detect_unreadable_image_is_a_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "x.jpg"
    junk.write_bytes(b"junk")
    res = runner.invoke(app, ["detect", str(junk)])
    assert res.exit_code == 2 and "cannot read image" in res.output


def test_analyze_missing_file(tmp_path: Path) -> None:
    res = runner.invoke(app, ["analyze", str(tmp_path / "none.mp4"), "--out", str(tmp_path / "e")])
    assert res.exit_code == 2 and "video not found" in res.output
