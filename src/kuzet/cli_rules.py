"""``kuzet rules``: check a scene file, replay recorded tracks through its rules."""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from kuzet.config.rules import SceneRuleSetConfig

rules_app = typer.Typer(help="Scene rules: zones, lines, schedules; replay tracks without video.")


def _scene(path: Path):  # type: ignore[no-untyped-def]
    from kuzet.config import ConfigError
    from kuzet.rules.replay import load_scene

    try:
        return load_scene(path)
    except ConfigError as exc:
        raise _fail(str(exc)) from None


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
    """Run a scene's rules over recorded tracks and write the events.

    The events go to a temporary file beside ``--out`` that replaces it only once the
    whole replay succeeded: a failed run leaves an existing ``--out`` as it was.
    """
    from kuzet.rules.replay import TrackFile, TrackFileError, replay

    cfg = _scene(scene)
    t0 = 0.0
    if start:
        try:
            t0 = datetime.fromisoformat(start).timestamp()
        except ValueError:
            raise _fail(f"--start: not ISO 8601: {start}") from None
    try:
        source = TrackFile(tracks, mot_classes=mot_classes)
        summary = source.scan()
    except TrackFileError as exc:
        raise _fail(str(exc)) from None
    problems = [f"{scene}: rules[{i}] ({cfg.rules[i].name}).{msg}"
                for i, msg in cfg.frame_problems(fps, summary.step)]  # fmt: skip
    if problems:
        raise _fail("\n".join(problems))
    _check_classes(cfg, summary.classes, tracks)
    counts: Counter[str] = Counter()
    with _replacing(out) as fh:
        try:
            events = replay(cfg, source, fps, camera_id=camera, start_time=t0, flush=flush)
            for ev in events:
                fh.write(json.dumps(ev.model_dump(mode="json")) + "\n")
                key = f"{ev.type}/{ev.phase}"
                if ev.type == "line_crossing":
                    key += f"/{ev.attributes['direction']}"
                counts[f"{ev.rule} {key}"] += 1
        except TrackFileError as exc:
            raise _fail(str(exc)) from None
    for k in sorted(counts):
        typer.echo(f"{k}: {counts[k]}")
    typer.echo(f"{sum(counts.values())} events -> {out}")


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.secho(f"kuzet: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


def _check_classes(cfg: SceneRuleSetConfig, seen: Counter[str], tracks: Path) -> None:
    """Tracks of none of the classes the rules watch: zero events would look like a result."""
    watched = sorted({c for r in cfg.rules for c in r.classes})
    if not seen:
        raise _fail(f"{tracks}: no tracks in the file")
    if not any(name in watched for name in seen):
        held = ", ".join(f"{name} ({n} rows)" for name, n in seen.most_common())
        raise _fail(
            f"{tracks}: no track of the classes the rules watch ({', '.join(watched)}); "
            f"the tracks hold: {held}"
            + ("" if any(n.startswith("MOT") for n in seen) else
               " (MOT17 ground truth? add --mot-classes)")
        )  # fmt: skip


@contextmanager
def _replacing(out: Path) -> Iterator[IO[str]]:
    """A temporary file beside ``out``, moved over it only when the block succeeds."""
    if out.is_dir():
        raise _fail(f"--out {out}: is a folder")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    except OSError as exc:
        raise _fail(f"--out {out}: cannot write there: {exc.strerror}") from None
    ok = False
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            yield fh
        os.replace(tmp, out)
        ok = True
    except OSError as exc:
        raise _fail(f"--out {out}: cannot write: {exc.strerror}") from None
    finally:
        if not ok:
            Path(tmp).unlink(missing_ok=True)
