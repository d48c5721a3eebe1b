#!/usr/bin/python3
"""Regenerates packages/nn/test/fixtures/ from PyTorch (Debian python3-torch 1.13).

Run: /usr/bin/python3 packages/nn/scripts/gen-fixtures.py
  train.json        blobs data, initial weights, 5 optimizer steps per optimizer config (weights after)
  losses.json       loss values and input gradients for MSE/BCE/BCEWithLogits/CrossEntropy variants
  layers.json       LayerNorm, GELU, Embedding(padding_idx), clip_grad_norm_, StepLR
  safetensors.*     a .safetensors file written by hand from the format spec (struct + json: the
                    Python safetensors package is not packaged for Debian 12) and its expected values
"""
import json
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures')
os.makedirs(OUT, exist_ok=True)


def flat(t):
    return t.detach().reshape(-1).tolist()


def tj(t):
    dt = {torch.float32: 'float32', torch.float64: 'float64', torch.int64: 'int32', torch.int32: 'int32', torch.bool: 'bool'}[t.dtype]
    return {'dtype': dt, 'shape': list(t.shape), 'data': flat(t)}


def write_json(name, obj):
    path = os.path.join(OUT, name)
    with open(path + '.tmp', 'w') as f:
        json.dump(obj, f)
    os.replace(path + '.tmp', path)
    print('wrote', os.path.normpath(path))


def blobs(n_per_class, seed):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(n_per_class, 2, generator=g) + torch.tensor([1.5, 1.5])
    b = torch.randn(n_per_class, 2, generator=g) + torch.tensor([-1.5, -1.5])
    X = torch.cat([a, b])
    y = torch.cat([torch.ones(n_per_class, 1), torch.zeros(n_per_class, 1)])
    return X, y


def gen_train():
    X, y = blobs(100, 7)
    torch.manual_seed(3)
    init = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1))
    init_state = {k: v.clone() for k, v in init.state_dict().items()}
    configs = {
        'adam': lambda p: torch.optim.Adam(p, lr=0.01),
        'adamAmsgradWd': lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, amsgrad=True),
        'adamw': lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.05),
        'sgd': lambda p: torch.optim.SGD(p, lr=0.1),
        'sgdMomentum': lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01),
        'sgdNesterov': lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.001),
    }
    runs = {}
    for name, make in configs.items():
        model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1))
        model.load_state_dict(init_state)
        opt = make(model.parameters())
        losses = []
        for _ in range(5):
            opt.zero_grad()
            loss = F.binary_cross_entropy_with_logits(model(X), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        runs[name] = {'losses': losses, 'state': {k: flat(v) for k, v in model.state_dict().items()}}
    write_json('train.json', {
        'X': tj(X), 'y': tj(y),
        'init': {k: tj(v) for k, v in init_state.items()},
        'runs': runs,
    })


def loss_case(name, fn, inputs):
    xs = [x.clone().requires_grad_(x.is_floating_point() and i == 0) for i, x in enumerate(inputs)]
    out = fn(*xs)
    w = torch.linspace(0.5, 1.5, out.numel(), dtype=out.dtype).reshape(out.shape)
    (out * w).sum().backward()
    return {'name': name, 'inputs': [tj(x.detach()) for x in xs], 'output': tj(out.detach()), 'weight': tj(w),
            'grad': flat(xs[0].grad)}


def gen_losses():
    g = torch.Generator().manual_seed(11)
    rn = lambda *s: torch.randn(*s, generator=g)
    probs = torch.rand(4, 3, generator=g) * 0.98 + 0.01
    tgt01 = (torch.rand(4, 3, generator=g) > 0.5).float()
    logits = rn(6, 5) * 2
    classes = torch.tensor([0, 4, 2, -100, 1, 4])
    cls_w = torch.tensor([0.5, 1.0, 2.0, 1.5, 0.7])
    extreme = torch.tensor([[-200.0, -50.0, 0.0, 50.0, 200.0, 1e-3]])
    ext_t = torch.tensor([[1.0, 0.0, 1.0, 1.0, 0.0, 0.0]])
    logits3d = rn(2, 4, 3)
    classes3d = torch.tensor([[0, 3, 1], [2, 2, -100]])
    soft = torch.softmax(rn(6, 5), 1)
    cases = [
        loss_case('mse', lambda x, t: F.mse_loss(x, t), [rn(4, 3), rn(4, 3)]),
        loss_case('mseSum', lambda x, t: F.mse_loss(x, t, reduction='sum'), [rn(4, 3), rn(4, 3)]),
        loss_case('mseNone', lambda x, t: F.mse_loss(x, t, reduction='none'), [rn(4, 3), rn(4, 3)]),
        loss_case('l1', lambda x, t: F.l1_loss(x, t), [rn(4, 3), rn(4, 3)]),
        loss_case('bce', lambda x, t: F.binary_cross_entropy(x, t), [probs, tgt01]),
        loss_case('bceWeighted', lambda x, t, w: F.binary_cross_entropy(x, t, weight=w, reduction='sum'), [probs, tgt01, torch.rand(3, generator=g)]),
        loss_case('bceLogits', lambda x, t: F.binary_cross_entropy_with_logits(x, t), [rn(4, 3) * 3, tgt01]),
        loss_case('bceLogitsExtreme', lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction='none'), [extreme, ext_t]),
        loss_case('bceLogitsPosWeight', lambda x, t, pw: F.binary_cross_entropy_with_logits(x, t, pos_weight=pw), [rn(4, 3) * 3, tgt01, torch.tensor([0.5, 2.0, 3.0])]),
        loss_case('ce', lambda x, t: F.cross_entropy(x, t), [logits, classes]),
        loss_case('ceSum', lambda x, t: F.cross_entropy(x, t, reduction='sum'), [logits, classes]),
        loss_case('ceNone', lambda x, t: F.cross_entropy(x, t, reduction='none'), [logits, classes]),
        loss_case('ceIgnore', lambda x, t: F.cross_entropy(x, t, ignore_index=4), [logits, torch.tensor([0, 4, 2, 3, 1, 4])]),
        loss_case('ceWeight', lambda x, t, w: F.cross_entropy(x, t, weight=w), [logits, classes, cls_w]),
        loss_case('ceSmooth', lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1), [logits, classes]),
        loss_case('ceSmoothWeight', lambda x, t, w: F.cross_entropy(x, t, weight=w, label_smoothing=0.2), [logits, classes, cls_w]),
        loss_case('ceSmoothSum', lambda x, t: F.cross_entropy(x, t, label_smoothing=0.3, reduction='sum'), [logits, classes]),
        loss_case('ceSmoothNone', lambda x, t: F.cross_entropy(x, t, label_smoothing=0.3, reduction='none'), [logits, classes]),
        loss_case('ce3d', lambda x, t: F.cross_entropy(x, t), [logits3d, classes3d]),
        loss_case('ceProbs', lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1), [logits, soft]),
        loss_case('nll', lambda x, t: F.nll_loss(x, t), [torch.log_softmax(logits, 1), classes]),
    ]
    write_json('losses.json', {'cases': cases})


def gen_layers():
    g = torch.Generator().manual_seed(5)
    x = torch.randn(3, 4, 6, generator=g)
    ln = nn.LayerNorm(6)
    with torch.no_grad():
        ln.weight.copy_(torch.randn(6, generator=g))
        ln.bias.copy_(torch.randn(6, generator=g))
    xr = x.clone().requires_grad_(True)
    w = torch.randn(3, 4, 6, generator=g)
    (ln(xr) * w).sum().backward()
    layer_norm = {'x': tj(x), 'weight': tj(ln.weight), 'bias': tj(ln.bias), 'w': tj(w), 'out': tj(ln(x)),
                  'gradX': flat(xr.grad), 'gradWeight': flat(ln.weight.grad), 'gradBias': flat(ln.bias.grad)}

    emb = nn.Embedding(5, 3, padding_idx=1)
    idx = torch.tensor([[1, 2, 1], [4, 2, 0]])
    ew = torch.randn(2, 3, 3, generator=g)
    (emb(idx) * ew).sum().backward()
    embedding = {'weight': tj(emb.weight), 'idx': tj(idx), 'w': tj(ew), 'grad': flat(emb.weight.grad)}

    p1 = torch.zeros(3, 2, requires_grad=True)
    p2 = torch.zeros(4, requires_grad=True)
    p1.grad = torch.randn(3, 2, generator=g) * 3
    p2.grad = torch.randn(4, generator=g) * 3
    before = [tj(p1.grad.clone()), tj(p2.grad.clone())]
    clip = {}
    for nt in [2.0, 1.0, float('inf')]:
        a = torch.zeros(3, 2, requires_grad=True)
        b = torch.zeros(4, requires_grad=True)
        a.grad = p1.grad.clone()
        b.grad = p2.grad.clone()
        total = torch.nn.utils.clip_grad_norm_([a, b], 1.5, norm_type=nt)
        clip[str(nt)] = {'total': total.item(), 'grads': [flat(a.grad), flat(b.grad)]}

    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.4)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    lrs = []
    for _ in range(10):
        lrs.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    write_json('layers.json', {'layerNorm': layer_norm, 'embedding': embedding,
                               'clip': {'grads': before, 'maxNorm': 1.5, 'results': clip}, 'stepLR': lrs})


def gen_safetensors():
    """A file written from the spec: u64le header size, JSON header, raw little-endian data."""
    tensors = [
        ('a.weight', 'F32', [2, 3], struct.pack('<6f', 1.5, -2.0, 3.25, 0.0, 1e-3, -7.0)),
        ('a.bias', 'F64', [3], struct.pack('<3d', 0.1, -0.2, 1e300)),
        ('ids', 'I64', [2, 2], struct.pack('<4q', 0, -5, 2147483647, 42)),
        ('mask', 'BOOL', [3], bytes([1, 0, 1])),
        ('half', 'F16', [4], struct.pack('<4e', 1.0, -0.5, 65504.0, 6.1035156e-05)),
        ('bf', 'BF16', [2], struct.pack('<2H', 0x3FC0, 0xC2F7)),  # 1.5, -123.5
        ('count', 'I32', [], struct.pack('<i', -3)),
    ]
    header = {'__metadata__': {'format': 'pt', 'source': 'gen-fixtures.py'}}
    offset = 0
    data = b''
    for name, dtype, shape, raw in tensors:
        header[name] = {'dtype': dtype, 'shape': shape, 'data_offsets': [offset, offset + len(raw)]}
        offset += len(raw)
        data += raw
    hb = json.dumps(header, separators=(',', ':')).encode()
    hb += b' ' * ((8 - len(hb) % 8) % 8)
    path = os.path.join(OUT, 'handwritten.safetensors')
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(hb)) + hb + data)
    print('wrote', os.path.normpath(path))
    expected = {
        'a.weight': {'dtype': 'float32', 'shape': [2, 3], 'data': [1.5, -2.0, 3.25, 0.0, float(torch.tensor(1e-3)), -7.0]},
        'a.bias': {'dtype': 'float64', 'shape': [3], 'data': [0.1, -0.2, 1e300]},
        'ids': {'dtype': 'int32', 'shape': [2, 2], 'data': [0, -5, 2147483647, 42]},
        'mask': {'dtype': 'bool', 'shape': [3], 'data': [True, False, True]},
        'half': {'dtype': 'float32', 'shape': [4], 'data': torch.tensor([1.0, -0.5, 65504.0, 6.1035156e-05], dtype=torch.float16).float().tolist()},
        'bf': {'dtype': 'float32', 'shape': [2], 'data': [1.5, -123.5]},
        'count': {'dtype': 'int32', 'shape': [], 'data': [-3]},
    }
    # What our writer must produce for a float32/float64/int32/bool dict, byte for byte.
    ours = [('w', 'F32', [2, 2], struct.pack('<4f', 1, 2, 3, 4)), ('b', 'F64', [1], struct.pack('<d', 0.5)),
            ('n', 'I32', [2], struct.pack('<2i', 7, -8)), ('m', 'BOOL', [2], bytes([0, 1]))]
    header = {}
    offset = 0
    data = b''
    for name, dtype, shape, raw in ours:
        header[name] = {'dtype': dtype, 'shape': shape, 'data_offsets': [offset, offset + len(raw)]}
        offset += len(raw)
        data += raw
    hb = json.dumps(header, separators=(',', ':')).encode()
    hb += b' ' * ((8 - len(hb) % 8) % 8)
    expected_bytes = list(struct.pack('<Q', len(hb)) + hb + data)
    write_json('safetensors.json', {'expected': expected, 'writerBytes': expected_bytes})


if __name__ == '__main__':
    gen_train()
    gen_losses()
    gen_layers()
    gen_safetensors()
