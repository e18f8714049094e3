"""``kuzet cluster run|status``: the city on a Ray cluster. Ray is imported only here,
inside the commands, so the rest of the CLI (and ``kuzet demo``) never loads it."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

cluster_app = typer.Typer(
    help="Run camera shards on a Ray cluster (the cluster extra installs Ray)."
)


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.secho(f"kuzet: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise _fail("kuzet cluster needs Ray: pip install 'kuzet[cluster]'") from None
    return ray


def _connect(address: str | None) -> Any:
    ray = _ray()
    try:
        ray.init(
            address=address,
            namespace="kuzet",
            include_dashboard=False,
            log_to_driver=False,
            logging_level="WARNING",
        )
    except (ConnectionError, RuntimeError) as exc:
        raise _fail(f"cannot reach the Ray cluster at {address or 'auto'}: {exc}") from None
    return ray


def format_status(st: dict[str, Any]) -> str:
    """One line per shard and one for the sink: what an operator scans first."""
    lines = []
    for s in st["shards"]:
        m = s.get("metrics") or {}
        if "error" in m:
            perf = f"unreachable ({m['error']})"
        else:
            analysed = sum((m.get("analysed") or {}).values())
            perf = (
                f"analysed {analysed} frames, {m.get('events', 0)} events, "
                f"{m.get('dropped', 0)} dropped, latency {m.get('latency_s', 0)}s"
            )
            blobs = m.get("blobs") or {}
            if blobs.get("type") == "s3":  # S3 down: snapshots wait in the spool, or go
                perf += (
                    f"; snapshots {blobs.get('spool_count', 0)} spooled, "
                    f"{blobs.get('dropped', 0)} dropped"
                )
        node = (s.get("node_id") or "-")[:12]
        lines.append(
            f"{s['shard']}: {len(s['cameras'])} cameras on node {node}, "
            f"restarts {s['restarts']}; {perf}"
        )
    sink = st.get("sink") or {}
    if "error" in sink:
        lines.append(f"sink: unreachable ({sink['error']})")
    else:
        lines.append(
            f"sink: stored {sink.get('stored')}, duplicates {sink.get('duplicates')}, "
            f"errors {sink.get('errors')}, lag {sink.get('lag_s', 0):.2f}s, "
            f"pending on the bus {sink.get('pending')}"
        )
    return "\n".join(lines)


@cluster_app.command("run")
def run(
    site: Annotated[Path, typer.Argument(help="site YAML file (bus nats, store postgresql)")],
    shards: Annotated[int, typer.Option(min=1, help="camera shards (Ray actors)")] = 2,
    address: Annotated[
        str | None, typer.Option(help="Ray address; default: start one here")
    ] = None,
    shard_cpus: Annotated[float, typer.Option(min=0, help="CPUs each shard asks for")] = 1.0,
    gpus: Annotated[float, typer.Option(min=0, help="GPUs each shard asks for")] = 0.0,
    standin: Annotated[bool, typer.Option(help="cheap detector STAND-IN (tests, load)")] = False,
    every: Annotated[float, typer.Option(min=1, help="seconds between status lines")] = 30.0,
) -> None:
    """Start the shards and the store sink as Ray actors and keep them running (Ctrl-C)."""
    from kuzet.cluster.plan import city_problems
    from kuzet.config import ConfigError, load_site

    try:
        cfg = load_site(site)
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    problems = city_problems(cfg)
    if problems:
        raise _fail(f"{site}: " + "; ".join(problems))
    ray = _connect(address)
    from kuzet.cluster.driver import deploy

    dep = deploy(
        cfg,
        shards=shards,
        shard_cpus=shard_cpus,
        shard_gpus=gpus,
        detector="standin" if standin else "site",
    )
    typer.echo(f"{len(dep.plans)} shards over {sum(len(p.cameras) for p in dep.plans)} cameras")
    try:
        while True:
            time.sleep(every)
            typer.echo(format_status(dep.status()))
    except KeyboardInterrupt:
        typer.echo("stopping: draining the sink")
    finally:
        dep.stop()
        ray.shutdown()


@cluster_app.command("status")
def status(
    address: Annotated[str, typer.Option(help="Ray address of the running city")] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Shards, cameras per shard, node, restarts, per-shard metrics, sink lag."""
    ray = _connect(address)
    from kuzet.cluster.driver import remote_status

    try:
        st = remote_status()
    except LookupError as exc:
        ray.shutdown()
        raise _fail(str(exc), 1) from None
    typer.echo(json.dumps(st, indent=2, default=str) if as_json else format_status(st))
    ray.shutdown()
