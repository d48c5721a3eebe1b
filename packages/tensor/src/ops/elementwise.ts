import { record } from '../autogradHook.js';
import type { View } from '../backend.js';
import type { DType } from '../dtype.js';
import { isDType, isFloat, promoteTypes, promoteWithScalar, toFloat } from '../dtype.js';
import { ArgumentError, DtypeError, fail, fmtShape, ShapeError } from '../errors.js';
import { broadcastShapes, broadcastStrides } from '../shape.js';
import { Tensor } from '../tensor.js';
import { backendOf, type Operand, sameDevice, wrap } from './core.js';
import { BINARY_OPS, type BinaryOp, UNARY_OPS, type UnaryOp } from './opTable.js';
import type { PlainBinaryOp, PlainUnaryOp } from './registry.js';

function broadcastView(t: View, shape: readonly number[]): View {
  return {
    storage: t.storage,
    shape,
    strides: broadcastStrides(t.shape, t.strides, shape),
    offset: t.offset,
    dtype: t.dtype,
  };
}

function unaryDtypes(op: UnaryOp, d: DType): { compute: DType; out: DType } {
  const kind = UNARY_OPS[op].kind;
  if (kind === 'float') return { compute: toFloat(d), out: toFloat(d) };
  if (kind === 'bool') return { compute: d === 'bool' ? 'int32' : d, out: 'bool' };
  if (d === 'bool' && op !== 'identity') {
    fail(op, `not supported for bool tensors; convert first, e.g. x.int() or x.float()`, DtypeError);
  }
  return { compute: d, out: d };
}

/**
 * Elementwise unary op (the copy `identity` and `clamp` have their own entry points: contiguous,
 * cast, clamp). A float result is recorded for autograd; leakyRelu's slope is p0.
 */
export function unary(op: Exclude<UnaryOp, 'identity' | 'clamp'>, x: Tensor, p0 = 0, p1 = 0): Tensor {
  const b = backendOf(x, op);
  const { compute, out } = unaryDtypes(op, x.dtype);
  const t = wrap(b.unary(op, x, compute, out, p0, p1), x.shape, out);
  if (isFloat(out)) {
    if (op === 'leakyRelu') record('leakyRelu', [x], t, { negativeSlope: p0 });
    // a float result: not one of the bool predicates
    else record(op as PlainUnaryOp, [x], t, {});
  }
  return t;
}

export function cast(x: Tensor, dtype: DType): Tensor {
  if (!isDType(dtype))
    fail(
      'cast',
      `dtype must be one of float32, float64, int32, bool; got ${JSON.stringify(dtype)}`,
      DtypeError,
    );
  if (x.dtype === dtype) return x;
  const b = backendOf(x, 'cast');
  const op: UnaryOp = dtype === 'bool' ? 'toBool' : 'identity';
  const compute = dtype === 'bool' ? x.dtype : isFloat(dtype) ? dtype : x.dtype === 'bool' ? 'int32' : dtype;
  const t = wrap(b.unary(op, x, compute, dtype), x.shape, dtype);
  if (isFloat(dtype) && isFloat(x.dtype)) record('cast', [x], t, { dtype });
  return t;
}

function scalarValue(op: string, arg: string, v: Operand): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'number')
    fail(op, `${arg} must be a Tensor or a number, got ${v === null ? 'null' : typeof v}`, ArgumentError);
  return v;
}

/** Elementwise binary op with NumPy broadcasting and PyTorch's type promotion. */
export function binary(op: BinaryOp, a: Operand, b: Operand): Tensor {
  const def = BINARY_OPS[op];
  const ta = a instanceof Tensor ? a : null;
  const tb = b instanceof Tensor ? b : null;
  if (!ta && !tb) fail(op, 'at least one argument must be a Tensor');
  if (ta && tb) sameDevice(op, [ta, tb]);
  let promoted: DType;
  if (ta && tb) promoted = promoteTypes(ta.dtype, tb.dtype);
  else if (ta) promoted = promoteWithScalar(ta.dtype, checkScalar(op, 'other', b));
  else promoted = promoteWithScalar(tb!.dtype, checkScalar(op, 'self', a));

  let compute = def.kind === 'float' ? toFloat(promoted) : promoted;
  let out: DType = def.kind === 'bool' ? 'bool' : compute;
  // bool ⊕ bool arithmetic: compute in int32, then back to bool (add → or, mul → and), as PyTorch.
  const boolArith = def.kind === 'same' && compute === 'bool';
  if (boolArith) {
    if (op === 'sub')
      fail(
        'sub',
        'subtracting bool tensors is not supported; use logicalXor() or convert with .int()',
        DtypeError,
      );
    compute = 'int32';
    out = 'int32';
  }
  if (def.kind === 'bool' && compute === 'bool') compute = 'int32';

  const anchor = (ta ?? tb)!;
  const backend = backendOf(anchor, op);
  const shape = ta && tb ? broadcastShapes(op, ta.shape, tb.shape) : anchor.shape.slice();
  const temps: View[] = [];
  const operand = (x: Operand, t: Tensor | null, arg: string): View => {
    if (t) {
      t.assertAlive(op);
      return broadcastView(t, shape);
    }
    const s = backend.scalar(scalarValue(op, arg, x), compute);
    const v: View = { storage: s, shape, strides: shape.map(() => 0), offset: 0, dtype: compute };
    temps.push(v);
    return v;
  };
  const va = operand(a, ta, 'self');
  const vb = operand(b, tb, 'other');
  let result = wrap(backend.binary(op, va, vb, compute, out), shape, out);
  for (const v of temps) backend.release(v.storage);
  if (boolArith) result = cast(result, 'bool');
  if (isFloat(out))
    record(
      op as PlainBinaryOp, // a number result: not one of the predicates
      [typeof a === 'boolean' ? Number(a) : a, typeof b === 'boolean' ? Number(b) : b],
      result,
      {},
    );
  return result;
}

function checkScalar(op: string, arg: string, v: Operand): number | boolean {
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  fail(op, `${arg} must be a Tensor or a number, got ${v === null ? 'null' : typeof v}`, ArgumentError);
}

/** An integral number int32 holds; larger whole numbers (e.g. -3.4e38) are floats, not overflow. */
function isInt32(v: number | boolean): boolean {
  return typeof v === 'boolean' || (Number.isInteger(v) && v >= -2147483648 && v <= 2147483647);
}

/** where(cond, a, b): a where cond is true, else b; all three broadcast together. */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  if (!(cond instanceof Tensor)) fail('where', `condition must be a bool Tensor, got ${typeof cond}`);
  if (cond.dtype !== 'bool')
    fail(
      'where',
      `condition must have dtype bool, got ${cond.dtype} (compare first, e.g. x.gt(0))`,
      DtypeError,
    );
  const ta = a instanceof Tensor ? a : null;
  const tb = b instanceof Tensor ? b : null;
  sameDevice('where', [cond, ...(ta ? [ta] : []), ...(tb ? [tb] : [])]);
  let dtype: DType;
  if (ta && tb) dtype = promoteTypes(ta.dtype, tb.dtype);
  else if (ta) dtype = promoteWithScalar(ta.dtype, checkScalar('where', 'other', b));
  else if (tb) dtype = promoteWithScalar(tb.dtype, checkScalar('where', 'input', a));
  else {
    const va = checkScalar('where', 'input', a);
    const vb = checkScalar('where', 'other', b);
    dtype =
      typeof va === 'boolean' && typeof vb === 'boolean'
        ? 'bool'
        : isInt32(va) && isInt32(vb)
          ? 'int32'
          : 'float32';
  }
  let shape = cond.shape.slice();
  if (ta) shape = broadcastShapes('where', shape, ta.shape);
  if (tb) shape = broadcastShapes('where', shape, tb.shape);
  const backend = backendOf(cond, 'where');
  const temps: View[] = [];
  const operand = (x: Operand, t: Tensor | null): View => {
    if (t) {
      const c = t.dtype === dtype ? t : cast(t, dtype);
      return broadcastView(c, shape);
    }
    const v: View = {
      storage: backend.scalar(Number(x), dtype),
      shape,
      strides: shape.map(() => 0),
      offset: 0,
      dtype,
    };
    temps.push(v);
    return v;
  };
  const out = wrap(
    backend.where(broadcastView(cond, shape), operand(a, ta), operand(b, tb), dtype),
    shape,
    dtype,
  );
  for (const v of temps) backend.release(v.storage);
  if (isFloat(dtype)) record('where', [cond, ta ?? Number(a), tb ?? Number(b)], out, {});
  return out;
}

/** clamp(x, min, max) with number bounds (null/undefined = unbounded) or tensor bounds. */
export function clamp(x: Tensor, min?: Operand | null, max?: Operand | null): Tensor {
  if ((min === undefined || min === null) && (max === undefined || max === null)) {
    fail('clamp', 'at least one of min or max must be given');
  }
  if (min instanceof Tensor || max instanceof Tensor) {
    let r: Tensor = x;
    if (min !== undefined && min !== null) r = binary('maximum', r, min);
    if (max !== undefined && max !== null) r = binary('minimum', r, max);
    return r;
  }
  const lo = min === undefined || min === null ? -Infinity : scalarValue('clamp', 'min', min);
  const hi = max === undefined || max === null ? Infinity : scalarValue('clamp', 'max', max);
  let dtype = x.dtype;
  if (Number.isFinite(lo)) dtype = promoteWithScalar(dtype, lo);
  if (Number.isFinite(hi)) dtype = promoteWithScalar(dtype, hi);
  if (dtype === 'bool') fail('clamp', 'not supported for bool tensors', DtypeError);
  const src = dtype === x.dtype ? x : cast(x, dtype);
  // int32 compute: infinite bounds would wrap, so pin them to the int32 range.
  const p0 = dtype === 'int32' ? Math.max(lo, -2147483648) : lo;
  const p1 = dtype === 'int32' ? Math.min(hi, 2147483647) : hi;
  const b = backendOf(src, 'clamp');
  const t = wrap(b.unary('clamp', src, dtype, dtype, p0, p1), src.shape, dtype);
  if (isFloat(dtype)) record('clamp', [src], t, { min: lo, max: hi });
  return t;
}

export function assertSameShape(op: string, a: Tensor, b: Tensor): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    fail(op, `shapes must match, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`, ShapeError);
  }
}
