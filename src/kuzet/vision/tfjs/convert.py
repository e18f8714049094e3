"""TF.js graph model -> ONNX: read, build op by op, clean the layout, free batch and size."""

from __future__ import annotations

from pathlib import Path

import onnx

from kuzet.vision.tfjs.builder import build_onnx
from kuzet.vision.tfjs.optimize import clean_layout, free_dims, resize_sizes_to_scales
from kuzet.vision.tfjs.reader import read_tfjs
from kuzet.vision.tfjs.version import CONVERTER_VERSION

__all__ = ["CONVERTER_VERSION", "convert"]


def convert(
    model_json: str | Path,
    input_size: int | None = None,
    *,
    symbolic_batch: bool = True,
    clean: bool = True,
) -> onnx.ModelProto:
    """Convert ``model_json`` (NCHW or NHWC 4-D image input) to a checked ONNX model.

    ``input_size`` overrides the square spatial size the graph was exported for; the
    graph is built at that size with batch 1, then the batch dim is made symbolic.
    """
    tf = read_tfjs(model_json)
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
