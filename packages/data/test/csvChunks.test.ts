import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { CsvError, type CsvSource, DataFrame, parseCsv, readCsv, writeCsv } from '../src/index.js';
import { expectFrame, type FrameFixture, fixture } from './helpers.js';

// readCsv(source, { chunkSize }) and appending with writeCsv/toCsv(path, { mode: 'a' }) against
// pandas' read_csv(chunksize=) and to_csv(mode="a") (scripts/gen-chunk-fixtures.py).

interface ChunkCase {
  name: string;
  text: string;
  chunk_size: number;
  options: Record<string, unknown>;
  chunks: FrameFixture[];
  whole: FrameFixture;
}
interface ChunkFixture {
  cases: ChunkCase[];
  changing: { text: string; chunk_size: number; pandas_chunks: FrameFixture[]; with_dtype: ChunkCase };
  append: { text: string; chunk_size: number; expected: string };
}
const fx = fixture<ChunkFixture>('csv_chunks.json');
const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lumen-chunks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
});

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

async function collect(it: AsyncIterable<DataFrame>): Promise<DataFrame[]> {
  const out: DataFrame[] = [];
  for await (const df of it) out.push(df);
  return out;
}

/** A web ReadableStream of the bytes in pieces of 7 bytes (records and characters cut anywhere). */
function stream(bytes: Uint8Array, onCancel?: () => void): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= bytes.length) c.close();
      else {
        c.enqueue(bytes.slice(at, at + 7));
        at += 7;
      }
    },
    cancel() {
      onCancel?.();
    },
  });
}

/** A pandas chunk as Lumen gives it when the chunk's own dtype differs: Lumen keeps the first chunk's. */
function asFirstChunkDtypes(chunk: FrameFixture, first: FrameFixture): FrameFixture {
  return {
    ...chunk,
    dtypes: first.dtypes,
    // a column pandas read as all-NaN float64 holds nulls in Lumen's string column
    data: chunk.data.map((col, j) =>
      first.dtypes[j] === 'string' && chunk.dtypes[j] === 'float64' ? col.map(() => null) : col,
    ),
  };
}

describe('readCsv with chunkSize (pandas read_csv chunksize)', () => {
  const sources: [string, (text: string, name: string) => CsvSource][] = [
    ['text', (t) => t],
    [
      'a file path',
      (t, name) => {
        const p = join(dir, `${name.replace(/\W+/g, '_')}.csv`);
        writeFileSync(p, t);
        return p;
      },
    ],
    ['a ReadableStream', (t) => stream(utf8(t))],
    ['a fetch Response', (t) => new Response(stream(utf8(t)))],
  ];
  for (const c of fx.cases) {
    for (const [what, make] of sources) {
      it(`${c.name}, from ${what}`, async () => {
        const chunks = await collect(
          readCsv(make(c.text, c.name), { ...c.options, chunkSize: c.chunk_size }),
        );
        expect(chunks.length).toBe(c.chunks.length);
        const first = c.chunks[0]!;
        chunks.forEach((df, k) => {
          const want = c.chunks[k]!;
          // every chunk keeps the first chunk's dtypes; pandas changes a chunk whose column is all missing
          expectFrame(
            df,
            want.dtypes.join() === first.dtypes.join() ? want : asFirstChunkDtypes(want, first),
          );
        });
        const whole = await readCsv(make(c.text, `${c.name}-whole`), c.options);
        expectFrame(whole, c.whole);
      });
    }
  }

  it('chunks of 1 row include ones where pandas switches a column to float64 (the documented difference)', () => {
    const c = fx.cases.find((x) => x.name === 'chunks of 1')!;
    const first = c.chunks[0]!.dtypes.join();
    expect(c.chunks.filter((k) => k.dtypes.join() !== first).length).toBeGreaterThan(0);
  });

  it('a later chunk that the first chunk’s dtype cannot hold: the good chunks, then an error that says what to pass', async () => {
    const { text, chunk_size, pandas_chunks } = fx.changing;
    // pandas changes the dtype between chunks (int64, then float64)
    expect(pandas_chunks.map((k) => k.dtypes[0])).toEqual(['int32', 'float64']);
    const seen: DataFrame[] = [];
    let error: unknown;
    try {
      for await (const df of readCsv(text, { chunkSize: chunk_size })) seen.push(df);
    } catch (e) {
      error = e;
    }
    expect(seen.length).toBe(1);
    expectFrame(seen[0]!, pandas_chunks[0]!);
    expect(error).toBeInstanceOf(CsvError);
    expect((error as CsvError).line).toBe(4);
    expect((error as Error).message).toMatch(
      /^readCsv: line 4, column 1: missing value in a column read as int32.* in column "a" \(reading in chunks, every chunk keeps the dtype the first chunk of 2 rows gave the column, int32; pass dtype: \{ "a": 'float64' \}/,
    );
  });

  it('with dtype given, every chunk has it, as in pandas', async () => {
    const c = fx.changing.with_dtype;
    const chunks = await collect(readCsv(c.text, { ...c.options, chunkSize: c.chunk_size }));
    expect(chunks.length).toBe(c.chunks.length);
    chunks.forEach((df, k) => {
      expectFrame(df, c.chunks[k]!);
    });
  });

  it('checks chunkSize when called, naming it', () => {
    for (const bad of [0, -1, 1.5, '10', Number.NaN]) {
      expect(() => readCsv('a\n1\n', { chunkSize: bad as number })).toThrow(
        `readCsv: chunkSize must be a positive integer (rows per frame), got ${typeof bad === 'string' ? '"10"' : `number ${bad}`}`,
      );
    }
    expect(() => readCsv('a\n1\n', { chunkSize: 2, chunksize: 3 } as never)).toThrow(
      /unknown option "chunksize"/,
    );
    expect(() => parseCsv('a\n1\n', { chunkSize: 2 } as never)).toThrow(
      /parseCsv: unknown option "chunkSize"/,
    );
  });

  it('breaking out of the loop cancels the stream (a fetch stops downloading)', async () => {
    let cancelled = false;
    const text = `a\n${Array.from({ length: 1000 }, (_, i) => i).join('\n')}\n`;
    for await (const df of readCsv(
      stream(utf8(text), () => (cancelled = true)),
      { chunkSize: 10 },
    )) {
      expect(df.shape[0]).toBe(10);
      break;
    }
    expect(cancelled).toBe(true);
  });

  it('a failed Response is an error naming its status', async () => {
    const res = new Response('nope', { status: 404, statusText: 'Not Found' });
    await expect(collect(readCsv(res, { chunkSize: 2 }))).rejects.toThrow(
      'readCsv: the Response failed: HTTP 404 Not Found',
    );
    await expect(readCsv(new Response('a\n1\n'))).resolves.toBeInstanceOf(DataFrame);
  });

  it('on any bytes (fast-check): the chunks together are the whole frame, or the same error, in any chunk and piece sizes', async () => {
    type Outcome = { frame: { columns: string[]; cells: unknown[][] } } | { error: string };
    const cellsOf = (frames: DataFrame[]): Outcome => {
      const first = frames[0]!;
      return {
        frame: {
          columns: first.columns,
          cells: first.columns.map((c) => frames.flatMap((f) => f.col(c).toArray())),
        },
      };
    };
    const outcome = async (f: () => Promise<DataFrame[]>): Promise<Outcome> => {
      try {
        return cellsOf(await f());
      } catch (e) {
        expect((e as Error).constructor.name).toMatch(/^(CsvError|LumenError)$/);
        return { error: (e as Error).message.replace(/^(parseCsv|readCsv): /, '') };
      }
    };
    const token = fc.constantFrom(
      ',',
      '"',
      '""',
      '\n',
      '\r',
      '\r\n',
      'a',
      '1',
      '2.5',
      'NA',
      'True',
      'é',
      '😀',
      '',
    );
    const text = fc.array(token, { maxLength: 80 }).map((parts) => parts.join(''));
    await fc.assert(
      fc.asyncProperty(
        text,
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom('error' as const, 'fill' as const),
        async (t, chunkSize, sizes, shortRows) => {
          const bytes = utf8(t);
          // strings throughout, so the first chunk's dtypes never refuse a later value
          const opts = { dtype: 'string' as const, shortRows, header: null };
          const whole = await outcome(async () => [parseCsv(bytes, opts)]);
          let at = 0;
          let k = 0;
          const src = new ReadableStream<Uint8Array>({
            pull(c) {
              if (at >= bytes.length) c.close();
              else {
                const n = sizes[k++ % sizes.length]!;
                c.enqueue(bytes.slice(at, at + n));
                at += n;
              }
            },
          });
          const chunked = await outcome(async () => {
            const frames = await collect(readCsv(src, { ...opts, chunkSize }));
            frames.slice(0, -1).forEach((f) => {
              expect(f.shape[0]).toBe(chunkSize);
            });
            return frames;
          });
          expect(chunked).toEqual(whole);
        },
      ),
      { numRuns: 300, seed: 17 },
    );
  });

  it('a file 4× the child’s --max-old-space-size streams through in chunks', { timeout: 60_000 }, () => {
    // 200 MB of rows with a text column (strings live on the JS heap, which the flag caps at 48 MB)
    const path = join(dir, 'big.csv');
    const fd = openSync(path, 'w');
    writeSync(fd, 'id,x,flag,name\n');
    let rows = 0;
    let sum = 0;
    let chars = 0;
    let bytes = 0;
    while (bytes < 200e6) {
      const lines: string[] = [];
      for (let k = 0; k < 10_000; k++, rows++) {
        const name = `name-${rows % 10_007}`;
        lines.push(`${rows},${(rows % 997) / 8},${rows % 2 ? 'True' : 'False'},${name}`);
        sum += rows;
        chars += name.length;
      }
      const s = `${lines.join('\n')}\n`;
      writeSync(fd, s);
      bytes += s.length;
    }
    closeSync(fd);
    const heapMB = 48;
    expect(bytes / 1e6).toBeGreaterThan(4 * heapMB);
    const child = spawnSync(
      process.execPath,
      [
        `--max-old-space-size=${heapMB}`,
        '--import',
        'tsx',
        '--conditions=@lumen/source',
        join(here, 'csvChunkChild.ts'),
        path,
        '50000',
      ],
      { encoding: 'utf8', cwd: join(here, '..'), timeout: 50_000 },
    );
    rmSync(path, { force: true });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const got = JSON.parse(child.stdout.trim().split('\n').pop()!);
    expect(got.rows).toBe(rows);
    expect(got.sum).toBe(sum);
    expect(got.chars).toBe(chars);
    expect(got.maxChunk).toBe(50_000);
    expect(got.peakHeap).toBeLessThan(heapMB * 1024 * 1024);
    // typed arrays live outside the heap: one chunk's columns, the 1 MiB read and the tokenizer's buffer
    expect(got.peakBuffers).toBeLessThan(40 * 1024 * 1024);
  });
});

describe('appending CSV chunk by chunk (pandas to_csv mode="a")', () => {
  it('header once, rows as pandas appends them', async () => {
    const { text, chunk_size, expected } = fx.append;
    const path = join(dir, 'append.csv');
    let k = 0;
    for await (const df of readCsv(text, { chunkSize: chunk_size })) {
      if (k++ % 2 === 0) await writeCsv(df, path, { mode: 'a', index: false });
      else await df.toCsv(path, { mode: 'a', index: false }); // the method writes the same way
    }
    expect(readFileSync(path, 'utf8')).toBe(expected);
  });

  it('refuses a file whose header differs, or that ends in half a row', async () => {
    const df = new DataFrame({ a: [1], b: ['x'] });
    const path = join(dir, 'other.csv');
    writeFileSync(path, 'a,c\n1,y\n');
    await expect(writeCsv(df, path, { mode: 'a', index: false })).rejects.toThrow(
      `writeCsv: cannot append: ${JSON.stringify(path)} starts with the header "a,c" but the frame's is "a,b" (columns, index and sep must match; pass header: false to append without a check)`,
    );
    writeFileSync(path, 'a,b\n1,y');
    await expect(writeCsv(df, path, { mode: 'a', index: false })).rejects.toThrow(
      `writeCsv: ${JSON.stringify(path)} does not end with a line end ("\\n"): its last row is incomplete, so appending would join two rows; repair the file first`,
    );
    expect(readFileSync(path, 'utf8')).toBe('a,b\n1,y');
    await expect(writeCsv(df, path, { mode: 'x' as never })).rejects.toThrow(
      `writeCsv: mode must be 'w' (replace) or 'a' (append), got "x"`,
    );
  });

  it('a write that fails part way is cut back: the file never ends in half a row', async () => {
    const path = join(dir, 'cut.csv');
    const first = new DataFrame({ a: [1, 2] });
    await writeCsv(first, path, { index: false });
    const before = readFileSync(path, 'utf8');
    const fs = process.getBuiltinModule('node:fs') as typeof import('node:fs');
    const write = fs.writeSync.bind(fs);
    let calls = 0;
    vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, data: Uint8Array) => {
      calls++;
      if (calls === 1) return write(fd, data); // the first 4096 rows go in
      // then half of the next block, and the disk is full
      write(fd, data.subarray(0, data.length >> 1));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }) as never);
    const big = new DataFrame({ a: Int32Array.from({ length: 10_000 }, (_, i) => i) });
    await expect(writeCsv(big, path, { mode: 'a', index: false })).rejects.toThrow(/ENOSPC/);
    expect(calls).toBe(2);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });
});
