"""The TF.js -> ONNX converter: op coverage on tiny hand-made graphs, errors, the real model."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import pytest

from kuzet.vision.tfjs import UnsupportedOpError, convert, read_tfjs, supported_ops


def _const(name: str, dtype: str) -> dict[str, Any]:
    return {"name": name, "op": "Const", "attr": {"dtype": {"type": dtype}}}


def _write_model(
    tmp: Path,
    nodes: list[dict[str, Any]],
    weights: dict[str, np.ndarray],
    declared: dict[str, str] | None = None,
    shape: tuple[int, ...] = (1, 3, 8, 8),
    outputs: tuple[str, ...] = ("out",),
) -> Path:
    """A TF.js model.json + .bin with float16-quantised floats and int64 stored as int32."""
    specs, blobs = [], []
    for name, arr in weights.items():
        if arr.dtype == np.float32:
            specs.append(
                {
                    "name": name,
                    "shape": list(arr.shape),
                    "dtype": "float32",
                    "quantization": {"dtype": "float16", "original_dtype": "float32"},
                }
            )
            blobs.append(arr.astype(np.float16).tobytes())
        else:
            specs.append({"name": name, "shape": list(arr.shape), "dtype": "int32"})
            blobs.append(arr.astype(np.int32).tobytes())
    (tmp / "m.bin").write_bytes(b"".join(blobs))
    dim = [{"size": str(d)} for d in shape]
    graph_nodes = [
        {
            "name": "x",
            "op": "Placeholder",
            "attr": {"dtype": {"type": "DT_FLOAT"}, "shape": {"shape": {"dim": dim}}},
        },
        *[
            _const(n, (declared or {}).get(n, "DT_FLOAT" if a.dtype == np.float32 else "DT_INT32"))
            for n, a in weights.items()
        ],
        *nodes,
    ]
    doc = {
        "format": "graph-model",
        "modelTopology": {"node": graph_nodes, "library": {}, "versions": {}},
        "signature": {
            "inputs": {"x:0": {"name": "x:0", "tensorShape": {"dim": dim}}},
            "outputs": {f"{o}:0": {"name": f"{o}:0"} for o in outputs},
        },
        "weightsManifest": [{"paths": ["m.bin"], "weights": specs}],
    }
    path = tmp / "m.json"
    path.write_text(json.dumps(doc))
    return path


def _s(v: str) -> dict[str, str]:
    return {"s": base64.b64encode(v.encode()).decode()}


def _run(model_json: Path, x: np.ndarray, size: int | None = None) -> list[np.ndarray]:
    m = convert(model_json, size)
    sess = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    return list(sess.run(None, {"x": x}))


def _half(a: np.ndarray) -> np.ndarray:
    return a.astype(np.float16).astype(np.float32)


def _resize_bilinear_half_pixel(x: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    """TF's ResizeBilinear with half_pixel_centers=True, align_corners=False, NCHW, written
    from its definition: source = (dst + 0.5) * in / out - 0.5, clamped to the edges."""

    def taps(n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        src = (np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5
        lo = np.floor(src)
        frac = (src - lo).astype(np.float32)
        lo_i = np.clip(lo, 0, n_in - 1).astype(int)
        hi_i = np.clip(lo + 1, 0, n_in - 1).astype(int)
        return lo_i, hi_i, frac

    y0, y1, fy = taps(x.shape[2], out_h)
    x0, x1, fx = taps(x.shape[3], out_w)
    rows = x[:, :, y0] * (1 - fy)[:, None] + x[:, :, y1] * fy[:, None]
    return rows[..., x0] * (1 - fx) + rows[..., x1] * fx


def test_conv_pad_leaky_add_maxpool_resize_match_numpy(tmp_path: Path) -> None:
    """An NCHW graph in the onnx-tf style: Pad -> NHWC Conv2D + bias -> LeakyRelu -> ... ."""
    rng = np.random.default_rng(0)
    w = rng.standard_normal((3, 3, 3, 4)).astype(np.float32)  # HWIO
    b = rng.standard_normal(4).astype(np.float32)
    weights = {
        "pads": np.array([[0, 0], [0, 0], [1, 1], [1, 1]]),
        "to_nhwc": np.array([0, 2, 3, 1]),
        "to_nchw": np.array([0, 3, 1, 2]),
        "w": w,
        "b": b,
        "size": np.array([8, 8]),
        "neg_inf": np.array(-np.inf, np.float32),
    }
    nodes = [
        {"name": "pad", "op": "Pad", "input": ["x", "pads"]},
        {"name": "t1", "op": "Transpose", "input": ["pad", "to_nhwc"]},
        {
            "name": "conv",
            "op": "Conv2D",
            "input": ["t1", "w"],
            "attr": {
                "padding": _s("VALID"),
                "data_format": _s("NHWC"),
                "strides": {"list": {"i": ["1", "1", "1", "1"]}},
            },
        },
        {"name": "bias", "op": "Add", "input": ["conv", "b"]},
        {"name": "t2", "op": "Transpose", "input": ["bias", "to_nchw"]},
        {"name": "act", "op": "LeakyRelu", "input": ["t2"], "attr": {"alpha": {"f": 0.1}}},
        {"name": "pad2", "op": "PadV2", "input": ["act", "pads", "neg_inf"]},
        {"name": "t3", "op": "Transpose", "input": ["pad2", "to_nhwc"]},
        {
            "name": "pool",
            "op": "MaxPool",
            "input": ["t3"],
            "attr": {
                "padding": _s("VALID"),
                "ksize": {"list": {"i": ["1", "3", "3", "1"]}},
                "strides": {"list": {"i": ["1", "2", "2", "1"]}},
            },
        },
        {
            "name": "up",
            "op": "ResizeBilinear",
            "input": ["pool", "size"],
            "attr": {"half_pixel_centers": {"b": True}, "align_corners": {"b": False}},
        },
        {"name": "t4", "op": "Transpose", "input": ["up", "to_nchw"]},
        {"name": "out", "op": "Identity", "input": ["t4"]},
    ]
    x = rng.random((2, 3, 8, 8), np.float32)
    (y,) = _run(_write_model(tmp_path, nodes, weights), x)
    # numpy reference, element by element
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    win = np.lib.stride_tricks.sliding_window_view(xp, (3, 3), axis=(2, 3))  # n c h w kh kw
    conv = np.einsum("nchwij,ijco->nohw", win, _half(w)) + _half(b)[None, :, None, None]
    act = np.where(conv > 0, conv, 0.1 * conv)
    ap = np.pad(act, ((0, 0), (0, 0), (1, 1), (1, 1)), constant_values=-np.inf)
    pool = np.lib.stride_tricks.sliding_window_view(ap, (3, 3), axis=(2, 3))[:, :, ::2, ::2].max(
        axis=(4, 5)
    )
    assert pool.shape == (2, 4, 4, 4)
    assert y.shape == (2, 4, 8, 8)  # batch 2 through a graph declared with batch 1
    np.testing.assert_allclose(y, _resize_bilinear_half_pixel(pool, 8, 8), rtol=1e-5, atol=1e-5)


def test_concat_split_sigmoid_reshape_sparse_to_dense(tmp_path: Path) -> None:
    """The head pattern: SplitV -> Sigmoid, Reshape with a SparseToDense-folded int64 shape."""
    weights = {
        "sizes": np.array([2, 4]),
        "dim": np.array(1),
        "axis": np.array(1),
        "shape_base": np.array([1, 2, -1]),
        "where": np.zeros((0, 1)),
        "nvals": np.array([3]),
        "gather": np.zeros(0),
        "zero": np.array(0),
    }
    declared = {k: "DT_INT64" for k in ("shape_base", "where", "nvals", "gather", "zero")}
    nodes = [
        {"name": "cat", "op": "ConcatV2", "input": ["x", "x", "axis"]},
        {"name": "split", "op": "SplitV", "input": ["cat", "sizes", "dim"]},
        {"name": "sig", "op": "Sigmoid", "input": ["split"]},
        {"name": "std", "op": "SparseToDense", "input": ["where", "nvals", "gather", "zero"]},
        {"name": "shape", "op": "AddV2", "input": ["shape_base", "std"]},
        {"name": "out", "op": "Reshape", "input": ["sig", "shape"]},
        {"name": "out2", "op": "Identity", "input": ["split:1"]},
    ]
    x = np.random.default_rng(1).random((3, 3, 4, 4), np.float32)
    path = _write_model(tmp_path, nodes, weights, declared, (1, 3, 4, 4), ("out", "out2"))
    assert read_tfjs(path).weights["shape_base"].dtype == np.int64  # declared int64 wins
    y, y2 = _run(path, x)
    cat = np.concatenate([x, x], axis=1)
    np.testing.assert_allclose(y, (1 / (1 + np.exp(-cat[:, :2]))).reshape(3, 2, -1), rtol=1e-6)
    np.testing.assert_allclose(y2, cat[:, 2:], rtol=1e-6)


def test_mean_fused_matmul_softmax_match_numpy(tmp_path: Path) -> None:
    """The classifier head of FaceRes: global Mean -> dense (+bias, Relu) -> Softmax, and a
    plain MatMul with a transposed constant."""
    rng = np.random.default_rng(2)
    w, b, w2 = rng.normal(size=(3, 5)), rng.normal(size=5), rng.normal(size=(4, 5))
    weights = {
        "axes": np.array([1, 2]),
        "w": w.astype(np.float32),
        "b": b.astype(np.float32),
        "w2": w2.astype(np.float32),
    }
    fused = {"list": {"s": [_s("BiasAdd")["s"], _s("Relu")["s"]]}}
    nodes: list[dict[str, Any]] = [
        {"name": "gap", "op": "Mean", "input": ["x", "axes"], "attr": {"keep_dims": {"b": False}}},
        {"name": "fc", "op": "_FusedMatMul", "input": ["gap", "w", "b"],
         "attr": {"fused_ops": fused, "transpose_a": {"b": False}, "transpose_b": {"b": False}}},
        {"name": "out", "op": "Softmax", "input": ["fc"]},
        {"name": "out2", "op": "MatMul", "input": ["fc", "w2"],
         "attr": {"transpose_b": {"b": True}}},
    ]  # fmt: skip
    x = rng.random((2, 4, 4, 3), np.float32)
    path = _write_model(tmp_path, nodes, weights, shape=(1, 4, 4, 3), outputs=("out", "out2"))
    y, y2 = _run(path, x)
    fc = np.maximum(x.mean(axis=(1, 2)) @ _half(weights["w"]) + _half(weights["b"]), 0)
    e = np.exp(fc - fc.max(axis=1, keepdims=True))
    np.testing.assert_allclose(y, e / e.sum(axis=1, keepdims=True), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(y2, fc @ _half(weights["w2"]).T, rtol=1e-4, atol=1e-5)


def test_max_strided_slice_expand_dims_and_aliased_outputs(tmp_path: Path) -> None:
    """The heads of gear (global Max) and SSR-Net (StridedSlice with shrink, ExpandDims),
    and a signature that names an output by an alias of its node (gear's "age_output")."""
    weights = {
        "axes": np.array([1, 2]), "b": np.array([0, 1]), "e": np.array([0, 3]),
        "st": np.array([1, 1]), "b2": np.array([0, 2]), "e2": np.array([0, 0]),
        "st2": np.array([1, -1]), "dim": np.array([-1]),
    }  # fmt: skip
    ss = {"begin_mask": {"i": "1"}, "end_mask": {"i": "1"}}
    nodes: list[dict[str, Any]] = [
        {"name": "gmp", "op": "Max", "input": ["x", "axes"], "attr": {"keep_dims": {"b": False}}},
        {"name": "col", "op": "StridedSlice", "input": ["gmp", "b", "e", "st"],
         "attr": {**ss, "shrink_axis_mask": {"i": "2"}}},
        {"name": "out", "op": "ExpandDims", "input": ["col", "dim"]},
        {"name": "Identity", "op": "StridedSlice", "input": ["gmp", "b2", "e2", "st2"],
         "attr": {**ss, "end_mask": {"i": "3"}}},
    ]  # fmt: skip
    path = _write_model(tmp_path, nodes, weights, shape=(1, 4, 4, 3), outputs=("out", "Identity"))
    doc = json.loads(path.read_text())
    doc["signature"]["outputs"] = {
        "out:0": {"name": "out:0"}, "reversed": {"name": "Identity:0"},
    }  # fmt: skip
    path.write_text(json.dumps(doc))
    m = convert(path)
    assert sorted(o.name for o in m.graph.output) == ["out", "reversed"]
    x = np.random.default_rng(3).random((2, 4, 4, 3), np.float32)
    sess = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    got = dict(zip(["out", "reversed"], sess.run(["out", "reversed"], {"x": x}), strict=True))
    gmp = x.max(axis=(1, 2))
    np.testing.assert_allclose(got["out"], gmp[:, 1][:, None])
    np.testing.assert_allclose(got["reversed"], gmp[:, ::-1])
    bad = [{**nodes[1], "attr": {**ss, "ellipsis_mask": {"i": "1"}}}]
    with pytest.raises(UnsupportedOpError, match=r"StridedSlice node 'col'.*ellipsis"):
        convert(
            _write_model(tmp_path, [nodes[0], *bad], weights, shape=(1, 4, 4, 3), outputs=("col",))
        )


def test_unsupported_fused_matmul_activation_fails_clearly(tmp_path: Path) -> None:
    fused = {"list": {"s": [_s("BiasAdd")["s"], _s("Relu6")["s"]]}}
    weights = {
        "axes": np.array([1, 2]),
        "w": np.ones((3, 2), np.float32),
        "b": np.zeros(2, np.float32),
    }
    nodes: list[dict[str, Any]] = [
        {"name": "gap", "op": "Mean", "input": ["x", "axes"]},
        {"name": "out", "op": "_FusedMatMul", "input": ["gap", "w", "b"],
         "attr": {"fused_ops": fused}},
    ]  # fmt: skip
    path = _write_model(tmp_path, nodes, weights, shape=(1, 4, 4, 3))
    with pytest.raises(UnsupportedOpError, match=r"_FusedMatMul node 'out': fused op 'Relu6'"):
        convert(path)


def test_unsupported_op_names_op_and_model(tmp_path: Path) -> None:
    nodes = [{"name": "out", "op": "FancyNewOp", "input": ["x"]}]
    path = _write_model(tmp_path, nodes, {})
    with pytest.raises(UnsupportedOpError, match=r"m: TF op\(s\) FancyNewOp"):
        convert(path)


def test_nanodet_ops_all_supported_and_graph_is_clean(nanodet_onnx: Path) -> None:
    import onnx

    from kuzet.assets import ensure

    ops = {n.op for n in read_tfjs(ensure("nanodet.json")).nodes} - {"Const", "Placeholder"}
    assert ops <= set(supported_ops())
    m = onnx.load(str(nanodet_onnx))
    kinds = [n.op_type for n in m.graph.node]
    assert kinds.count("Transpose") == 6  # only the 6 output transposes of the head remain
    assert m.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"


def test_input_size_320_converts_and_runs() -> None:
    from kuzet.assets import ensure

    m = convert(ensure("nanodet.json"), 320)
    sess = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    outs = sess.run(None, {"input_1": np.zeros((2, 3, 320, 320), np.float32)})
    assert sorted(o.shape[1] for o in outs) == [100, 100, 400, 400, 1600, 1600]
    assert all(o.shape[0] == 2 for o in outs)


def test_mobilefacenet_ops_match_numpy(tmp_path: Path) -> None:
    """The ops MobileFaceNet adds, each checked element-wise against numpy: a fused
    depthwise conv (channel multiplier 2, stride 2, + bias, Relu), Abs (of its PReLU),
    Square -> Sum -> Maximum -> Rsqrt (its L2 norm) and Squeeze of the pooled dims."""
    rng = np.random.default_rng(4)
    w = rng.standard_normal((3, 3, 3, 2)).astype(np.float32)  # H W C M
    b = rng.standard_normal(6).astype(np.float32)
    weights = {"w": w, "b": b, "axes": np.array([1, 2]), "eps": np.array(1e-10, np.float32)}
    fused = {"list": {"s": [_s("BiasAdd")["s"], _s("Relu")["s"]]}}
    keep = {"keep_dims": {"b": True}}
    nodes: list[dict[str, Any]] = [
        {"name": "dw", "op": "FusedDepthwiseConv2dNative", "input": ["x", "w", "b"],
         "attr": {"fused_ops": fused, "padding": _s("SAME"), "data_format": _s("NHWC"),
                  "strides": {"list": {"i": ["1", "2", "2", "1"]}}}},
        {"name": "abs", "op": "Abs", "input": ["x"]},
        {"name": "sq", "op": "Square", "input": ["x"]},
        {"name": "sum", "op": "Sum", "input": ["sq", "axes"], "attr": keep},
        {"name": "squeeze", "op": "Squeeze", "input": ["sum"],
         "attr": {"squeeze_dims": {"list": {"i": ["1", "2"]}}}},
        {"name": "floor", "op": "Maximum", "input": ["squeeze", "eps"]},
        {"name": "rsqrt", "op": "Rsqrt", "input": ["floor"]},
    ]  # fmt: skip
    outs = ("dw", "abs", "sq", "sum", "squeeze", "rsqrt")
    path = _write_model(tmp_path, nodes, weights, shape=(1, 6, 6, 3), outputs=outs)
    x = rng.standard_normal((2, 6, 6, 3)).astype(np.float32)
    m = convert(path)
    sess = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    got = dict(zip(outs, sess.run(list(outs), {"x": x}), strict=True))
    # TF "SAME", stride 2, 6 -> 3: total padding 1, all of it after (bottom/right)
    xp = np.pad(x, ((0, 0), (0, 1), (0, 1), (0, 0)))
    win = np.lib.stride_tricks.sliding_window_view(xp, (3, 3), axis=(1, 2))[:, ::2, ::2]
    dw = np.einsum("nhwcij,ijcm->nhwcm", win, _half(w)).reshape(2, 3, 3, 6) + _half(b)
    np.testing.assert_allclose(got["dw"], np.maximum(dw, 0), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(got["abs"], np.abs(x))
    np.testing.assert_allclose(got["sq"], x * x, rtol=1e-6)
    total = (x * x).sum(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(got["sum"], total, rtol=1e-5)
    assert got["squeeze"].shape == (2, 3)
    np.testing.assert_allclose(got["squeeze"], total[:, 0, 0], rtol=1e-5)
    np.testing.assert_allclose(got["rsqrt"], 1 / np.sqrt(total[:, 0, 0]), rtol=1e-5)


def test_squeeze_without_dims_is_refused(tmp_path: Path) -> None:
    nodes = [{"name": "out", "op": "Squeeze", "input": ["x"]}]
    path = _write_model(tmp_path, nodes, {}, shape=(1, 1, 4, 4))
    with pytest.raises(UnsupportedOpError, match=r"Squeeze node 'out': no squeeze_dims"):
        convert(path)
