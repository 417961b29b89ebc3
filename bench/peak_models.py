#!/usr/bin/env python3
"""What one core can do: ONNX models whose only work is the kind the exported networks spend their time on, for
OnnxRuntimeBench's `run` command (input "input" of 1x3x416x416, reshaped inside the model):
  peak-conv.onnx    four 3x3 convolutions, 192 -> 192 channels at 52x52, pad 1 (a YOLO middle layer): 7.19 GFLOP
  peak-matmul.onnx  four 507x1024 by 1024x1024 matrix products: 4.25 GFLOP
GFLOP/s of the network = its GFLOP (OpenCV's Net.getFLOPS) / its median seconds; set against these.
usage: bench/peak_models.py OUTDIR"""
import sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(5)


def save(name, nodes, inits, shape):
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 416, 416])],
        [helper.make_tensor_value_info("y4", TensorProto.FLOAT, shape)], inits)
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
