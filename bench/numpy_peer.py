#!/usr/bin/env python3
"""The peer: how a numpy script (like the seed's reference convert_model.py) does the same job.
Reads the whole .weights with np.fromfile, walks the cfg, np.save's the dict. usage: numpy_peer.py CFG WEIGHTS OUT.npy"""
import sys
import numpy as np

cfg, weights_path, out = sys.argv[1:4]
sections = []
for line in open(cfg).read().splitlines():
    line = line.strip()
    if not line or line[0] in '#;':
        continue
    if line.startswith('['):
        sections.append((line[1:-1].strip(), {}))
    else:
        k, v = line.split('=', 1)
        sections[-1][1][k.strip()] = v.strip()
c = int(sections[0][1].get('channels', 3))
channels, convs = [], []
for kind, o in sections[1:]:
    i = len(channels)
    if kind in ('convolutional', 'conv'):
        n = int(o['filters'])
        convs.append((n, c // int(o.get('groups', 1)), int(o.get('size', 1)), int(o.get('batch_normalize', 0))))
        c = n
    elif kind == 'route':
        idx = [int(x) for x in o['layers'].split(',')]
        c = sum(channels[x if x >= 0 else i + x] for x in idx)
    elif kind == 'reorg':
        c *= int(o.get('stride', 1)) ** 2
    channels.append(c)

data = np.fromfile(weights_path, dtype=np.float32, offset=20)
pos, d = 0, {}
for k, (n, cin, size, bn) in enumerate(convs):
    entry = {}
    if bn:
        beta, gamma, mean, var = (data[pos + j * n:pos + (j + 1) * n] for j in range(4))
        entry['bn'] = [gamma, beta, mean, var]
        pos += 4 * n
    else:
        entry['biases'] = data[pos:pos + n]
        pos += n
    count = n * cin * size * size
    entry['weights'] = np.ascontiguousarray(data[pos:pos + count].reshape(n, cin, size, size).transpose(2, 3, 1, 0))
    pos += count
    d['conv_%d' % (k + 1)] = entry
assert pos == len(data), (pos, len(data))
np.save(out, d)
