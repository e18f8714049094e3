"""TF.js graph model -> ONNX: read, build op by op, clean the layout, free batch and size."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import onnx

from kuzet.vision.tfjs.builder import build_onnx
from kuzet.vision.tfjs.optimize import clean_layout, free_dims, resize_sizes_to_scales
from kuzet.vision.tfjs.reader import TfjsFormatError, TfjsModel, read_tfjs
from kuzet.vision.tfjs_version import CONVERTER_VERSION

__all__ = ["CONVERTER_VERSION", "convert"]


def convert(
    model_json: str | Path,
    input_size: int | None = None,
    *,
    symbolic_batch: bool = True,
    clean: bool = True,
    outputs: Sequence[str] | None = None,
) -> onnx.ModelProto:
    """Convert ``model_json`` (NCHW or NHWC 4-D image input) to a checked ONNX model.

    ``input_size`` overrides the square spatial size the graph was exported for; the
    graph is built at that size with batch 1, then the batch dim is made symbolic.
    ``outputs`` keeps only those outputs and the nodes they need.
    """
    tf = read_tfjs(model_json)
    if outputs is not None:
        prune(tf, outputs)
    # Build at the exported size (batch 1) so fixed Resize sizes can be read as scales.
    shapes = {name: [1, *s[1:]] if len(s) == 4 else s for name, s in tf.inputs.items()}
    model = build_onnx(tf, shapes, symbolic_batch=symbolic_batch)
    if clean:
        clean_layout(model)
    resize_sizes_to_scales(model)
    hw = (input_size, input_size) if input_size is not None else None
    free_dims(model, "batch" if symbolic_batch else None, hw)
    onnx.checker.check_model(model)
    return model


def prune(tf: TfjsModel, outputs: Sequence[str]) -> None:
    """Keep only the nodes ``outputs`` need: CenterNet's heatmap and box sizes, without the
    top-k decoding after them (done in numpy, at any input size)."""
    by_name = {n.name: n for n in tf.nodes}
    roots = [tf.output_nodes.get(o, o) for o in outputs]
    missing = [o for o, r in zip(outputs, roots, strict=True) if r not in by_name]
    if missing:
        raise TfjsFormatError(f"{tf.name}: no output {', '.join(missing)}")
    need: set[str] = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in need or name not in by_name:
            continue
        need.add(name)
        stack.extend(ref.lstrip("^").split(":")[0] for ref in by_name[name].inputs)
    tf.nodes = [n for n in tf.nodes if n.name in need]
    tf.outputs = list(outputs)
