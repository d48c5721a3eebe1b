import type { Storage } from '../backend.js';
import { getBackend } from '../device.js';
import type { DType } from '../dtype.js';
import { ArgumentError, DeviceError, fail } from '../errors.js';
import { contiguousStrides } from '../shape.js';
import { Tensor } from '../tensor.js';

export type Scalar = number | boolean;
export type Operand = Tensor | Scalar;

/** A new tensor owning a fresh contiguous storage. */
export function wrap(storage: Storage, shape: readonly number[], dtype: DType = storage.dtype): Tensor {
  return new Tensor(storage, shape.slice(), contiguousStrides(shape), 0, dtype);
}

/** A view sharing t's storage. */
export function viewAs(
  t: Tensor,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
): Tensor {
  return new Tensor(t.storage, shape.slice(), strides.slice(), offset, t.dtype);
}

export function backendOf(t: Tensor, op: string) {
  t.assertAlive(op);
  return getBackend(t.device, op);
}

export function asTensor(op: string, arg: string, x: unknown): Tensor {
  if (x instanceof Tensor) return x;
  fail(op, `${arg} must be a Tensor, got ${x === null ? 'null' : typeof x}`, ArgumentError);
}

export function sameDevice(op: string, tensors: readonly Tensor[]): void {
  const d = tensors[0]?.device;
  for (let i = 1; i < tensors.length; i++) {
    if (tensors[i]!.device !== d) {
      fail(
        op,
        `expected all tensors on the same device, got ${d} (argument 0) and ${tensors[i]!.device} (argument ${i})`,
        DeviceError,
      );
    }
  }
}
