"""``kuzet drones``: place a recorded flight's detections on the map; compare two flights."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from kuzet.config.drones import DroneConfig
    from kuzet.drones.telemetry import Telemetry

drones_app = typer.Typer(help="Drones: moving cameras placed on the map by their telemetry.")


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.secho(f"kuzet: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


def _drone(site: Path, drone_id: str) -> tuple[DroneConfig, object]:
    from kuzet.config import ConfigError, load_site

    try:
        cfg = load_site(site)
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    for d in cfg.drones:
        if d.id == drone_id:
            return d, cfg.detector
    known = ", ".join(d.id for d in cfg.drones) or "none"
    raise _fail(f"{site}: no drone {drone_id!r} (drones: {known})")


def _telemetry(path: str) -> Telemetry:
    from kuzet.drones import TelemetryError
    from kuzet.drones.mavlink import read_mavlink

    try:
        return read_mavlink(path)
    except TelemetryError as exc:
        raise _fail(f"telemetry: {exc}") from None


def _tlog(drone: DroneConfig, override: Path | None) -> str:
    if override is not None:
        return str(override)
    if drone.telemetry.type != "mavlink":
        raise _fail(f"drone {drone.id}: give --telemetry FILE.tlog (its feed is live MQTT)")
    return drone.telemetry.url


@drones_app.command("analyze")
def analyze(
    site: Annotated[Path, typer.Argument(help="site file with a drones: list")],
    drone_id: Annotated[str, typer.Argument(help="which drone")],
    telemetry: Annotated[
        Path | None, typer.Option(help=".tlog of this flight (default: the site file's)")
    ] = None,
    video: Annotated[str | None, typer.Option(help="video of this flight (default: url)")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="events as JSON lines")] = Path(
        "drone-events.jsonl"
    ),
    fps: Annotated[float, typer.Option(help="frames analysed per second", min=0.1)] = 5.0,
) -> None:
    """Detect in a recorded flight and place each tracked object on the map (flat ground)."""
    from kuzet.drones.flight import analyze_flight
    from kuzet.vision import create_detector

    drone, det_cfg = _drone(site, drone_id)
    if video is not None:
        drone = drone.model_copy(update={"url": video})
    tel = _telemetry(_tlog(drone, telemetry))
    try:
        detector = create_detector(det_cfg)  # type: ignore[arg-type]
    except Exception as exc:  # ONNX Runtime's errors share no base class
        raise _fail(f"cannot load the detector: {exc}") from None
    try:
        res = analyze_flight(drone, tel, detector, fps=fps)
    except RuntimeError as exc:
        raise _fail(str(exc)) from None
    with out.open("w") as fh:
        for e in res.events:
            fh.write(e.model_dump_json() + "\n")
    typer.echo(
        f"{drone.id}: {res.frames} frames, {len(res.events)} events placed (flat ground), "
        f"{res.frames_without_telemetry} frames without telemetry, {res.off_ground} "
        f"objects above the horizon or too far -> {out}"
    )
    for line in res.telemetry_errors[:3]:
        typer.echo(f"  {line}", err=True)


@drones_app.command("compare")
def compare(
    site: Annotated[Path, typer.Argument(help="site file with a drones: list")],
    drone_id: Annotated[str, typer.Argument(help="which drone's camera geometry")],
    before_video: Annotated[str, typer.Option(help="first flight's video")],
    before_telemetry: Annotated[Path, typer.Option(help="first flight's .tlog")],
    after_video: Annotated[str, typer.Option(help="second flight's video")],
    after_telemetry: Annotated[Path, typer.Option(help="second flight's .tlog")],
    out: Annotated[Path, typer.Option("--out", "-o", help="folder: events.jsonl + crops")] = Path(
        "drone-changes"
    ),
    every_s: Annotated[float, typer.Option(help="one frame every N seconds", min=0.1)] = 1.0,
) -> None:
    """New things on the ground between two flights over one area, with before/after crops."""
    from datetime import UTC, datetime

    from kuzet.drones.change_events import change_events
    from kuzet.drones.compare import compare_flights, passes_from_flight
    from kuzet.store.blobs import LocalBlobStore

    drone, _ = _drone(site, drone_id)
    before = passes_from_flight(drone, before_video, _telemetry(str(before_telemetry)),
                                every_s=every_s)  # fmt: skip
    after = passes_from_flight(drone, after_video, _telemetry(str(after_telemetry)),
                               every_s=every_s)  # fmt: skip
    if not before or not after:
        raise _fail("no frame of one flight could be placed (video or telemetry empty?)")
    results = compare_flights(before, after)
    if not results:
        raise _fail("the two flights do not look at the same ground (no frames within 20 m)")
    out.mkdir(parents=True, exist_ok=True)
    blobs = LocalBlobStore(out)
    ts = datetime.fromtimestamp(after[0].view.pose.t, UTC)
    events = [
        e
        for r in results
        for e in change_events(
            drone.id,
            Path(before_video).name,
            Path(after_video).name,
            r,
            ts,
            blobs,
            district=drone.district,
            category=drone.category,
        )
    ]
    with (out / "events.jsonl").open("w") as fh:
        for e in events:
            fh.write(json.dumps(e.model_dump(mode="json")) + "\n")
    regs = sorted({r.registration for r in results})
    typer.echo(
        f"{drone.id}: {len(results)} frame pairs compared (registration: {', '.join(regs)}), "
        f"{len(events)} changes -> {out / 'events.jsonl'}"
    )
