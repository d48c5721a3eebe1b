// Child process for csvMemory.test.ts, run with a 1 MB young generation (--max-semi-space-size=1):
// parses 2M numeric cells and prints the minor collections the parse caused and a checksum.
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { parseCsv } from '../src/index.js';

const rows = 100_000;
const cols = 20;
const value = (i: number, j: number) => ((i * 31 + j * 17) % 1000) / 8 - 60;
const lines = [Array.from({ length: cols }, (_, j) => `c${j}`).join(',')];
for (let i = 0; i < rows; i++)
  lines.push(Array.from({ length: cols }, (_, j) => String(value(i, j))).join(','));
const text = `${lines.join('\n')}\n`;
const bytes = new TextEncoder().encode(text);
parseCsv(text.slice(0, text.indexOf('\n', 200_000) + 1)); // compile the parser first
lines.length = 0;

let minor = 0;
const obs = new PerformanceObserver((list) => {
  for (const e of list.getEntries())
    if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) minor++;
});
await new Promise((r) => setTimeout(r, 20));
obs.observe({ entryTypes: ['gc'] });
const df = parseCsv(bytes);
await new Promise((r) => setTimeout(r, 50)); // gc entries are delivered after the collection
obs.disconnect();
let sum = 0;
let want = 0;
for (let j = 0; j < cols; j++) {
  const v = df.col(`c${j}`).values as Float64Array;
  for (let i = 0; i < rows; i += 997) {
    sum += v[i]!;
    want += value(i, j);
  }
}
console.log(JSON.stringify({ minor, sum, want, rows: df.shape[0] }));
