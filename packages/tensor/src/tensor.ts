import { autogradEngine, type OpInput, record } from './autogradHook.js';
import type { Storage, View } from './backend.js';
import { checkDevice, cpuBackend, getBackend } from './device.js';
import type { Device, DType, TypedArray } from './dtype.js';
import { isFloat, typedArrayFor } from './dtype.js';
import { DeviceError, DtypeError, fail, fmtShape, preview, ShapeError } from './errors.js';
import { releaseOwner, retain } from './memory.js';
import type { Operand } from './ops/core.js';
import { binary, cast, clamp, unary, where } from './ops/elementwise.js';
import { gather, indexSelect, scatterAdd } from './ops/indexing.js';
import { copy_ } from './ops/inplace.js';
import { chunk, split } from './ops/join.js';
import { type AddmmOptions, addmm, matmul } from './ops/linalg.js';
import * as mv from './ops/movement.js';
import * as red from './ops/reduce.js';
import { logSoftmax, softmax } from './ops/softmax.js';
import { tril, triu } from './ops/triangular.js';
import { checkOptions } from './options.js';
import { formatTensor } from './print.js';
import { contiguousStrides, isContiguous, numel } from './shape.js';
import { claimSingleCopy } from './singleCopy.js';

// Here, in the module every use of the package loads: a second copy of @lumen/tensor throws now.
claimSingleCopy(import.meta.url);

export type NestedArray = number | boolean | NestedArray[];

/** What autograd attaches to a non-leaf tensor; `name` is the op that made it (e.g. 'MulBackward'). */
export interface GradFn {
  readonly name: string;
}

/**
 * An n-dimensional array on one device. Immutable: every op returns a new tensor (views share
 * memory). Create tensors with the factories (`tensor`, `zeros`, `randn`…), not with `new`.
 */
export class Tensor implements View {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
  readonly storage: Storage;
  private _requiresGrad = false;
  private _disposed = false;
  /** Whether memory() counts this tensor (memory.ts: untracked in long synchronous cpu loops). */
  private readonly tracked: boolean;
  /** Accumulated gradient (set by backward() once @lumen/autograd is imported). */
  grad: Tensor | null = null;
  /** The backward node that produced this tensor; null for leaves. */
  gradFn: GradFn | null = null;

  /** @internal Use the factories. */
  constructor(storage: Storage, shape: number[], strides: number[], offset: number, dtype: DType) {
    this.storage = storage;
    this.shape = Object.freeze(shape);
    this.strides = Object.freeze(strides);
    this.offset = offset;
    this.dtype = dtype;
    this.tracked = retain(this);
  }

  get device(): Device {
    return this.storage.device;
  }
  /** Number of elements (torch's numel()). */
  get size(): number {
    return numel(this.shape);
  }
  get ndim(): number {
    return this.shape.length;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }
  /** True for tensors not produced by a recorded op (user-created, or detached). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }
  set requiresGrad(v: boolean) {
    if (typeof v !== 'boolean') fail('requiresGrad', `expected a boolean, got ${typeof v}`);
    if (v && !isFloat(this.dtype)) {
      fail(
        'requiresGrad',
        `only floating-point tensors can require gradients, got ${this.dtype}`,
        DtypeError,
      );
    }
    if (!v && !this.isLeaf) {
      fail('requiresGrad', 'cannot turn off requiresGrad on a non-leaf tensor; use detach()');
    }
    this._requiresGrad = v;
  }
  isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }

  /** @internal */
  assertAlive(op: string): void {
    if (this._disposed || this.storage.released) {
      fail(
        op,
        `the tensor ${fmtShape(this.shape)} (${this.dtype}, ${this.device}) was disposed and cannot be used`,
      );
    }
  }

  /** Frees this tensor's memory now (shared storage is freed when its last view goes). */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    releaseOwner(this, this.tracked);
  }

  // ---- reading ---------------------------------------------------------------------------------

  /**
   * The elements as a flat typed array (Float32Array, Float64Array, Int32Array or Uint8Array for
   * bool), always a fresh copy the caller owns (writing to it never changes the tensor).
   */
  async data(): Promise<TypedArray> {
    this.assertAlive('data');
    return getBackend(this.device, 'data').read(this);
  }

  /** The elements as nested JS arrays (numbers, or booleans for bool). */
  async toArray(): Promise<NestedArray> {
    return nest(await this.data(), this.shape, this.dtype === 'bool');
  }

  /** The single element of a one-element tensor. */
  async item(): Promise<number | boolean> {
    if (this.size !== 1)
      fail(
        'item',
        `only one-element tensors can be converted to a number, this one has shape ${fmtShape(this.shape)}`,
      );
    const d = await this.data();
    return this.dtype === 'bool' ? d[0] === 1 : d[0]!;
  }

  /**
   * Like data(), synchronously (cpu only); also a fresh copy. With `out` (a typed array of this
   * dtype's kind, e.g. Float64Array for float64, at least `size` long), the values are written there
   * from index 0 and `out` is returned: no allocation (e.g. straight into a `kernelArray`).
   */
  dataSync(out?: TypedArray): TypedArray {
    this.assertAlive('dataSync');
    if (this.device !== 'cpu') {
      fail(
        'dataSync',
        `cannot read a ${this.device} tensor synchronously; use \`await t.data()\` (or \`await t.toArray()\`)`,
        DeviceError,
      );
    }
    if (out !== undefined) {
      const want = typedArrayFor(this.dtype, 0).constructor as { name: string };
      if (!ArrayBuffer.isView(out) || out.constructor !== want)
        fail(
          'dataSync',
          `out must be a ${want.name} for a ${this.dtype} tensor, got ${ArrayBuffer.isView(out) ? out.constructor.name : preview(out)}`,
        );
      if (out.length < this.size)
        fail('dataSync', `out must hold at least ${this.size} elements, got ${out.length}`);
    }
    return cpuBackend().readSync(this, out);
  }

  arraySync(): NestedArray {
    if (this.device !== 'cpu') {
      fail(
        'arraySync',
        `cannot read a ${this.device} tensor synchronously; use \`await t.toArray()\``,
        DeviceError,
      );
    }
    return nest(this.dataSync(), this.shape, this.dtype === 'bool');
  }

  /** The single element, synchronously (cpu only). */
  itemSync(): number | boolean {
    if (this.size !== 1)
      fail(
        'itemSync',
        `only one-element tensors can be converted to a number, this one has shape ${fmtShape(this.shape)}`,
      );
    const d = this.dataSync();
    return this.dtype === 'bool' ? d[0] === 1 : d[0]!;
  }

  // ---- devices and dtypes ------------------------------------------------------------------------

  /**
   * The same values on another device. cpu → webgpu is immediate; webgpu → cpu needs the GPU to
   * finish, so it is `await t.toAsync('cpu')`.
   */
  to(device: Device): Tensor {
    checkDevice('to', device);
    this.assertAlive('to');
    if (device === this.device) return this;
    if (this.device !== 'cpu') {
      fail(
        'to',
        `moving a ${this.device} tensor to ${device} has to wait for the GPU: use \`await t.toAsync('${device}')\``,
        DeviceError,
      );
    }
    return this.moveFrom(cpuBackend().readSync(this), device);
  }

  async toAsync(device: Device): Promise<Tensor> {
    checkDevice('toAsync', device);
    this.assertAlive('toAsync');
    if (device === this.device) return this;
    return this.moveFrom(await this.data(), device);
  }

  private moveFrom(data: TypedArray, device: Device): Tensor {
    const b = getBackend(device, 'to');
    const t = new Tensor(
      b.fromArray(data, this.dtype),
      this.shape.slice(),
      contiguousStrides(this.shape),
      0,
      this.dtype,
    );
    record('to', [this], t, { device: this.device });
    return t;
  }

  cast(dtype: DType): Tensor {
    return cast(this, dtype);
  }
  float(): Tensor {
    return cast(this, 'float32');
  }
  double(): Tensor {
    return cast(this, 'float64');
  }
  int(): Tensor {
    return cast(this, 'int32');
  }
  bool(): Tensor {
    return cast(this, 'bool');
  }

  /** A tensor sharing this one's memory, cut off from the autograd graph. */
  detach(): Tensor {
    this.assertAlive('detach');
    return new Tensor(this.storage, this.shape.slice(), this.strides.slice(), this.offset, this.dtype);
  }

  /** A copy with its own memory (recorded by autograd). */
  clone(): Tensor {
    this.assertAlive('clone');
    const b = getBackend(this.device, 'clone');
    const out = new Tensor(
      b.unary('identity', this, this.dtype === 'bool' ? 'int32' : this.dtype, this.dtype),
      this.shape.slice(),
      contiguousStrides(this.shape),
      0,
      this.dtype,
    );
    record('contiguous', [this], out, {});
    return out;
  }

  contiguous(): Tensor {
    return mv.contiguous(this);
  }

  /**
   * Writes src's values (broadcast, cast) into this tensor's memory and returns it, as PyTorch's
   * copy_. Views of the same memory see the change. Not allowed on tensors autograd may need.
   */
  copy_(src: Tensor | number): Tensor {
    return copy_(this, src);
  }

  /** Number of in-place writes into this tensor's memory (PyTorch's _version). */
  get version(): number {
    return this.storage.version;
  }

  // ---- autograd entry point ------------------------------------------------------------------------

  /** Computes gradients of this tensor with respect to the leaves that require grad. */
  backward(gradient?: Tensor, options: { retainGraph?: boolean } = {}): void {
    const engine = autogradEngine();
    if (!engine)
      fail('backward', "autograd is not loaded: add `import '@lumen/autograd'` (or import @lumen/nn) first");
    engine.backward(this, gradient, options);
  }

  /**
   * backward() for a graph that moves a gradient back from the GPU — a cpu tensor (a leaf) moved
   * with `.to('webgpu')` — which backward() refuses: WebGPU reads are asynchronous. Works for any
   * graph; on one device it does what backward() does.
   */
  async backwardAsync(gradient?: Tensor, options: { retainGraph?: boolean } = {}): Promise<void> {
    const engine = autogradEngine();
    if (!engine?.backwardAsync)
      fail(
        'backwardAsync',
        "autograd is not loaded: add `import '@lumen/autograd'` (or import @lumen/nn) first",
      );
    await engine.backwardAsync(this, gradient, options);
  }

  // ---- elementwise ---------------------------------------------------------------------------------

  add(other: Operand, opts?: { alpha?: number }): Tensor {
    if (opts !== undefined) checkOptions('add', opts, ['alpha']);
    if (opts?.alpha !== undefined && opts.alpha !== 1)
      return binary('add', this, binary('mul', other, opts.alpha));
    return binary('add', this, other);
  }
  sub(other: Operand, opts?: { alpha?: number }): Tensor {
    if (opts !== undefined) checkOptions('sub', opts, ['alpha']);
    if (opts?.alpha !== undefined && opts.alpha !== 1)
      return binary('sub', this, binary('mul', other, opts.alpha));
    return binary('sub', this, other);
  }
  mul(other: Operand): Tensor {
    return binary('mul', this, other);
  }
  div(other: Operand): Tensor {
    return binary('div', this, other);
  }
  pow(exponent: Operand): Tensor {
    return binary('pow', this, exponent);
  }
  remainder(other: Operand): Tensor {
    return binary('remainder', this, other);
  }
  maximum(other: Operand): Tensor {
    return binary('maximum', this, other);
  }
  minimum(other: Operand): Tensor {
    return binary('minimum', this, other);
  }
  atan2(other: Operand): Tensor {
    return binary('atan2', this, other);
  }
  eq(other: Operand): Tensor {
    return binary('eq', this, other);
  }
  ne(other: Operand): Tensor {
    return binary('ne', this, other);
  }
  lt(other: Operand): Tensor {
    return binary('lt', this, other);
  }
  le(other: Operand): Tensor {
    return binary('le', this, other);
  }
  gt(other: Operand): Tensor {
    return binary('gt', this, other);
  }
  ge(other: Operand): Tensor {
    return binary('ge', this, other);
  }
  logicalAnd(other: Operand): Tensor {
    return binary('logicalAnd', this, other);
  }
  logicalOr(other: Operand): Tensor {
    return binary('logicalOr', this, other);
  }
  logicalXor(other: Operand): Tensor {
    return binary('logicalXor', this, other);
  }
  logicalNot(): Tensor {
    return unary('logicalNot', this);
  }
  neg(): Tensor {
    return unary('neg', this);
  }
  abs(): Tensor {
    return unary('abs', this);
  }
  sign(): Tensor {
    return unary('sign', this);
  }
  square(): Tensor {
    return unary('square', this);
  }
  exp(): Tensor {
    return unary('exp', this);
  }
  expm1(): Tensor {
    return unary('expm1', this);
  }
  log(): Tensor {
    return unary('log', this);
  }
  log1p(): Tensor {
    return unary('log1p', this);
  }
  log2(): Tensor {
    return unary('log2', this);
  }
  sqrt(): Tensor {
    return unary('sqrt', this);
  }
  rsqrt(): Tensor {
    return unary('rsqrt', this);
  }
  reciprocal(): Tensor {
    return unary('reciprocal', this);
  }
  sin(): Tensor {
    return unary('sin', this);
  }
  cos(): Tensor {
    return unary('cos', this);
  }
  tan(): Tensor {
    return unary('tan', this);
  }
  tanh(): Tensor {
    return unary('tanh', this);
  }
  sigmoid(): Tensor {
    return unary('sigmoid', this);
  }
  relu(): Tensor {
    return unary('relu', this);
  }
  /** GELU; `approximate: 'tanh'` is GPT-2's gelu_new. */
  gelu(opts: { approximate?: 'none' | 'tanh' } = {}): Tensor {
    checkOptions('gelu', opts, ['approximate']);
    const a = opts.approximate ?? 'none';
    if (a !== 'none' && a !== 'tanh')
      fail('gelu', `approximate must be 'none' or 'tanh', got ${JSON.stringify(a)}`);
    return unary(a === 'tanh' ? 'geluTanh' : 'gelu', this);
  }
  silu(): Tensor {
    return unary('silu', this);
  }
  softplus(): Tensor {
    return unary('softplus', this);
  }
  leakyRelu(negativeSlope = 0.01): Tensor {
    return unary('leakyRelu', this, negativeSlope);
  }
  erf(): Tensor {
    return unary('erf', this);
  }
  floor(): Tensor {
    return unary('floor', this);
  }
  ceil(): Tensor {
    return unary('ceil', this);
  }
  round(): Tensor {
    return unary('round', this);
  }
  trunc(): Tensor {
    return unary('trunc', this);
  }
  isnan(): Tensor {
    return unary('isnan', this);
  }
  isinf(): Tensor {
    return unary('isinf', this);
  }
  clamp(min?: Operand | null, max?: Operand | null): Tensor {
    return clamp(this, min, max);
  }
  /** torch.where(cond, self, other) as a method: self where cond, else other. */
  where(cond: Tensor, other: Operand): Tensor {
    return where(cond, this, other);
  }

  // ---- reductions ------------------------------------------------------------------------------------

  sum(dim?: red.Dims, opts?: red.ReduceOptions): Tensor {
    return red.sum(this, dim, opts);
  }
  prod(dim?: red.Dims, opts?: red.ReduceOptions): Tensor {
    return red.prod(this, dim, opts);
  }
  mean(dim?: red.Dims, opts?: red.ReduceOptions): Tensor {
    return red.mean(this, dim, opts);
  }
  /** Largest value (over dim, when given). For the indices use argmax(dim). */
  max(dim?: red.Dims, opts?: red.ReduceOptions): Tensor {
    return red.max(this, dim, opts);
  }
  min(dim?: red.Dims, opts?: red.ReduceOptions): Tensor {
    return red.min(this, dim, opts);
  }
  argmax(dim?: number, opts?: red.ReduceOptions): Tensor {
    return red.argmax(this, dim, opts);
  }
  argmin(dim?: number, opts?: red.ReduceOptions): Tensor {
    return red.argmin(this, dim, opts);
  }
  var(dim?: red.Dims, opts?: red.VarOptions): Tensor {
    return red.variance(this, dim, opts);
  }
  std(dim?: red.Dims, opts?: red.VarOptions): Tensor {
    return red.std(this, dim, opts);
  }
  logsumexp(dim: red.Dims, opts?: red.ReduceOptions): Tensor {
    return red.logsumexp(this, dim, opts);
  }
  all(dim?: red.Dims, opts?: red.ReduceOptions): Tensor {
    return red.all(this, dim, opts);
  }
  any(dim?: red.Dims, opts?: red.ReduceOptions): Tensor {
    return red.any(this, dim, opts);
  }

  // ---- linear algebra and fused ops ----------------------------------------------------------------

  matmul(other: Tensor): Tensor {
    return matmul(this, other);
  }
  /** torch.Tensor.addmm: beta·this + alpha·(mat1 @ mat2). */
  addmm(mat1: Tensor, mat2: Tensor, opts?: AddmmOptions): Tensor {
    return addmm(this, mat1, mat2, opts);
  }
  softmax(dim: number): Tensor {
    return softmax(this, dim);
  }
  logSoftmax(dim: number): Tensor {
    return logSoftmax(this, dim);
  }
  /** Lower triangle of the last two dims (the rest zeroed), as torch.tril. */
  tril(diagonal = 0): Tensor {
    return tril(this, diagonal);
  }
  /** Upper triangle of the last two dims, as torch.triu. */
  triu(diagonal = 0): Tensor {
    return triu(this, diagonal);
  }

  // ---- shape and indexing ----------------------------------------------------------------------------

  view(...shape: (number | readonly number[])[]): Tensor {
    return mv.view(this, ...shape);
  }
  reshape(...shape: (number | readonly number[])[]): Tensor {
    return mv.reshape(this, ...shape);
  }
  permute(...dims: (number | readonly number[])[]): Tensor {
    return mv.permute(this, ...dims);
  }
  transpose(dim0: number, dim1: number): Tensor {
    return mv.transpose(this, dim0, dim1);
  }
  /** Transpose of a 2-d tensor (reverses dims in general, as PyTorch's .T). */
  get T(): Tensor {
    return mv.permute(
      this,
      this.shape.map((_, i) => this.ndim - 1 - i),
    );
  }
  /** Swaps the last two dims. */
  get mT(): Tensor {
    if (this.ndim < 2) fail('mT', `needs at least 2 dims, got ${fmtShape(this.shape)}`, ShapeError);
    return mv.transpose(this, -2, -1);
  }
  squeeze(dim?: number | readonly number[]): Tensor {
    return mv.squeeze(this, dim);
  }
  unsqueeze(dim: number): Tensor {
    return mv.unsqueeze(this, dim);
  }
  expand(...shape: (number | readonly number[])[]): Tensor {
    return mv.expand(this, ...shape);
  }
  expandAs(other: Tensor): Tensor {
    return mv.expand(this, other.shape);
  }
  broadcastTo(shape: readonly number[]): Tensor {
    return mv.broadcastTo(this, shape);
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return mv.flatten(this, startDim, endDim);
  }
  /** t[start:end:step] along dim. */
  slice(dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
    return mv.slice(this, dim, start, end, step);
  }
  /** t[index] along dim (the dim is removed). */
  select(dim: number, index: number): Tensor {
    return mv.select(this, dim, index);
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return mv.slice(this, dim, start, start + length);
  }
  flip(dims: number | readonly number[]): Tensor {
    return mv.flip(this, dims);
  }
  split(sizeOrSizes: number | readonly number[], dim = 0): Tensor[] {
    return split(this, sizeOrSizes, dim);
  }
  chunk(chunks: number, dim = 0): Tensor[] {
    return chunk(this, chunks, dim);
  }
  gather(dim: number, index: Tensor): Tensor {
    return gather(this, dim, index);
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return indexSelect(this, dim, index);
  }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return scatterAdd(this, dim, index, src);
  }

  // ---- printing ---------------------------------------------------------------------------------------

  /** Prints like PyTorch on cpu; a webgpu tensor prints its description (values need `await`). */
  toString(): string {
    if (this._disposed || this.storage.released)
      return `tensor(<disposed>, shape=${fmtShape(this.shape)}, dtype=${this.dtype})`;
    const suffix: string[] = [];
    if (this.device !== 'cpu') suffix.push(`device='${this.device}'`);
    if (this.dtype !== 'float32' && this.dtype !== 'int32' && this.dtype !== 'bool')
      suffix.push(`dtype=${this.dtype}`);
    if (this.gradFn) suffix.push(`gradFn=<${this.gradFn.name}>`);
    else if (this.requiresGrad) suffix.push('requiresGrad=true');
    if (this.device !== 'cpu')
      return `tensor(<${this.dtype} ${fmtShape(this.shape)}: read with await t.toArray()>, ${suffix.join(', ')})`;
    return formatTensor(this.dataSync(), this.shape, this.dtype, suffix);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

function nest(data: TypedArray, shape: readonly number[], asBool: boolean): NestedArray {
  const at = (i: number): number | boolean => (asBool ? data[i] === 1 : data[i]!);
  if (shape.length === 0) return at(0);
  const build = (dim: number, base: number): NestedArray[] => {
    const n = shape[dim]!;
    const stride = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    const out: NestedArray[] = new Array(n);
    for (let i = 0; i < n; i++)
      out[i] = dim === shape.length - 1 ? at(base + i) : build(dim + 1, base + i * stride);
    return out;
  };
  return build(0, 0);
}

export type { OpInput };
