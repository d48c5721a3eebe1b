import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Dictionary,
  Field,
  Float64,
  Int32,
  List,
  makeData,
  makeVector,
  SparseUnion,
  Table,
  tableFromIPC,
  tableToIPC,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { projectIpc } from '../src/arrow/project.js';
import { readArrow, writeArrow } from '../src/arrow.js';
import { allDtypesFrame, expectSameFrame } from './ioHelpers.js';

const dir = mkdtempSync(join(tmpdir(), 'lumen-arrow-proj-'));
const noCheck = () => undefined;

/**
 * A table of several record batches written by apache-arrow: a float column with nulls, a
 * dictionary-encoded string column, a list column (which @lumen/data cannot hold, so reading it
 * fails: leaving it out must let a read succeed), an int column and plain strings.
 */
function mixedTable(): Table {
  const n = 411;
  const whole = new Table({
    x: vectorFromArray(
      Array.from({ length: n }, (_, i) => (i % 9 === 0 ? null : i * 0.5)),
      new Float64(),
    ),
    cat: vectorFromArray(
      Array.from({ length: n }, (_, i) => ['red', 'grün', '青'][i % 3]!),
      new Dictionary(new Utf8(), new Int32()),
    ),
    lists: vectorFromArray(
      Array.from({ length: n }, (_, i) => [i, i + 1]),
      new List(new Field('item', new Int32(), true)),
    ),
    k: vectorFromArray(
      Array.from({ length: n }, (_, i) => i),
      new Int32(),
    ),
    s: vectorFromArray(
      Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : `row ${i}`)),
      new Utf8(),
    ),
  });
  // three record batches sharing one dictionary (a file cannot replace it)
  const b = whole.batches[0]!;
  return new Table([b.slice(0, 100), b.slice(100, 237), b.slice(237)]);
}

describe('readArrow({ columns })', () => {
  it('reads the columns asked for, in that order, from files and streams', async () => {
    const df = allDtypesFrame(50, true);
    for (const format of ['file', 'stream'] as const) {
      const bytes = writeArrow(df, undefined, { format });
      const got = await readArrow(bytes, { columns: ['s', 'f64', 'I32'] });
      expectSameFrame(got, df.select(['s', 'f64', 'I32']));
      const one = await readArrow(bytes, { columns: ['bool'] });
      expectSameFrame(one, df.select(['bool']));
      const none = await readArrow(bytes, { columns: [] });
      expect(none.shape).toEqual([50, 0]); // as pyarrow: the rows, no columns
    }
  });

  it('matches apache-arrow cell by cell over several batches, dictionaries included', async () => {
    const table = mixedTable();
    expect(table.batches.length).toBe(3);
    const path = join(dir, 'mixed.arrow');
    writeFileSync(path, tableToIPC(table, 'file'));
    // the list column has no @lumen/data dtype: reading it is an error, leaving it out is not
    await expect(readArrow(path)).rejects.toThrow(/lists/);
    const df = await readArrow(path, { columns: ['k', 'cat', 'x', 's'] });
    expect(df.columns).toEqual(['k', 'cat', 'x', 's']);
    expect(df.dtypes).toEqual({ k: 'int32', cat: 'string', x: 'float64', s: 'string' });
    for (const c of df.columns) {
      const theirs = table.getChild(c)!;
      const ours = df.col(c).toArray();
      expect(ours.length).toBe(table.numRows);
      for (let i = 0; i < ours.length; i++) {
        const v = theirs.get(i);
        const want = v === null && c === 'x' ? Number.NaN : v;
        if (!Object.is(ours[i], want))
          throw new Error(
            `column ${c} row ${i}: apache-arrow has ${String(want)}, we read ${String(ours[i])}`,
          );
      }
    }
  });

  it('decodes only those columns: the stream apache-arrow gets holds their buffers alone', () => {
    const table = mixedTable();
    const bytes = tableToIPC(table, 'file');
    const projected = projectIpc(bytes, new Set(['k']), noCheck)!;
    const t = tableFromIPC(projected);
    expect(t.schema.fields.map((f) => f.name)).toEqual(['k']);
    expect(t.batches.length).toBe(3);
    expect(t.getChild('k')!.toArray()).toEqual(table.getChild('k')!.toArray());
    // 411 int32 values (padded per batch) plus the framing, against the whole file
    expect(projected.length).toBeLessThan(411 * 4 + 3 * 400 + 600);
    expect(projected.length).toBeLessThan(bytes.length / 5);
    // a dictionary batch goes with its column only
    const withCat = tableFromIPC(projectIpc(bytes, new Set(['cat']), noCheck)!);
    expect(withCat.getChild('cat')!.toArray()).toEqual(table.getChild('cat')!.toArray());
  });

  it('reads only the footer, the batch headers and the chosen buffers of a file', async () => {
    // 31 float64 columns over 4 batches: 3 columns are ~1/10 of the bytes
    const n = 4000;
    const cols: Record<string, Vector<Float64>> = {};
    for (let j = 0; j < 31; j++)
      cols[`V${j}`] = makeVector(Float64Array.from({ length: n }, (_, i) => Math.sin(i * (j + 1))));
    const whole = new Table(cols);
    const b = whole.batches[0]!;
    const table = new Table([b.slice(0, 1000), b.slice(1000, 2500), b.slice(2500, 3100), b.slice(3100)]);
    const bytes = tableToIPC(table, 'file');
    let read = 0;
    class CountingBlob extends Blob {
      override slice(start?: number, end?: number): Blob {
        const part = super.slice(start, end);
        read += part.size;
        return part;
      }
    }
    const df = await readArrow(new CountingBlob([bytes as Uint8Array<ArrayBuffer>]), {
      columns: ['V30', 'V0', 'V7'],
    });
    expect(df.columns).toEqual(['V30', 'V0', 'V7']);
    for (const c of df.columns)
      expect(Array.from(df.col(c).toArray() as number[])).toEqual(Array.from(table.getChild(c)!.toArray()));
    const values = 3 * n * 8;
    expect(read).toBeGreaterThanOrEqual(values);
    expect(read).toBeLessThan(values + 4 * 2000 + 8000); // headers of 4 batches and the footer
    expect(read).toBeLessThan(bytes.length / 8);
    // a stream has no footer: read whole, the same frame
    read = 0;
    const fromStream = await readArrow(
      new CountingBlob([tableToIPC(table, 'stream') as Uint8Array<ArrayBuffer>]),
      {
        columns: ['V30', 'V0', 'V7'],
      },
    );
    expect(read).toBeGreaterThan(bytes.length / 2);
    expectSameFrame(fromStream, df);
  });

  it('one corrupt byte anywhere in a file read in pieces: a frame or a clear error, never a hang', async () => {
    const whole = writeArrow(allDtypesFrame(20, true), undefined, { format: 'file' });
    let corrupt = 0;
    for (let pos = 0; pos < whole.length; pos++) {
      for (const v of [0x00, 0xff]) {
        if (whole[pos] === v) continue;
        const b = whole.slice();
        b[pos] = v;
        const t0 = performance.now();
        const got = await readArrow(b, { columns: ['s', 'f64', 'I32'] }).then(
          (df) => df,
          (e: Error) => e,
        );
        const ms = performance.now() - t0;
        if (ms > 1000) throw new Error(`byte ${pos} = ${v}: readArrow took ${ms.toFixed(0)} ms`);
        if (got instanceof Error) {
          expect(got.message, `byte ${pos} = ${v}`).toMatch(/^readArrow: /);
          if (/corrupt|footer length|truncated|not a complete/.test(got.message)) corrupt++;
        } else expect(got.columns).toEqual(['s', 'f64', 'I32']);
      }
    }
    expect(corrupt).toBeGreaterThan(100);
  });

  it('refuses unknown, repeated or malformed column lists by name', async () => {
    const bytes = writeArrow(allDtypesFrame(5, false));
    await expect(readArrow(bytes, { columns: ['f64', 'nope', 'zip'] })).rejects.toThrow(
      /readArrow: no columns named "nope", "zip" in Uint8Array.*; its columns are \["f64", "i32", "I32", "bool", "boolean", "s"\]/,
    );
    await expect(readArrow(bytes, { columns: ['s', 's'] })).rejects.toThrow(
      /readArrow: columns names "s" twice/,
    );
    await expect(readArrow(bytes, { columns: 's' as never })).rejects.toThrow(
      /readArrow: columns must be an array of column names, got "s"/,
    );
    await expect(readArrow(bytes, { column: ['s'] } as never)).rejects.toThrow(/column/);
  });

  it('falls back to decoding every column, then selecting, for layouts it does not count (unions)', async () => {
    const n = 6;
    const f = makeData({
      type: new Float64(),
      length: n,
      nullCount: 0,
      data: Float64Array.from({ length: n }, (_, i) => i / 2),
    });
    const k = makeData({
      type: new Int32(),
      length: n,
      nullCount: 0,
      data: Int32Array.from({ length: n }, (_, i) => 10 * i),
    });
    const union = makeData({
      type: new SparseUnion([0, 1], [new Field('f', new Float64()), new Field('k', new Int32())]),
      length: n,
      nullCount: 0,
      typeIds: Int8Array.from({ length: n }, (_, i) => i % 2),
      children: [f, k],
    });
    const table = new Table({ u: makeVector(union), x: makeVector(f) });
    const bytes = tableToIPC(table, 'file');
    expect(projectIpc(bytes, new Set(['x']), noCheck)).toBeNull();
    const df = await readArrow(bytes, { columns: ['x'] });
    expect(df.col('x').toArray()).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    await expect(readArrow(bytes, { columns: ['y'] })).rejects.toThrow(
      /readArrow: no column named "y" in Uint8Array.*; its columns are \["u", "x"\]/,
    );
  });
});
