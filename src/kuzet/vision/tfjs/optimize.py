"""Layout clean-up and shape freeing on the converted ONNX graph.

Why: TF.js graphs made by onnx-tf are NCHW wrapped in NHWC<->NCHW Transposes around
every conv. These passes fold the conv bias, sink Transposes through constant adds and
cancel the pairs, leaving a plain NCHW graph; Resize sizes become scales so the same
graph serves any input size and batch.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper


class _Graph:
    def __init__(self, model: onnx.ModelProto) -> None:
        self.model = model
        self.g = model.graph
        self.inits = {t.name: t for t in self.g.initializer}

    def producers(self) -> dict[str, onnx.NodeProto]:
        return {o: n for n in self.g.node for o in n.output}

    def consumers(self) -> dict[str, list[onnx.NodeProto]]:
        out: dict[str, list[onnx.NodeProto]] = {}
        for n in self.g.node:
            for i in n.input:
                out.setdefault(i, []).append(n)
        for o in self.g.output:
            out.setdefault(o.name, []).append(helper.make_node("Identity", [o.name], ["<graph>"]))
        return out

    def const(self, name: str) -> np.ndarray | None:
        t = self.inits.get(name)
        return None if t is None else numpy_helper.to_array(t)

    def set_const(self, name: str, value: np.ndarray) -> None:
        t = numpy_helper.from_array(np.ascontiguousarray(value), name)
        if name in self.inits:
            self.inits[name].CopyFrom(t)
        else:
            self.g.initializer.append(t)
            self.inits[name] = self.g.initializer[-1]

    def rename_input(self, old: str, new: str) -> None:
        for n in self.g.node:
            for i, x in enumerate(n.input):
                if x == old:
                    n.input[i] = new

    def toposort(self) -> None:
        ready = {i.name for i in self.g.input} | set(self.inits) | {""}
        pending = [onnx.NodeProto() for _ in self.g.node]
        for p, n in zip(pending, self.g.node, strict=True):
            p.CopyFrom(n)
        ordered: list[onnx.NodeProto] = []
        while pending:
            rest = []
            for n in pending:
                if all(i in ready for i in n.input):
                    ordered.append(n)
                    ready.update(n.output)
                else:
                    rest.append(n)
            if len(rest) == len(pending):
                raise ValueError("graph has a cycle or a dangling input")
            pending = rest
        del self.g.node[:]
        self.g.node.extend(ordered)

    def dce(self) -> None:
        live = {o.name for o in self.g.output}
        keep: list[onnx.NodeProto] = []
        for n in reversed(list(self.g.node)):
            if any(o in live for o in n.output):
                keep.append(n)
                live.update(n.input)
        del self.g.node[:]
        self.g.node.extend(reversed(keep))
        used = [t for t in self.g.initializer if t.name in live]
        del self.g.initializer[:]
        self.g.initializer.extend(used)
        self.inits = {t.name: t for t in self.g.initializer}


def _perm(n: onnx.NodeProto) -> list[int]:
    return list(helper.get_attribute_value(n.attribute[0]))


def _sink_transpose_through_const_add(g: _Graph) -> int:
    """``Transpose(x) + c`` -> ``Transpose(x + c')`` with c' permuted back."""
    changed = 0
    prod, cons = g.producers(), g.consumers()
    for add in list(g.g.node):
        if add.op_type != "Add":
            continue
        t = prod.get(add.input[0])
        c = g.const(add.input[1])
        if t is None or t.op_type != "Transpose" or c is None or len(cons[t.output[0]]) != 1:
            continue
        perm = _perm(t)
        c4 = c.reshape((1,) * (len(perm) - c.ndim) + c.shape)
        inv = list(np.argsort(perm))
        cname = add.input[1] + "/t"
        g.set_const(cname, np.transpose(c4, inv))
        out = add.output[0]
        mid = out + "/pre_t"
        add.input[0], add.input[1], add.output[0] = t.input[0], cname, mid
        t.input[0], t.output[0] = mid, out
        prod, cons = g.producers(), g.consumers()
        changed += 1
    g.toposort()  # the Transposes now follow their Adds
    return changed


def _fuse_transposes(g: _Graph) -> int:
    changed = 0
    prod = g.producers()
    for t2 in list(g.g.node):
        t1 = prod.get(t2.input[0]) if t2.op_type == "Transpose" else None
        if t1 is None or t1.op_type != "Transpose":
            continue
        p1, p2 = _perm(t1), _perm(t2)
        perm = [p1[i] for i in p2]
        if perm == list(range(len(perm))):
            g.rename_input(t2.output[0], t1.input[0])
            t2.input[0] = t1.input[0]  # now dead; dce drops it
        else:
            t2.input[0] = t1.input[0]
            del t2.attribute[:]
            t2.attribute.append(helper.make_attribute("perm", perm))
        changed += 1
        prod = g.producers()
    return changed


def _fold_conv_bias(g: _Graph) -> int:
    changed = 0
    prod, cons = g.producers(), g.consumers()
    for add in list(g.g.node):
        conv = prod.get(add.input[0]) if add.op_type == "Add" else None
        c = g.const(add.input[1]) if conv is not None else None
        if conv is None or conv.op_type != "Conv" or len(conv.input) != 2 or c is None:
            continue
        if len(cons[conv.output[0]]) != 1:
            continue
        cout = g.const(conv.input[1])
        if cout is None or c.size != cout.shape[0] or c.reshape(-1).shape[0] != c.size:
            continue
        if c.ndim > 1 and c.shape[-2:] != (1, 1):
            continue
        bias = conv.name + "/B"
        g.set_const(bias, c.reshape(-1).astype(np.float32))
        conv.input.append(bias)
        g.rename_input(add.output[0], conv.output[0])
        add.input[0] = conv.output[0]
        changed += 1
    return changed


def clean_layout(model: onnx.ModelProto) -> onnx.ModelProto:
    """Run the passes to a fixed point; the result is numerically the same graph."""
    g = _Graph(model)
    for _ in range(20):
        n = _sink_transpose_through_const_add(g) + _fuse_transposes(g)
        g.dce()
        if n == 0:
            break
    _fold_conv_bias(g)
    g.dce()
    return model


def resize_sizes_to_scales(model: onnx.ModelProto) -> onnx.ModelProto:
    """Replace fixed Resize sizes by scales, using shapes inferred at the build size."""
    inferred = onnx.shape_inference.infer_shapes(model)
    shapes = {
        v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
        for v in [*inferred.graph.value_info, *inferred.graph.input]
    }
    g = _Graph(model)
    for n in g.g.node:
        if n.op_type != "Resize" or len(n.input) < 4 or not n.input[3]:
            continue
        sizes, shape = g.const(n.input[3]), shapes.get(n.input[0])
        if sizes is None or not shape or 0 in shape:
            raise ValueError(f"cannot free Resize {n.name}: input shape unknown")
        axes_attr = [a for a in n.attribute if a.name == "axes"]
        axes = (
            list(helper.get_attribute_value(axes_attr[0])) if axes_attr else list(range(len(shape)))
        )
        scales = np.ones(len(shape), np.float32)
        for ax, s in zip(axes, sizes.tolist(), strict=True):
            scales[ax] = s / shape[ax]
        for a in axes_attr:
            n.attribute.remove(a)
        name = n.input[3] + "/scales"
        g.set_const(name, scales)
        n.input[2], n.input[3] = name, ""
        del n.input[3]
    g.dce()
    return model


def free_dims(
    model: onnx.ModelProto, batch: str | None = "batch", hw: tuple[int, int] | None = None
) -> onnx.ModelProto:
    """Set a symbolic batch and a new input H, W (graphs here are size-free after
    :func:`resize_sizes_to_scales`); output shapes are re-inferred."""
    for inp in model.graph.input:
        dims = inp.type.tensor_type.shape.dim
        if hw is not None and len(dims) == 4:
            axes = (2, 3) if dims[1].dim_value in (1, 3) else (1, 2)
            dims[axes[0]].dim_value, dims[axes[1]].dim_value = hw
    del model.graph.value_info[:]
    for out in model.graph.output:
        out.type.tensor_type.ClearField("shape")
    inferred = onnx.shape_inference.infer_shapes(model)
    typed = {o.name: o for o in inferred.graph.output}
    for out in model.graph.output:
        if out.name in typed:
            out.type.CopyFrom(typed[out.name].type)
            dims = out.type.tensor_type.shape.dim
            if dims and batch:
                dims[0].dim_param = batch
    for inp in model.graph.input:
        dims = inp.type.tensor_type.shape.dim
        if dims and batch:
            dims[0].dim_param = batch
    return model
