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
        full = " (full)" if m.get("full") else ""  # enrichers, recording, clips too
        lines.append(
            f"{s['shard']}{full}: {len(s['cameras'])} cameras on node {node}, "
            f"restarts {s['restarts']}; {perf}"
        )
    det = st.get("detector")
    if det:  # the shared Serve deployment (--shared-detector)
        sizes = ", ".join(f"{k}x{v}" for k, v in det["sizes"].items())
        lines.append(
            f"detector: {det['replicas']} replicas, {det['images']} frames in "
            f"{det['batches']} batches (mean {det['mean_batch']}, "
            f"{det['shared_batches']} with frames of several shards); sizes {sizes or '-'}"
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
    ops = st.get("incidents")
    if ops is not None:
        node = (ops.get("node_id") or "-")[:12]
        where = f"on node {node}, restarts {ops.get('restarts', 0)}"
        if "error" in ops:
            lines.append(f"incidents: {where}; unreachable ({ops['error']})")
        else:
            lines.append(
                f"incidents: {where}; {ops.get('changes')} incident changes, "
                f"pending on the bus {ops.get('pending')}"
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
    incidents: Annotated[
        bool, typer.Option(help="run the incident engine (group 'ops') as an actor too")
    ] = True,
    full: Annotated[
        bool,
        typer.Option(
            help="shards run what `kuzet serve` runs but the API: enrichers (faces, plates,"
            " attributes), recording, clips; default: detect, track, rules, snapshots"
        ),
    ] = False,
    shared_detector: Annotated[
        bool, typer.Option(help="one batched Ray Serve detector for all shards")
    ] = False,
    detector_replicas: Annotated[int, typer.Option(min=1, help="shared detector replicas")] = 1,
    detector_batch: Annotated[
        int, typer.Option(min=1, max=64, help="frames per shared detector call")
    ] = 8,
    detector_wait_ms: Annotated[
        float, typer.Option(min=0, help="how long a replica waits to fill a batch")
    ] = 10.0,
    detector_cpus: Annotated[float, typer.Option(min=0, help="CPUs each replica asks for")] = 1.0,
    detector_gpus: Annotated[float, typer.Option(min=0, help="GPUs each replica asks for")] = 0.0,
    detector_per_node: Annotated[
        int, typer.Option(min=1, help="at most this many replicas on one node (spread: failover)")
    ] = 1,
    detector_resource: Annotated[
        str | None,
        typer.Option(help="a Ray custom resource each replica asks for (the nodes for them)"),
    ] = None,
) -> None:
    """Start the shards, the store sink and the incident engine as Ray actors and keep
    them running (Ctrl-C)."""
    from kuzet.cluster.plan import city_problems
    from kuzet.config import ConfigError, load_site

    try:
        cfg = load_site(site)
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    problems = city_problems(cfg)
    if problems:
        raise _fail(f"{site}: " + "; ".join(problems))
    # "local": a new one-machine Ray, never a cluster that happens to run here already
    ray = _connect(address or "local")
    from kuzet.cluster.driver import deploy

    shared = None
    if shared_detector:
        from kuzet.cluster.serving import SharedDetectorOptions

        shared = SharedDetectorOptions(
            replicas=detector_replicas,
            max_batch=detector_batch,
            wait_ms=detector_wait_ms,
            num_cpus=detector_cpus,
            num_gpus=detector_gpus,
            standin=standin,
            per_node=detector_per_node,
            resource=detector_resource,
        )
    dep = deploy(
        cfg,
        shards=shards,
        shard_cpus=shard_cpus,
        shard_gpus=gpus,
        detector="standin" if standin else "site",
        incidents=incidents,
        shared_detector=shared,
        full=full,
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
