#!/usr/bin/env python3
"""What one core can do: ONNX models whose only work is the kind the exported networks spend their time on, for
OnnxRuntimeBench's `run` command (input "input" of 1x3x416x416, reshaped inside the model):
  peak-conv.onnx    four 3x3 convolutions, 192 -> 192 channels at 52x52, pad 1 (a YOLO middle layer): 7.19 GFLOP
  peak-matmul.onnx  four 507x1024 by 1024x1024 matrix products: 4.25 GFLOP
  L{C}x{K}x{H}.onnx for each CxKxH given: four 3x3 convolutions, C -> K channels at HxH, pad 1, each with a bias and
                    a leaky activation, side by side on the same input (a network's layer alone, for winograd_probe.py)
GFLOP/s of the network = its GFLOP (OpenCV's Net.getFLOPS) / its median seconds; set against these.
usage: bench/peak_models.py OUTDIR [CxKxH...]"""
import sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(5)


def save(name, nodes, inits, shape, outputs=("y4",)):
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 416, 416])],
        [helper.make_tensor_value_info(o, TensorProto.FLOAT, shape) for o in outputs], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, f"{out}/{name}.onnx")


c = 192
inits = [numpy_helper.from_array(np.array([1, c, 52, 52], np.int64), "shape")]
nodes = [helper.make_node("Reshape", ["input", "shape"], ["y0"])]
for i in range(4):
    w = (rng.uniform(-1, 1, (c, c, 3, 3)) * np.sqrt(3 / (c * 9))).astype(np.float32)
    inits.append(numpy_helper.from_array(w, f"w{i}"))
    nodes.append(helper.make_node("Conv", [f"y{i}", f"w{i}"], [f"y{i + 1}"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
save("peak-conv", nodes, inits, [1, c, 52, 52])

inits = [numpy_helper.from_array(np.array([507, 1024], np.int64), "shape")]
nodes = [helper.make_node("Reshape", ["input", "shape"], ["y0"])]
for i in range(4):
    w = (rng.uniform(-1, 1, (1024, 1024)) * np.sqrt(3 / 1024)).astype(np.float32)
    inits.append(numpy_helper.from_array(w, f"w{i}"))
    nodes.append(helper.make_node("MatMul", [f"y{i}", f"w{i}"], [f"y{i + 1}"]))
save("peak-matmul", nodes, inits, [507, 1024])

for spec in sys.argv[2:]:
    c, k, h = map(int, spec.split("x"))
    n = c * h * h
    # the image's 519,168 floats, repeated as often as the layer's input needs, cut and reshaped to 1 x C x H x H
    inits = [numpy_helper.from_array(np.array([-1], np.int64), "flat"),
             numpy_helper.from_array(np.array([-(-n // (3 * 416 * 416))], np.int64), "reps"),
             numpy_helper.from_array(np.array([0], np.int64), "start"),
             numpy_helper.from_array(np.array([n], np.int64), "end"),
             numpy_helper.from_array(np.array([1, c, h, h], np.int64), "shape")]
    nodes = [helper.make_node("Reshape", ["input", "flat"], ["flat_in"]),
             helper.make_node("Tile", ["flat_in", "reps"], ["tiled"]),
             helper.make_node("Slice", ["tiled", "start", "end"], ["cut"]),
             helper.make_node("Reshape", ["cut", "shape"], ["x"])]
    for i in range(4):
        w = (rng.uniform(-1, 1, (k, c, 3, 3)) * np.sqrt(3 / (c * 9))).astype(np.float32)
        b = rng.uniform(-0.1, 0.1, k).astype(np.float32)
        inits += [numpy_helper.from_array(w, f"w{i}"), numpy_helper.from_array(b, f"b{i}")]
        nodes += [helper.make_node("Conv", ["x", f"w{i}", f"b{i}"], [f"c{i}"], name=f"conv_{i}/conv", kernel_shape=[3, 3],
                                   pads=[1, 1, 1, 1]),
                  helper.make_node("LeakyRelu", [f"c{i}"], [f"y{i}"], name=f"conv_{i}", alpha=0.1)]
    save(f"L{spec}", nodes, inits, [1, k, h, h], [f"y{i}" for i in range(4)])
