"""Walk a TF.js graph in dependency order and build an ONNX model through the op registry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import onnx
from onnx import TensorProto, helper

from kuzet.vision.tfjs import ops as _ops  # noqa: F401  (registers the converters)
from kuzet.vision.tfjs.reader import TfjsModel, TfNode
from kuzet.vision.tfjs.registry import OPS, Ctx, UnsupportedOpError

OPSET = 18


def _topo_order(nodes: list[TfNode]) -> list[TfNode]:
    by_name = {n.name: n for n in nodes}
    order: list[TfNode] = []
    state: dict[str, int] = {}
    for root in nodes:
        stack: list[tuple[TfNode, bool]] = [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                state[node.name] = 2
                order.append(node)
                continue
            if state.get(node.name):
                continue
            state[node.name] = 1
            stack.append((node, True))
            for ref in node.inputs:
                dep = by_name.get(ref.lstrip("^").split(":")[0])
                if dep is not None and not state.get(dep.name):
                    stack.append((dep, False))
    return order


def check_ops(model: TfjsModel) -> None:
    """Fail before converting anything if the graph uses an op without a converter."""
    missing = sorted(
        {n.op for n in model.nodes if n.op not in OPS and n.op not in ("Const", "Placeholder")}
    )
    if missing:
        raise UnsupportedOpError(
            f"{model.name}: TF op(s) {', '.join(missing)} have no ONNX converter "
            f"(kuzet.vision.tfjs.ops); supported: {', '.join(sorted(OPS))}"
        )


def build_onnx(
    model: TfjsModel,
    input_shapes: Mapping[str, Sequence[int]] | None = None,
    symbolic_batch: bool = True,
) -> onnx.ModelProto:
    """Convert to an ONNX model with the given (static) input shapes; batch freed later."""
    check_ops(model)
    ctx = Ctx(model.name, symbolic_batch)
    graph_inputs = []
    for node in _topo_order(model.nodes):
        if node.op == "Const":
            if node.name not in model.weights:
                raise UnsupportedOpError(f"{model.name}: constant {node.name!r} has no weight data")
            ctx.values[f"{node.name}:0"] = model.weights[node.name]
            continue
        if node.op == "Placeholder":
            shape = list((input_shapes or {}).get(node.name) or model.inputs.get(node.name) or [])
            dtype = node.dtype() or np.dtype(np.float32)
            graph_inputs.append(
                helper.make_tensor_value_info(
                    node.name, helper.np_dtype_to_tensor_dtype(dtype), shape
                )
            )
            ctx.values[f"{node.name}:0"] = node.name
            continue
        results = OPS[node.op](ctx, node)
        for i, r in enumerate(results):
            ctx.values[f"{node.name}:{i}"] = r
    outputs = []
    for name in model.outputs:
        v = ctx.values[f"{model.output_nodes.get(name, name)}:0"]
        src = v if isinstance(v, str) else ctx.add_const(v, name + "/const")
        ctx.nodes.append(helper.make_node("Identity", [src], [name], name=f"out/{name}"))
        outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, None))
    graph = helper.make_graph(
        ctx.nodes, model.name, graph_inputs, outputs, initializer=list(ctx.initializers.values())
    )
    onnx_model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="kuzet.vision.tfjs"
    )
    onnx_model.ir_version = 9
    return onnx_model
