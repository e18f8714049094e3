"""Kuzet's own TF.js graph-model -> ONNX converter (numpy + onnx only).

Use :func:`convert`; add a TF op with ``@register_op`` in :mod:`.ops`.
"""

from kuzet.vision.tfjs.convert import CONVERTER_VERSION, convert
from kuzet.vision.tfjs.reader import TfjsFormatError, TfjsModel, TfNode, read_tfjs
from kuzet.vision.tfjs.registry import Ctx, UnsupportedOpError, register_op, supported_ops

__all__ = [
    "CONVERTER_VERSION",
    "Ctx",
    "TfNode",
    "TfjsFormatError",
    "TfjsModel",
    "UnsupportedOpError",
    "convert",
    "read_tfjs",
    "register_op",
    "supported_ops",
]
