import { stack, Tensor, tensor } from '@lumen/tensor';
import { describe, fail } from '../errors.js';

/** What defaultCollate makes of a batch of items of type T. */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number | boolean
    ? Tensor
    : T extends string
      ? string[]
      : T extends readonly unknown[]
        ? { -readonly [K in keyof T]: Collated<T[K]> }
        : T extends object
          ? { -readonly [K in keyof T]: Collated<T[K]> }
          : never;

/**
 * torch's default_collate: tensors are stacked along a new first dim, numbers become a tensor
 * (int32 if all are integers, else float32 — Lumen's default float), booleans a bool tensor,
 * strings stay a list, and tuples/arrays and objects are collated field by field.
 */
export function defaultCollate<T>(items: readonly T[]): Collated<T> {
  return collate(items, 'batch') as Collated<T>;
}

function collate(items: readonly unknown[], path: string): unknown {
  if (items.length === 0) fail('defaultCollate', 'cannot collate an empty batch');
  const first = items[0];
  if (first instanceof Tensor) {
    items.forEach((x, i) => {
      if (!(x instanceof Tensor))
        fail('defaultCollate', `${path}[${i}] is ${describe(x)} but ${path}[0] is a Tensor`);
    });
    return stack(items as Tensor[], 0);
  }
  if (typeof first === 'number') {
    const nums = items.map((x, i) =>
      typeof x === 'number'
        ? x
        : fail('defaultCollate', `${path}[${i}] is ${describe(x)} but ${path}[0] is a number`),
    );
    return tensor(nums, {
      dtype: nums.every((v) => Number.isInteger(v) && Math.abs(v) <= 2147483647) ? 'int32' : 'float32',
    });
  }
  if (typeof first === 'boolean') {
    return tensor(
      items.map((x, i) =>
        typeof x === 'boolean'
          ? x
          : fail('defaultCollate', `${path}[${i}] is ${describe(x)} but ${path}[0] is a boolean`),
      ),
    );
  }
  if (typeof first === 'string') return [...(items as string[])];
  if (Array.isArray(first)) {
    const len = first.length;
    items.forEach((x, i) => {
      if (!Array.isArray(x) || x.length !== len)
        fail(
          'defaultCollate',
          `each element in the batch should be of equal size: ${path}[0] has ${len}, ${path}[${i}] is ${describe(x)}`,
        );
    });
    return Array.from({ length: len }, (_, k) =>
      collate(
        items.map((x) => (x as unknown[])[k]),
        `${path}[*][${k}]`,
      ),
    );
  }
  if (first !== null && typeof first === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first)) {
      out[key] = collate(
        items.map((x) => (x as Record<string, unknown>)[key]),
        `${path}[*].${key}`,
      );
    }
    return out;
  }
  return fail(
    'defaultCollate',
    `${path} items must be tensors, numbers, booleans, strings, arrays or objects; got ${describe(first)}`,
  );
}
