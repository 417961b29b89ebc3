#!/usr/bin/env python3
"""Writes a synthetic .weights file: darknet's 20-byte header (version 0.2.0) then seeded float32 values.
usage: make_weights.py OUT SIZE_IN_BYTES"""
import sys
import numpy as np

out, size = sys.argv[1], int(sys.argv[2])
assert (size - 20) % 4 == 0, 'size must be 20 + 4 * floats'
rng = np.random.default_rng(1)
with open(out, 'wb') as f:
    f.write(np.array([0, 2, 0], '<i4').tobytes() + np.array([32013312], '<i8').tobytes())
    left = (size - 20) // 4
    while left:
        n = min(left, 1 << 22)
        f.write(rng.standard_normal(n, dtype=np.float32).astype('<f4').tobytes())
        left -= n
