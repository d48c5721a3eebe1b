import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The side-by-side benchmark harness. A suite measures our code and each peer in this same
 * process, on the same inputs, and reports rows of (case, ours, peer, ratio). `pnpm bench <suite>`
 * prints the table and writes bench/results/<suite>.json.
 */

export interface Row {
  /** What was measured, e.g. "matmul f32 1024 (cpu)". */
  case: string;
  /** Unit of `ours`/`peer`, e.g. "GFLOP/s", "GB/s", "ms". */
  unit: string;
  ours: number;
  peerName: string;
  peer: number | null;
  /** How many times better ours is (>1 = we win); inverted for time units. */
  ratio: number | null;
  note?: string;
}

export interface Suite {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<void>;
}

export class BenchContext {
  readonly rows: Row[] = [];
  readonly quick: boolean;
  /** `--only=a,b`: the sections a suite should run (empty: all); suites that have sections say which. */
  readonly only: readonly string[];
  constructor(quick: boolean, only: readonly string[] = []) {
    this.quick = quick;
    this.only = only;
  }

  /** Adds a row; `higherIsBetter` is true for rates (GFLOP/s, GB/s), false for times. */
  add(row: Omit<Row, 'ratio'>, higherIsBetter = true): void {
    const ratio =
      row.peer === null || row.peer === 0 ? null : higherIsBetter ? row.ours / row.peer : row.peer / row.ours;
    this.rows.push({ ...row, ratio });
    const r = ratio === null ? '' : ` ratio ${ratio.toFixed(2)}x`;
    console.log(
      `  ${row.case}: ours ${fmt(row.ours)} ${row.unit}, ${row.peerName} ${row.peer === null ? '-' : fmt(row.peer)}${r}`,
    );
  }
}

export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/**
 * Fastest seconds per call of fn (sync or async), after warm-up, over at least `minTime` seconds
 * and at least `minReps` (default 5) repetitions. The minimum, not the median: on these shared
 * machines load from elsewhere only ever adds time, and timings swing 2× run to run.
 */
export async function timeIt(
  fn: () => unknown,
  opts: { warmup?: number; minReps?: number; minTime?: number } = {},
): Promise<number> {
  const warmup = opts.warmup ?? 1;
  const minReps = opts.minReps ?? 5;
  const minTime = opts.minTime ?? 0.5;
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minReps || (performance.now() - start) / 1000 < minTime) {
    const t0 = performance.now();
    await fn();
    times.push((performance.now() - t0) / 1000);
    if (times.length >= 1000) break;
  }
  return Math.min(...times);
}

/**
 * Fastest seconds per call of each fn (min of at least `reps`, default 5), measured in alternation
 * (a, b, a, b, …) so that load from other processes hits every contestant alike.
 */
export async function timeInterleaved(
  fns: readonly (() => unknown)[],
  opts: { warmup?: number; reps?: number; minTime?: number } = {},
): Promise<number[]> {
  const warmup = opts.warmup ?? 1;
  const reps = opts.reps ?? 5;
  const minTime = opts.minTime ?? 0.5;
  for (const fn of fns) for (let i = 0; i < warmup; i++) await fn();
  const times: number[][] = fns.map(() => []);
  const start = performance.now();
  while (times[0]!.length < reps || (performance.now() - start) / 1000 < minTime) {
    for (const [k, fn] of fns.entries()) {
      const t0 = performance.now();
      await fn();
      times[k]!.push((performance.now() - t0) / 1000);
    }
    if (times[0]!.length >= 500) break;
  }
  return times.map((t) => Math.min(...t));
}

export function printTable(suite: string, rows: readonly Row[]): string {
  const header = ['case', 'ours', 'peer', 'peer value', 'ratio (ours/peer)'];
  const body = rows.map((r) => [
    r.case,
    `${fmt(r.ours)} ${r.unit}`,
    r.peerName,
    r.peer === null ? '-' : `${fmt(r.peer)} ${r.unit}`,
    r.ratio === null ? '-' : `${r.ratio.toFixed(2)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const out = [
    `\n${suite}`,
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...body.map(line),
  ].join('\n');
  console.log(out);
  return out;
}

export function writeResults(suite: string, rows: readonly Row[], meta: Record<string, unknown>): string {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${suite}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(
    tmp,
    `${JSON.stringify({ suite, date: new Date().toISOString(), ...meta, rows }, null, 2)}\n`,
  );
  renameSync(tmp, file);
  return file;
}

/**
 * Runs a Python peer (Debian's /usr/bin/python3) on `input` (its stdin) and parses the JSON of its
 * last line. glibc malloc is tuned so large temporaries are not page-faulted in again on every call
 * (TOOLCHAIN.md; PyTorch ran 2–3× slower here without it). A peer that cannot run, or that prints
 * `{"skipped": why}`, gives `{ skipped }` with the reason.
 */
export function runPython<T extends object>(
  script: string,
  input: string,
  what: string,
  timeoutMs = 600_000,
): T | { skipped: string } {
  const env = {
    ...process.env,
    MALLOC_MMAP_THRESHOLD_: '33554432',
    MALLOC_TRIM_THRESHOLD_: '100000000000',
    MALLOC_TOP_PAD_: '1073741824',
  };
  const r = spawnSync('/usr/bin/python3', ['-c', script], {
    input,
    env,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error || r.status !== 0) {
    return { skipped: `${what} not runnable: ${r.error?.message ?? r.stderr.trim().split('\n').pop()}` };
  }
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as T | { skipped?: string };
  if ('skipped' in out && typeof out.skipped === 'string') return { skipped: out.skipped };
  return out as T;
}
