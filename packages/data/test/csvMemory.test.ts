import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type RecordSink, Tokenizer } from '../src/csv/tokenizer.js';
import { type DataFrame, readCsv } from '../src/index.js';

// What reading numbers leaves for the collector: parsing makes no JS value per cell, so a
// numeric file of any size costs the young generation next to nothing (a heap number per cell
// was 16 bytes of garbage each, ~50 MB per second of parsing, and grew the young generation).

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lumen-csvmem-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readCsv memory', () => {
  it('parses 2M numeric cells without a garbage object per cell', { timeout: 60_000 }, () => {
    const child = spawnSync(
      process.execPath,
      [
        '--max-semi-space-size=1',
        '--import',
        'tsx',
        '--conditions=@lumen/source',
        join(here, 'csvGarbageChild.ts'),
      ],
      { encoding: 'utf8', cwd: join(here, '..'), timeout: 50_000 },
    );
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const got = JSON.parse(child.stdout.trim().split('\n').pop()!);
    expect(got.rows).toBe(100_000);
    expect(got.sum).toBeCloseTo(got.want, 9);
    // a heap number per cell is 32 MB of garbage: some 27 scavenges of a 1 MB young generation
    expect(got.minor).toBeLessThan(8);
  });

  it('a stream of 1 MiB reads goes through one tokenizer buffer, never regrown', () => {
    let rows = 0;
    let sum = 0;
    const sink: RecordSink = {
      record(_buf, starts, ends, _flags, n) {
        rows++;
        for (let i = 0; i < n; i++) sum += ends[i]! - starts[i]!;
        return true;
      },
    };
    const t = new Tokenizer(44, sink, true);
    const line = new TextEncoder().encode('12345.678,-0.25,abc,1e-3,"quoted, text"\n'); // 41 bytes
    const read = new Uint8Array(1 << 20);
    let at = 0;
    const buffers = new Set<Uint8Array>();
    for (let k = 0; k < 20; k++) {
      // each read ends inside a record, as a file's reads do
      for (let i = 0; i < read.length; i++, at = (at + 1) % line.length) read[i] = line[at]!;
      t.push(read);
      buffers.add((t as unknown as { buf: Uint8Array }).buf);
    }
    if (at > 0) t.push(line.subarray(at)); // complete the last record
    t.finish();
    expect(rows).toBe(Math.ceil((20 * read.length) / line.length));
    expect(sum).toBe(rows * (9 + 5 + 3 + 4 + 12)); // the fields' bytes, the quoted one's inside
    // grown once to hold a read and a record's tail (doubling gave 2 MiB, and dropped the 1 MiB one)
    expect(buffers.size).toBe(1);
    expect([...buffers][0]!.length).toBeLessThan(1.25 * (1 << 20));
  });

  it('every chunk kept from a file of many 1 MiB reads holds its own values', async () => {
    // records cross the reads' boundaries; the chunks are kept to the end, so a chunk whose arrays
    // were reused or shared by a later one would show the later values
    const rows = 60_000;
    const cols = 12;
    const value = (i: number, j: number) => ((i * 7919 + j * 104_729) % 100_003) / 64 - 700; // exact in binary
    const lines = [`i,${Array.from({ length: cols }, (_, j) => `x${j}`).join(',')}`];
    for (let i = 0; i < rows; i++)
      lines.push(`${i},${Array.from({ length: cols }, (_, j) => String(value(i, j))).join(',')}`);
    const path = join(dir, 'wide.csv');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const kept: DataFrame[] = [];
    for await (const df of readCsv(path, { chunkSize: 7001 })) kept.push(df);
    expect(kept.map((df) => df.shape[0])).toEqual([...Array(8).fill(7001), rows - 8 * 7001]);
    let at = 0;
    let bad = 0;
    for (const df of kept) {
      const ids = df.col('i').values as Int32Array;
      for (let j = 0; j < cols; j++) {
        const v = df.col(`x${j}`).values as Float64Array;
        expect(v.length).toBe(df.shape[0]);
        for (let r = 0; r < df.shape[0]; r++) if (v[r] !== value(at + r, j)) bad++;
      }
      for (let r = 0; r < df.shape[0]; r++) if (ids[r] !== at + r) bad++;
      at += df.shape[0];
    }
    expect(bad).toBe(0);
    expect(at).toBe(rows);
  });
});
