import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DataFrame, readCsv } from '../src/index.js';

// readCsv(path, { chunkSize, reuseMemory: true }): each chunk's float64 arrays are the next
// chunk's, so memory stays near one chunk instead of waiting for the collector.

const dir = mkdtempSync(join(tmpdir(), 'lumen-reuse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROWS = 60_000;
const COLS = 20;
let path = '';

beforeAll(() => {
  path = join(dir, 'wide.csv');
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, `id,${Array.from({ length: COLS }, (_, j) => `x${j}`).join(',')},flag\n`);
    const lines: string[] = [];
    for (let i = 0; i < ROWS; i++) {
      const cells = [String(i)];
      for (let j = 0; j < COLS; j++) cells.push(i % 97 === j ? '' : String(((i * 31 + j * 7) % 100_003) / 8));
      cells.push(i % 3 === 0 ? 'True' : 'False');
      lines.push(cells.join(','));
      if (lines.length === 5000) {
        writeSync(fd, `${lines.join('\n')}\n`);
        lines.length = 0;
      }
    }
  } finally {
    closeSync(fd);
  }
});

describe('readCsv({ chunkSize, reuseMemory })', () => {
  it('gives the same frames as fresh arrays when each is used before the next', async () => {
    const whole = await readCsv(path);
    const copies: DataFrame[] = [];
    for await (const df of readCsv(path, { chunkSize: 7000, reuseMemory: true })) copies.push(df.copy());
    expect(copies.map((c) => c.shape[0])).toEqual([...Array(8).fill(7000), 4000]);
    expect(
      copies.every((c) => c.dtypes.x1 === 'float64' && c.dtypes.id === 'int32' && c.dtypes.flag === 'bool'),
    );
    let at = 0;
    for (const c of copies) {
      for (const name of whole.columns) {
        const a = c.col(name).toArray();
        const b = whole
          .col(name)
          .toArray()
          .slice(at, at + a.length);
        expect(a, `${name} at row ${at}`).toEqual(b);
      }
      at += c.shape[0];
    }
  });

  it('overwrites a kept chunk once the next one is read (what the option trades)', async () => {
    const it = readCsv(path, { chunkSize: 10_000, reuseMemory: true });
    await it.next();
    const kept = (await it.next()).value as DataFrame;
    const before = kept.col('x3').toArray().slice(0, 5);
    const next = (await it.next()).value as DataFrame;
    expect((kept.col('x3').values as Float64Array).buffer).toBe(
      (next.col('x3').values as Float64Array).buffer,
    );
    expect(kept.col('x3').toArray().slice(0, 5)).not.toEqual(before);
    // int32 and bool columns are copies, safe to keep, with or without the option
    expect(kept.col('id').get(0)).toBe(10_000);
    await it.return?.(undefined);
    const fresh = readCsv(path, { chunkSize: 10_000 });
    await fresh.next();
    const a = (await fresh.next()).value as DataFrame;
    const b = (await fresh.next()).value as DataFrame;
    expect((a.col('x3').values as Float64Array).buffer).not.toBe((b.col('x3').values as Float64Array).buffer);
    expect(a.col('x3').toArray().slice(0, 5)).toEqual(before);
    await fresh.return?.(undefined);
  });

  it('parses every chunk after the first into the same arrays', async () => {
    const buffers = new Set<ArrayBufferLike>();
    let chunks = 0;
    for await (const df of readCsv(path, { chunkSize: 5000, reuseMemory: true })) {
      if (chunks++ > 0)
        for (let j = 0; j < COLS; j++) buffers.add((df.col(`x${j}`).values as Float64Array).buffer);
    }
    expect(chunks).toBe(12);
    expect(buffers.size).toBe(COLS); // one per float64 column, for all 11 chunks
  });

  it('refuses a reuseMemory that is not a boolean, and outside chunked reads', async () => {
    expect(() => readCsv(path, { chunkSize: 10, reuseMemory: 'yes' as never })).toThrow(
      /readCsv: reuseMemory must be true or false, got "yes"/,
    );
    await expect(readCsv(path, { reuseMemory: true } as never)).rejects.toThrow(/reuseMemory/);
  });
});
