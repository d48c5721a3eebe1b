#!/usr/bin/env python3
"""Expected values for @lumen/tensor's conformance suite, computed by PyTorch.

Run: /usr/bin/python3 packages/tensor/scripts/gen-fixtures.py   (Debian's python3-torch 1.13)
Writes test/fixtures/ops.json: a list of cases {name, op, inputs, args, expected}. Inputs are
stored in the file (not regenerated from a seed), so the TypeScript side needs no numpy RNG.
An input may carry "permute" (applied after creation) to exercise non-contiguous views.
"""
import json
import math
import os

import torch

torch.manual_seed(1234)
CASES = []

DT = {'float32': torch.float32, 'float64': torch.float64, 'int32': torch.int32, 'bool': torch.bool}
NAME = {v: k for k, v in DT.items()}
NAME[torch.int64] = 'int32'  # PyTorch's int64 results stand in for our int32


def enc(v, f32=False):
    if isinstance(v, bool):
        return v
    if isinstance(v, float):
        if math.isnan(v):
            return 'nan'
        if math.isinf(v):
            return 'inf' if v > 0 else '-inf'
        # 9 significant digits round-trip any float32 exactly.
        return float(f'{v:.9g}') if f32 else v
    return v


def encode(t):
    f32 = t.dtype == torch.float32
    return [enc(x, f32) for x in t.contiguous().flatten().tolist()]


def desc(t, permute=None):
    # With `permute`, the test builds t and then views it as t.permute(permute): a non-contiguous input.
    d = {'data': encode(t), 'shape': list(t.shape), 'dtype': NAME[t.dtype]}
    if permute is not None:
        d['permute'] = permute
    return d


def out(t):
    if isinstance(t, (list, tuple)):
        return [out(x) for x in t]
    dt = NAME[t.dtype]
    return {'data': encode(t), 'shape': list(t.shape), 'dtype': dt}


def case(name, op, inputs, args, expected):
    CASES.append({'name': name, 'op': op, 'inputs': inputs, 'args': args, 'expected': out(expected)})


def rnd(shape, dtype='float32', lo=-2.0, hi=2.0):
    if dtype == 'int32':
        return torch.randint(-5, 6, shape, dtype=torch.int32)
    if dtype == 'bool':
        return torch.rand(shape) > 0.5
    return (torch.rand(shape, dtype=torch.float64) * (hi - lo) + lo).to(DT[dtype])


def pos(shape, dtype='float32'):
    return rnd(shape, dtype, 0.1, 3.0)


# ---- unary ------------------------------------------------------------------------------------------
UNARY = {
    'neg': torch.neg, 'abs': torch.abs, 'sign': torch.sign, 'square': torch.square, 'relu': torch.relu,
    'floor': torch.floor, 'ceil': torch.ceil, 'round': torch.round, 'trunc': torch.trunc,
    'exp': torch.exp, 'expm1': torch.expm1, 'sin': torch.sin, 'cos': torch.cos, 'tan': torch.tan,
    'tanh': torch.tanh, 'sigmoid': torch.sigmoid, 'erf': torch.erf,
    'gelu': torch.nn.functional.gelu, 'geluTanh': lambda x: torch.nn.functional.gelu(x, approximate='tanh'),
    'silu': torch.nn.functional.silu, 'softplus': torch.nn.functional.softplus,
    'leakyRelu': lambda x: torch.nn.functional.leaky_relu(x, 0.01),
}
POSITIVE = {'log': torch.log, 'log1p': torch.log1p, 'log2': torch.log2, 'sqrt': torch.sqrt, 'rsqrt': torch.rsqrt, 'reciprocal': torch.reciprocal}
for name, fn in UNARY.items():
    for dt in ('float32', 'float64'):
        x = rnd([3, 5], dt, -4, 4)
        case(f'{name} {dt}', name, [desc(x)], {}, fn(x))
    x = rnd([4, 3], 'float32', -3, 3)
    case(f'{name} non-contiguous', name, [desc(x, permute=[1, 0])], {}, fn(x.t()))
for name, fn in POSITIVE.items():
    x = pos([7], 'float32')
    case(f'{name} float32', name, [desc(x)], {}, fn(x))
    x = pos([2, 3], 'float64')
    case(f'{name} float64', name, [desc(x)], {}, fn(x))
for name in ('neg', 'abs', 'square', 'relu', 'sign'):
    x = rnd([6], 'int32')
    case(f'{name} int32 stays int', name, [desc(x)], {}, UNARY[name](x))
x = rnd([5], 'int32')
case('exp int32 promotes to float32', 'exp', [desc(x)], {}, torch.exp(x))
x = torch.tensor([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5])
case('round half to even', 'round', [desc(x)], {}, torch.round(x))
x = torch.tensor([0.0, -1e-8, 1e-8, 30.0, -30.0, 100.0, -100.0])
for name in ('tanh', 'sigmoid', 'erf', 'gelu', 'softplus', 'expm1'):
    case(f'{name} extremes', name, [desc(x)], {}, UNARY[name](x))
x = torch.tensor([1.0, float('nan'), float('inf'), -float('inf'), 0.0])
case('isnan', 'isnan', [desc(x)], {}, torch.isnan(x))
case('isinf', 'isinf', [desc(x)], {}, torch.isinf(x))
x = rnd([3, 4])
case('clamp both', 'clamp', [desc(x)], {'min': -0.5, 'max': 0.7}, torch.clamp(x, -0.5, 0.7))
case('clamp min only', 'clamp', [desc(x)], {'min': 0.1}, torch.clamp(x, min=0.1))
case('clamp max only', 'clamp', [desc(x)], {'max': 0.1}, torch.clamp(x, max=0.1))
xi = rnd([6], 'int32')
case('clamp int32', 'clamp', [desc(xi)], {'min': -2, 'max': 3}, torch.clamp(xi, -2, 3))

# ---- binary -----------------------------------------------------------------------------------------
BINARY = {
    'add': torch.add, 'sub': torch.sub, 'mul': torch.mul, 'div': torch.div, 'maximum': torch.maximum,
    'minimum': torch.minimum, 'atan2': torch.atan2, 'eq': torch.eq, 'ne': torch.ne, 'lt': torch.lt,
    'le': torch.le, 'gt': torch.gt, 'ge': torch.ge, 'remainder': torch.remainder,
}
for name, fn in BINARY.items():
    a, b = rnd([3, 4]), rnd([3, 4])
    if name == 'remainder':
        b = torch.where(b.abs() < 0.3, torch.full_like(b, 0.7), b)
    case(f'{name} same shape', name, [desc(a), desc(b)], {}, fn(a, b))
    a, b = rnd([2, 1, 4], 'float64'), rnd([3, 1], 'float64')
    if name == 'remainder':
        b = b.abs() + 0.5
    case(f'{name} broadcast float64', name, [desc(a), desc(b)], {}, fn(a, b))
    a, b = rnd([4, 3]), rnd([3])
    if name == 'remainder':
        b = b.abs() + 0.5
    case(f'{name} non-contiguous lhs', name, [desc(a, permute=[1, 0]), desc(b.unsqueeze(1).expand(3, 4).contiguous())], {}, fn(a.t(), b.unsqueeze(1).expand(3, 4)))
a = rnd([2, 3])
eqb = a.clone()
eqb[0, 1] = 9.0
case('eq with equal elements', 'eq', [desc(a), desc(eqb)], {}, torch.eq(a, eqb))
a, b = rnd([5], 'int32'), rnd([5], 'int32')
b = torch.where(b == 0, torch.ones_like(b), b)
case('int32 add', 'add', [desc(a), desc(b)], {}, a + b)
case('int32 mul', 'mul', [desc(a), desc(b)], {}, a * b)
case('int32 div is true division', 'div', [desc(a), desc(b)], {}, a / b)
case('int32 remainder follows divisor sign', 'remainder', [desc(a), desc(b)], {}, torch.remainder(a, b))
case('int32 maximum', 'maximum', [desc(a), desc(b)], {}, torch.maximum(a, b))
case('int32 lt', 'lt', [desc(a), desc(b)], {}, a < b)
af, ai = rnd([4]), rnd([4], 'int32')
case('float32 + int32 promotes', 'add', [desc(af), desc(ai)], {}, af + ai)
a64 = rnd([4], 'float64')
case('float32 * float64 promotes', 'mul', [desc(af), desc(a64)], {}, af * a64)
ab, bb = rnd([6], 'bool'), rnd([6], 'bool')
case('bool + bool is or', 'add', [desc(ab), desc(bb)], {}, ab + bb)
case('bool * bool is and', 'mul', [desc(ab), desc(bb)], {}, ab * bb)
case('logicalAnd', 'logicalAnd', [desc(ab), desc(bb)], {}, torch.logical_and(ab, bb))
case('logicalOr', 'logicalOr', [desc(ab), desc(bb)], {}, torch.logical_or(ab, bb))
case('logicalXor', 'logicalXor', [desc(ab), desc(bb)], {}, torch.logical_xor(ab, bb))
case('logicalNot', 'logicalNot', [desc(ab)], {}, torch.logical_not(ab))
a = rnd([3, 2], 'float32', 0.2, 2.0)
e = rnd([3, 2], 'float32', -2, 2)
case('pow tensor exponent', 'pow', [desc(a), desc(e)], {}, torch.pow(a, e))
xneg = torch.tensor([-2.0, -1.5, 0.0, 1.5, 3.0])
for s in (2.0, 3.0, 0.5, -1.0):
    case(f'pow scalar {s}', 'powScalar', [desc(xneg if s in (2.0, 3.0) else xneg.abs() + 0.5)], {'exponent': s}, torch.pow(xneg if s in (2.0, 3.0) else xneg.abs() + 0.5, s))
xi = torch.tensor([-3, -1, 0, 2, 5], dtype=torch.int32)
case('pow int32 scalar', 'powScalar', [desc(xi)], {'exponent': 3}, torch.pow(xi, 3))
x = rnd([2, 3])
for name, fn in (('addScalar', lambda t: t + 2.5), ('mulScalar', lambda t: t * -3.0), ('subScalarLeft', lambda t: 1.0 - t), ('divScalarLeft', lambda t: 2.0 / t)):
    case(name, name, [desc(x)], {}, fn(x))
xi = rnd([4], 'int32')
case('int32 + integer scalar stays int32', 'addScalar', [desc(xi)], {}, xi + 2)
case('int32 * fractional scalar gives float32', 'mulScalarFrac', [desc(xi)], {}, xi * 1.5)
c = rnd([3, 4], 'bool')
a, b = rnd([3, 4]), rnd([4])
case('where broadcast', 'where', [desc(c), desc(a), desc(b)], {}, torch.where(c, a, b))
case('where scalar other', 'whereScalar', [desc(c), desc(a)], {'other': 0.5}, torch.where(c, a, torch.tensor(0.5)))

# ---- reductions -------------------------------------------------------------------------------------
x = rnd([3, 4, 5])
x64 = rnd([3, 4, 5], 'float64')
for op in ('sum', 'mean', 'prod', 'max', 'min', 'var', 'std', 'logsumexp'):
    for dims in (None, 0, 1, -1, [0, 2]):
        for keep in (False, True):
            if dims is None and (keep or op == 'logsumexp'):
                continue
            args = {'dim': dims, 'keepdim': keep}
            t = x64 if op in ('var', 'std', 'prod') else x
            if dims is None:
                r = getattr(t, op)()
            elif op in ('max', 'min') and not isinstance(dims, list):
                r = getattr(t, op)(dim=dims, keepdim=keep).values
            elif op in ('max', 'min'):
                r = torch.amax(t, dim=dims, keepdim=keep) if op == 'max' else torch.amin(t, dim=dims, keepdim=keep)
            elif op == 'prod' and isinstance(dims, list):
                r = t
                for d in sorted(dims, reverse=True):
                    r = r.prod(dim=d, keepdim=keep)
            else:
                r = getattr(t, op)(dim=dims, keepdim=keep)
            case(f'{op} dim={dims} keepdim={keep}', op, [desc(t)], args, r)
case('var correction=0', 'var', [desc(x64)], {'dim': 1, 'correction': 0}, x64.var(dim=1, unbiased=False))
case('sum non-contiguous', 'sum', [desc(x, permute=[2, 0, 1])], {'dim': 1}, x.permute(2, 0, 1).sum(dim=1))
m = rnd([37, 19])
case('sum column of matrix', 'sum', [desc(m)], {'dim': 0}, m.sum(0))
case('max column of matrix', 'max', [desc(m)], {'dim': 0}, m.max(0).values)
def formula(n):
    # Same arithmetic as formulaInput() in the tests: cheap to rebuild, so not stored.
    i = torch.arange(n, dtype=torch.float64)
    return ((i * 7919) % 1000) / 100 - 5


big = formula(70001).float()
FORMULA = {'formula': 'mod7919', 'shape': [70001], 'dtype': 'float32'}
case('sum long vector', 'sum', [FORMULA], {'dim': None}, big.double().sum().float())
case('max long vector', 'max', [FORMULA], {'dim': None}, big.max())
case('argmax long vector', 'argmax', [FORMULA], {}, big.argmax())
xi = rnd([4, 6], 'int32')
case('sum int32', 'sum', [desc(xi)], {'dim': 1}, xi.sum(1).int())
case('max int32', 'max', [desc(xi)], {'dim': 0}, xi.max(0).values)
xb = rnd([3, 5], 'bool')
case('sum bool counts', 'sum', [desc(xb)], {'dim': 1}, xb.sum(1).int())
case('all', 'all', [desc(xb)], {'dim': 1}, xb.all(1))
case('any', 'any', [desc(xb)], {'dim': 0}, xb.any(0))
ties = torch.tensor([[1.0, 3.0, 3.0, 2.0], [5.0, 5.0, 0.0, 5.0]])
for op in ('argmax', 'argmin'):
    case(f'{op} dim 1 first of ties', op, [desc(ties)], {'dim': 1}, getattr(ties, op)(dim=1))
    case(f'{op} flat', op, [desc(x)], {}, getattr(x, op)())
    case(f'{op} dim 0 keepdim', op, [desc(x)], {'dim': 0, 'keepdim': True}, getattr(x, op)(dim=0, keepdim=True))
z = torch.zeros(3, 0)
case('sum over empty dim is 0', 'sum', [desc(z)], {'dim': 1}, z.sum(1))
case('mean of int32 gives float', 'mean', [desc(xi.float().int())], {'dim': 0}, xi.float().mean(0))

# ---- matmul -----------------------------------------------------------------------------------------
for (sa, sb) in ([[3, 4], [4, 5]], [[4], [4]], [[4], [4, 3]], [[2, 4], [4]], [[2, 3, 4], [4, 5]], [[2, 1, 3, 4], [5, 4, 2]],
                 [[1, 1], [1, 1]], [[65, 33], [33, 70]], [[0, 3], [3, 4]], [[2, 0], [0, 3]]):
    a, b = rnd(sa), rnd(sb)
    case(f'matmul {sa} @ {sb}', 'matmul', [desc(a), desc(b)], {}, a @ b)
a, b = rnd([6, 5], 'float64'), rnd([6, 7], 'float64')
case('matmul transposed lhs float64', 'matmul', [desc(a.t().contiguous().t().contiguous(), permute=[1, 0]), desc(b)], {}, a.t() @ b)
a, b = rnd([5, 6]), rnd([7, 6])
case('matmul transposed rhs', 'matmul', [desc(a), desc(b, permute=[1, 0])], {}, a @ b.t())
ai, bi = rnd([3, 4], 'int32'), rnd([4, 2], 'int32')
case('matmul int32', 'matmul', [desc(ai), desc(bi)], {}, ai @ bi)

# ---- movement ---------------------------------------------------------------------------------------
x = rnd([2, 3, 4])
case('reshape', 'reshape', [desc(x)], {'shape': [4, -1]}, x.reshape(4, -1))
case('reshape of non-contiguous', 'reshape', [desc(x, permute=[2, 1, 0])], {'shape': [-1]}, x.permute(2, 1, 0).reshape(-1))
case('permute', 'permute', [desc(x)], {'dims': [2, 0, 1]}, x.permute(2, 0, 1))
case('transpose', 'transpose', [desc(x)], {'dim0': 0, 'dim1': 2}, x.transpose(0, 2))
case('slice with step', 'slice', [desc(x)], {'dim': 2, 'start': 1, 'end': None, 'step': 2}, x[:, :, 1::2])
case('slice negative bounds', 'slice', [desc(x)], {'dim': 1, 'start': -2, 'end': -1, 'step': 1}, x[:, -2:-1])
case('slice beyond end clamps', 'slice', [desc(x)], {'dim': 0, 'start': 1, 'end': 10, 'step': 1}, x[1:10])
case('select', 'select', [desc(x)], {'dim': 1, 'index': -1}, x.select(1, -1))
e = rnd([3, 1])
case('expand', 'expand', [desc(e)], {'shape': [2, 3, 4]}, e.expand(2, 3, 4))
case('flip', 'flip', [desc(x)], {'dims': [0, 2]}, x.flip([0, 2]))
s = rnd([1, 3, 1, 2])
case('squeeze all', 'squeeze', [desc(s)], {}, s.squeeze())
case('squeeze dim', 'squeeze', [desc(s)], {'dim': 2}, s.squeeze(2))
case('unsqueeze', 'unsqueeze', [desc(x)], {'dim': -1}, x.unsqueeze(-1))
case('flatten', 'flatten', [desc(x)], {'startDim': 1}, x.flatten(1))
case('contiguous of transposed', 'contiguous', [desc(x, permute=[1, 2, 0])], {}, x.permute(1, 2, 0).contiguous())
a, b = rnd([2, 3]), rnd([4, 3])
case('cat dim 0', 'cat', [desc(a), desc(b)], {'dim': 0}, torch.cat([a, b], 0))
a2, b2 = rnd([2, 3]), rnd([2, 5], 'float64')
case('cat dim 1 promotes', 'cat', [desc(a2), desc(b2)], {'dim': 1}, torch.cat([a2, b2], 1))
nc = rnd([3, 2])
case('cat non-contiguous', 'cat', [desc(nc, permute=[1, 0]), desc(a)], {'dim': 0}, torch.cat([nc.t(), a], 0))
case('stack dim 1', 'stack', [desc(a), desc(a * 2)], {'dim': 1}, torch.stack([a, a * 2], 1))
case('split sizes', 'split', [desc(x)], {'split': [1, 3], 'dim': 2}, list(torch.split(x, [1, 3], 2)))
case('chunk', 'chunk', [desc(x)], {'chunks': 2, 'dim': 1}, list(torch.chunk(x, 2, 1)))

# ---- indexing ---------------------------------------------------------------------------------------
x = rnd([4, 5])
idx = torch.tensor([[0, 4, 4], [1, 0, 2], [3, 3, 3]], dtype=torch.int64)
case('gather dim 1', 'gather', [desc(x), desc(idx.int())], {'dim': 1}, torch.gather(x, 1, idx))
idx0 = torch.tensor([[3, 0, 1, 1, 2], [0, 0, 0, 3, 3]])
case('gather dim 0', 'gather', [desc(x), desc(idx0.int())], {'dim': 0}, torch.gather(x, 0, idx0))
isel = torch.tensor([2, 0, 2, 1])
case('indexSelect dim 0 repeats', 'indexSelect', [desc(x), desc(isel.int())], {'dim': 0}, torch.index_select(x, 0, isel))
case('indexSelect dim 1 of transposed', 'indexSelect', [desc(x, permute=[1, 0]), desc(isel.int())], {'dim': 1}, torch.index_select(x.t(), 1, isel))
base = rnd([3, 4])
src = rnd([2, 4])
sidx = torch.tensor([[0, 2, 2, 1], [2, 2, 0, 0]])
case('scatterAdd dim 0 repeated indices', 'scatterAdd', [desc(base), desc(sidx.int()), desc(src)], {'dim': 0}, base.scatter_add(0, sidx, src))
bi = rnd([2, 5], 'int32')
si = torch.tensor([[0, 0], [4, 1]])
srci = rnd([2, 2], 'int32')
case('scatterAdd int32 dim 1', 'scatterAdd', [desc(bi), desc(si.int()), desc(srci)], {'dim': 1}, bi.scatter_add(1, si, srci))

# ---- softmax ----------------------------------------------------------------------------------------
for shape, dim in (([3, 5], -1), ([3, 5], 0), ([2, 3, 4], 1), ([2, 300], 1), ([1, 70], -1)):
    x = rnd(shape, 'float32', -5, 5)
    case(f'softmax {shape} dim {dim}', 'softmax', [desc(x)], {'dim': dim}, torch.softmax(x, dim))
    case(f'logSoftmax {shape} dim {dim}', 'logSoftmax', [desc(x)], {'dim': dim}, torch.log_softmax(x, dim))
x = torch.tensor([[1000.0, 1001.0, 999.0], [-1000.0, -1000.0, -1001.0]])
case('softmax large logits', 'softmax', [desc(x)], {'dim': 1}, torch.softmax(x, 1))
case('logSoftmax large logits', 'logSoftmax', [desc(x)], {'dim': 1}, torch.log_softmax(x, 1))
x = rnd([4, 3], 'float64')
case('softmax float64 non-contiguous', 'softmax', [desc(x, permute=[1, 0])], {'dim': 1}, torch.softmax(x.t(), 1))

# ---- attention, tril/triu --------------------------------------------------------------------------
def sdpa(q, k, v, attn_mask=None, is_causal=False, scale=None):
    # torch 2's F.scaled_dot_product_attention reference (Debian's torch 1.13 predates it).
    L, S = q.size(-2), k.size(-2)
    scale = 1 / math.sqrt(q.size(-1)) if scale is None else scale
    w = q @ k.transpose(-2, -1) * scale
    if is_causal:
        w = w.masked_fill(~torch.ones(L, S, dtype=torch.bool).tril(), float('-inf'))
    if attn_mask is not None:
        w = w.masked_fill(~attn_mask, float('-inf')) if attn_mask.dtype == torch.bool else w + attn_mask
    return torch.softmax(w, -1) @ v


class F:
    scaled_dot_product_attention = staticmethod(sdpa)


q, k, v = rnd([2, 3, 4, 8]), rnd([2, 3, 5, 8]), rnd([2, 3, 5, 6])
case('sdpa plain', 'sdpa', [desc(q), desc(k), desc(v)], {}, F.scaled_dot_product_attention(q, k, v))
bm = rnd([4, 5], 'bool')
bm[:, 0] = True  # every query row keeps at least one key
case('sdpa bool mask broadcast', 'sdpa', [desc(q), desc(k), desc(v), desc(bm)], {}, F.scaled_dot_product_attention(q, k, v, attn_mask=bm))
fm = rnd([2, 1, 4, 5])
case('sdpa float mask', 'sdpa', [desc(q), desc(k), desc(v), desc(fm)], {}, F.scaled_dot_product_attention(q, k, v, attn_mask=fm))
qs, ks, vs = rnd([3, 6, 8]), rnd([3, 6, 8]), rnd([3, 6, 8])
case('sdpa causal', 'sdpa', [desc(qs), desc(ks), desc(vs)], {'isCausal': True}, F.scaled_dot_product_attention(qs, ks, vs, is_causal=True))
case('sdpa scale', 'sdpa', [desc(qs), desc(ks), desc(vs)], {'scale': 0.5}, torch.softmax(qs @ ks.transpose(-2, -1) * 0.5, -1) @ vs)
kt = rnd([3, 8, 6])
case('sdpa transposed key', 'sdpa', [desc(qs), desc(kt, permute=[0, 2, 1]), desc(vs)], {}, F.scaled_dot_product_attention(qs, kt.transpose(1, 2), vs))
x = rnd([3, 4, 5])
for d in (0, 1, -1):
    case(f'tril diagonal {d}', 'tril', [desc(x)], {'diagonal': d}, torch.tril(x, d))
    case(f'triu diagonal {d}', 'triu', [desc(x)], {'diagonal': d}, torch.triu(x, d))

# ---- casts and creation -----------------------------------------------------------------------------
x = torch.tensor([-2.7, -0.5, 0.0, 0.5, 2.7, float('nan')])
case('cast float32 -> bool (nan is true)', 'cast', [desc(x)], {'dtype': 'bool'}, x.bool())
x = torch.tensor([-2.7, -0.5, 0.0, 0.5, 2.7])
case('cast float32 -> int32 truncates', 'cast', [desc(x)], {'dtype': 'int32'}, x.int())
case('cast bool -> float32', 'cast', [desc(torch.tensor([True, False]))], {'dtype': 'float32'}, torch.tensor([True, False]).float())
case('arange ints', 'arange', [], {'start': 2, 'end': 11, 'step': 3}, torch.arange(2, 11, 3, dtype=torch.int32))
case('arange floats', 'arange', [], {'start': 0, 'end': 1, 'step': 0.1}, torch.arange(0, 1, 0.1))
case('linspace', 'linspace', [], {'start': -1, 'end': 1, 'steps': 7}, torch.linspace(-1, 1, 7))
case('linspace float64', 'linspace', [], {'start': 0, 'end': 3, 'steps': 10, 'dtype': 'float64'}, torch.linspace(0, 3, 10, dtype=torch.float64))
case('eye rectangular', 'eye', [], {'n': 3, 'm': 5}, torch.eye(3, 5))

# ---- printing (str(t) as PyTorch prints it) -----------------------------------------------------------
PRINTS = []


def print_case(name, t):
    shown = t.to(torch.int64) if t.dtype == torch.int32 else t  # int64 prints without a dtype suffix
    PRINTS.append({'name': name, 'input': desc(t), 'expected': str(shown)})


print_case('float matrix', torch.tensor([[0.5, -1.25, 3.0], [2.0, 0.0, -7.125]]))
print_case('integral floats', torch.tensor([[1.0, 2.0], [30.0, -4.0]]))
print_case('scientific', torch.tensor([1e-5, 3.0, 12345.678]))
print_case('large values', torch.tensor([1e9, 2.5]))
print_case('nan and inf', torch.tensor([float('nan'), float('inf'), -1.5, 2.0]))
print_case('scalar', torch.tensor(3.25))
print_case('bool', torch.tensor([[True, False], [False, True]]))
print_case('all true', torch.tensor([True, True]))
print_case('int', torch.tensor([[1, -20, 300]], dtype=torch.int32))
print_case('3-d', torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) / 8)
print_case('summarized', torch.arange(2000, dtype=torch.float32).reshape(40, 50))
print_case('summarized 1-d', torch.linspace(0, 1, 1500))
print_case('empty', torch.zeros(0))

# ---- fused optimizer steps (torch.optim, 3 steps with given gradients) ----------------------------------
OPTIM = []
for name, make, opts in (
    ('adam', lambda p: torch.optim.Adam([p], lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1), {'kind': 'adam', 'lr': 0.01, 'beta1': 0.9, 'beta2': 0.999, 'eps': 1e-8, 'weightDecay': 0.1, 'decoupled': False}),
    ('adamw', lambda p: torch.optim.AdamW([p], lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05), {'kind': 'adam', 'lr': 0.01, 'beta1': 0.8, 'beta2': 0.99, 'eps': 1e-6, 'weightDecay': 0.05, 'decoupled': True}),
    ('adam amsgrad maximize', lambda p: torch.optim.Adam([p], lr=0.02, amsgrad=True, maximize=True), {'kind': 'adam', 'lr': 0.02, 'beta1': 0.9, 'beta2': 0.999, 'eps': 1e-8, 'weightDecay': 0.0, 'decoupled': False, 'amsgrad': True, 'maximize': True}),
    ('sgd momentum nesterov', lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01), {'kind': 'sgd', 'lr': 0.1, 'momentum': 0.9, 'dampening': 0.0, 'weightDecay': 0.01, 'nesterov': True}),
    ('sgd dampening', lambda p: torch.optim.SGD([p], lr=0.05, momentum=0.5, dampening=0.3), {'kind': 'sgd', 'lr': 0.05, 'momentum': 0.5, 'dampening': 0.3, 'weightDecay': 0.0, 'nesterov': False}),
    ('sgd plain', lambda p: torch.optim.SGD([p], lr=0.3), {'kind': 'sgd', 'lr': 0.3, 'momentum': 0.0, 'dampening': 0.0, 'weightDecay': 0.0, 'nesterov': False}),
):
    p = rnd([3, 4]).requires_grad_(True)
    p0 = p.detach().clone()
    opt = make(p)
    grads = []
    for _ in range(3):
        g = rnd([3, 4])
        grads.append(desc(g))
        p.grad = g.clone()
        opt.step()
    OPTIM.append({'name': name, 'opts': opts, 'param': desc(p0), 'grads': grads, 'expected': out(p.detach())})

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'ops.json')
tmp = path + '.tmp'
with open(tmp, 'w') as f:
    json.dump({'generator': 'scripts/gen-fixtures.py', 'torch': torch.__version__, 'cases': CASES, 'prints': PRINTS, 'optim': OPTIM}, f, separators=(',', ':'))
os.replace(tmp, path)
print(f'wrote {len(CASES)} cases to {os.path.relpath(path)}')
