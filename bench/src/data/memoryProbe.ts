import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Peak memory of one CSV reader in a fresh process (so readers cannot inherit each other's
 * heap): `tsx memoryProbe.ts <lumen|lumen-chunks|lumen-chunks-reuse|papaparse|danfo> <csv> [chunkSize]`
 * prints {peakMB, baseMB, rows, ms} (lumen-chunks: readCsv(path, { chunkSize }), each chunk
 * dropped after its rows are counted, as a streaming consumer would; -reuse adds reuseMemory). After the
 * reader's modules are loaded, Linux's peak-RSS counter is reset (/proc/self/clear_refs "5"),
 * so peakMB is the highest resident set while reading and baseMB the resident set just before.
 */
const [lib, path] = process.argv.slice(2) as [string, string];

function residentMB(field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
  if (!m) throw new Error(`no ${field} in /proc/self/status`);
  return Number(m[1]) / 1024;
}

function startMeasuring(): number {
  (globalThis as { gc?: () => void }).gc?.();
  writeFileSync('/proc/self/clear_refs', '5');
  return residentMB('VmRSS');
}

let baseMB = 0;
let rows = 0;
let t0 = 0;
if (lib === 'lumen') {
  const { readCsv } = await import('@lumen/data');
  baseMB = startMeasuring();
  t0 = performance.now();
  const df = await readCsv(path);
  rows = df.shape[0];
} else if (lib === 'lumen-chunks' || lib === 'lumen-chunks-reuse') {
  const { readCsv } = await import('@lumen/data');
  baseMB = startMeasuring();
  t0 = performance.now();
  const reuseMemory = lib === 'lumen-chunks-reuse';
  for await (const df of readCsv(path, { chunkSize: Number(process.argv[4]), reuseMemory }))
    rows += df.shape[0];
} else if (lib === 'papaparse') {
  const Papa = (await import('papaparse')).default;
  baseMB = startMeasuring();
  t0 = performance.now();
  const res = Papa.parse<unknown[]>(readFileSync(path, 'utf8'), {
    dynamicTyping: true,
    skipEmptyLines: true,
  });
  const header = res.data[0]!;
  const cols = header.map((_, j) => Float64Array.from(res.data.slice(1), (r) => r[j] as number));
  rows = cols[0]!.length;
} else if (lib === 'danfo') {
  const dfd = await import('danfojs-node');
  baseMB = startMeasuring();
  t0 = performance.now();
  const df = await dfd.readCSV(path);
  rows = df.shape[0] ?? 0;
} else throw new Error(`unknown reader ${lib}`);
const ms = performance.now() - t0;
console.log(JSON.stringify({ peakMB: residentMB('VmHWM'), baseMB, rows, ms }));
