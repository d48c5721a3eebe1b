import { checkOptions, ShapeError, type Tensor } from '@lumen/tensor';
import { describe, fail, fmtShape } from './errors.js';

function isTensor(x: unknown): x is Tensor {
  return typeof x === 'object' && x !== null && 'shape' in x && 'dtype' in x && 'device' in x;
}

/** Checks a (batch, length) int32 id tensor on the model's device; returns [B, T]. */
export function checkIds(where: string, name: string, ids: unknown, device: string): [number, number] {
  if (!isTensor(ids))
    fail(where, `${name} must be an int32 Tensor of shape (batch, length), got ${describe(ids)}`);
  if (ids.dtype !== 'int32') fail(where, `${name} must be int32 token ids, got ${ids.dtype}`);
  if (ids.ndim !== 2)
    fail(where, `${name} must be 2-d (batch, length), got shape ${fmtShape(ids.shape)}`, ShapeError);
  if (ids.device !== device)
    fail(where, `${name} is on ${ids.device} but the model is on ${device}; move it with .to('${device}')`);
  return ids.shape as [number, number];
}

/** Checks an optional tensor of the given shape (any dtype unless one is named). */
export function checkSameShape(
  where: string,
  name: string,
  t: unknown,
  shape: readonly number[],
  device: string,
  dtypes?: readonly string[],
): Tensor | null {
  if (t === undefined || t === null) return null;
  if (!isTensor(t)) fail(where, `${name} must be a Tensor of shape ${fmtShape(shape)}, got ${describe(t)}`);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
    fail(where, `${name} must have shape ${fmtShape(shape)}, got ${fmtShape(t.shape)}`, ShapeError);
  if (dtypes && !dtypes.includes(t.dtype))
    fail(where, `${name} must be ${dtypes.join(' or ')}, got ${t.dtype}`);
  if (t.device !== device)
    fail(where, `${name} is on ${t.device} but the model is on ${device}; move it with .to('${device}')`);
  return t;
}

/** A forward() input object: an object (not a bare Tensor) whose keys are all in `valid`. */
export function checkInputs(where: string, inputs: unknown, valid: readonly string[]): void {
  if (typeof inputs !== 'object' || inputs === null || isTensor(inputs))
    fail(where, `expects an object { inputIds, attentionMask, ... }, got ${describe(inputs)}`);
  checkOptions(where, inputs, valid);
}

export const BERT_INPUT_KEYS = ['inputIds', 'attentionMask', 'tokenTypeIds', 'positionIds'];
export const GPT2_INPUT_KEYS = ['inputIds', 'attentionMask', 'positionIds', 'pastKeyValues', 'useCache'];
