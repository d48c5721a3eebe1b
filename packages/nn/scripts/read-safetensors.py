#!/usr/bin/python3
"""Reads a .safetensors file into PyTorch tensors by the format spec (struct + json + torch.frombuffer),
for checking files Lumen wrote when the Python `safetensors` package is not installed.

Run: /usr/bin/python3 packages/nn/scripts/read-safetensors.py model.safetensors
"""
import json
import struct
import sys

import torch

DTYPES = {'F32': torch.float32, 'F64': torch.float64, 'I32': torch.int32, 'I64': torch.int64,
          'BOOL': torch.bool, 'F16': torch.float16, 'BF16': torch.bfloat16, 'U8': torch.uint8}


def load(path):
    with open(path, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    meta = header.pop('__metadata__', {})
    out = {}
    for name, e in header.items():
        b, end = e['data_offsets']
        t = torch.frombuffer(bytearray(data[b:end]), dtype=DTYPES[e['dtype']]) if end > b else torch.empty(0, dtype=DTYPES[e['dtype']])
        out[name] = t.reshape(e['shape'])
    return out, meta


if __name__ == '__main__':
    tensors, meta = load(sys.argv[1])
    print('metadata', meta)
    for k, v in tensors.items():
        print(k, tuple(v.shape), v.dtype, v.flatten()[:4].tolist())
