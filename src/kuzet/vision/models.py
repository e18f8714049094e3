"""Converted models in the cache: ``pull`` converts once from verified assets.

Loading a model already converted imports neither ``onnx`` nor the converter (start-up of
``kuzet detect``: tests/vision/test_startup.py).

No network here except through :func:`kuzet.assets.ensure` (which uses the package
clients and checks sha256). A JSON manifest beside each .onnx records where it came
from, so a changed asset or converter version triggers a re-conversion.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kuzet.assets import ASSETS, cache_dir, ensure
from kuzet.vision.tfjs_version import CONVERTER_VERSION


@dataclass(frozen=True, slots=True)
class CatalogModel:
    name: str
    graph: str  # asset name of the TF.js model.json
    weights: tuple[str, ...]  # asset names of its shards
    sizes: tuple[int | None, ...]  # first is the default; None: the size it was exported at
    what: str
    outputs: tuple[str, ...] | None = None  # convert only these (None: the graph's own)


CATALOG: dict[str, CatalogModel] = {
    "nanodet": CatalogModel(
        "nanodet", "nanodet.json", ("nanodet.bin",), (416, 320),
        "NanoDet COCO-80 detector, converted from the TF.js graph",
    ),
    "centernet": CatalogModel(
        "centernet", "centernet.json", ("centernet.bin",), (512, 416, 320),
        "MB3-CenterNet COCO-80 detector (heatmap + sizes; decoded in numpy)",
        ("tower_0/keypoints", "tower_0/wh"),
    ),
    "blazeface-back": CatalogModel(
        "blazeface-back", "blazeface-back.json", ("blazeface-back.bin",), (None,),
        "BlazeFace face detector (256 px), for blurring and face matching",
    ),
    "faceres": CatalogModel(
        "faceres", "faceres.json", ("faceres.bin",), (None,),
        "FaceRes: gender from a 224 px face crop",
    ),
    "faceres-deep": CatalogModel(
        "faceres-deep", "faceres-deep.json", ("faceres-deep.bin",), (None,),
        "FaceRes-deep: approximate age from a 224 px face crop",
    ),
    "mobilefacenet": CatalogModel(
        "mobilefacenet", "mobilefacenet.json", ("mobilefacenet.bin",), (None,),
        "MobileFaceNet: 192-d face embedding from a 112 px aligned face",
    ),
    "mobileface": CatalogModel(
        "mobileface", "mobileface.json", ("mobileface.bin",), (None,),
        "MobileFace: 256-d face embedding from a 112 px aligned face",
    ),
}  # fmt: skip
_convert_lock = threading.Lock()  # several threads may ask for the same model on first use


def models_dir() -> Path:
    return cache_dir() / "models"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _paths(name: str, size: int | None) -> tuple[Path, Path]:
    base = models_dir() / f"{name}-{size or 'native'}"
    return base.with_suffix(".onnx"), base.with_suffix(".json")


def _up_to_date(onnx_path: Path, manifest_path: Path, entry: CatalogModel) -> bool:
    try:
        m = json.loads(manifest_path.read_text())
    except (OSError, ValueError):
        return False
    want = {a: ASSETS[a].sha256 for a in (entry.graph, *entry.weights)}
    return (
        onnx_path.exists()
        and m.get("converter_version") == CONVERTER_VERSION
        and m.get("assets") == want
        and m.get("onnx_sha256") == _sha256(onnx_path)
    )


def pull(
    name: str = "nanodet",
    input_size: int | None = None,
    *,
    force: bool = False,
    quiet: bool = False,
) -> Path:
    """Path of ``<cache>/models/<name>-<size>.onnx``, converting it if missing or stale.

    ``input_size`` None is the catalog entry's default size.
    """
    try:
        entry = CATALOG[name]
    except KeyError:
        raise KeyError(f"unknown model {name!r}; known: {', '.join(sorted(CATALOG))}") from None
    if input_size is None:
        input_size = entry.sizes[0]
    onnx_path, manifest_path = _paths(name, input_size)
    with _convert_lock:
        if force or not _up_to_date(onnx_path, manifest_path, entry):
            _convert(entry, input_size, onnx_path, manifest_path, quiet)
    return onnx_path


def _convert(
    entry: CatalogModel, input_size: int | None, onnx_path: Path, manifest_path: Path, quiet: bool
) -> None:
    name = entry.name
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from kuzet.vision.tfjs import convert  # onnx + the converter: only when converting

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        disable=quiet,
        transient=True,
    ) as progress:
        task = progress.add_task(f"fetching {name} assets", total=3)
        graph = ensure(entry.graph, quiet=quiet)
        for w in entry.weights:
            ensure(w, quiet=quiet)
        size = input_size or "native size"
        progress.update(task, advance=1, description=f"converting {name} to ONNX ({size})")
        model = convert(graph, input_size, outputs=entry.outputs)
        progress.update(task, advance=1, description=f"writing {onnx_path.name}")
        onnx_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = onnx_path.with_suffix(".onnx.part")
        tmp.write_bytes(model.SerializeToString())
        tmp.replace(onnx_path)
        manifest: dict[str, Any] = {
            "name": name,
            "input_size": input_size,
            "source_package": ASSETS[entry.graph].package,
            "assets": {a: ASSETS[a].sha256 for a in (entry.graph, *entry.weights)},
            "onnx_sha256": _sha256(onnx_path),
            "converter_version": CONVERTER_VERSION,
        }
        manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
        progress.update(task, advance=1)


def resolve_model(model: str | Path, input_size: int | None) -> Path:
    """A catalog name is pulled (converted once); anything else is a path to an .onnx."""
    if str(model) in CATALOG:
        return pull(str(model), input_size, quiet=True)
    path = Path(model)
    if not path.exists():
        raise FileNotFoundError(
            f"model {model!r} is neither a catalog name ({', '.join(CATALOG)}) nor a file"
        )
    return path


def list_models() -> list[dict[str, Any]]:
    """One row per catalog model and size: whether it is converted, and where (for the CLI)."""
    rows = []
    for entry in CATALOG.values():
        for size in entry.sizes:
            onnx_path, manifest_path = _paths(entry.name, size)
            rows.append(
                {
                    "name": entry.name,
                    "input_size": size,
                    "pulled": _up_to_date(onnx_path, manifest_path, entry),
                    "path": str(onnx_path),
                    "source": ASSETS[entry.graph].package,
                    "what": entry.what,
                }
            )
    return rows
