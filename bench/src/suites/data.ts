import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DataFrame, readCsv, Series } from '@lumen/data';
import * as dfd from 'danfojs-node';
import Papa from 'papaparse';
import { FRAUD_ROWS, fraudCsvPath } from '../data/fraudCsv.ts';
import { type BenchContext, type Suite, timeIt } from '../harness.ts';

/**
 * @lumen/data on a credit-card-fraud-shaped CSV (284,807 × 31 numbers, ~150 MB, generated from a
 * seed by ../data/fraudCsv.ts): readCsv, describe() and corr() time, and readCsv's peak memory,
 * against danfojs-node, papaparse (parse + building the columns) and pandas (Debian's
 * python3-pandas, a C parser). Every peer first shows it read the same numbers.
 */

const here = dirname(fileURLToPath(import.meta.url));
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const ms = (t0: number) => performance.now() - t0;

/** papaparse at its fastest for this data (arrays, not objects per row) plus one Float64Array per column. */
function papaColumns(path: string): { names: string[]; cols: Float64Array[] } {
  const res = Papa.parse<unknown[]>(readFileSync(path, 'utf8'), {
    dynamicTyping: true,
    skipEmptyLines: true,
  });
  const names = res.data[0] as string[];
  const rows = res.data.length - 1;
  const cols = names.map(() => new Float64Array(rows));
  for (let i = 0; i < rows; i++) {
    const r = res.data[i + 1]!;
    for (let j = 0; j < names.length; j++) cols[j]![i] = r[j] as number;
  }
  return { names, cols };
}

/** Peak RSS of one reader in a fresh Node process (see ../data/memoryProbe.ts). */
function peakMemory(
  lib: string,
  path: string,
  ...extra: string[]
): { peakMB: number; baseMB: number; rows: number; ms: number } {
  const args: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const a = process.execArgv[i]!;
    if (a === '--eval' || a === '-e') i++;
    else args.push(a);
  }
  const out = execFileSync(
    process.execPath,
    [...args, join(here, '..', 'data', 'memoryProbe.ts'), lib, path, ...extra],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!);
}

interface PandasResult {
  version: string;
  read_ms: number;
  describe_ms: number;
  corr_ms: number;
  describe: Record<string, number[]>;
  corr_row0: number[];
}

const PY = '/usr/bin/python3';
const MALLOC = {
  MALLOC_MMAP_THRESHOLD_: '33554432',
  MALLOC_TRIM_THRESHOLD_: '100000000000',
  MALLOC_TOP_PAD_: '1073741824',
};

function pandas(path: string, reps: number, readOnly = false): unknown {
  try {
    const out = execFileSync(
      PY,
      [join(here, '..', 'data', 'pandasPeer.py'), path, String(reps), ...(readOnly ? ['read-only'] : [])],
      {
        encoding: 'utf8',
        env: { ...process.env, ...MALLOC },
        maxBuffer: 16 << 20,
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    return JSON.parse(out.trim().split('\n').pop()!);
  } catch {
    return null;
  }
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    m = Math.max(m, Math.abs(x - y) / Math.max(Math.abs(y), 1e-300));
  }
  return m;
}

/**
 * The fraud CSV's rows `copies` times over under one header (~1 GB from the 150 MB file), in the
 * same temp folder, reused when present: a file bigger than the frame one wants in memory.
 */
function repeatedCsv(path: string, copies: number): string {
  const out = path.replace(/\.csv$/, `-x${copies}.csv`);
  if (existsSync(out)) return out;
  const text = readFileSync(path);
  const body = text.subarray(text.indexOf(10) + 1);
  const tmp = `${out}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text.subarray(0, text.indexOf(10) + 1));
    for (let k = 0; k < copies; k++) writeSync(fd, body);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, out);
  return out;
}

/**
 * readCsv(path, { chunkSize }) against readCsv(path) whole on a file ~7× the fraud CSV: MB/s and
 * peak resident set, each in a fresh process. Issue 17's target: peak under 3× the chunk's size.
 */
function chunkedCsv(ctx: BenchContext, path: string): void {
  const big = repeatedCsv(path, 7);
  const bytes = statSync(big).size;
  const gb = (bytes / 1e9).toFixed(2);
  const whole = peakMemory('lumen', big);
  const rate = (m: { ms: number }) => bytes / 1e6 / (m.ms / 1000);
  const over = (m: { peakMB: number; baseMB: number }) => m.peakMB - m.baseMB;
  console.log(`  chunked CSV: ${big} (${gb} GB, ${whole.rows.toLocaleString('en-US')} rows)`);
  for (const chunkRows of [100_000, 400_000]) {
    const chunkMiB = (chunkRows * 31 * 8) / 2 ** 20; // 31 float64 columns
    const chunked = peakMemory('lumen-chunks', big, String(chunkRows));
    if (chunked.rows !== whole.rows)
      throw new Error(`chunked read ${chunked.rows} rows, whole ${whole.rows}`);
    const size = `chunkSize ${chunkRows.toLocaleString('en-US')} (${chunkMiB.toFixed(1)} MiB)`;
    ctx.add({
      case: `readCsv ${gb} GB, ${size}`,
      unit: 'MB/s',
      ours: rate(chunked),
      peerName: 'readCsv whole',
      peer: rate(whole),
    });
    ctx.add(
      {
        case: `readCsv ${gb} GB peak memory, ${size}`,
        unit: 'MiB',
        ours: over(chunked),
        peerName: 'readCsv whole',
        peer: over(whole),
        note: `${(over(chunked) / chunkMiB).toFixed(1)}x the chunk (target < 3x)`,
      },
      false,
    );
  }
}

/** A 10M-row float64 column to a float64 tensor: a view (issue 17's target: under 1 ms) vs the copy to float32. */
async function columnToTensor(ctx: BenchContext): Promise<void> {
  const n = 10_000_000;
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = i * 0.5;
  const s = new Series(values, { name: 'x' });
  const t = s.toTensor({ dtype: 'float64' });
  (s.values as Float64Array)[123] = -1;
  if (t.dataSync()[123] !== -1) throw new Error('toTensor({ dtype: float64 }) did not share the column');
  const view = await timeIt(() => s.toTensor({ dtype: 'float64' }), { minReps: 100 });
  const copy = await timeIt(() => s.toTensor(), { minReps: 5 });
  ctx.add(
    {
      case: 'Series.toTensor 10M float64 rows',
      unit: 'µs',
      ours: view * 1e6,
      peerName: 'copy to float32 (default dtype)',
      peer: copy * 1e6,
      note: "{ dtype: 'float64' }: a view of the column (target < 1 ms)",
    },
    false,
  );
}

const suite: Suite = {
  name: 'data',
  description:
    'readCsv / describe / corr on a credit-card-fraud-shaped CSV vs danfojs-node, papaparse and pandas; readCsv in chunks vs whole on ~1 GB; zero-copy toTensor (sections: csv, chunks, tensor)',
  async run(ctx) {
    const section = (name: string) => ctx.only.length === 0 || ctx.only.includes(name);
    const rows = ctx.quick ? 28_481 : FRAUD_ROWS;
    const t0 = performance.now();
    const path = fraudCsvPath(rows);
    const mb = (readFileSync(path).length / 1e6).toFixed(0);
    console.log(
      `  data: ${path} (${rows} rows x 31, ${mb} MB${ms(t0) > 1000 ? `, generated in ${(ms(t0) / 1000).toFixed(1)} s` : ''})`,
    );
    const passes = ctx.quick ? 3 : 2;
    const shape = `${rows.toLocaleString('en-US')}x31`;
    if (section('chunks')) chunkedCsv(ctx, path);
    if (section('tensor')) await columnToTensor(ctx);
    if (!section('csv')) return;

    // ---- same numbers first -------------------------------------------------------------------
    let ours: DataFrame = await readCsv(path);
    const papa = papaColumns(path);
    const sameAsPapa = papa.names.every(
      (n, j) => maxRelDiff(ours.col(n).column.toFloat64(), papa.cols[j]!) === 0,
    );
    console.log(
      `  check: readCsv and papaparse read identical values in all ${papa.names.length} columns: ${sameAsPapa}`,
    );
    if (!sameAsPapa) throw new Error('readCsv and papaparse disagree on the data');
    let danfo = await dfd.readCSV(path);
    // danfo's describe() is slow enough (minutes on the full frame) that it is timed once, here
    let t = performance.now();
    const danfoDesc = danfo.describe();
    const danfoDescribeMs = ms(t);
    const danfoMeans = danfoDesc.values[danfoDesc.index.indexOf('mean')] as number[];
    const ourMeans = ours.columns.map((c) => ours.col(c).mean());
    console.log(
      `  check: danfojs describe() means vs ours, max relative difference ${maxRelDiff(danfoMeans, ourMeans).toExponential(1)}`,
    );

    // ---- readCsv: alternating passes so load from other processes hits every reader alike -----
    const times: Record<string, number[]> = { ours: [], papa: [], danfo: [] };
    for (let p = 0; p < passes; p++) {
      t = performance.now();
      ours = await readCsv(path);
      times.ours!.push(ms(t));
      t = performance.now();
      papaColumns(path);
      times.papa!.push(ms(t));
      t = performance.now();
      danfo = await dfd.readCSV(path);
      times.danfo!.push(ms(t));
    }
    const readOurs = median(times.ours!);
    ctx.add(
      {
        case: `readCsv ${shape} (${mb} MB)`,
        unit: 'ms',
        ours: readOurs,
        peerName: 'papaparse+columns',
        peer: median(times.papa!),
      },
      false,
    );
    ctx.add(
      {
        case: `readCsv ${shape} (${mb} MB)`,
        unit: 'ms',
        ours: readOurs,
        peerName: 'danfojs-node 1.2.0',
        peer: median(times.danfo!),
      },
      false,
    );

    // ---- describe and corr --------------------------------------------------------------------
    const d: Record<string, number[]> = { ours: [], corr: [] };
    for (let p = 0; p < passes + 1; p++) {
      t = performance.now();
      ours.describe();
      d.ours!.push(ms(t));
      t = performance.now();
      ours.corr();
      d.corr!.push(ms(t));
    }
    const describeOurs = median(d.ours!);
    const corrOurs = median(d.corr!);
    ctx.add(
      {
        case: 'describe()',
        unit: 'ms',
        ours: describeOurs,
        peerName: 'danfojs-node 1.2.0',
        peer: danfoDescribeMs,
        note: 'danfo: count/mean/std/min/median/max/var (no quartiles), one run',
      },
      false,
    );
    ctx.add(
      {
        case: 'corr() pearson',
        unit: 'ms',
        ours: corrOurs,
        peerName: 'danfojs-node 1.2.0',
        peer: null,
        note: 'danfojs-node 1.2.0 has no corr()',
      },
      false,
    );

    // ---- pandas (C parser) ----------------------------------------------------------------------
    const pd = pandas(path, passes + 1) as PandasResult | null;
    if (pd === null) {
      console.log(`  pandas: ${PY} with pandas not available, skipped`);
    } else {
      const desc = ours.describe();
      const worst = Math.max(
        ...ours.columns.map((c) => maxRelDiff(desc.col(c).column.toFloat64(), pd.describe[c]!)),
      );
      const corr0 = ours.corr().iloc(0);
      const corrDiff = maxRelDiff(
        ours.columns.map((c) => corr0[c] as number),
        pd.corr_row0,
      );
      console.log(
        `  check: pandas ${pd.version} describe() vs ours max relative difference ${worst.toExponential(1)}, corr() row 0 ${corrDiff.toExponential(1)}`,
      );
      const note = 'python3-pandas, glibc malloc tuned (MALLOC_MMAP_THRESHOLD_ etc., TOOLCHAIN.md)';
      ctx.add(
        {
          case: `readCsv ${shape} (${mb} MB)`,
          unit: 'ms',
          ours: readOurs,
          peerName: `pandas ${pd.version} (C)`,
          peer: pd.read_ms,
          note,
        },
        false,
      );
      ctx.add(
        {
          case: 'describe()',
          unit: 'ms',
          ours: describeOurs,
          peerName: `pandas ${pd.version}`,
          peer: pd.describe_ms,
        },
        false,
      );
      ctx.add(
        {
          case: 'corr() pearson',
          unit: 'ms',
          ours: corrOurs,
          peerName: `pandas ${pd.version}`,
          peer: pd.corr_ms,
        },
        false,
      );
    }

    // ---- peak memory of reading, each reader in a fresh process ---------------------------------
    const resultMB =
      ours.columns.reduce((s, c) => s + (ours.col(c).values as Float64Array).byteLength, 0) / 2 ** 20;
    console.log(
      `  the frame's columns take ${resultMB.toFixed(1)} MiB; memory rows: peak resident set while reading minus the resident set before (each reader in a fresh process)`,
    );
    const mine = peakMemory('lumen', path);
    const over = (m: { peakMB: number; baseMB: number }) => m.peakMB - m.baseMB;
    for (const [lib, name] of [
      ['papaparse', 'papaparse+columns'],
      ['danfo', 'danfojs-node 1.2.0'],
    ] as const) {
      ctx.add(
        {
          case: 'readCsv peak memory',
          unit: 'MiB',
          ours: over(mine),
          peerName: name,
          peer: over(peakMemory(lib, path)),
        },
        false,
      );
    }
    const pdMem = pandas(path, 1, true) as { peakMB: number; baseMB: number } | null;
    if (pdMem !== null)
      ctx.add(
        {
          case: 'readCsv peak memory',
          unit: 'MiB',
          ours: over(mine),
          peerName: 'pandas (C)',
          peer: over(pdMem),
        },
        false,
      );
  },
};

export default suite;
