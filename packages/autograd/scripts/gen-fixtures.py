#!/usr/bin/python3
"""Regenerates test/fixtures/*.json: PyTorch (Debian python3-torch 1.13) gradients, float64.

Run: /usr/bin/python3 packages/autograd/scripts/gen-fixtures.py
Each case: inputs (values), an upstream weight w of the output's shape, and d(sum(f(x) * w))/dx for
every input that requires grad. test/cases.ts holds the same cases written with Lumen.
torch-inplace.json: whether PyTorch refuses each in-place-write case (test/inplace.test.ts).
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)
g = torch.Generator().manual_seed(1234)


def randn(*shape):
    return torch.randn(*shape, generator=g, dtype=torch.float64)


def pos(*shape):  # values in [0.5, 2)
    return torch.rand(*shape, generator=g, dtype=torch.float64) * 1.5 + 0.5


def unit(*shape):  # values in (-0.9, 0.9)
    return torch.rand(*shape, generator=g, dtype=torch.float64) * 1.8 - 0.9


def away(*shape):  # |values| in [0.2, 2]: no kinks of abs/relu/clamp nearby
    s = torch.randint(0, 2, shape, generator=g).double() * 2 - 1
    return s * (torch.rand(*shape, generator=g, dtype=torch.float64) * 1.8 + 0.2)


def idx(high, *shape):
    return torch.randint(0, high, shape, generator=g, dtype=torch.int64)


def cond(*shape):
    return torch.rand(*shape, generator=g) > 0.5


def spaced(*shape):  # distinct values: max/min have no ties
    n = 1
    for s in shape:
        n *= s
    return (torch.randperm(n, generator=g).double() * 0.37 - n * 0.15).reshape(shape)


def with_zeros(*shape):
    x = pos(*shape)
    x.view(-1)[1] = 0.0
    x.view(-1)[-3] = 0.0
    x.view(-1)[-2] = 0.0
    return x


NO_GRAD = 'no-grad'
CASES = {
    # unary
    'neg': ([randn(3, 4)], lambda x: -x),
    'abs': ([away(3, 4)], lambda x: x.abs()),
    'square': ([randn(3, 4)], lambda x: x.square()),
    'relu': ([away(3, 4)], lambda x: x.relu()),
    'exp': ([randn(3, 4)], lambda x: x.exp()),
    'expm1': ([randn(3, 4)], lambda x: x.expm1()),
    'log': ([pos(3, 4)], lambda x: x.log()),
    'log1p': ([pos(3, 4)], lambda x: x.log1p()),
    'log2': ([pos(3, 4)], lambda x: x.log2()),
    'sqrt': ([pos(3, 4)], lambda x: x.sqrt()),
    'rsqrt': ([pos(3, 4)], lambda x: x.rsqrt()),
    'reciprocal': ([pos(3, 4)], lambda x: x.reciprocal()),
    'sin': ([randn(3, 4)], lambda x: x.sin()),
    'cos': ([randn(3, 4)], lambda x: x.cos()),
    'tan': ([unit(3, 4)], lambda x: x.tan()),
    'tanh': ([randn(3, 4)], lambda x: x.tanh()),
    'sigmoid': ([randn(3, 4)], lambda x: x.sigmoid()),
    'erf': ([randn(3, 4)], lambda x: torch.erf(x)),
    'gelu': ([randn(3, 4) * 2], lambda x: F.gelu(x)),
    'geluTanh': ([randn(3, 4) * 2], lambda x: F.gelu(x, approximate='tanh')),
    'silu': ([randn(3, 4) * 2], lambda x: F.silu(x)),
    'softplus': ([randn(3, 4) * 15], lambda x: F.softplus(x)),
    'leakyRelu': ([away(3, 4)], lambda x: F.leaky_relu(x, 0.2)),
    'clamp': ([away(4, 5)], lambda x: x.clamp(-0.5, 0.7)),
    'clampMin': ([away(4, 5)], lambda x: x.clamp(min=0.3)),
    'floorTimesX': ([away(3, 4) * 3], lambda x: x.floor() * x),
    'signTimesX': ([away(3, 4)], lambda x: x.sign() * x),
    'castRoundTrip': ([randn(3, 4)], lambda x: (x.float() * 2).double()),
    'clone': ([randn(3, 4)], lambda x: x.clone() * 3),
    # binary, broadcasting
    'add': ([randn(3, 1, 4), randn(2, 4)], lambda a, b: a + b),
    'sub': ([randn(3, 1, 4), randn(2, 4)], lambda a, b: a - b),
    'mul': ([randn(3, 1, 4), randn(2, 4)], lambda a, b: a * b),
    'div': ([randn(3, 1, 4), pos(2, 4)], lambda a, b: a / b),
    'powTensor': ([pos(3, 4), randn(4)], lambda a, b: a ** b),
    'powScalar': ([randn(3, 4)], lambda x: x ** 3),
    'powHalf': ([pos(3, 4)], lambda x: x ** 0.5),
    'powScalarBase': ([randn(3, 4)], lambda x: 2 ** x),
    'maximum': ([spaced(3, 4), spaced(4)], lambda a, b: torch.maximum(a, b)),
    'minimum': ([spaced(3, 4), spaced(3, 1)], lambda a, b: torch.minimum(a, b)),
    'remainder': ([unit(3, 4) * 3, pos(3, 4)], lambda a, b: torch.remainder(a, b)),
    'atan2': ([randn(3, 4), away(3, 4)], lambda a, b: torch.atan2(a, b)),
    'mulScalar': ([randn(3, 4)], lambda x: x * 3 + 1),
    'rsubScalar': ([randn(3, 4)], lambda x: 2 - x),
    'rdivScalar': ([pos(3, 4)], lambda x: 1 / x),
    'where': ([cond(3, 4), randn(3, 4), randn(4)], lambda c, a, b: torch.where(c, a, b)),
    'whereScalar': ([cond(3, 4), randn(3, 4)], lambda c, a: torch.where(c, a, 0.5)),
    # reductions
    'sumAll': ([randn(3, 4)], lambda x: x.sum()),
    'sumDim': ([randn(3, 4, 2)], lambda x: x.sum(1)),
    'sumDimsKeep': ([randn(3, 4, 2)], lambda x: x.sum((0, 2), keepdim=True)),
    'prodDim': ([pos(3, 4)], lambda x: x.prod(1)),
    'prodZeros': ([with_zeros(3, 4)], lambda x: x.prod(1)),
    'prodAll': ([pos(2, 3)], lambda x: x.prod()),
    'mean': ([randn(3, 4)], lambda x: x.mean(0)),
    'var': ([randn(3, 4)], lambda x: x.var(1)),
    'std': ([randn(3, 4)], lambda x: x.std()),
    'logsumexp': ([randn(3, 4)], lambda x: x.logsumexp(1)),
    'maxAll': ([spaced(3, 4)], lambda x: x.max()),
    'maxDim': ([spaced(3, 4)], lambda x: x.max(1).values),
    'maxDimKeep': ([spaced(3, 4)], lambda x: x.max(0, keepdim=True).values),
    'minDim': ([spaced(3, 4)], lambda x: x.min(1).values),
    'amaxDims': ([spaced(2, 3, 4)], lambda x: x.amax((0, 2))),
    'maxTies': ([torch.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 0.5]], dtype=torch.float64)], lambda x: x.max()),
    'softmax': ([randn(3, 5)], lambda x: x.softmax(-1)),
    'softmaxDim0': ([randn(3, 5)], lambda x: x.softmax(0)),
    'logSoftmax': ([randn(3, 5)], lambda x: x.log_softmax(1)),
    # matmul
    'mm': ([randn(3, 4), randn(4, 5)], lambda a, b: a @ b),
    'bmmBroadcast': ([randn(2, 3, 4), randn(4, 5)], lambda a, b: a @ b),
    'bmm4d': ([randn(2, 1, 3, 4), randn(3, 4, 2)], lambda a, b: a @ b),
    'mv': ([randn(3, 4), randn(4)], lambda a, b: a @ b),
    'dot': ([randn(4), randn(4)], lambda a, b: a @ b),
    'mmTransposed': ([randn(4, 3), randn(5, 4)], lambda a, b: a.t() @ b.t()),
    'addmmBias': ([randn(5), randn(3, 4), randn(4, 5)], lambda c, a, b: torch.addmm(c, a, b)),
    'addmmScaled': ([randn(3, 1), randn(3, 4), randn(4, 5)], lambda c, a, b: torch.addmm(c, a, b, beta=0.5, alpha=-2)),
    'addmmWeightT': ([randn(5), randn(3, 4), randn(5, 4)], lambda c, a, w: torch.addmm(c, a, w.t())),
    'addmmBetaZero': ([randn(3, 5), randn(3, 4), randn(4, 5)], lambda c, a, b: torch.addmm(c, a, b, beta=0)),
    # movement
    'reshape': ([randn(3, 4)], lambda x: x.reshape(2, 6) * torch.arange(6, dtype=torch.float64)),
    'permute': ([randn(2, 3, 4)], lambda x: x.permute(2, 0, 1) * torch.arange(3, dtype=torch.float64)),
    'transpose': ([randn(3, 4)], lambda x: x.transpose(0, 1).exp()),
    'expand': ([randn(3, 1)], lambda x: x.expand(3, 4) * torch.arange(4, dtype=torch.float64)),
    'slice': ([randn(5, 4)], lambda x: x[1:4].exp()),
    'sliceStep': ([randn(7, 3)], lambda x: x[1:7:2].exp()),
    'sliceLastDim': ([randn(3, 6)], lambda x: x[:, 2:].square()),
    'select': ([randn(3, 4)], lambda x: x[1].exp()),
    'flip': ([randn(3, 4)], lambda x: x.flip(1) * torch.arange(4, dtype=torch.float64)),
    'squeezeUnsqueeze': ([randn(3, 1, 4)], lambda x: x.squeeze(1).unsqueeze(0).exp()),
    'flatten': ([randn(2, 3, 4)], lambda x: x.flatten(1).exp()),
    'contiguous': ([randn(3, 4)], lambda x: x.t().contiguous().exp()),
    'gather': ([randn(3, 4), idx(4, 3, 5)], lambda x, i: x.gather(1, i)),
    'indexSelect': ([randn(5, 3), torch.tensor([0, 2, 2, 4, 0, 0])], lambda x, i: x.index_select(0, i)),
    'indexSelectDim1': ([randn(3, 5), torch.tensor([4, 1, 1])], lambda x, i: x.index_select(1, i)),
    'scatterAdd': ([randn(3, 4), idx(3, 2, 4), randn(2, 4)], lambda x, i, s: x.scatter_add(0, i, s)),
    'cat': ([randn(3, 2), randn(3, 4)], lambda a, b: torch.cat([a, b], 1).exp()),
    'stack': ([randn(3, 4), randn(3, 4)], lambda a, b: torch.stack([a, b], 1).exp()),
    'split': ([randn(6, 2)], lambda x: x.split(2)[0].exp() * x.split(2)[2]),
    # composites that the nn package relies on
    'layerNorm': ([randn(4, 6)], lambda x: F.layer_norm(x, (6,))),
    'crossEntropy': ([randn(5, 4), idx(4, 5)], lambda x, t: F.cross_entropy(x, t)),
    'mlp': ([randn(5, 3), randn(4, 3), randn(4)], lambda x, w, b: (x @ w.t() + b).tanh().sum(1)),
    'reuse': ([randn(3, 4)], lambda x: x * x.exp() + x.sin() * x),
    # relu's gradient as an op (what ReluBackward0 runs), differentiated again
    'reluBackward': ([randn(3, 4), away(3, 4)], lambda g, y: torch.ops.aten.threshold_backward(g, y, 0)),
    # exact GELU's gradient as an op (what GeluBackward0 runs), differentiated again
    'geluBackward': ([randn(3, 4), randn(3, 4) * 2], lambda g, x: torch.ops.aten.gelu_backward(g, x)),
    'bceWithLogits': ([randn(3, 4) * 3, unit(3, 4) + 0.5],
                      lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction='none')),
    'bceWithLogitsMean': ([randn(5, 2) * 2, pos(5, 2) - 0.5], lambda x, t: F.binary_cross_entropy_with_logits(x, t)),
}


# In-place writes between forward and backward (test/inplace.test.ts): does PyTorch's version check
# (or its leaf guard) refuse the case? Each returns after the backward it is about.
def _w(*shape):
    return randn(*shape).requires_grad_()


def inplace_matmul_weight_not_saved():  # x needs no grad, so mm saves x, not w
    w, x = _w(3, 2), randn(4, 3)
    loss = (x @ w).sum()
    with torch.no_grad():
        w.copy_(torch.zeros(3, 2))
    loss.backward()


def inplace_matmul_weight_saved():  # x needs grad, so mm saves w for x's gradient
    w, x = _w(3, 2), _w(4, 3)
    loss = (x @ w).sum()
    with torch.no_grad():
        w.copy_(torch.zeros(3, 2))
    loss.backward()


def inplace_add_saves_nothing():
    w = _w(3)
    loss = (w + 1).sum()
    with torch.no_grad():
        w.copy_(torch.zeros(3))
    loss.backward()


def inplace_sum_saves_nothing():
    w = _w(3)
    loss = w.sum()
    with torch.no_grad():
        w.copy_(torch.zeros(3))
    loss.backward()


def inplace_exp_output_modified():  # exp saves its result; a detached view shares its memory
    x = _w(3)
    y = x.exp()
    y.detach().copy_(torch.zeros(3))
    y.sum().backward()


def inplace_mul_data_modified():  # mul saves x for w's gradient
    w, x = _w(3), randn(3)
    y = x * w
    x.copy_(torch.zeros(3))
    y.sum().backward()


def inplace_mul_weight_only():  # x needs no grad: mul does not save w
    w, x = _w(3), randn(3)
    y = x * w
    with torch.no_grad():
        w.copy_(torch.zeros(3))
    y.sum().backward()


def inplace_mlp_step_before_backward():  # an optimizer update of the second layer before backward
    x, w1, w2 = randn(5, 2), _w(2, 4), _w(4, 1)
    loss = torch.relu(x @ w1).matmul(w2).sum()
    with torch.no_grad():
        w2.copy_(w2 - 0.1)
    loss.backward()


def inplace_mlp_step_after_backward():  # the normal order: backward, then the update, then again
    x, w1, w2 = randn(5, 2), _w(2, 4), _w(4, 1)
    for _ in range(2):
        loss = torch.relu(x @ w1).matmul(w2).sum()
        loss.backward()
        with torch.no_grad():
            w2.copy_(w2 - 0.1)


def inplace_retained_graph_then_step():
    w, x = _w(3), _w(3)
    loss = (x * w).sum()
    loss.backward(retain_graph=True)
    with torch.no_grad():
        w.copy_(torch.zeros(3))
    loss.backward()


def inplace_copy_into_leaf_in_grad_mode():
    w = _w(3)
    w.copy_(torch.zeros(3))


def inplace_copy_into_leaf_in_no_grad():
    w = _w(3)
    with torch.no_grad():
        w.copy_(torch.zeros(3))


INPLACE = {name[len('inplace_'):]: fn for name, fn in list(globals().items()) if name.startswith('inplace_')}


def inplace_outcomes():
    out = {}
    for name, fn in INPLACE.items():
        try:
            fn()
            out[name] = {'error': None}
        except RuntimeError as e:
            out[name] = {'error': str(e).split(':')[0].rstrip('.')}
    return out


def to_json(t):
    return {'dtype': 'float64' if t.is_floating_point() else ('bool' if t.dtype == torch.bool else 'int32'),
            'shape': list(t.shape), 'data': t.reshape(-1).tolist()}


def main():
    out = []
    for name, (inputs, fn) in CASES.items():
        xs = [x.clone().requires_grad_(x.is_floating_point()) for x in inputs]
        y = fn(*xs)
        w = torch.randn(tuple(y.shape), generator=g, dtype=torch.float64)
        (y * w).sum().backward()
        out.append({
            'name': name,
            'inputs': [dict(to_json(x.detach()), requiresGrad=x.requires_grad) for x in xs],
            'output': to_json(y.detach()),
            'weight': to_json(w),
            'grads': [x.grad.reshape(-1).tolist() if x.grad is not None else None for x in xs],
        })
    path = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'torch-grads.json')
    with open(path + '.tmp', 'w') as f:
        json.dump({'generator': 'scripts/gen-fixtures.py', 'torch': torch.__version__, 'cases': out}, f)
    os.replace(path + '.tmp', path)
    print(f'wrote {len(out)} cases to {os.path.normpath(path)}')
    outcomes = inplace_outcomes()
    path = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'torch-inplace.json')
    with open(path + '.tmp', 'w') as f:
        json.dump({'generator': 'scripts/gen-fixtures.py', 'torch': torch.__version__, 'cases': outcomes}, f, indent=1)
    os.replace(path + '.tmp', path)
    print(f'wrote {len(outcomes)} in-place cases to {os.path.normpath(path)}')


if __name__ == '__main__':
    main()
