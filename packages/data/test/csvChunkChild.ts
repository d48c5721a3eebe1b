// Child process for csvChunks.test.ts: reads a CSV in chunks under a small --max-old-space-size
// and prints what it saw (rows, a checksum, the largest chunk, peak memory) as one JSON line.
import { readCsv } from '../src/index.js';

const [path, chunkSize] = process.argv.slice(2);
let rows = 0;
let sum = 0;
let chars = 0;
let maxChunk = 0;
let peakRss = 0;
let peakHeap = 0;
let peakBuffers = 0;
const t0 = performance.now();
for await (const df of readCsv(path!, { chunkSize: Number(chunkSize) })) {
  const n = df.shape[0];
  rows += n;
  maxChunk = Math.max(maxChunk, n);
  const id = df.col('id').values as Int32Array;
  for (let i = 0; i < n; i++) sum += id[i]!;
  for (const s of df.col('name').values as string[]) chars += s.length;
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
  peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
}
console.log(
  JSON.stringify({ rows, sum, chars, maxChunk, peakRss, peakHeap, peakBuffers, ms: performance.now() - t0 }),
);
