import { Tensor } from '@lumen/tensor';
import { describe, fail } from '../errors.js';
import { Series } from './series.js';

/** A boolean row mask: a bool Series, booleans, a 0/1 Uint8Array, or a 1-d bool cpu Tensor. */
export type MaskInput = Series | readonly boolean[] | Uint8Array | Tensor;

/** Checks a mask against the row count and returns it as 0/1 bytes. */
export function toMask(op: string, mask: MaskInput, rows: number): Uint8Array {
  let out: Uint8Array;
  if (mask instanceof Series) {
    const col = mask.column;
    if (col.dtype !== 'bool' && col.dtype !== 'boolean') {
      fail(op, `mask must be a boolean Series, got a Series of dtype ${col.dtype}`);
    }
    if (col.naCount() > 0) fail(op, 'mask contains missing values; fill them first (mask.fillna(false))');
    out = col.values as Uint8Array;
  } else if (mask instanceof Tensor) {
    if (mask.dtype !== 'bool' || mask.ndim !== 1) {
      fail(op, `a Tensor mask must be 1-d bool, got ${mask.ndim}-d ${mask.dtype}`);
    }
    out = mask.dataSync() as Uint8Array;
  } else if (mask instanceof Uint8Array) {
    for (let i = 0; i < mask.length; i++)
      if (mask[i]! > 1) fail(op, `a Uint8Array mask must hold 0 or 1, got ${mask[i]} at ${i}`);
    out = mask;
  } else if (Array.isArray(mask)) {
    out = new Uint8Array(mask.length);
    for (let i = 0; i < mask.length; i++) {
      const v = mask[i];
      if (typeof v !== 'boolean') fail(op, `mask[${i}] must be a boolean, got ${describe(v)}`);
      out[i] = v ? 1 : 0;
    }
  } else {
    fail(op, `mask must be a boolean Series, boolean[], Uint8Array or bool Tensor, got ${describe(mask)}`);
  }
  if (out.length !== rows) fail(op, `mask has length ${out.length} but there are ${rows} rows`);
  return out;
}

export function maskPositions(mask: Uint8Array): Int32Array {
  let k = 0;
  for (let i = 0; i < mask.length; i++) k += mask[i]!;
  const out = new Int32Array(k);
  k = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] === 1) out[k++] = i;
  return out;
}
