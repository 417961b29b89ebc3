#!/usr/bin/env python3
"""Rewrites every mish of an exported model (as the exporter writes it now, or wrote it before issue 17) into each
candidate formulation, for bench/OnnxRuntime to time. Writes OUT_DIR/<stem>-<variant>.onnx and, next to each, a
.mish.txt with the names of the nodes that compute mish (one a line).

usage: mish_variants.py MODEL.onnx OUT_DIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


def softplus_tanh(x, y, node, const):
    """The baseline: ONNX's Softplus, Tanh, Mul."""
    s = node("Softplus", [x], "softplus")
    t = node("Tanh", [s], "tanh")
    node("Mul", [x, t], None)


def exp_ratio(x, y, node, const):
    """e = exp(min(x, 20)), n = e(e + 2): tanh(ln(1 + e)) = n / (n + 2), y = x·(n / (n + 2))."""
    e = node("Exp", [node("Min", [x, const(20.0)], "clamp")], "exp")
    n = node("Mul", [e, node("Add", [e, const(2.0)], "e_plus_2")], "n")
    node("Mul", [x, node("Div", [n, node("Add", [n, const(2.0)], "n_plus_2")], "tanh")], None)


def exp_inverse(x, y, node, const):
    """The same as y = x / (1 + 2/n), n = eˣ(eˣ + 2), without a clamp: n = inf gives x, n = 0 gives −0."""
    e = node("Exp", [x], "exp")
    n = node("Mul", [e, node("Add", [e, const(2.0)], "e_plus_2")], "n")
    node("Div", [x, node("Add", [node("Div", [const(2.0), n], "two_over_n"), const(1.0)], "one_plus")], None)


def sigmoid_ratio(x, y, node, const):
    """s = σ(x), m = s(2 − s) = 1 − (1 − s)²: tanh(ln(1 + eˣ)) = m / (2 − m), y = x·m / (2 − m)."""
    s = node("Sigmoid", [x], "sigmoid")
    m = node("Mul", [s, node("Sub", [const(2.0), s], "two_minus_s")], "m")
    node("Div", [node("Mul", [x, m], "x_m"), node("Sub", [const(2.0), m], "two_minus_m")], None)


def log_exp_tanh(x, y, node, const):
    """darknet's float arithmetic step by step: tanh(log(exp(x) + 1)) · x (no threshold: exp overflows to inf, tanh(inf) = 1)."""
    sp = node("Log", [node("Add", [node("Exp", [x], "exp"), const(1.0)], "exp_plus_1")], "log")
    node("Mul", [x, node("Tanh", [sp], "tanh")], None)


VARIANTS = {"softplus": softplus_tanh, "exp_ratio": exp_ratio, "exp_inverse": exp_inverse, "sigmoid_ratio": sigmoid_ratio, "log_exp": log_exp_tanh}


# The formulations the exporter has written: before issue 17 (x·tanh(softplus(x))) and since (x / (1 + 2/n)).
EXPORTED = [sorted(["Softplus", "Tanh", "Mul"]), sorted(["Exp", "Add", "Mul", "Div", "Add", "Div"])]


def find_mish(graph):
    """(x, y, nodes) for every mish the exporter wrote: a Mul or Div of x by t = y whose t is computed from x and
    constants alone by one of the EXPORTED formulations."""
    producer = {o: n for n in graph.node for o in n.output}
    constants = {i.name for i in graph.initializer}
    found = []
    for last in graph.node:
        if last.op_type not in ("Mul", "Div") or len(last.input) != 2:
            continue
        x, t = last.input
        group, pending, ok = [last], [t], True
        while pending and ok:
            node = producer.get(pending.pop())
            if node is None or len(group) > 8:
                ok = False
            elif all(node is not g for g in group):
                group.append(node)
                pending.extend(i for i in node.input if i != x and i not in constants)
        if ok and sorted(n.op_type for n in group) in EXPORTED:
            ids = {id(g) for g in group}
            found.append((x, last.output[0], [n for n in graph.node if id(n) in ids]))
    return found


def rewrite(model, variant):
    graph = model.graph
    consts = {}

    def const(value):
        name = f"mish_const/{value:g}"
        if name not in consts:
            consts[name] = numpy_helper.from_array(np.array(value, dtype=np.float32), name)
        return name

    mish = find_mish(graph)
    replaced = {id(n) for _, _, nodes in mish for n in nodes}
    first = {id(nodes[0]): (x, y) for x, y, nodes in mish}  # the group's first node in graph order
    names = []
    out = []
    for n in graph.node:
        if id(n) not in replaced:
            out.append(n)
            continue
        if id(n) not in first:
            continue
        x, y = first[id(n)]

        def node(op, inputs, suffix):
            name = y if suffix is None else f"{y}/{suffix}"
            out.append(helper.make_node(op, inputs, [name], name=name))
            names.append(name)
            return name

        VARIANTS[variant](x, y, node, const)
    del graph.node[:]
    graph.node.extend(out)
    graph.initializer.extend(consts.values())
    used = {i for n in graph.node for i in n.input}
    unused = [i for i in graph.initializer if i.name not in used]
    for i in unused:
        graph.initializer.remove(i)
    return len(mish), names


def main():
    source, out_dir = sys.argv[1], sys.argv[2]
    stem = os.path.splitext(os.path.basename(source))[0]
    os.makedirs(out_dir, exist_ok=True)
    for variant in VARIANTS:
        model = onnx.load(source)
        count, names = rewrite(model, variant)
        path = os.path.join(out_dir, f"{stem}-{variant}.onnx")
        onnx.save(model, path)
        onnx.checker.check_model(path)
        with open(path + ".mish.txt", "w") as f:
            f.write("\n".join(names) + "\n")
        print(f"{path}: {count} mish, {len(names)} nodes")


if __name__ == "__main__":
    main()
