import {
  fullLike,
  geluBackward,
  type OpInput,
  type PlainBinaryOp,
  type PlainUnaryOp,
  reluBackward,
  type Tensor,
  where,
  zerosLike,
} from '@lumen/tensor';
import type { RuleDef, Rules, Saved } from './types.js';
import { asTensor, sumTo } from './util.js';

const SQRT_2_OVER_PI = 0.7978845608028654;
const INV_SQRT_2PI = 0.3989422804014327;
const TWO_OVER_SQRT_PI = 1.1283791670955126;

const X: readonly Saved[] = [0];
const Y: readonly Saved[] = ['output'];
const NONE: readonly Saved[] = [];

/** A unary rule from dy/dx in terms of x and the output y; `saves` says which of them dydx reads. */
function unary(
  name: string,
  saves: readonly Saved[],
  dydx: (x: Tensor, y: Tensor) => Tensor | number,
): RuleDef<PlainUnaryOp> {
  return {
    name,
    saves,
    backward: (g, { inputs, output }) => {
      const d = dydx(asTensor(inputs[0]), output);
      return [g.mul(d)];
    },
  };
}

/** Ops that are piecewise constant: PyTorch gives zero gradients. */
function zeroGrad(name: string): RuleDef<PlainUnaryOp> {
  return { name, saves: NONE, backward: (g) => [zerosLike(g)] };
}

export const unaryRules: Rules<PlainUnaryOp | 'leakyRelu' | 'clamp' | 'cast'> = {
  neg: { name: 'NegBackward0', saves: NONE, backward: (g) => [g.neg()] },
  abs: unary('AbsBackward0', X, (x) => x.sign()),
  square: unary('PowBackward0', X, (x) => x.mul(2)),
  // One fused pass (PyTorch's threshold_backward), not where(gt(0)): no mask tensor.
  relu: { name: 'ReluBackward0', saves: Y, backward: (g, { output }) => [reluBackward(g, output)] },
  exp: unary('ExpBackward0', Y, (_, y) => y),
  expm1: unary('Expm1Backward0', Y, (_, y) => y.add(1)),
  log: { name: 'LogBackward0', saves: X, backward: (g, { inputs }) => [g.div(asTensor(inputs[0]))] },
  log1p: {
    name: 'Log1PBackward0',
    saves: X,
    backward: (g, { inputs }) => [g.div(asTensor(inputs[0]).add(1))],
  },
  log2: {
    name: 'Log2Backward0',
    saves: X,
    backward: (g, { inputs }) => [g.div(asTensor(inputs[0]).mul(Math.LN2))],
  },
  sqrt: { name: 'SqrtBackward0', saves: Y, backward: (g, { output }) => [g.div(output.mul(2))] },
  rsqrt: unary('RsqrtBackward0', Y, (_, y) => y.pow(3).mul(-0.5)),
  reciprocal: unary('ReciprocalBackward0', Y, (_, y) => y.square().neg()),
  sin: unary('SinBackward0', X, (x) => x.cos()),
  cos: unary('CosBackward0', X, (x) => x.sin().neg()),
  tan: unary('TanBackward0', Y, (_, y) => y.square().add(1)),
  tanh: unary('TanhBackward0', Y, (_, y) => y.square().neg().add(1)),
  sigmoid: unary('SigmoidBackward0', Y, (_, y) => y.mul(y.neg().add(1))),
  erf: unary('ErfBackward0', X, (x) => x.square().neg().exp().mul(TWO_OVER_SQRT_PI)),
  // d/dx x·Φ(x) = Φ(x) + x·φ(x), in one fused pass (PyTorch's gelu_backward)
  gelu: {
    name: 'GeluBackward0',
    saves: X,
    backward: (g, { inputs }) => [geluBackward(g, asTensor(inputs[0]))],
  },
  // PyTorch's tanh-approximation derivative (GeluBackward0 with approximate='tanh').
  geluTanh: unary('GeluBackward0', X, (x) => {
    const x2 = x.square();
    const t = x.add(x2.mul(x).mul(0.044715)).mul(SQRT_2_OVER_PI).tanh();
    const dInner = x2
      .mul(3 * 0.044715)
      .add(1)
      .mul(SQRT_2_OVER_PI);
    return t
      .add(1)
      .mul(0.5)
      .add(x.mul(0.5).mul(t.square().neg().add(1)).mul(dInner));
  }),
  // silu' = s·(1 + x·(1 − s))
  silu: unary('SiluBackward0', X, (x) => {
    const s = x.sigmoid();
    return s.mul(x.mul(s.neg().add(1)).add(1));
  }),
  // softplus (beta 1, threshold 20): the forward is x itself above the threshold.
  softplus: {
    name: 'SoftplusBackward0',
    saves: X,
    backward: (g, { inputs }) => {
      const x = asTensor(inputs[0]);
      return [g.mul(x.sigmoid()).where(x.le(20), g)];
    },
  },
  leakyRelu: {
    name: 'LeakyReluBackward0',
    saves: X,
    backward: (g, { inputs, attrs }) => {
      const x = asTensor(inputs[0]);
      return [g.where(x.gt(0), g.mul(attrs.negativeSlope))];
    },
  },
  // Gradient passes where min <= x <= max (inclusive), as PyTorch's clamp_backward.
  clamp: {
    name: 'ClampBackward1',
    saves: X,
    backward: (g, { inputs, attrs }) => {
      const x = asTensor(inputs[0]);
      const inside = x.ge(attrs.min).logicalAnd(x.le(attrs.max));
      return [g.where(inside, 0)];
    },
  },
  sign: zeroGrad('SignBackward0'),
  floor: zeroGrad('FloorBackward0'),
  ceil: zeroGrad('CeilBackward0'),
  round: zeroGrad('RoundBackward0'),
  trunc: zeroGrad('TruncBackward0'),
  cast: {
    name: 'ToCopyBackward0',
    saves: NONE,
    backward: (g, { inputs }) => [g.cast(asTensor(inputs[0]).dtype)],
  },
};

function shapeOf(x: OpInput, output: Tensor): readonly number[] {
  return typeof x === 'number' ? output.shape : x.shape;
}

/** Binary rules: each gradient is reduced back to its operand's shape (undoing broadcasting). */
function binary(
  name: string | ((inputs: readonly OpInput[]) => string),
  saves: RuleDef<PlainBinaryOp>['saves'],
  grads: (
    g: Tensor,
    a: OpInput,
    b: OpInput,
    y: Tensor,
    needs: (i: number) => boolean,
  ) => [Tensor | null, Tensor | null],
): RuleDef<PlainBinaryOp> {
  return {
    name: typeof name === 'string' ? name : ({ inputs }) => name(inputs),
    saves,
    backward: (g, { inputs, output, needs }) => {
      const a = inputs[0]!;
      const b = inputs[1]!;
      const [ga, gb] = grads(g, a, b, output, needs);
      return [
        ga && typeof a !== 'number' ? sumTo(ga, shapeOf(a, output)) : null,
        gb && typeof b !== 'number' ? sumTo(gb, shapeOf(b, output)) : null,
      ];
    },
  };
}

/** a ** b, as a tensor when either is. */
function powOf(a: OpInput, b: OpInput): Tensor {
  return typeof a === 'number' ? fullLike(asTensor(b), a).pow(b) : a.pow(b);
}

/** Each operand's gradient reads the other operand (PyTorch saves other only if self needs grad). */
const mulSaves = (needs: (i: number) => boolean): Saved[] => [
  ...(needs(1) ? [0] : []),
  ...(needs(0) ? [1] : []),
];

export const binaryRules: Rules<PlainBinaryOp | 'where'> = {
  add: binary('AddBackward0', NONE, (g) => [g, g]),
  sub: binary('SubBackward0', NONE, (g) => [g, g.neg()]),
  mul: binary('MulBackward0', mulSaves, (g, a, b, _, needs) => [
    needs(0) ? g.mul(b) : null,
    needs(1) ? g.mul(a) : null,
  ]),
  div: binary(
    'DivBackward0',
    (needs) => (needs(1) ? [1, 'output'] : [1]),
    (g, _a, b, y, needs) => [needs(0) ? g.div(b) : null, needs(1) ? g.mul(y).div(b).neg() : null],
  ),
  // PyTorch's pow_backward_self / pow_backward_exponent, zeros included.
  pow: binary(
    (inputs) =>
      typeof inputs[1] === 'number'
        ? 'PowBackward0'
        : typeof inputs[0] === 'number'
          ? 'PowBackward2'
          : 'PowBackward1',
    (needs) => (needs(1) ? [0, 1, 'output'] : [0, 1]),
    (g, a, b, y, needs) => {
      let ga: Tensor | null = null;
      let gb: Tensor | null = null;
      if (needs(0)) {
        if (typeof b === 'number') ga = b === 0 ? zerosLike(g) : g.mul(powOf(a, b - 1)).mul(b);
        else
          ga = g
            .mul(b)
            .mul(powOf(a, b.sub(1)))
            .where(b.ne(0), 0);
      }
      if (needs(1)) {
        const logA = typeof a === 'number' ? Math.log(a) : a.log();
        const raw = g.mul(y).mul(logA);
        const zeroBase =
          typeof a === 'number'
            ? a === 0
              ? asTensor(b).ge(0)
              : null
            : a.eq(0).logicalAnd(typeof b === 'number' ? b >= 0 : b.ge(0));
        gb = zeroBase ? raw.where(zeroBase.logicalNot(), 0) : raw;
      }
      return [ga, gb];
    },
  ),
  // Ties split the gradient in half, as PyTorch's maximum/minimum backward.
  maximum: binary('MaximumBackward0', [0, 1], (g, a, b) => {
    const half = g.mul(0.5);
    const ta = asTensorLike(a, b);
    const tb = asTensorLike(b, a);
    return [
      g.where(ta.gt(tb), 0).add(half.where(ta.eq(tb), 0)),
      g.where(tb.gt(ta), 0).add(half.where(ta.eq(tb), 0)),
    ];
  }),
  minimum: binary('MinimumBackward0', [0, 1], (g, a, b) => {
    const half = g.mul(0.5);
    const ta = asTensorLike(a, b);
    const tb = asTensorLike(b, a);
    return [
      g.where(ta.lt(tb), 0).add(half.where(ta.eq(tb), 0)),
      g.where(tb.lt(ta), 0).add(half.where(ta.eq(tb), 0)),
    ];
  }),
  remainder: binary('RemainderBackward0', [0, 1], (g, a, b) => [
    g,
    g.mul(asTensorLike(a, b).div(b).floor()).neg(),
  ]),
  // exact GELU's gradient as an op of its own (double backward): a·G'(b), with G''(b) = φ(b)·(2 − b²)
  geluBackward: binary('GeluBackwardBackward0', [0, 1], (g, a, b, _, needs) => {
    const x = asTensorLike(b, a);
    const pdf = x.square().mul(-0.5).exp().mul(INV_SQRT_2PI);
    return [
      needs(0) ? geluBackward(g, x) : null,
      needs(1) ? g.mul(a).mul(pdf.mul(x.square().neg().add(2))) : null,
    ];
  }),
  // relu's gradient as an op of its own (double backward): linear in the gradient, piecewise constant in b.
  reluBackward: binary('ThresholdBackwardBackward0', [1], (g, _a, b) => [reluBackward(g, b), zerosLike(g)]),
  atan2: binary('Atan2Backward0', [0, 1], (g, a, b) => {
    const ta = asTensorLike(a, b);
    const denom = ta.square().add(asTensorLike(b, a).square());
    return [g.mul(b).div(denom), g.mul(ta).neg().div(denom)];
  }),
  // inputs: [cond, a, b]
  where: {
    name: 'WhereBackward0',
    saves: [0],
    backward: (g, { inputs, output }) => {
      const cond = asTensor(inputs[0]);
      const a = inputs[1]!;
      const b = inputs[2]!;
      return [
        null,
        typeof a === 'number' ? null : sumTo(g.where(cond, 0), a.shape),
        typeof b === 'number' ? null : sumTo(where(cond, 0, g), shapeOf(b, output)),
      ];
    },
  },
};

/** x as a tensor; a number becomes a tensor shaped like `other`. */
function asTensorLike(x: OpInput, other: OpInput): Tensor {
  if (typeof x !== 'number') return x;
  return fullLike(asTensor(other), x);
}
