// Child process for parquetIo.test.ts: reads a Parquet file in batches under a small
// --max-old-space-size and prints what it saw (rows, checksums, the largest batch, peak memory)
// as one JSON line.
import { readParquet } from '../src/index.js';

const [path, batchSize] = process.argv.slice(2);
let rows = 0;
let sum = 0;
let chars = 0;
let maxBatch = 0;
let peakHeap = 0;
let peakBuffers = 0;
for await (const df of readParquet(path!, { batchSize: Number(batchSize) })) {
  const n = df.shape[0];
  rows += n;
  maxBatch = Math.max(maxBatch, n);
  const id = df.col('id').values as Int32Array;
  for (let i = 0; i < n; i++) sum += id[i]!;
  for (const s of df.col('name').values as string[]) chars += s.length;
  const m = process.memoryUsage();
  peakHeap = Math.max(peakHeap, m.heapUsed);
  peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
}
console.log(JSON.stringify({ rows, sum, chars, maxBatch, peakHeap, peakBuffers }));
