// readParquet of the bench's fraud table (285k × 31, snappy, written by DuckDB: run `npx pnpm bench data
// --only=parquet` once to make it), timed per repetition:
// node [--cpu-prof] --import tsx --conditions=@lumen/source profile/parquet.ts [reps] [columns,…]
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readParquet } from '@lumen/data';

const reps = Number(process.argv[2] ?? 10);
const columns = process.argv[3]?.split(',');
// where ../src/data/fraudCsv.ts puts the table and the bench its Parquet copy
const path = join(tmpdir(), 'lumen-bench', 'creditcard-284807-2013.parquet');
if (!existsSync(path))
  throw new Error(`${path} is missing: run \`npx pnpm bench data --only=parquet\` first`);
const times: number[] = [];
for (let r = 0; r < reps; r++) {
  const t = performance.now();
  const df = await readParquet(path, columns ? { columns } : {});
  times.push(performance.now() - t);
  if (r === 0) console.log(`${df.shape[0]} x ${df.shape[1]}`);
}
console.log(
  `readParquet: min ${Math.min(...times).toFixed(1)} ms of ${reps} (${times.map((t) => t.toFixed(0)).join(' ')})`,
);
