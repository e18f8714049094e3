"""``kuzet rules``: check a scene file, replay recorded tracks through its rules."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

rules_app = typer.Typer(help="Scene rules: zones, lines, schedules; replay tracks without video.")


def _scene(path: Path):  # type: ignore[no-untyped-def]
    from kuzet.config import ConfigError
    from kuzet.rules.replay import load_scene

    try:
        return load_scene(path)
    except ConfigError as exc:
        typer.secho(f"kuzet: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from None


@rules_app.command("check")
def check(scene: Annotated[Path, typer.Argument(help="scene YAML file")]) -> None:
    """Validate a scene file; errors name the field and the line."""
    cfg = _scene(scene)
    kinds = Counter(r.type for r in cfg.rules)
    typer.echo(f"{scene}: ok ({len(cfg.zones)} zones, {len(cfg.lines)} lines, rules {dict(kinds)})")


@rules_app.command("replay")
def replay_cmd(
    tracks: Annotated[Path, typer.Argument(help="MOTChallenge .txt or Kuzet .jsonl tracks")],
    scene: Annotated[Path, typer.Option(help="scene YAML file")],
    fps: Annotated[float, typer.Option(help="frame rate of the frame numbers", min=0.001)],
    out: Annotated[Path, typer.Option("--out", "-o", help="events as JSON lines")] = Path(
        "events.jsonl"
    ),
    start: Annotated[
        str | None, typer.Option(help="wall time of frame 1, ISO 8601 (schedules use it)")
    ] = None,
    camera: Annotated[str, typer.Option(help="camera id written into events")] = "replay",
    mot_classes: Annotated[
        bool, typer.Option(help="class column holds MOT17 classes (1 = pedestrian)")
    ] = False,
    flush: Annotated[bool, typer.Option(help="end open episodes at the end")] = True,
) -> None:
    """Run a scene's rules over recorded tracks and write the events."""
    from kuzet.rules.replay import read_tracks, replay

    cfg = _scene(scene)
    if not tracks.exists():
        typer.secho(f"kuzet: tracks not found: {tracks}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2)
    t0 = 0.0
    if start:
        try:
            t0 = datetime.fromisoformat(start).timestamp()
        except ValueError:
            typer.secho(f"kuzet: --start: not ISO 8601: {start}", err=True, fg=typer.colors.RED)
            raise typer.Exit(2) from None
    counts: Counter[str] = Counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with out.open("w", encoding="utf-8") as fh:
            for ev in replay(
                cfg,
                read_tracks(tracks, mot_classes=mot_classes),
                fps,
                camera_id=camera,
                start_time=t0,
                flush=flush,
            ):
                fh.write(json.dumps(ev.model_dump(mode="json")) + "\n")
                key = f"{ev.type}/{ev.phase}"
                if ev.type == "line_crossing":
                    key += f"/{ev.attributes['direction']}"
                counts[f"{ev.rule} {key}"] += 1
    except ValueError as exc:
        typer.secho(f"kuzet: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from None
    for k in sorted(counts):
        typer.echo(f"{k}: {counts[k]}")
    typer.echo(f"{sum(counts.values())} events -> {out}")
