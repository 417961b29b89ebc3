#!/usr/bin/env python3
"""Issue 17, Must 8: would Winograd convolutions make ONNX Runtime fast enough? Rewrites every 3x3 stride-1 Conv
(dilation 1, group 1, pad 1) of an exported model into Winograd F(m, 3) made of plain static ONNX ops, for
OnnxRuntimeBench's `run` (with `--check` against the direct model):
  input transform   a grouped Conv (one group per input channel, constant a x a kernels of B^T (x) B^T, stride m,
                    darknet's padding): [1, C*a*a, Th, Tw], then Reshape + Transpose to [a*a, C, Th*Tw]
  elementwise stage MatMul of the constant U [a*a, K, C] (U = G g G^T, computed in double) by it: [a*a, K, Th*Tw]
  output transform  MatMul of the constant A^T (x) A^T [m*m, a*a] by it, Reshape, DepthToSpace (DCR), Slice to H x W
  then the bias (Add); the activation node after the Conv is left as it is.
usage: bench/winograd_probe.py IN.onnx OUT.onnx [--m 2|4] [--size 416] [--min-hw N] [--max-hw N] [--min-c N]
                               [--input grouped|depthwise] [--layout kcp|pck]
  --min-hw/--max-hw/--min-c: rewrite only convolutions whose input is that large (smaller side) or has that many channels
  --input depthwise: the input transform as a*a depthwise Convs (one kernel each) + Concat instead of one grouped Conv
  --layout pck: the elementwise stage as [a*a, P, C] x [a*a, C, K] (the constant on the right), then one Transpose
The input is pinned to 1x3xSIZExSIZE (the rewrite needs static shapes). Figures: docs/benchmarks.md."""
import argparse
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper, shape_inference

# Lavin & Gray's matrices: F(2,3) on the points 0, 1, -1, inf; F(4,3) on 0, 1, -1, 2, -2, inf.
MATRICES = {
    2: (np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], np.float64),
        np.array([[1, 0, 0], [.5, .5, .5], [.5, -.5, .5], [0, 0, 1]], np.float64),
        np.array([[1, 1, 1, 0], [0, 1, -1, -1]], np.float64)),
    4: (np.array([[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0],
                  [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]], np.float64),
        np.array([[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6],
                  [1 / 24, 1 / 12, 1 / 6], [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]], np.float64),
        np.array([[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]], np.float64)),
}


def check_matrices(m):
    bt, g, at = MATRICES[m]
    rng = np.random.default_rng(1)
    d, w = rng.standard_normal(m + 2), rng.standard_normal(3)
    direct = np.array([d[i:i + 3] @ w for i in range(m)])
    assert np.allclose(at @ ((g @ w) * (bt @ d)), direct), m


def main():
    p = argparse.ArgumentParser()
    p.add_argument("src")
    p.add_argument("dst")
    p.add_argument("--m", type=int, default=2)
    p.add_argument("--size", type=int, default=416)
    p.add_argument("--min-hw", type=int, default=0)
    p.add_argument("--max-hw", type=int, default=1 << 30)
    p.add_argument("--min-c", type=int, default=0)
    p.add_argument("--input", choices=["grouped", "depthwise"], default="grouped")
    p.add_argument("--layout", choices=["kcp", "pck"], default="kcp")
    a = p.parse_args()
    m = a.m
    check_matrices(m)
    bt, gm, at = MATRICES[m]
    alpha = m + 2

    model = onnx.load(a.src)
    graph = model.graph
    dims = graph.input[0].type.tensor_type.shape.dim
    for d, v in zip(dims, [1, 3, a.size, a.size]):
        d.Clear()
        d.dim_value = v
    inferred = shape_inference.infer_shapes(model)
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim] for v in inferred.graph.value_info}
    shapes[graph.input[0].name] = [1, 3, a.size, a.size]
    inits = {i.name: i for i in graph.initializer}

    def attr(node, name, default):
        for x in node.attribute:
            if x.name == name:
                return list(x.ints) if x.ints else x.i
        return default

    new_nodes, new_inits, dropped, count = [], [], set(), 0
    for node in graph.node:
        ok = (node.op_type == "Conv" and attr(node, "kernel_shape", None) == [3, 3]
              and attr(node, "strides", [1, 1]) == [1, 1] and attr(node, "dilations", [1, 1]) == [1, 1]
              and attr(node, "group", 1) == 1 and attr(node, "pads", None) == [1, 1, 1, 1]
              and node.input[1] in inits and node.input[0] in shapes)
        if ok:
            _, c, h, w = shapes[node.input[0]]
            ok = a.min_hw <= min(h, w) <= a.max_hw and c >= a.min_c
        if not ok:
            new_nodes.append(node)
            continue
        count += 1
        x, wname = node.input[0], node.input[1]
        weights = numpy_helper.to_array(inits[wname]).astype(np.float64)
        k = weights.shape[0]
        th, tw = -(-h // m), -(-w // m)
        n = node.name or f"conv{count}"
        # input transform kernel: out (i, j) of a tile d = sum_rs B^T[i, r] B^T[j, s] d[r, s]
        bk = np.einsum("ir,js->ijrs", bt, bt).reshape(alpha * alpha, 1, alpha, alpha)
        bk = np.tile(bk, (c, 1, 1, 1)).astype(np.float32)
        u = np.einsum("ir,ocrs,js->ijoc", gm, weights, gm).reshape(alpha * alpha, k, c).astype(np.float32)
        atk = np.einsum("pi,qj->pqij", at, at).reshape(m * m, alpha * alpha).astype(np.float32)
        consts = {
            f"{n}/wg_at": atk,
            f"{n}/wg_s1": np.array([c, alpha * alpha, th * tw], np.int64),
            f"{n}/wg_s2": np.array([alpha * alpha, k * th * tw], np.int64),
        }
        if a.layout == "kcp":
            consts[f"{n}/wg_s3"] = np.array([1, m * m * k, th, tw], np.int64)
        if a.input == "depthwise":
            del consts[f"{n}/wg_s1"]
        new_inits += [numpy_helper.from_array(v, name) for name, v in consts.items()]
        dropped.add(wname)
        pads = [1, 1, th * m + 2 - h - 1, tw * m + 2 - w - 1]
        out = node.output[0]
        nodes = []
        if a.input == "grouped":
            new_inits.append(numpy_helper.from_array(bk, f"{n}/wg_bk"))
            nodes += [
                helper.make_node("Conv", [x, f"{n}/wg_bk"], [f"{n}/wg_v0"], name=f"{n}/wg_in", kernel_shape=[alpha, alpha],
                                 strides=[m, m], pads=pads, group=c),
                helper.make_node("Reshape", [f"{n}/wg_v0", f"{n}/wg_s1"], [f"{n}/wg_v1"], name=f"{n}/wg_r1"),
                helper.make_node("Transpose", [f"{n}/wg_v1"], [f"{n}/wg_v"], name=f"{n}/wg_t",
                                 perm=[1, 0, 2] if a.layout == "kcp" else [1, 2, 0])]
        else:
            single = np.einsum("ir,js->ijrs", bt, bt).reshape(alpha * alpha, 1, 1, alpha, alpha)
            for j in range(alpha * alpha):
                new_inits.append(numpy_helper.from_array(np.tile(single[j], (c, 1, 1, 1)).astype(np.float32), f"{n}/wg_bk{j}"))
                nodes.append(helper.make_node("Conv", [x, f"{n}/wg_bk{j}"], [f"{n}/wg_v0_{j}"], name=f"{n}/wg_in{j}",
                                              kernel_shape=[alpha, alpha], strides=[m, m], pads=pads, group=c))
            new_inits.append(numpy_helper.from_array(np.array([alpha * alpha, c, th * tw], np.int64), f"{n}/wg_s1b"))
            nodes += [helper.make_node("Concat", [f"{n}/wg_v0_{j}" for j in range(alpha * alpha)], [f"{n}/wg_v0"], name=f"{n}/wg_cat", axis=0),
                      helper.make_node("Reshape", [f"{n}/wg_v0", f"{n}/wg_s1b"], [f"{n}/wg_v1" if a.layout == "pck" else f"{n}/wg_v"], name=f"{n}/wg_r1")]
            if a.layout == "pck":
                nodes.append(helper.make_node("Transpose", [f"{n}/wg_v1"], [f"{n}/wg_v"], name=f"{n}/wg_t", perm=[0, 2, 1]))
        y2 = f"{n}/wg_y2" if (th * m, tw * m) != (h, w) or len(node.input) > 2 else out
        if a.layout == "kcp":
            new_inits.append(numpy_helper.from_array(u, f"{n}/wg_u"))
            nodes += [
                helper.make_node("MatMul", [f"{n}/wg_u", f"{n}/wg_v"], [f"{n}/wg_m"], name=f"{n}/wg_mul"),
                helper.make_node("Reshape", [f"{n}/wg_m", f"{n}/wg_s2"], [f"{n}/wg_m2"], name=f"{n}/wg_r2"),
                helper.make_node("MatMul", [f"{n}/wg_at", f"{n}/wg_m2"], [f"{n}/wg_y0"], name=f"{n}/wg_out"),
                helper.make_node("Reshape", [f"{n}/wg_y0", f"{n}/wg_s3"], [f"{n}/wg_y1"], name=f"{n}/wg_r3"),
                helper.make_node("DepthToSpace", [f"{n}/wg_y1"], [y2], name=f"{n}/wg_d2s", blocksize=m, mode="DCR")]
        else:
            new_inits += [numpy_helper.from_array(np.ascontiguousarray(u.transpose(0, 2, 1)), f"{n}/wg_ut"),
                          numpy_helper.from_array(np.array([m, m, th, tw, k], np.int64), f"{n}/wg_s4"),
                          numpy_helper.from_array(np.array([1, k, th * m, tw * m], np.int64), f"{n}/wg_s5")]
            nodes += [
                helper.make_node("MatMul", [f"{n}/wg_v", f"{n}/wg_ut"], [f"{n}/wg_m"], name=f"{n}/wg_mul"),
                helper.make_node("Reshape", [f"{n}/wg_m", f"{n}/wg_s2"], [f"{n}/wg_m2"], name=f"{n}/wg_r2"),
                helper.make_node("MatMul", [f"{n}/wg_at", f"{n}/wg_m2"], [f"{n}/wg_y0"], name=f"{n}/wg_out"),
                helper.make_node("Reshape", [f"{n}/wg_y0", f"{n}/wg_s4"], [f"{n}/wg_y1"], name=f"{n}/wg_r3"),
                helper.make_node("Transpose", [f"{n}/wg_y1"], [f"{n}/wg_y1t"], name=f"{n}/wg_t2", perm=[4, 2, 0, 3, 1]),
                helper.make_node("Reshape", [f"{n}/wg_y1t", f"{n}/wg_s5"], [y2], name=f"{n}/wg_r4")]
        new_nodes += nodes
        last = f"{n}/wg_y2"
        if (th * m, tw * m) != (h, w):
            new_inits += [numpy_helper.from_array(np.array([0, 0], np.int64), f"{n}/wg_st"),
                          numpy_helper.from_array(np.array([h, w], np.int64), f"{n}/wg_en"),
                          numpy_helper.from_array(np.array([2, 3], np.int64), f"{n}/wg_ax")]
            sliced = f"{n}/wg_y3" if len(node.input) > 2 else out
            new_nodes.append(helper.make_node("Slice", [last, f"{n}/wg_st", f"{n}/wg_en", f"{n}/wg_ax"], [sliced], name=f"{n}/wg_crop"))
            last = sliced
        if len(node.input) > 2:
            bias = numpy_helper.to_array(inits[node.input[2]]).reshape(k, 1, 1)
            new_inits.append(numpy_helper.from_array(bias, f"{n}/wg_b"))
            dropped.add(node.input[2])
            new_nodes.append(helper.make_node("Add", [last, f"{n}/wg_b"], [out], name=f"{n}/wg_bias"))
        print(f"{n}: {c} -> {k} at {h}x{w}, F({m},3)")
    used = {i for nd in new_nodes for i in nd.input}
    keep = [i for i in graph.initializer if i.name in used]
    graph.ClearField("node")
    graph.node.extend(new_nodes)
    graph.ClearField("initializer")
    graph.initializer.extend(keep + new_inits)
    graph.ClearField("value_info")
    onnx.checker.check_model(model)
    onnx.save(model, a.dst)
    print(f"{count} convolutions rewritten")


main()
