"""The site's vehicles section: strict, and its files checked when the site is loaded."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from kuzet.cli import app

runner = CliRunner()


def check(site: Path, text: str) -> tuple[int, str]:
    site.write_text(text)
    res = runner.invoke(app, ["config", "check", str(site)])
    assert "Traceback" not in res.output
    return res.exit_code, res.output


def test_missing_make_model_files_are_named_with_their_line(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    model, labels = tmp_path / "mm.onnx", tmp_path / "mm.txt"
    text = f"vehicles:\n  enabled: true\n  make_model:\n    model: {model}\n    labels: {labels}\n"
    code, out = check(site, text)
    assert code == 2, out
    assert f"line 4: vehicles.make_model.model: no such file: {model}" in out
    assert f"line 5: vehicles.make_model.labels: no such file: {labels}" in out
    model.write_bytes(b"x")
    labels.write_text("Lada|Granta\n")
    code, out = check(site, text)
    assert code == 0, out  # a broken model is refused at start-up (tests/vehicles/test_make_model)


def test_unknown_keys_and_bad_values_are_refused(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    code, out = check(site, "vehicles:\n  enabled: true\n  colour_model: x\n")
    assert code == 2 and "line 3: vehicles.colour_model" in out
    code, out = check(site, "vehicles:\n  looks: 0\n")
    assert code == 2 and "line 2: vehicles.looks" in out
    code, out = check(
        site, "vehicles:\n  make_model:\n    model: a\n    labels: b\n    std: [0.2, 0, 0.2]\n"
    )
    assert code == 2 and "std values must not be 0" in out
    code, out = check(site, "vehicles:\n  types: {car: ''}\n")
    assert code == 2 and "vehicles.types" in out


def test_serve_with_a_broken_make_model_slot_exits_2_without_traceback(tmp_path: Path) -> None:
    model, labels = tmp_path / "mm.onnx", tmp_path / "mm.txt"
    model.write_bytes(b"not a model")
    labels.write_text("Lada|Granta\n")
    site = tmp_path / "site.yaml"
    site.write_text(
        f"data_dir: {tmp_path / 'var'}\n"
        f"store: {{url: 'sqlite:///{tmp_path / 'k.db'}'}}\n"
        "access: {embedded_keys: true}\n"
        f"vehicles: {{enabled: true, make_model: {{model: '{model}', labels: '{labels}'}}}}\n"
        "cameras: [{id: cam-1, main_url: a.mp4}]\n"
    )
    res = runner.invoke(app, ["serve", "--site", str(site)])
    assert res.exit_code == 2, res.output
    assert f"vehicles.make_model.model: {model} is not a usable ONNX model" in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
