"""The op registry: one converter function per TF op type, so coverage grows op by op.

An op function gets the :class:`Ctx` and the TF node, and returns one entry per TF
output: an ONNX tensor name, or a numpy array when the result is a constant (constant
folding happens in the op itself, e.g. the shape arithmetic TF.js leaves in graphs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from onnx import NodeProto, TensorProto, helper, numpy_helper

from kuzet.vision.tfjs.reader import TfNode

OpResult = list[str | np.ndarray]
OpFn = Callable[["Ctx", TfNode], OpResult]

OPS: dict[str, OpFn] = {}


class UnsupportedOpError(NotImplementedError):
    """A TF op has no converter yet; the message names the op, the node and the model."""


def register_op(*tf_ops: str) -> Callable[[OpFn], OpFn]:
    """Register ``fn`` as the converter for each of ``tf_ops``."""

    def deco(fn: OpFn) -> OpFn:
        for op in tf_ops:
            if op in OPS:
                raise ValueError(f"TF op {op!r} registered twice")
            OPS[op] = fn
        return fn

    return deco


def supported_ops() -> list[str]:
    return sorted(OPS)


class Ctx:
    """Conversion state shared by the op functions: constants, emitted nodes, names."""

    def __init__(self, model_name: str, symbolic_batch: bool = True) -> None:
        self.model_name = model_name
        self.symbolic_batch = symbolic_batch
        self.values: dict[str, str | np.ndarray] = {}  # TF tensor ref -> ONNX name or const
        self.nodes: list[NodeProto] = []
        self.initializers: dict[str, TensorProto] = {}
        self._counter = 0

    # -- names and values -------------------------------------------------------
    def fresh(self, hint: str) -> str:
        self._counter += 1
        return f"{hint}__{self._counter}"

    def _ref(self, node: TfNode, i: int) -> str:
        ref = node.inputs[i]
        return ref if ":" in ref else f"{ref}:0"

    def value(self, node: TfNode, i: int) -> str | np.ndarray:
        ref = self._ref(node, i)
        try:
            return self.values[ref]
        except KeyError:
            raise KeyError(f"{self.model_name}: input {ref!r} of {node.name!r} unknown") from None

    def is_const(self, node: TfNode, i: int) -> bool:
        return isinstance(self.value(node, i), np.ndarray)

    def const(self, node: TfNode, i: int) -> np.ndarray:
        v = self.value(node, i)
        if not isinstance(v, np.ndarray):
            raise UnsupportedOpError(
                f"{self.model_name}: {node.op} node {node.name!r} needs input {i} to be a "
                "constant, but it is computed at run time"
            )
        return v

    def tensor(self, node: TfNode, i: int) -> str:
        """ONNX name of input ``i``, turning a constant into an initializer if needed."""
        v = self.value(node, i)
        if isinstance(v, np.ndarray):
            name = self.add_const(v, self._ref(node, i).replace(":", "_"))
            self.values[self._ref(node, i)] = name
            return name
        return v

    def add_const(self, value: np.ndarray, hint: str) -> str:
        name = hint if hint not in self.initializers else self.fresh(hint)
        self.initializers[name] = numpy_helper.from_array(np.asarray(value), name)
        return name

    # -- emitting ---------------------------------------------------------------
    def emit(
        self, op_type: str, inputs: list[str], hint: str, n_out: int = 1, **attrs: Any
    ) -> list[str]:
        outs = [self.fresh(hint) for _ in range(n_out)]
        self.nodes.append(
            helper.make_node(op_type, inputs, outs, name=self.fresh(op_type), **attrs)
        )
        return outs

    def emit1(self, op_type: str, inputs: list[str], hint: str, **attrs: Any) -> str:
        return self.emit(op_type, inputs, hint, 1, **attrs)[0]

    def unsupported(self, node: TfNode, why: str) -> UnsupportedOpError:
        return UnsupportedOpError(f"{self.model_name}: {node.op} node {node.name!r}: {why}")
