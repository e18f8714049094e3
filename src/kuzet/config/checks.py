"""What a valid site file can still get wrong: files it names, settings that cannot work
at the camera's frame rate. Checked when a site file is loaded, so ``kuzet config check``
says it (with the line) instead of ``kuzet detect`` or ``serve`` failing later."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kuzet.config.models import SiteConfig
from kuzet.config.rules import SceneRuleSetConfig

Loc = tuple[Any, ...]


def _model_file(value: str | Path) -> str | None:
    p = Path(value)
    if p.is_dir():
        return "is a folder, not a model file"
    if not p.is_file():
        return f"no such file: {p} (relative paths start from {Path.cwd()})"
    return None


def site_problems(site: SiteConfig) -> list[tuple[Loc, str]]:
    """(location in the site data, message) of each problem; empty when none."""
    out: list[tuple[Loc, str]] = []
    det = site.detector
    path_like = det.type == "yolo" or str(det.model).endswith(".onnx") or "/" in str(det.model)
    problem = _model_file(det.model) if path_like else None
    if problem:
        out.append((("detector", "model"), problem))
    mm = site.vehicles.make_model
    if mm is not None:
        for key, path in (("model", mm.model), ("labels", mm.labels)):
            if problem := _model_file(path):
                out.append((("vehicles", "make_model", key), problem))
    for c, cam in enumerate(site.cameras):
        fps = cam.fps or site.analysis.fps
        for r, rules in enumerate(cam.rules):
            if not isinstance(rules, SceneRuleSetConfig):
                continue
            for k, msg in rules.frame_problems(fps):
                name = rules.rules[k].name
                field, _, text = msg.partition(": ")
                out.append((("cameras", c, "rules", r, "rules", k, f"({name})", field), text))
    return out


def describe(loc: Loc, message: str, lines: dict[Loc, int]) -> str:
    """``line N: a[0].b (name).c: message``, the line of the deepest key the file has."""
    keys = tuple(p for p in loc if not (isinstance(p, str) and p.startswith("(")))
    line = None
    while keys and line is None:
        line, keys = lines.get(keys), keys[:-1]
    field = ""
    for p in loc:
        if isinstance(p, int):
            field += f"[{p}]"
        elif p.startswith("("):
            field += f" {p}"
        else:
            field += f".{p}" if field else p
    return f"{f'line {line}: ' if line else ''}{field}: {message}"
