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


def test_config_check_rejects_a_missing_yolo_model(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(f"site: x\ndetector:\n  type: yolo\n  model: {tmp_path / 'none.onnx'}\n")
    res = runner.invoke(app, ["config", "check", str(site)])
    assert res.exit_code == 2, res.output
    assert f"line 4: detector.model: no such file: {tmp_path / 'none.onnx'}" in res.output
    folder = tmp_path / "models"
    folder.mkdir()
    site.write_text(f"detector: {{type: yolo, model: {folder}}}\n")
    res = runner.invoke(app, ["config", "check", str(site)])
    assert res.exit_code == 2 and "detector.model: is a folder, not a model file" in res.output
    site.write_text(f"detector: {{type: nanodet, model: {tmp_path / 'nanodet-320.onnx'}}}\n")
    res = runner.invoke(app, ["config", "check", str(site)])
    assert res.exit_code == 2 and "line 1: detector.model: no such file" in res.output


def test_detect_with_a_broken_model_is_a_clear_error(tmp_path: Path) -> None:
    model = tmp_path / "broken.onnx"
    model.write_bytes(b"not a model")
    site = tmp_path / "site.yaml"
    site.write_text(f"detector: {{type: yolo, model: {model}}}\n")
    image = tmp_path / "img.png"
    import cv2
    import numpy as np

    cv2.imwrite(str(image), np.zeros((32, 32, 3), np.uint8))
    res = runner.invoke(app, ["detect", str(image), "--site", str(site)])
    assert res.exit_code == 2, res.output
    assert f"cannot load the detector model {model}" in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)


def test_serve_with_a_broken_model_is_a_clear_error(tmp_path: Path) -> None:
    """The detector loads before anything starts: a clear error, no traceback."""
    model = tmp_path / "broken.onnx"
    model.write_bytes(b"not a model")
    site = tmp_path / "site.yaml"
    site.write_text(
        f"data_dir: {tmp_path / 'var'}\naccess: {{embedded_keys: true}}\n"
        f"detector: {{type: yolo, model: {model}}}\n"
    )
    res = runner.invoke(app, ["serve", "--site", str(site)])
    assert res.exit_code == 2, res.output
    assert f"cannot load the detector model {model}" in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
