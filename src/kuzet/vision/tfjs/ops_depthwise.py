"""``FusedDepthwiseConv2dNative`` (depthwise conv + BiasAdd [+ Relu]), needed by CenterNet.

The face-embedder work adds the same op to :mod:`.ops`; whichever is registered first
wins, so this module is a no-op beside it (and can then be deleted).
"""

from __future__ import annotations

from kuzet.vision.tfjs.ops import _fused_tail, conv2d
from kuzet.vision.tfjs.reader import TfNode
from kuzet.vision.tfjs.registry import OPS, Ctx, OpResult, register_op


def fused_depthwise(ctx: Ctx, node: TfNode) -> OpResult:
    """As ``_FusedConv2D``: the depthwise conv (input 1: HW C M weights), then the tail."""
    y = conv2d(ctx, TfNode(node.name, "DepthwiseConv2dNative", node.inputs, node.attr))[0]
    assert isinstance(y, str)
    return [_fused_tail(ctx, node, y, 2)]


if "FusedDepthwiseConv2dNative" not in OPS:
    register_op("FusedDepthwiseConv2dNative")(fused_depthwise)
