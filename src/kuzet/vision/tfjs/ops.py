"""Converters for TF ops, one function each; register more with ``@register_op``.

TF.js graphs are NHWC for Conv2D/MaxPool/Resize; each such op is emitted as
``Transpose -> ONNX op (NCHW) -> Transpose`` and :mod:`.optimize` cancels the pairs.
"""

from __future__ import annotations

import base64

import numpy as np

from kuzet.vision.tfjs.reader import TfNode
from kuzet.vision.tfjs.registry import Ctx, OpResult, register_op

_TO_NCHW = [0, 3, 1, 2]
_TO_NHWC = [0, 2, 3, 1]


def _nhwc(node: TfNode) -> bool:
    return node.attr_s("data_format", "NHWC") in ("NHWC", "")


def _hw(values: list[int], nhwc: bool) -> list[int]:
    return values[1:3] if nhwc else values[2:4]


def _pads(ctx: Ctx, node: TfNode, nhwc: bool) -> dict[str, object]:
    padding = node.attr_s("padding", "VALID")
    if padding == "VALID":
        return {}
    if padding == "SAME":
        return {"auto_pad": "SAME_UPPER"}
    if padding == "EXPLICIT":
        ex = node.attr_ints("explicit_paddings")
        pairs = [ex[i : i + 2] for i in range(0, len(ex), 2)]
        hw = pairs[1:3] if nhwc else pairs[2:4]
        return {"pads": [hw[0][0], hw[1][0], hw[0][1], hw[1][1]]}
    raise ctx.unsupported(node, f"padding {padding!r}")


def _wrap_nchw(ctx: Ctx, node: TfNode, x: str, nhwc: bool) -> tuple[str, bool]:
    return (
        (ctx.emit1("Transpose", [x], node.name + "/nchw", perm=_TO_NCHW), nhwc)
        if nhwc
        else (x, nhwc)
    )


def _unwrap(ctx: Ctx, node: TfNode, y: str, nhwc: bool) -> str:
    return ctx.emit1("Transpose", [y], node.name + "/nhwc", perm=_TO_NHWC) if nhwc else y


# ------------------------------------------------------------------ plumbing
@register_op("Identity", "StopGradient", "Snapshot")
def identity(ctx: Ctx, node: TfNode) -> OpResult:
    return [ctx.value(node, 0)]


# ------------------------------------------------------------------ convolution / pooling
@register_op("Conv2D", "DepthwiseConv2dNative")
def conv2d(ctx: Ctx, node: TfNode) -> OpResult:
    nhwc = _nhwc(node)
    w = ctx.const(node, 1)  # HWIO, or HW C M for depthwise
    attrs: dict[str, object] = {
        "strides": _hw(node.attr_ints("strides") or [1, 1, 1, 1], nhwc),
        "dilations": _hw(node.attr_ints("dilations") or [1, 1, 1, 1], nhwc),
        "kernel_shape": list(w.shape[:2]),
        **_pads(ctx, node, nhwc),
    }
    if node.op in ("DepthwiseConv2dNative", "FusedDepthwiseConv2dNative"):
        kh, kw, c, m = w.shape
        w = w.reshape(kh, kw, 1, c * m)
        attrs["group"] = c
    weight = ctx.add_const(np.ascontiguousarray(w.transpose(3, 2, 0, 1)), node.name + "/W")
    x, nhwc = _wrap_nchw(ctx, node, ctx.tensor(node, 0), nhwc)
    y = ctx.emit1("Conv", [x, weight], node.name, **attrs)
    return [_unwrap(ctx, node, y, nhwc)]


@register_op("MaxPool", "AvgPool")
def pool(ctx: Ctx, node: TfNode) -> OpResult:
    nhwc = _nhwc(node)
    attrs: dict[str, object] = {
        "kernel_shape": _hw(node.attr_ints("ksize"), nhwc),
        "strides": _hw(node.attr_ints("strides"), nhwc),
        **_pads(ctx, node, nhwc),
    }
    onnx_op = "MaxPool" if node.op == "MaxPool" else "AveragePool"
    x, nhwc = _wrap_nchw(ctx, node, ctx.tensor(node, 0), nhwc)
    return [_unwrap(ctx, node, ctx.emit1(onnx_op, [x], node.name, **attrs), nhwc)]


@register_op("ResizeBilinear", "ResizeNearestNeighbor")
def resize(ctx: Ctx, node: TfNode) -> OpResult:
    """Emitted with fixed ``sizes``; :func:`.optimize.resize_sizes_to_scales` frees them."""
    size = ctx.const(node, 1).astype(np.int64)
    if node.attr_b("align_corners"):
        mode = "align_corners"
    elif node.attr_b("half_pixel_centers"):
        mode = "half_pixel" if node.op == "ResizeBilinear" else "tf_half_pixel_for_nn"
    else:
        mode = "asymmetric"
    attrs: dict[str, object] = {"coordinate_transformation_mode": mode}
    if node.op == "ResizeBilinear":
        attrs["mode"] = "linear"
    else:
        attrs.update(
            mode="nearest", nearest_mode="floor" if mode != "align_corners" else "round_prefer_ceil"
        )
    x, nhwc = _wrap_nchw(ctx, node, ctx.tensor(node, 0), True)
    empty = ctx.add_const(np.empty(0, np.float32), node.name + "/roi")
    sizes = ctx.add_const(size, node.name + "/sizes")
    y = ctx.emit1("Resize", [x, empty, empty, sizes], node.name, axes=[2, 3], **attrs)
    return [_unwrap(ctx, node, y, nhwc)]


# ------------------------------------------------------------------ element-wise
_UNARY = {
    "Sigmoid": "Sigmoid",
    "Relu": "Relu",
    "Tanh": "Tanh",
    "Exp": "Exp",
    "Neg": "Neg",
    "Sqrt": "Sqrt",
    "Elu": "Elu",
    "Abs": "Abs",
}


@register_op(*_UNARY)
def unary(ctx: Ctx, node: TfNode) -> OpResult:
    return [ctx.emit1(_UNARY[node.op], [ctx.tensor(node, 0)], node.name)]


@register_op("Rsqrt")
def rsqrt(ctx: Ctx, node: TfNode) -> OpResult:
    """1/sqrt(x): the L2 normalisation at MobileFaceNet's output."""
    root = ctx.emit1("Sqrt", [ctx.tensor(node, 0)], node.name + "/sqrt")
    return [ctx.emit1("Reciprocal", [root], node.name)]


@register_op("Square")
def square(ctx: Ctx, node: TfNode) -> OpResult:
    x = ctx.tensor(node, 0)
    return [ctx.emit1("Mul", [x, x], node.name)]


@register_op("LeakyRelu")
def leaky_relu(ctx: Ctx, node: TfNode) -> OpResult:
    return [
        ctx.emit1("LeakyRelu", [ctx.tensor(node, 0)], node.name, alpha=node.attr_f("alpha", 0.2))
    ]


@register_op("Relu6")
def relu6(ctx: Ctx, node: TfNode) -> OpResult:
    lo = ctx.add_const(np.array(0, np.float32), node.name + "/lo")
    hi = ctx.add_const(np.array(6, np.float32), node.name + "/hi")
    return [ctx.emit1("Clip", [ctx.tensor(node, 0), lo, hi], node.name)]


_BINARY = {
    "Add": ("Add", np.add), "AddV2": ("Add", np.add), "Sub": ("Sub", np.subtract),
    "Mul": ("Mul", np.multiply), "RealDiv": ("Div", np.divide),
    "Maximum": ("Max", np.maximum), "Minimum": ("Min", np.minimum),
}  # fmt: skip


@register_op(*_BINARY)
def binary(ctx: Ctx, node: TfNode) -> OpResult:
    onnx_op, fold = _BINARY[node.op]
    if ctx.is_const(node, 0) and ctx.is_const(node, 1):
        a, b = ctx.const(node, 0), ctx.const(node, 1)
        return [np.asarray(fold(a, b)).astype(np.result_type(a, b))]
    return [ctx.emit1(onnx_op, [ctx.tensor(node, 0), ctx.tensor(node, 1)], node.name)]


# ------------------------------------------------------------------ shape and layout
@register_op("Pad", "PadV2", "MirrorPad")
def pad(ctx: Ctx, node: TfNode) -> OpResult:
    pads = ctx.const(node, 1).astype(np.int64)
    inputs = [
        ctx.tensor(node, 0),
        ctx.add_const(np.concatenate([pads[:, 0], pads[:, 1]]), node.name + "/pads"),
    ]
    attrs: dict[str, object] = {}
    if node.op == "PadV2":
        inputs.append(ctx.tensor(node, 2))
    elif node.op == "MirrorPad":
        attrs["mode"] = "reflect" if node.attr_s("mode", "REFLECT") == "REFLECT" else "edge"
    return [ctx.emit1("Pad", inputs, node.name, **attrs)]


@register_op("ConcatV2")
def concat(ctx: Ctx, node: TfNode) -> OpResult:
    n = len([i for i in node.inputs if not i.startswith("^")]) - 1
    axis = int(ctx.const(node, n).reshape(-1)[0])
    if all(ctx.is_const(node, i) for i in range(n)):
        return [np.concatenate([ctx.const(node, i) for i in range(n)], axis=axis)]
    return [ctx.emit1("Concat", [ctx.tensor(node, i) for i in range(n)], node.name, axis=axis)]


@register_op("Transpose")
def transpose(ctx: Ctx, node: TfNode) -> OpResult:
    perm = [int(p) for p in ctx.const(node, 1)]
    if ctx.is_const(node, 0):
        return [np.transpose(ctx.const(node, 0), perm)]
    return [ctx.emit1("Transpose", [ctx.tensor(node, 0)], node.name, perm=perm)]


@register_op("Reshape")
def reshape(ctx: Ctx, node: TfNode) -> OpResult:
    """A leading 1 becomes 0 (copy the input's dim) so the batch stays symbolic."""
    shape = ctx.const(node, 1).astype(np.int64).copy()
    if ctx.is_const(node, 0):
        return [ctx.const(node, 0).reshape(shape)]
    if ctx.symbolic_batch and len(shape) > 1 and shape[0] == 1:
        shape[0] = 0
    target = ctx.add_const(shape, node.name + "/shape")
    return [ctx.emit1("Reshape", [ctx.tensor(node, 0), target], node.name)]


@register_op("SplitV", "Split")
def split(ctx: Ctx, node: TfNode) -> OpResult:
    if node.op == "Split":  # inputs: axis, value
        axis, x, n = (
            int(ctx.const(node, 0).reshape(-1)[0]),
            ctx.tensor(node, 1),
            node.attr_i("num_split"),
        )
        return list(ctx.emit("Split", [x], node.name, n, axis=axis, num_outputs=n))
    sizes = ctx.const(node, 1).astype(np.int64)
    if (sizes < 0).any():
        raise ctx.unsupported(node, "a -1 split size")
    axis = int(ctx.const(node, 2).reshape(-1)[0])
    x = ctx.tensor(node, 0)
    sizes_name = ctx.add_const(sizes, node.name + "/sizes")
    return list(ctx.emit("Split", [x, sizes_name], node.name, len(sizes), axis=axis))


@register_op("Cast")
def cast(ctx: Ctx, node: TfNode) -> OpResult:
    dst = node.dtype("DstT")
    if dst is None:
        raise ctx.unsupported(node, "unknown DstT")
    if ctx.is_const(node, 0):
        return [ctx.const(node, 0).astype(dst)]
    from onnx import helper

    return [
        ctx.emit1("Cast", [ctx.tensor(node, 0)], node.name, to=helper.np_dtype_to_tensor_dtype(dst))
    ]


@register_op("SparseToDense")
def sparse_to_dense(ctx: Ctx, node: TfNode) -> OpResult:
    """Only seen folding shape arithmetic, so only the all-constant case is converted."""
    idx, shape, vals, default = (ctx.const(node, i) for i in range(4))
    out = np.full(shape.astype(np.int64), default, dtype=vals.dtype if vals.size else default.dtype)
    idx = idx.reshape(-1, max(1, len(shape))) if idx.size else idx.reshape(0, len(shape))
    vals = np.broadcast_to(vals, (len(idx),))
    for row, v in zip(idx, vals, strict=True):
        out[tuple(row)] = v
    return [out]


@register_op("_FusedConv2D")
def fused_conv(ctx: Ctx, node: TfNode) -> OpResult:
    """Conv2D + BiasAdd [+ Relu], as TF.js fuses them (BlazeFace and most human models)."""
    y = conv2d(ctx, node)[0]
    assert isinstance(y, str)
    return [_fused_tail(ctx, node, y, 2)]


@register_op("FusedDepthwiseConv2dNative")
def fused_depthwise(ctx: Ctx, node: TfNode) -> OpResult:
    """Depthwise conv + BiasAdd [+ Relu] (MobileFaceNet's separable blocks)."""
    return fused_conv(ctx, node)


# ------------------------------------------------------------------ heads (faceres, gear)
_REDUCE = {"Mean": "ReduceMean", "Max": "ReduceMax", "Sum": "ReduceSum"}


@register_op(*_REDUCE)
def reduce(ctx: Ctx, node: TfNode) -> OpResult:
    """Global pooling in classifier heads (FaceRes: Mean, gear: Max) and the sum of squares
    of an L2 norm (MobileFaceNet: Sum); the TF tensor is NHWC, so axes carry over."""
    axes = ctx.add_const(ctx.const(node, 1).astype(np.int64).reshape(-1), node.name + "/axes")
    keep = int(node.attr_b("keep_dims"))
    return [ctx.emit1(_REDUCE[node.op], [ctx.tensor(node, 0), axes], node.name, keepdims=keep)]


@register_op("Softmax")
def softmax(ctx: Ctx, node: TfNode) -> OpResult:
    return [ctx.emit1("Softmax", [ctx.tensor(node, 0)], node.name, axis=-1)]


def _fused_tail(ctx: Ctx, node: TfNode, y: str, bias_input: int) -> str:
    """The ``fused_ops`` TF.js folds into a conv or matmul: BiasAdd, then Relu."""
    fused = [
        base64.b64decode(s).decode()
        for s in node.attr.get("fused_ops", {}).get("list", {}).get("s", [])
    ]
    if fused[:1] == ["BiasAdd"]:
        b = ctx.add_const(ctx.const(node, bias_input).astype(np.float32), node.name + "/bias")
        y = ctx.emit1("Add", [y, b], node.name + "/biasadd")
        fused = fused[1:]
    for op in fused:
        if op != "Relu":
            raise ctx.unsupported(node, f"fused op {op!r}")
        y = ctx.emit1("Relu", [y], node.name + "/relu")
    return y


@register_op("MatMul", "_FusedMatMul")
def matmul(ctx: Ctx, node: TfNode) -> OpResult:
    """Dense layers: ``x @ W`` (+ bias, Relu when fused); a transposed x is refused."""
    if node.attr_b("transpose_a"):
        raise ctx.unsupported(node, "transpose_a")
    if ctx.is_const(node, 1):
        w = ctx.const(node, 1)
        w = w.T if node.attr_b("transpose_b") else w
        b = ctx.add_const(np.ascontiguousarray(w.astype(np.float32)), node.name + "/W")
    elif node.attr_b("transpose_b"):
        raise ctx.unsupported(node, "transpose_b of a computed matrix")
    else:
        b = ctx.tensor(node, 1)
    y = ctx.emit1("MatMul", [ctx.tensor(node, 0), b], node.name)
    return [_fused_tail(ctx, node, y, 2) if node.op == "_FusedMatMul" else y]


# ------------------------------------------------------------------ shapes (SSR-Net age)
@register_op("ExpandDims")
def expand_dims(ctx: Ctx, node: TfNode) -> OpResult:
    axis = ctx.const(node, 1).astype(np.int64).reshape(-1)
    if ctx.is_const(node, 0):
        return [np.expand_dims(ctx.const(node, 0), tuple(int(a) for a in axis))]
    axes = ctx.add_const(axis, node.name + "/axes")
    return [ctx.emit1("Unsqueeze", [ctx.tensor(node, 0), axes], node.name)]


@register_op("Squeeze")
def squeeze(ctx: Ctx, node: TfNode) -> OpResult:
    """Only with explicit ``squeeze_dims``: "every size-1 dim" would also drop a batch of 1."""
    dims = node.attr_ints("squeeze_dims")
    if not dims:
        raise ctx.unsupported(node, "no squeeze_dims (squeeze of every size-1 dim)")
    if ctx.is_const(node, 0):
        return [np.squeeze(ctx.const(node, 0), axis=tuple(dims))]
    axes = ctx.add_const(np.array(dims, np.int64), node.name + "/axes")
    return [ctx.emit1("Squeeze", [ctx.tensor(node, 0), axes], node.name)]


_I64_MAX, _I64_MIN = np.iinfo(np.int64).max, np.iinfo(np.int64).min


@register_op("StridedSlice")
def strided_slice(ctx: Ctx, node: TfNode) -> OpResult:
    """Constant begin/end/strides with begin, end and shrink-axis masks (SSR-Net's stage
    outputs); ellipsis and new-axis masks are refused rather than guessed."""
    if node.attr_i("ellipsis_mask") or node.attr_i("new_axis_mask"):
        raise ctx.unsupported(node, "ellipsis_mask / new_axis_mask")
    begin, end, steps = (ctx.const(node, i).astype(np.int64).reshape(-1).copy() for i in (1, 2, 3))
    bmask, emask, shrink = (node.attr_i(k) for k in ("begin_mask", "end_mask", "shrink_axis_mask"))
    squeeze: list[int] = []
    for i in range(len(begin)):
        forward = steps[i] > 0
        if shrink >> i & 1:
            end[i], steps[i] = (begin[i] + 1) if begin[i] != -1 else _I64_MAX, 1
            squeeze.append(i)
            continue
        if bmask >> i & 1:
            begin[i] = 0 if forward else _I64_MAX
        if emask >> i & 1:
            end[i] = _I64_MAX if forward else _I64_MIN
    if ctx.is_const(node, 0):
        x = ctx.const(node, 0)
        sl = tuple(
            slice(int(b), None if e in (_I64_MAX, _I64_MIN) else int(e), int(s))
            for b, e, s in zip(begin, end, steps, strict=True)
        )
        return [np.squeeze(x[sl], axis=tuple(squeeze)) if squeeze else x[sl]]
    args = [
        ctx.add_const(v, f"{node.name}/{k}")
        for k, v in (
            ("starts", begin),
            ("ends", end),
            ("axes", np.arange(len(begin))),
            ("steps", steps),
        )
    ]
    y = ctx.emit1("Slice", [ctx.tensor(node, 0), *args], node.name)
    if squeeze:
        axes = ctx.add_const(np.array(squeeze, np.int64), node.name + "/squeeze")
        y = ctx.emit1("Squeeze", [y, axes], node.name + "/shrink")
    return [y]
