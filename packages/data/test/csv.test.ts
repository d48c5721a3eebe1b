import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CsvError, DataFrame, parseCsv, type ReadCsvOptions, readCsv, writeCsv } from '../src/index.js';
import { expectFrame, type FrameFixture, fixture } from './helpers.js';

interface CsvCase {
  name: string;
  text: string;
  options: ReadCsvOptions;
  expected: FrameFixture;
}

const cases = fixture<CsvCase[]>('csv.json');

/** The same bytes in pieces of the given sizes, as a stream would deliver them. */
async function* pieces(text: string, sizes: number[]): AsyncIterable<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  let k = 0;
  while (at < bytes.length) {
    const n = sizes[k++ % sizes.length]!;
    yield bytes.slice(at, at + n);
    at += n;
  }
}

describe('readCsv matches pandas.read_csv', () => {
  for (const c of cases) {
    it(c.name, async () => {
      expectFrame(parseCsv(c.text, c.options), c.expected);
      // the streaming path, with records split across chunks at every possible place
      for (const sizes of [[1], [2, 3], [7], [64]]) {
        expectFrame(await readCsv(pieces(c.text, sizes), c.options), c.expected);
      }
    });
  }
});

describe('readCsv sources', () => {
  const text = 'a,b\n1,x\n2,y\n';
  it('reads a path, a file URL, bytes, a Blob, a ReadableStream and text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lumen-data-'));
    const path = join(dir, 'in.csv');
    writeFileSync(path, text);
    const stream = new ReadableStream<string>({
      start(ctl) {
        ctl.enqueue('a,b\n1,');
        ctl.enqueue('x\n2,y\n');
        ctl.close();
      },
    });
    const frames = [
      await readCsv(path),
      await readCsv(new URL(`file://${path}`)),
      await readCsv(new TextEncoder().encode(text)),
      await readCsv(new Blob([text])),
      await readCsv(stream),
      await readCsv(text),
    ];
    for (const df of frames)
      expect(df.toRecords()).toEqual([
        { a: 1, b: 'x' },
        { a: 2, b: 'y' },
      ]);
  });

  it('a missing file names the path', async () => {
    await expect(readCsv('/nonexistent/file.csv')).rejects.toThrow(/cannot open "\/nonexistent\/file.csv"/);
  });

  it('stops reading at nrows', async () => {
    let pulled = 0;
    async function* many(): AsyncIterable<string> {
      yield 'a\n';
      for (;;) {
        pulled++;
        yield '1\n2\n3\n';
      }
    }
    const df = await readCsv(many(), { nrows: 5 });
    expect(df.shape).toEqual([5, 1]);
    expect(pulled).toBeLessThan(5);
  });
});

describe('readCsv errors name the line and column', () => {
  const err = (text: string, opts: ReadCsvOptions = {}): CsvError => {
    try {
      parseCsv(text, opts);
    } catch (e) {
      return e as CsvError;
    }
    throw new Error('expected an error');
  };

  it('unterminated quote', () => {
    const e = err('a,b\n1,2\n3,"open\nstill open\n');
    expect(e).toBeInstanceOf(CsvError);
    expect(e.message).toBe(
      'parseCsv: line 3, column 3: unterminated quoted field (a quote opened here is never closed)',
    );
    expect([e.line, e.column]).toEqual([3, 3]);
  });

  it('a row with too many fields', () => {
    const e = err('a,b\n1,2\n3,4,5\n');
    expect(e.message).toBe('parseCsv: line 3, column 5: expected 2 fields (as in the header), saw 3');
  });

  it('a short row, unless shortRows: fill', () => {
    expect(err('a,b,c\n1,2,3\n"x\ny",5\n').message).toMatch(
      /^parseCsv: line 4, column 5: expected 3 fields \(as in the header\), saw 2/,
    );
    const df = parseCsv('a,b,c\n1,2,3\n4,5\n', { shortRows: 'fill' });
    expect(df.col('c').toArray()).toEqual([3, Number.NaN]);
  });

  it('a value the explicit dtype cannot hold', () => {
    const e = err('a,b\n1,2\n3,x\n', { dtype: { b: 'float64' } });
    expect(e.message).toBe(
      'parseCsv: line 3, column 3: cannot convert "x" to float64 (expected a number) in column "b"',
    );
    expect(err('a\n1\n\n2.5\n', { dtype: 'int32' }).message).toMatch(
      /line 4, column 1: cannot convert "2.5" to int32/,
    );
    expect(err('a\n1\nNA\n', { dtype: 'int32' }).message).toMatch(
      /line 3, column 1: missing value in a column read as int32/,
    );
  });

  it('unknown usecols and dtype names list the columns', () => {
    expect(() => parseCsv('a,b\n1,2\n', { usecols: ['a', 'zz'] })).toThrow(
      'parseCsv: usecols names columns that are not in the file: ["zz"]; the columns are ["a", "b"]',
    );
    expect(() => parseCsv('a,b\n1,2\n', { dtype: { q: 'float64' } })).toThrow(
      /dtype names columns that are not in the file: \["q"\]/,
    );
  });

  it('bad options', () => {
    expect(() => parseCsv('a\n1\n', { sep: ';;' })).toThrow(/sep must be one ASCII character/);
    expect(() => parseCsv('', {})).toThrow(/no columns to parse/);
    expect(() => parseCsv('a\n1\n', { nrows: -1 })).toThrow(/nrows must be an integer >= 0, got number -1/);
    expect(() => parseCsv('a\n1\n', { names: ['x', 'y'] })).toThrow(
      /names has 2 entries but the first row has 1 fields/,
    );
  });

  it('line numbers count newlines inside quotes and CRLF once', () => {
    const e = err('a,b\r\n"x\r\ny",2\r\n3,4,5\r\n');
    expect([e.line, e.column]).toEqual([4, 5]);
  });
});

describe('writeCsv and toCsv', () => {
  const df = new DataFrame({
    f: [0.1, Number.NaN, 1e16, 123],
    i: [1, 2, 3, 4],
    s: ['a,b', 'say "hi"', null, 'line\nbreak'],
    b: [true, false, true, false],
  });

  it('writes as pandas.to_csv (floats as Python repr, minimal quoting, index by default)', () => {
    expect(df.toCsv({ index: false })).toBe(
      'f,i,s,b\n0.1,1,"a,b",True\n,2,"say ""hi""",False\n1e+16,3,,True\n123.0,4,"line\nbreak",False\n',
    );
    expect(df.head(1).toCsv()).toBe(',f,i,s,b\n0,0.1,1,"a,b",True\n');
  });

  it('round-trips through a file, atomically', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lumen-data-'));
    const path = join(dir, 'out.csv');
    await writeCsv(df, path, { index: false });
    expect(readdirSync(dir)).toEqual(['out.csv']);
    const back = await readCsv(path);
    expect(back.dtypes).toEqual({ f: 'float64', i: 'int32', s: 'string', b: 'bool' });
    expect(back.toCsv({ index: false })).toBe(readFileSync(path, 'utf8'));
  });

  it('leaves no temp file behind when writing fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lumen-data-'));
    await expect(writeCsv(df, join(dir, 'no/such/dir/out.csv'))).rejects.toThrow();
    expect(readdirSync(dir)).toEqual([]);
  });
});
