/**
 * One declaration per elementwise op. The CPU loops (backends/cpu/elementwise.generated.ts, made by
 * scripts/gen-cpu-kernels.mjs) and the WGSL kernels (backends/webgpu/elementwise.ts) both derive
 * from these expressions, so a new op is one entry here.
 *
 * Expressions: unary ops see `x`, binary ops `a` and `b`, parametric ops `p0`, `p1`. In WGSL, `T`
 * is the compute type (f32 or i32).
 *
 * Result kinds:
 *   same    – result has the compute dtype (ints stay ints)
 *   float   – ints and bools are computed in float32 (exp, division…)
 *   bool    – a predicate; result is bool
 */
export type ResultKind = 'same' | 'float' | 'bool';

export interface UnaryOpDef {
  readonly kind: ResultKind;
  readonly js: string;
  /** JS expression for int32 compute, when it differs from `js`. */
  readonly jsInt?: string;
  readonly wgsl: string;
  readonly wgslInt?: string;
  /** Number of scalar parameters (p0, p1). */
  readonly params?: number;
  /** Whether the op accepts int32/bool inputs with a `same` result. */
  readonly floatOnly?: boolean;
}

export interface BinaryOpDef {
  readonly kind: ResultKind;
  readonly js: string;
  readonly jsInt?: string;
  readonly wgsl: string;
  readonly wgslInt?: string;
}

export const UNARY_OPS = {
  identity: { kind: 'same', js: 'x', wgsl: 'x' },
  neg: { kind: 'same', js: '-x', jsInt: '(-x) | 0', wgsl: '-x' },
  abs: { kind: 'same', js: 'Math.abs(x)', jsInt: 'Math.abs(x) | 0', wgsl: 'abs(x)' },
  sign: { kind: 'same', js: 'sign(x)', wgsl: 'sign(x)' },
  square: { kind: 'same', js: 'x * x', jsInt: 'Math.imul(x, x)', wgsl: 'x * x' },
  relu: { kind: 'same', js: 'x < 0 ? 0 : x', wgsl: 'max(x, T(0))' },
  floor: { kind: 'same', js: 'Math.floor(x)', jsInt: 'x', wgsl: 'floor(x)', wgslInt: 'x' },
  ceil: { kind: 'same', js: 'Math.ceil(x)', jsInt: 'x', wgsl: 'ceil(x)', wgslInt: 'x' },
  round: { kind: 'same', js: 'roundHalfEven(x)', jsInt: 'x', wgsl: 'round(x)', wgslInt: 'x' },
  trunc: { kind: 'same', js: 'Math.trunc(x)', jsInt: 'x', wgsl: 'trunc(x)', wgslInt: 'x' },
  exp: { kind: 'float', js: 'Math.exp(x)', wgsl: 'exp(x)' },
  expm1: { kind: 'float', js: 'Math.expm1(x)', wgsl: 'expm1_f(x)' },
  log: { kind: 'float', js: 'Math.log(x)', wgsl: 'log(x)' },
  log1p: { kind: 'float', js: 'Math.log1p(x)', wgsl: 'log1p_f(x)' },
  log2: { kind: 'float', js: 'Math.log2(x)', wgsl: 'log2(x)' },
  sqrt: { kind: 'float', js: 'Math.sqrt(x)', wgsl: 'sqrt(x)' },
  rsqrt: { kind: 'float', js: '1 / Math.sqrt(x)', wgsl: 'inverseSqrt(x)' },
  reciprocal: { kind: 'float', js: '1 / x', wgsl: 'T(1) / x' },
  sin: { kind: 'float', js: 'Math.sin(x)', wgsl: 'sin(x)' },
  cos: { kind: 'float', js: 'Math.cos(x)', wgsl: 'cos(x)' },
  tan: { kind: 'float', js: 'Math.tan(x)', wgsl: 'tan(x)' },
  tanh: { kind: 'float', js: 'Math.tanh(x)', wgsl: 'tanh_f(x)' },
  sigmoid: { kind: 'float', js: 'sigmoid(x)', wgsl: 'sigmoid_f(x)' },
  erf: { kind: 'float', js: 'erf(x)', wgsl: 'erf_f(x)' },
  gelu: { kind: 'float', js: 'gelu(x)', wgsl: 'T(0.5) * x * (T(1) + erf_f(x * T(0.7071067811865476)))' },
  geluTanh: {
    kind: 'float',
    js: 'geluTanh(x)',
    wgsl: 'T(0.5) * x * (T(1) + tanh_f(T(0.7978845608028654) * (x + T(0.044715) * x * x * x)))',
  },
  silu: { kind: 'float', js: 'x * sigmoid(x)', wgsl: 'x * sigmoid_f(x)' },
  softplus: { kind: 'float', js: 'softplus(x)', wgsl: 'select(log1p_f(exp(x)), x, x > T(20))' },
  isnan: { kind: 'bool', js: 'x !== x ? 1 : 0', wgsl: 'isnan_f(x)', wgslInt: 'false' },
  isinf: {
    kind: 'bool',
    js: 'x === Infinity || x === -Infinity ? 1 : 0',
    wgsl: 'isinf_f(x)',
    wgslInt: 'false',
  },
  logicalNot: { kind: 'bool', js: 'x ? 0 : 1', wgsl: 'x == T(0)' },
  /** cast to bool: non-zero (and NaN) is true, as torch's `.bool()`. */
  toBool: { kind: 'bool', js: 'x !== 0 ? 1 : 0', wgsl: 'nonzero_f(x)', wgslInt: 'x != T(0)' },
  /** clamp(x, p0, p1); NaN bounds are not expected (the frontend passes ±Infinity for "none"). */
  clamp: { kind: 'same', js: 'x < p0 ? p0 : x > p1 ? p1 : x', wgsl: 'min(max(x, p0), p1)', params: 2 },
  leakyRelu: { kind: 'float', js: 'x > 0 ? x : x * p0', wgsl: 'select(x * p0, x, x > T(0))', params: 1 },
} as const satisfies Record<string, UnaryOpDef>;

export const BINARY_OPS = {
  add: { kind: 'same', js: 'a + b', jsInt: '(a + b) | 0', wgsl: 'a + b' },
  sub: { kind: 'same', js: 'a - b', jsInt: '(a - b) | 0', wgsl: 'a - b' },
  mul: { kind: 'same', js: 'a * b', jsInt: 'Math.imul(a, b)', wgsl: 'a * b' },
  div: { kind: 'float', js: 'a / b', wgsl: 'a / b' },
  pow: {
    kind: 'same',
    js: 'Math.pow(a, b)',
    jsInt: 'Math.pow(a, b) | 0',
    wgsl: 'pow_f(a, b)',
    wgslInt: 'pow_i(a, b)',
  },
  remainder: { kind: 'same', js: 'remainder(a, b)', wgsl: 'rem_f(a, b)', wgslInt: 'rem_i(a, b)' },
  maximum: { kind: 'same', js: 'a !== a || a > b ? a : b', wgsl: 'max(a, b)' },
  minimum: { kind: 'same', js: 'a !== a || a < b ? a : b', wgsl: 'min(a, b)' },
  atan2: { kind: 'float', js: 'Math.atan2(a, b)', wgsl: 'atan2_f(a, b)' },
  /** relu's gradient (PyTorch's threshold_backward at 0): a where b > 0, else 0; b is relu's output. */
  reluBackward: { kind: 'same', js: 'b > 0 ? a : 0', wgsl: 'select(T(0), a, b > T(0))' },
  /** exact GELU's gradient (PyTorch's gelu_backward): a·GELU'(b) = a·(Φ(b) + b·φ(b)); b is GELU's input. */
  geluBackward: { kind: 'float', js: 'geluBackward(a, b)', wgsl: 'gelu_backward_f(a, b)' },
  eq: { kind: 'bool', js: 'a === b ? 1 : 0', wgsl: 'a == b' },
  ne: { kind: 'bool', js: 'a !== b ? 1 : 0', wgsl: 'a != b' },
  lt: { kind: 'bool', js: 'a < b ? 1 : 0', wgsl: 'a < b' },
  le: { kind: 'bool', js: 'a <= b ? 1 : 0', wgsl: 'a <= b' },
  gt: { kind: 'bool', js: 'a > b ? 1 : 0', wgsl: 'a > b' },
  ge: { kind: 'bool', js: 'a >= b ? 1 : 0', wgsl: 'a >= b' },
  logicalAnd: { kind: 'bool', js: 'a && b ? 1 : 0', wgsl: '(a != T(0)) && (b != T(0))' },
  logicalOr: { kind: 'bool', js: 'a || b ? 1 : 0', wgsl: '(a != T(0)) || (b != T(0))' },
  logicalXor: { kind: 'bool', js: '!a !== !b ? 1 : 0', wgsl: '(a != T(0)) != (b != T(0))' },
} as const satisfies Record<string, BinaryOpDef>;

export type UnaryOp = keyof typeof UNARY_OPS;
export type BinaryOp = keyof typeof BINARY_OPS;
