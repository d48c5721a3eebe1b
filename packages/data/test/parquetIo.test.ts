import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DataFrame,
  ParquetFileWriter,
  type ReadParquetOptions,
  readParquet,
  writeParquet,
} from '../src/index.js';
import type { RandomAccessFile } from '../src/io/files.js';
import { allDtypesFrame, expectSameFrame } from './ioHelpers.js';

const dir = mkdtempSync(join(tmpdir(), 'lumen-parquet-'));
const here = dirname(fileURLToPath(import.meta.url));
let duck: Awaited<ReturnType<Awaited<ReturnType<typeof DuckDBInstance.create>>['connect']>>;

beforeAll(async () => {
  const db = await DuckDBInstance.create(':memory:');
  duck = await db.connect();
  await duck.run('SET threads = 1');
});
afterAll(() => duck?.closeSync());

async function duckRows(sql: string): Promise<[[unknown, ...unknown[]], ...[unknown, ...unknown[]][]]> {
  return (await duck.runAndReadAll(sql)).getRows() as [[unknown, ...unknown[]], ...[unknown, ...unknown[]][]];
}

describe('DataFrame ↔ Parquet', () => {
  it('round-trips every dtype with and without nulls, for each compression', async () => {
    for (const compression of ['snappy', 'zstd', 'none'] as const) {
      for (const withNulls of [false, true]) {
        const df = allDtypesFrame(100, withNulls);
        const bytes = (await writeParquet(df, undefined, { compression, rowGroupSize: 30 }))!;
        expectSameFrame(await readParquet(bytes), df);
      }
    }
  });

  it('round-trips empty frames, 1-row and 1-column frames and unicode, through files', async () => {
    const cases = [
      new DataFrame({ a: new Float64Array(0), s: [] }, { dtype: { a: 'float64', s: 'string' } }),
      new DataFrame({ x: [1.5] }),
      new DataFrame({ 'naïve 名前 🐍': ['ünï', '名前', '🐍🐍', '', null] }),
    ];
    for (const [k, df] of cases.entries()) {
      const path = join(dir, `case${k}.parquet`);
      await writeParquet(df, path);
      expectSameFrame(await readParquet(path), df);
    }
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses bad options by name', async () => {
    const df = new DataFrame({ a: [1] });
    await expect(writeParquet(df, undefined, { compression: 'gzip' as never })).rejects.toThrow(
      /compression must be 'snappy', 'zstd' or 'none', got "gzip"/,
    );
    await expect(writeParquet(df, undefined, { row_group_size: 3 } as never)).rejects.toThrow(/rowGroupSize/);
    const bytes = (await writeParquet(df, undefined))!;
    await expect(readParquet(bytes, { columns: ['b'] })).rejects.toThrow(/no column named "b" in Uint8Array/);
    await expect(readParquet(bytes, { rowGroups: [3] })).rejects.toThrow(
      /rowGroups has number 3, but .* has 1 row groups/,
    );
    await expect(readParquet(bytes, { filters: [['a', '~', 1]] as never })).rejects.toThrow(
      /filters\[0\] has op "~"/,
    );
  });
});

describe('reading only the bytes needed', () => {
  const path = join(dir, 'wide.parquet');
  beforeAll(async () => {
    const n = 20000;
    const data: Record<string, Float64Array> = {};
    for (let j = 0; j < 20; j++)
      data[`c${j}`] = Float64Array.from({ length: n }, (_, i) => Math.sin(i * (j + 1)));
    data.id = Float64Array.from({ length: n }, (_, i) => i);
    await writeParquet(new DataFrame(data), path, { rowGroupSize: 5000, compression: 'none' });
  });

  async function bytesRead(
    opts: ReadParquetOptions & { batchSize?: undefined },
  ): Promise<[number, DataFrame]> {
    let file: RandomAccessFile | undefined;
    const df = await readParquet(path, {
      ...opts,
      onFile: (f: RandomAccessFile) => {
        file = f;
      },
    });
    return [file!.bytesRead, df];
  }

  it('column projection reads a fraction of the file', async () => {
    const size = readFileSync(path).length;
    const [all, full] = await bytesRead({});
    const [some, three] = await bytesRead({ columns: ['c3', 'id', 'c0'] });
    expect(full.shape).toEqual([20000, 21]);
    expect(three.columns).toEqual(['c3', 'id', 'c0']);
    expectSameFrame(three, full.select(['c3', 'id', 'c0']));
    expect(all).toBeGreaterThan(size * 0.9);
    // 3 of 21 columns, plus the footer
    expect(some).toBeLessThan(size * 0.2);
  });

  it('row-group statistics skip row groups without reading them', async () => {
    const [all] = await bytesRead({ columns: ['id'] });
    const [some, df] = await bytesRead({ columns: ['id'], filters: [['id', '>=', 15500]] });
    expect(df.col('id').toArray()).toEqual(Array.from({ length: 4500 }, (_, i) => 15500 + i));
    expect(some).toBeLessThan(all * 0.4);
    const [, groups] = await bytesRead({ columns: ['id'], rowGroups: [1, 3] });
    expect(groups.shape[0]).toBe(10000);
    expect(groups.col('id').toArray()[5000]).toBe(15000);
    const [, none] = await bytesRead({ columns: ['id'], filters: [['id', '<', -1]] });
    expect(none.shape).toEqual([0, 1]);
  });

  it('batchSize streams a file of 3× the child’s --max-old-space-size in text alone', {
    timeout: 90_000,
  }, async () => {
    // 2M rows with a 64-character text column, unique per row (strings live on the JS heap, which
    // the flag caps at 40 MB): 128M characters in row groups of 20,480 rows, read in batches of
    // 10,000. Memory is bounded by a row group (hyparquet decodes a text column's pages in it),
    // not by the batch: row groups of 100,000 such rows do not fit this heap.
    const big = join(dir, 'big.parquet');
    const n = 2_000_000;
    await duck.run(
      `COPY (SELECT i::INTEGER AS id, i * 0.5 AS x, md5(i::VARCHAR) || md5((i + 7)::VARCHAR) AS name FROM range(${n}) t(i)) TO '${big}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 20480)`,
    );
    const heapMB = 40;
    const child = spawnSync(
      process.execPath,
      [
        `--max-old-space-size=${heapMB}`,
        '--import',
        'tsx',
        '--conditions=@lumen/source',
        join(here, 'parquetBatchChild.ts'),
        big,
        '10000',
      ],
      { encoding: 'utf8', cwd: join(here, '..'), timeout: 80_000 },
    );
    rmSync(big, { force: true });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const got = JSON.parse(child.stdout.trim().split('\n').pop()!);
    expect(got.rows).toBe(n);
    expect(got.sum).toBe((n * (n - 1)) / 2);
    expect(got.chars).toBe(64 * n);
    expect(got.chars).toBeGreaterThan(3 * heapMB * 2 ** 20);
    expect(got.maxBatch).toBe(10_000);
    expect(got.peakHeap).toBeLessThan(heapMB * 2 ** 20);
  });

  it('batchSize iterates frames of bounded size', async () => {
    const sizes: number[] = [];
    let total = 0;
    for await (const df of readParquet(path, { batchSize: 3000, columns: ['id'] })) {
      sizes.push(df.shape[0]);
      expect(df.col('id').toArray()[0]).toBe(total);
      total += df.shape[0];
    }
    expect(total).toBe(20000);
    expect(Math.max(...sizes)).toBe(3000);
  });
});

describe('interop with DuckDB (a real engine)', () => {
  it('DuckDB reads what we write, cell by cell', async () => {
    const df = allDtypesFrame(5000, true);
    for (const compression of ['snappy', 'zstd'] as const) {
      const path = join(dir, `ours-${compression}.parquet`);
      await writeParquet(df, path, { compression, rowGroupSize: 1500 });
      const rows = await duckRows(`SELECT * FROM read_parquet('${path}')`);
      expect(rows.length).toBe(5000);
      const cols = df.columns;
      const values = cols.map((c) => df.col(c).toArray());
      rows.forEach((r, i) => {
        cols.forEach((c, j) => {
          const ours = values[j]![i];
          const theirs = r[j];
          const want = typeof ours === 'number' && Number.isNaN(ours) ? null : ours;
          if (!Object.is(theirs, want) && theirs !== want)
            throw new Error(
              `${compression} row ${i} column ${c}: DuckDB read ${String(theirs)}, we wrote ${String(want)}`,
            );
        });
      });
      const [[groups]] = await duckRows(
        `SELECT count(DISTINCT row_group_id) FROM parquet_metadata('${path}')`,
      );
      expect(Number(groups)).toBe(4);
    }
  });

  it('we read what DuckDB writes (snappy, zstd, dictionary, several row groups), cell by cell', async () => {
    const select = `SELECT i::INTEGER AS i, i::BIGINT * 3 AS big, (i * 0.25)::DOUBLE AS d, (i / 8)::FLOAT AS f,
      CASE WHEN i % 7 = 0 THEN NULL ELSE i::DOUBLE END AS dn, CASE WHEN i % 5 = 0 THEN NULL ELSE i % 3 END AS inull,
      i % 2 = 0 AS b, CASE WHEN i % 11 = 0 THEN NULL ELSE i % 3 = 0 END AS bnull,
      ['alpha', 'βeta', '🐍', 'd'][(i % 4) + 1] AS cat, CASE WHEN i % 13 = 0 THEN NULL ELSE 'row ' || i END AS s,
      TIMESTAMP '2020-01-01' + INTERVAL (i) SECOND AS ts
      FROM range(6000) t(i)`;
    const expected = await duckRows(`${select} ORDER BY i`);
    for (const codec of ['snappy', 'zstd', 'uncompressed']) {
      const path = join(dir, `duck-${codec}.parquet`);
      await duck.run(
        `COPY (${select}) TO '${path}' (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE 2048)`,
      );
      const [[groups]] = await duckRows(
        `SELECT count(DISTINCT row_group_id) FROM parquet_metadata('${path}')`,
      );
      expect(Number(groups)).toBeGreaterThan(1);
      const [[encodings]] = await duckRows(
        `SELECT string_agg(encodings, ',') FROM parquet_metadata('${path}') WHERE path_in_schema = 'cat'`,
      );
      expect(String(encodings)).toMatch(/DICTIONARY/);
      const df = await readParquet(path);
      expect(df.dtypes).toEqual({
        i: 'int32',
        big: 'int32',
        d: 'float64',
        f: 'float64',
        dn: 'float64',
        inull: 'Int32',
        b: 'bool',
        bnull: 'boolean',
        cat: 'string',
        s: 'string',
        ts: 'float64',
      });
      const names = df.columns;
      const values = names.map((c) => df.col(c).toArray());
      expected.forEach((r, i) => {
        names.forEach((c, j) => {
          const ours = values[j]![i];
          let theirs = r[j] as unknown;
          if (typeof theirs === 'bigint') theirs = Number(theirs);
          if (theirs !== null && typeof theirs === 'object')
            theirs = Number((theirs as { micros: bigint }).micros) / 1000;
          const got = typeof ours === 'number' && Number.isNaN(ours) ? null : ours;
          if (!Object.is(got, theirs) && got !== theirs)
            throw new Error(
              `${codec} row ${i} column ${c}: DuckDB has ${String(theirs)}, we read ${String(got)}`,
            );
        });
      });
    }
  });
});

describe('corrupt and truncated files', () => {
  it('gives an error naming the byte offset or the row group, never a hang', async () => {
    const bytes = (await writeParquet(allDtypesFrame(3000, true), undefined, { rowGroupSize: 1000 }))!;
    await expect(readParquet(bytes.subarray(0, 8))).rejects.toThrow(/8 bytes, too few for a Parquet file/);
    await expect(readParquet(new TextEncoder().encode('a,b\n1,2\n3,4\n'))).rejects.toThrow(
      /not a Parquet file: no "PAR1" magic at byte 0/,
    );
    for (let cut = 12; cut < bytes.length; cut += Math.ceil(bytes.length / 60)) {
      await expect(readParquet(bytes.subarray(0, cut))).rejects.toThrow(/readParquet: .*byte \d+/);
    }
    // damage inside the data pages: the error names the row group and column
    const bad = bytes.slice();
    for (let at = 200; at < 1200; at++) bad[at] = 0xee;
    await expect(readParquet(bad)).rejects.toThrow(/readParquet: (row group \d+, column "\w+"|.*byte \d+)/);
    // any single damaged byte: an error or a frame, nothing else
    for (let at = 4; at < bytes.length - 8; at += 97) {
      const b = bytes.slice();
      b[at] = b[at]! ^ 0x5a;
      await readParquet(b).then(
        () => undefined,
        (e: Error) => expect(e.message).toMatch(/^readParquet: /),
      );
    }
  });

  it('a failed or aborted write leaves the old file untouched', async () => {
    const path = join(dir, 'keep.parquet');
    writeFileSync(path, 'old');
    const w = await ParquetFileWriter.open(path);
    w.write(new DataFrame({ a: [1, 2] }));
    expect(() => w.write(new DataFrame({ a: ['x'] }))).toThrow(/first frame's columns and dtypes/);
    expect(readFileSync(path, 'utf8')).toBe('old');
    async function* chunks() {
      yield new DataFrame({ a: [1.5] });
      throw new Error('source failed');
    }
    await expect(writeParquet(chunks(), path)).rejects.toThrow(/source failed/);
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('appends frame by frame into one file', async () => {
    const path = join(dir, 'append.parquet');
    const w = await ParquetFileWriter.open(path, { compression: 'zstd' });
    for (let k = 0; k < 5; k++)
      w.write(
        new DataFrame({
          k: Array.from({ length: 100 }, () => k),
          x: Float64Array.from({ length: 100 }, (_, i) => i),
        }),
      );
    expect(existsSync(path)).toBe(false);
    w.close();
    const df = await readParquet(path);
    expect(df.shape).toEqual([500, 2]);
    const [[n, s]] = await duckRows(`SELECT count(*), sum(k) FROM '${path}'`);
    expect([Number(n), Number(s)]).toEqual([500, 1000]);
  });
});
