import { kernelArray, releaseKernelArray, ShapeError, Tensor, tensor } from '@lumen/tensor';
import { compareCodePoints } from '../feature_extraction/pyRegex.js';
import { CsrMatrix } from '../sparse/csr.js';
import { describe, fail } from './errors.js';

/** A dense row-major float64 matrix: the one internal data layout of this package. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** Anything that converts itself to a Tensor, e.g. a @lumen/data DataFrame or Series. */
export interface TensorConvertible {
  toTensor(opts?: { dtype?: 'float64' | 'float32' | 'int32'; device?: 'cpu' }): Tensor;
}

/** What estimators accept as X: a Tensor, a DataFrame, or rows of numbers. */
export type MatrixLike = Tensor | TensorConvertible | readonly (readonly number[])[];
/** What estimators accept as y: a Tensor, a Series, numbers or a typed array. */
export type VectorLike =
  | Tensor
  | TensorConvertible
  | readonly number[]
  | Float64Array
  | Float32Array
  | Int32Array;
/** Class labels for metrics and encoders: numbers or strings. */
export type LabelsLike = VectorLike | readonly string[];

export function matrix(rows: number, cols: number, data?: Float64Array): Matrix {
  return { rows, cols, data: data ?? new Float64Array(rows * cols) };
}

function isConvertible(x: unknown): x is TensorConvertible {
  return typeof x === 'object' && x !== null && typeof (x as { toTensor?: unknown }).toTensor === 'function';
}

function tensorValues(op: string, arg: string, t: Tensor, kernel = false): Float64Array {
  if (t.device !== 'cpu') {
    fail(
      op,
      `${arg} is a ${t.device} tensor and this method reads its values synchronously; pass \`await ${arg}.toAsync('cpu')\`${op.startsWith('KMeans') ? ' or use `await kmeans.fitAsync(X)`' : ''}`,
    );
  }
  if (t.dtype === 'bool') fail(op, `${arg} must hold numbers, got a bool tensor; cast it with .double()`);
  if (kernel && t.dtype === 'float64') {
    // Straight into the cpu kernels' memory: no intermediate copy.
    const k = kernelArray(t.size, Float64Array, { zeroed: false });
    t.dataSync(k);
    return k;
  }
  // dataSync returns a fresh copy, so a float64 one can be used (and changed) as it is.
  const d = t.dataSync();
  return d instanceof Float64Array ? d : Float64Array.from(d);
}

function checkFinite(op: string, arg: string, data: Float64Array, cols: number): void {
  // v·0 is 0 for a finite v and NaN otherwise: four independent sums run at about a cycle per
  // value without a branch; the slow loop below runs only to name the first bad value.
  const n = data.length;
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    a0 += data[i]! * 0;
    a1 += data[i + 1]! * 0;
    a2 += data[i + 2]! * 0;
    a3 += data[i + 3]! * 0;
  }
  for (; i < n; i++) a0 += data[i]! * 0;
  if (a0 + a1 + a2 + a3 === 0) return;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) {
      const where = cols > 0 ? `row ${Math.floor(i / cols)}, column ${i % cols}` : `index ${i}`;
      fail(op, `${arg} must contain only finite numbers, got ${v} at ${where}`);
    }
  }
}

/** Converts X to a float64 Matrix (copying), checking it is 2-d, non-empty and finite. */
export function toMatrix(
  op: string,
  arg: string,
  X: unknown,
  opts: { allowEmpty?: boolean; kernel?: boolean } = {},
): Matrix {
  let m: Matrix;
  let inKernel = false;
  if (X instanceof Tensor) {
    if (X.ndim !== 2) {
      fail(
        op,
        `${arg} must be 2-d (samples x features), got shape [${X.shape.join(', ')}]${X.ndim === 1 ? '; reshape a single feature with X.reshape(-1, 1)' : ''}`,
        ShapeError,
      );
    }
    inKernel = opts.kernel === true && X.dtype === 'float64';
    m = matrix(X.shape[0]!, X.shape[1]!, tensorValues(op, arg, X, inKernel));
  } else if (isConvertible(X)) {
    return toMatrix(op, arg, X.toTensor({ dtype: 'float64' }), opts);
  } else if (Array.isArray(X)) {
    const rows = X.length;
    const first = X[0];
    if (rows > 0 && !Array.isArray(first)) {
      fail(op, `${arg} must be a 2-d array (rows of numbers), got ${describe(first)} at ${arg}[0]`);
    }
    const cols = rows > 0 ? (first as unknown[]).length : 0;
    const data = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const row = X[i] as unknown;
      if (!Array.isArray(row)) fail(op, `${arg}[${i}] must be an array of numbers, got ${describe(row)}`);
      if (row.length !== cols)
        fail(op, `${arg} is ragged: row ${i} has ${row.length} values, row 0 has ${cols}`);
      for (let j = 0; j < cols; j++) {
        const v = row[j] as unknown;
        if (typeof v !== 'number') fail(op, `${arg}[${i}][${j}] must be a number, got ${describe(v)}`);
        data[i * cols + j] = v;
      }
    }
    m = matrix(rows, cols, data);
  } else if (X instanceof CsrMatrix) {
    fail(op, `${arg} is a sparse CsrMatrix, but this method needs dense data; pass ${arg}.toDense()`);
  } else {
    fail(op, `${arg} must be a Tensor, a DataFrame or an array of rows, got ${describe(X)}`);
  }
  if (!opts.allowEmpty && (m.rows === 0 || m.cols === 0)) {
    fail(op, `${arg} must have at least one sample and one feature, got shape [${m.rows}, ${m.cols}]`);
  }
  try {
    checkFinite(op, arg, m.data, m.cols);
  } catch (e) {
    releaseMatrix(m); // from tensorValues' kernel path
    throw e;
  }
  if (opts.kernel && !inKernel) {
    // In the cpu kernels' memory, so the many products over it read it in place (no copy per
    // product). The caller gives it back with releaseMatrix when done.
    const k = kernelArray(m.data.length, Float64Array, { zeroed: false });
    k.set(m.data);
    m = matrix(m.rows, m.cols, k);
  }
  return m;
}

/** Gives back the memory of a matrix from `toMatrix(…, { kernel: true })`. */
export function releaseMatrix(m: Matrix): void {
  releaseKernelArray(m.data);
}

/** Converts y to a float64 vector (copying), checking it is 1-d and finite. */
export function toVector(op: string, arg: string, y: unknown): Float64Array {
  let v: Float64Array;
  if (y instanceof Tensor) {
    if (y.ndim !== 1) fail(op, `${arg} must be 1-d, got shape [${y.shape.join(', ')}]`);
    v = tensorValues(op, arg, y);
  } else if (isConvertible(y)) {
    return toVector(op, arg, y.toTensor({ dtype: 'float64' }));
  } else if (y instanceof Float64Array || y instanceof Float32Array || y instanceof Int32Array) {
    v = Float64Array.from(y);
  } else if (Array.isArray(y)) {
    v = new Float64Array(y.length);
    for (let i = 0; i < y.length; i++) {
      const x = y[i] as unknown;
      if (typeof x !== 'number') fail(op, `${arg}[${i}] must be a number, got ${describe(x)}`);
      v[i] = x;
    }
  } else {
    fail(op, `${arg} must be a Tensor, a Series or an array of numbers, got ${describe(y)}`);
  }
  checkFinite(op, arg, v, 0);
  return v;
}

/** Labels as numbers or strings (never a mix), for metrics and encoders. */
export function toLabels(op: string, arg: string, y: unknown): number[] | string[] {
  if (Array.isArray(y) && y.length > 0 && typeof y[0] === 'string') {
    const out: string[] = new Array(y.length);
    for (let i = 0; i < y.length; i++) {
      const x = y[i] as unknown;
      if (typeof x !== 'string')
        fail(op, `${arg} mixes strings and ${typeof x}s: ${arg}[${i}] is ${describe(x)}`);
      out[i] = x;
    }
    return out;
  }
  return Array.from(toVector(op, arg, y));
}

/** The sorted distinct labels (numbers ascending, strings in code-point order, as numpy's unique). */
export function uniqueLabels(...ys: (number[] | string[])[]): number[] | string[] {
  const kinds = new Set(ys.filter((y) => y.length > 0).map((y) => typeof y[0]));
  if (kinds.size > 1) fail('labels', 'mix of string and number labels is not allowed');
  const set = new Set<number | string>();
  for (const y of ys) for (const v of y) set.add(v);
  const arr = [...set];
  if (kinds.has('string')) return (arr as string[]).sort(compareCodePoints);
  return (arr as number[]).sort((a, b) => a - b);
}

export function checkSameLength(
  op: string,
  names: [string, string],
  a: { length: number },
  b: { length: number },
): void {
  if (a.length !== b.length) {
    fail(
      op,
      `${names[0]} and ${names[1]} must have the same number of samples, got ${a.length} and ${b.length}`,
      ShapeError,
    );
  }
}

/** A cpu float64 Tensor over a Matrix. */
export function matrixToTensor(m: Matrix): Tensor {
  return tensor(m.data, { shape: [m.rows, m.cols], dtype: 'float64', device: 'cpu' });
}

export function vectorToTensor(
  v: Float64Array | Int32Array | readonly number[],
  dtype: 'float64' | 'int32' = 'float64',
): Tensor {
  const arr = dtype === 'int32' ? Int32Array.from(v) : v instanceof Float64Array ? v : Float64Array.from(v);
  return tensor(arr, { shape: [arr.length], dtype, device: 'cpu' });
}
