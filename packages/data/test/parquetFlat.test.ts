import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { snappyCompress } from 'hyparquet-writer/src/snappy.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataFrame, readParquet, writeParquet } from '../src/index.js';
import { snappyDecompress } from '../src/parquet/snappy.js';

/**
 * readParquet's flat decoder (numeric columns straight into typed arrays) against DuckDB, on the
 * encodings DuckDB writes: PLAIN and dictionaries in data pages v1, DELTA_BINARY_PACKED and
 * BYTE_STREAM_SPLIT in data pages v2, with nulls, several pages and row groups, each codec.
 */

const dir = mkdtempSync(join(tmpdir(), 'lumen-parquet-flat-'));
let duck: Awaited<ReturnType<Awaited<ReturnType<typeof DuckDBInstance.create>>['connect']>>;

beforeAll(async () => {
  const db = await DuckDBInstance.create(':memory:');
  duck = await db.connect();
  await duck.run('SET threads = 1');
});
afterAll(() => duck?.closeSync());

async function rows(sql: string): Promise<unknown[][]> {
  return (await duck.runAndReadAll(sql)).getRows() as unknown[][];
}

describe('snappy', () => {
  function bytesOf(kind: string, n: number): Uint8Array {
    const out = new Uint8Array(n);
    let s = 12345;
    for (let i = 0; i < n; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      // random bytes; short repeats (overlapping copies); long repeats (far copies); doubles
      out[i] =
        kind === 'random'
          ? s >>> 24
          : kind === 'runs'
            ? (i >> 5) % 3
            : kind === 'far'
              ? (i % 70000) & 0xff
              : 0;
    }
    if (kind === 'doubles') {
      const f = new Float64Array(out.buffer);
      for (let i = 0; i < f.length; i++) f[i] = Math.round(Math.sin(i) * 1e4) / 100;
    }
    return out;
  }

  it('restores what another implementation compressed (hyparquet-writer)', () => {
    for (const kind of ['random', 'runs', 'far', 'doubles'])
      for (const n of [0, 1, 15, 16, 61, 300, 70_000, 1 << 20]) {
        const original = bytesOf(kind, n - (n % 8));
        const packed = snappyCompress(original);
        const out = new Uint8Array(original.length);
        snappyDecompress(packed, out);
        expect(Buffer.compare(out, original), `${kind} ${n}`).toBe(0);
      }
  });

  it('copies that overlap their source repeat it (the format description example)', () => {
    // literal "ab" (tag 0b000001_00), then a copy of 6 bytes from offset 2 (1-byte-offset copy)
    const block = Uint8Array.of(8, 0x04, 0x61, 0x62, 0b000_010_01, 2);
    const out = new Uint8Array(8);
    snappyDecompress(block, out);
    expect(new TextDecoder().decode(out)).toBe('abababab');
  });

  it('damaged input is an error, never a hang or a write past the end', () => {
    const original = bytesOf('runs', 5000);
    const packed = snappyCompress(original);
    expect(() => snappyDecompress(packed, new Uint8Array(4999))).toThrow(/the page says 4999/);
    for (let cut = 0; cut < packed.length; cut += 7)
      expect(() => snappyDecompress(packed.subarray(0, cut), new Uint8Array(5000))).toThrow(/snappy: /);
    // a copy from before the start
    expect(() => snappyDecompress(Uint8Array.of(4, 0b000_000_01, 9), new Uint8Array(4))).toThrow(
      /copy from offset 9 at output byte 0/,
    );
    for (let at = 0; at < packed.length; at += 3) {
      const b = packed.slice();
      b[at] = b[at]! ^ 0x5a;
      try {
        snappyDecompress(b, new Uint8Array(5000));
      } catch (e) {
        expect((e as Error).message).toMatch(/^snappy: /);
      }
    }
  });
});

describe('numeric columns written by DuckDB, cell by cell', () => {
  const select = `SELECT i::INTEGER AS i, (i * 100003 - 5000000)::BIGINT AS big, (i * 0.25 - 7)::DOUBLE AS d,
    (i / 8)::FLOAT AS f, CASE WHEN i % 7 = 0 THEN NULL ELSE sin(i) END AS dn,
    CASE WHEN i % 5 = 0 THEN NULL ELSE i % 3000 - 1500 END::INTEGER AS inull,
    ((i * 7919) % 3001)::DOUBLE / 4 AS dict, (i % 3)::TINYINT AS tiny, (i % 300)::SMALLINT AS small,
    CASE WHEN i < 9000 THEN NULL ELSE i END::DOUBLE AS mostlynull
    FROM range(20000) t(i)`;

  for (const version of ['V1', 'V2'])
    for (const codec of ['snappy', 'zstd', 'uncompressed'])
      it(`data pages ${version}, ${codec}`, async () => {
        const path = join(dir, `duck-${version}-${codec}.parquet`);
        await duck.run(
          `COPY (${select}) TO '${path}' (FORMAT parquet, COMPRESSION ${codec}, PARQUET_VERSION ${version}, ROW_GROUP_SIZE 8192)`,
        );
        const encodings = String(
          (await rows(`SELECT string_agg(DISTINCT encodings, ',') FROM parquet_metadata('${path}')`))[0]![0],
        );
        if (version === 'V2') expect(encodings).toMatch(/DELTA_BINARY_PACKED.*|BYTE_STREAM_SPLIT/);
        expect(encodings).toMatch(/DICTIONARY/);
        const expected = await rows(`${select} ORDER BY i`);
        const df = await readParquet(path);
        expect(df.dtypes).toEqual({
          i: 'int32',
          big: 'int32',
          d: 'float64',
          f: 'float64',
          dn: 'float64',
          inull: 'Int32',
          dict: 'float64',
          tiny: 'int32',
          small: 'int32',
          mostlynull: 'float64',
        });
        const values = df.columns.map((c) => df.col(c).toArray());
        expected.forEach((r, i) => {
          df.columns.forEach((c, j) => {
            const ours = values[j]![i];
            const theirs = typeof r[j] === 'bigint' ? Number(r[j]) : r[j];
            const got = typeof ours === 'number' && Number.isNaN(ours) ? null : ours;
            if (got !== theirs)
              throw new Error(
                `${version} ${codec} row ${i} column ${c}: DuckDB has ${theirs}, we read ${got}`,
              );
          });
        });
        // the same through batches that cut row groups, and with a filter on a column not read
        let at = 0;
        for await (const b of readParquet(path, { batchSize: 3000, columns: ['dn', 'inull'] })) {
          expect(b.col('inull').toArray()).toEqual(
            df
              .col('inull')
              .toArray()
              .slice(at, at + b.shape[0]),
          );
          at += b.shape[0];
        }
        expect(at).toBe(20000);
        const some = await readParquet(path, { columns: ['d'], filters: [['inull', '>', 1400]] });
        const want = expected.filter((r) => r[5] !== null && (r[5] as number) > 1400).map((r) => r[2]);
        expect(some.col('d').toArray()).toEqual(want);
      });

  it('snappy pages decompressed into the column itself: required columns, rare nulls, pages after the first', async () => {
    // REQUIRED columns (no levels), and columns with one null in a thousand (levels longer than the
    // values the nulls leave out, so a page looks like it could fit in place and must be moved back)
    await duck.run(
      `CREATE OR REPLACE TABLE req (a INTEGER NOT NULL, b DOUBLE NOT NULL, rare INTEGER, rared DOUBLE)`,
    );
    await duck.run(`INSERT INTO req SELECT i, i * 0.5 - 3,
      CASE WHEN i % 1000 = 3 THEN NULL ELSE i * 7 - 9000 END,
      CASE WHEN i % 997 = 5 THEN NULL ELSE cos(i) END FROM range(30000) t(i)`);
    const expected = await rows('SELECT * FROM req ORDER BY a');
    // writeParquet writes an int32 column without nulls as REQUIRED: read back against DuckDB's reading
    const ours = join(dir, 'req-ours.parquet');
    await writeParquet(new DataFrame({ a: Int32Array.from(expected, (r) => r[0] as number) }), ours, {
      compression: 'snappy',
      rowGroupSize: 4096,
    });
    expect(await rows(`SELECT repetition_type FROM parquet_schema('${ours}') WHERE name = 'a'`)).toEqual([
      ['REQUIRED'],
    ]);
    expect((await readParquet(ours)).col('a').toArray()).toEqual(
      (await rows(`SELECT a FROM read_parquet('${ours}')`)).map((r) => r[0]),
    );
    for (const version of ['V1', 'V2']) {
      const path = join(dir, `req-${version}.parquet`);
      await duck.run(
        `COPY (SELECT * FROM req ORDER BY a) TO '${path}' (FORMAT parquet, COMPRESSION snappy, PARQUET_VERSION ${version}, ROW_GROUP_SIZE 4096)`,
      );
      const df = await readParquet(path);
      expect(df.dtypes).toEqual({ a: 'int32', b: 'float64', rare: 'Int32', rared: 'float64' });
      const values = df.columns.map((c) => df.col(c).toArray());
      expected.forEach((r, i) => {
        r.forEach((theirs, j) => {
          const ours = values[j]![i];
          const got = typeof ours === 'number' && Number.isNaN(ours) ? null : ours;
          if (got !== theirs)
            throw new Error(
              `${version} row ${i} column ${df.columns[j]}: DuckDB has ${theirs}, we read ${got}`,
            );
        });
      });
    }
  });

  it('an int64 outside int32 is an error naming its row, or a float64 when asked', async () => {
    const path = join(dir, 'wide-int.parquet');
    await duck.run(
      `COPY (SELECT CASE WHEN i = 12345 THEN 3000000000 ELSE i END::BIGINT AS big FROM range(20000) t(i)) TO '${path}' (FORMAT parquet)`,
    );
    await expect(readParquet(path)).rejects.toThrow(
      /readParquet: column "big" row 12345 is 3000000000, outside int32's range; pass \{ int64: 'float64' \}/,
    );
    const df = await readParquet(path, { int64: 'float64' });
    expect(df.col('big').get(12345)).toBe(3000000000);
    expect(df.col('big').get(12346)).toBe(12346);
  });

  it('a damaged chunk is an error naming the row group and column, or a frame', async () => {
    const path = join(dir, 'duck-V1-snappy.parquet');
    await duck.run(`COPY (${select}) TO '${path}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 8192)`);
    const bytes = new Uint8Array(readFileSync(path));
    const footer = new DataView(bytes.buffer).getUint32(bytes.length - 8, true);
    const end = bytes.length - 8 - footer;
    for (let at = 4; at < end; at += Math.ceil(end / 150)) {
      const b = bytes.slice();
      b[at] = b[at]! ^ 0x5a;
      await readParquet(b).then(
        () => undefined,
        (e: Error) =>
          expect(e.message).toMatch(
            /^readParquet: (row group \d+, column "\w+"|column "\w+" (has a null|row \d+ is))/,
          ),
      );
    }
  });
});
