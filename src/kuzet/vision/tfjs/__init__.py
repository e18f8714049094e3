"""Kuzet's own TF.js graph-model -> ONNX converter (numpy + onnx only).

Use :func:`convert`; add a TF op with ``@register_op`` in :mod:`.ops`. The names that need
``onnx`` load on first use, so reading :data:`CONVERTER_VERSION` (to check a cached model)
costs no ``import onnx``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from kuzet.vision.tfjs.reader import TfjsFormatError, TfjsModel, TfNode, read_tfjs
from kuzet.vision.tfjs.version import CONVERTER_VERSION

if TYPE_CHECKING:
    from kuzet.vision.tfjs.convert import convert
    from kuzet.vision.tfjs.registry import Ctx, UnsupportedOpError, register_op, supported_ops

_LAZY = {
    "convert": "kuzet.vision.tfjs.convert",
    "Ctx": "kuzet.vision.tfjs.registry",
    "UnsupportedOpError": "kuzet.vision.tfjs.registry",
    "register_op": "kuzet.vision.tfjs.registry",
    "supported_ops": "kuzet.vision.tfjs.registry",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        # importing the submodule .convert bound its name here to the module: the function
        # must win, as it did when this package imported it eagerly
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
