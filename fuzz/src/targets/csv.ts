import { type DataFrame, parseCsv, type ReadCsvOptions, readCsv } from '@lumen/data';
import { LumenError } from '@lumen/tensor';
import type { Rng } from '../rng.ts';
import type { FuzzTarget } from '../target.ts';

/**
 * CSV read whole (parseCsv) and as a stream cut into random chunk sizes (readCsv of an async
 * iterable, and of the bytes, which sizes the columns from the length): every way must give the
 * same frame (names, dtypes, every cell) or the same library error, at the same line and column.
 * Inputs: structured CSV (quotes, "" escapes, line breaks and CRLF inside quotes, text after a
 * closing quote, ragged rows, blank lines, empty fields, numbers, NaN-like words, booleans, long
 * fields, long lines, thousands of columns), byte soup over CSV's alphabet, and random bytes; then
 * BOMs (at the start, twice, inside values), invalid UTF-8 (bad lead bytes, truncated and overlong
 * sequences, surrogates) and byte flips. Options are drawn too (sep, header, names, usecols,
 * dtype, naValues, nrows, shortRows, skipBlankLines, encodingErrors).
 */

interface Input {
  kind: string;
  bytes: Uint8Array;
  opts: ReadCsvOptions;
  /** The stream's chunk sizes, used in turn. */
  chunks: number[];
}

const enc = new TextEncoder();

const WORDS = [
  'NaN',
  'nan',
  'NA',
  'N/A',
  'null',
  'NULL',
  '#N/A',
  '-1.#IND',
  '<NA>',
  'None',
  'True',
  'false',
  'TRUE',
  'inf',
  '-inf',
  'Infinity',
  ' inf',
  '\ufeffinf',
  '1e309',
  '-0.0',
  '1e-400',
  '0x1F',
  '1_000',
  '١٢',
  '2147483648',
  '-2147483649',
  '9007199254740993',
  '00012',
  '+7',
  '.5',
  '5.',
  '1e',
  '--1',
  ' 12 ',
  '\t3\t',
  'é',
  '李',
  '😀',
  '\u2028',
  '\ufeff',
  '\ufeffx',
  '__proto__',
  'constructor',
];

/** One cell's text, unquoted (quoting is decided by the caller). */
function cellText(rng: Rng): string {
  switch (rng.int(0, 9)) {
    case 0:
      return String(rng.int(-1000, 1000));
    case 1:
      return (rng.float() * 10 ** rng.int(-5, 5) * (rng.bool() ? -1 : 1)).toPrecision(rng.int(1, 17));
    case 2:
      return rng.pick(WORDS);
    case 3:
      return '';
    case 4:
      return 'x'.repeat(rng.size(rng.bool(0.1) ? 200_000 : 300));
    case 5: {
      // text made of CSV's own characters
      const alphabet = ['a', '"', ',', '\n', '\r', '\r\n', ' ', ';', '\t', '""', 'é', '\ufeff'];
      let s = '';
      const n = rng.size(20);
      for (let i = 0; i < n; i++) s += rng.pick(alphabet);
      return s;
    }
    case 6:
      return rng.bool() ? 'True' : 'False';
    case 7:
      return String(rng.int(-(2 ** 31) - 2, 2 ** 31 + 1));
    case 8:
      return `${rng.int(0, 99)}e${rng.int(-330, 330)}`;
    default:
      return rng.pick(['abc', 'x y', 'hello world', 'a"b', 'tab\tin', 'Zürich']);
  }
}

/** A cell as it appears in the file: plain, quoted with "" escapes, or with text after the quote. */
function cell(rng: Rng, sep: string): string {
  const t = cellText(rng);
  const needs = t.includes(sep) || t.includes('"') || t.includes('\n') || t.includes('\r');
  const r = rng.float();
  if (needs ? r < 0.97 : r < 0.2) return `"${t.replace(/"/g, '""')}"`;
  if (r < 0.25) return `"${t.replace(/"/g, '""')}"${rng.pick(['x', '1', ' ', 'é'])}`;
  return t;
}

function structured(rng: Rng, sep: string, cols: number): string {
  const ragged = rng.bool(0.2);
  const rows = cols > 500 ? rng.int(0, 3) : rng.size(200);
  const eol = rng.pick(['\n', '\r\n', '\r', 'mixed']);
  const lineEnd = () => (eol === 'mixed' ? rng.pick(['\n', '\r\n', '\r']) : eol);
  const lines: string[] = [];
  const header: string[] = [];
  for (let j = 0; j < cols; j++) header.push(rng.bool(0.9) ? `c${j}` : cell(rng, sep));
  lines.push(header.join(sep));
  for (let i = 0; i < rows; i++) {
    if (rng.bool(0.03)) {
      lines.push(''); // a blank line
      continue;
    }
    let n = cols;
    if (ragged && rng.bool(0.05)) n = Math.max(1, cols + rng.int(-2, 2));
    const fields: string[] = [];
    for (let j = 0; j < n; j++) fields.push(cell(rng, sep));
    lines.push(fields.join(sep));
  }
  let text = '';
  for (let i = 0; i < lines.length; i++)
    text += lines[i]! + (i < lines.length - 1 || rng.bool(0.8) ? lineEnd() : '');
  return text;
}

/** Bytes over CSV's alphabet (and some others), no structure. */
function soup(rng: Rng, sep: string): Uint8Array {
  const parts = [sep, '"', '\n', '\r', 'a', '1', '.', '-', 'e', ' ', '""', 'NaN', 'True', '\ufeff', 'é'];
  let s = '';
  const n = rng.size(2000);
  for (let i = 0; i < n; i++) s += rng.pick(parts);
  return enc.encode(s);
}

const BAD_UTF8 = [
  [0xff],
  [0xfe],
  [0x80],
  [0xbf],
  [0xc0, 0xaf], // overlong '/'
  [0xc3], // truncated 2-byte
  [0xe2, 0x82], // truncated 3-byte
  [0xe0, 0x80, 0x80], // overlong
  [0xed, 0xa0, 0x80], // a surrogate
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0xf0, 0x9f, 0x98], // truncated 4-byte
  [0xf5],
  [0xef, 0xbb], // half a BOM
];

function insert(bytes: Uint8Array, at: number, add: readonly number[]): Uint8Array {
  const out = new Uint8Array(bytes.length + add.length);
  out.set(bytes.subarray(0, at));
  out.set(add, at);
  out.set(bytes.subarray(at), at + add.length);
  return out;
}

function mutate(rng: Rng, bytes: Uint8Array): { bytes: Uint8Array; what: string[] } {
  const what: string[] = [];
  let b = bytes;
  const n = rng.bool(0.7) ? 0 : rng.int(1, 3);
  for (let k = 0; k < n; k++) {
    const at = rng.int(0, b.length);
    switch (rng.int(0, 4)) {
      case 0: {
        const seq = rng.pick(BAD_UTF8);
        b = insert(b, at, seq);
        what.push(`bad utf-8 at ${at}`);
        break;
      }
      case 1:
        b = insert(b, at, [0xef, 0xbb, 0xbf]);
        what.push(`BOM at ${at}`);
        break;
      case 2:
        if (b.length > 0) {
          b = b.slice();
          b[Math.min(at, b.length - 1)] = rng.u32() & 0xff;
          what.push(`byte set at ${at}`);
        }
        break;
      case 3:
        b = b.slice(0, at);
        what.push(`cut at ${at}`);
        break;
      default:
        b = insert(b, at, [rng.pick([0x22, 0x2c, 0x0a, 0x0d, 0x3b])]);
        what.push(`punctuation at ${at}`);
    }
  }
  if (rng.bool(0.15)) {
    b = insert(b, 0, rng.bool(0.8) ? [0xef, 0xbb, 0xbf] : [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]);
    what.push('leading BOM');
  }
  return { bytes: b, what };
}

function options(rng: Rng, sep: string, cols: number): ReadCsvOptions {
  const opts: ReadCsvOptions = {};
  if (sep !== ',' || rng.bool(0.1)) opts.sep = sep;
  if (rng.bool(0.3)) opts.encodingErrors = rng.bool() ? 'replace' : 'strict';
  if (rng.bool(0.1)) opts.header = rng.pick(['infer', 0, 1, 3, null] as const);
  if (rng.bool(0.05))
    opts.names = Array.from({ length: rng.bool(0.8) ? cols : rng.int(1, 4) }, (_, i) => `n${i}`);
  if (rng.bool(0.1)) opts.usecols = rng.bool() ? [0] : ['c0', 'c1'];
  if (rng.bool(0.1)) opts.nrows = rng.int(0, 10);
  if (rng.bool(0.3)) opts.shortRows = 'fill';
  if (rng.bool(0.1)) opts.skipBlankLines = false;
  if (rng.bool(0.1)) opts.naValues = [rng.pick(['x', '1', '', 'abc', '\ufeff'])];
  if (rng.bool(0.05)) opts.keepDefaultNa = false;
  if (rng.bool(0.05))
    opts.dtype = rng.pick(['float64', 'int32', 'string', 'Int32', 'boolean', 'bool'] as const);
  if (rng.bool(0.03)) opts.dtype = { c0: 'string' };
  return opts;
}

/** Chunk sizes; a large input is not also cut into single bytes (the run must fit 5 s). */
function chunkSizes(rng: Rng, length: number): number[] {
  const min = length > 65_536 ? 256 : 1;
  return Array.from({ length: rng.int(1, 4) }, () =>
    Math.max(min, rng.pick([1, 2, 3, 4, 7, rng.size(64), rng.size(4096), rng.size(1 << 16)])),
  );
}

async function* pieces(bytes: Uint8Array, sizes: number[]): AsyncIterable<Uint8Array> {
  let at = 0;
  let k = 0;
  while (at < bytes.length) {
    const n = sizes[k++ % sizes.length]!;
    yield bytes.slice(at, at + n); // a copy: the reader must not rely on the chunk staying put
    at += n;
  }
}

type Result = { frame: DataFrame } | { error: unknown };

async function attempt(f: () => DataFrame | Promise<DataFrame>): Promise<Result> {
  try {
    return { frame: await f() };
  } catch (error) {
    return { error };
  }
}

/** An error's message without the function name, and where it points (CsvError). */
function errorKey(e: unknown): string {
  if (!(e instanceof LumenError)) return `generic ${String(e)}`;
  const at = e as LumenError & { line?: number; column?: number };
  return `${e.name} ${at.line ?? ''}:${at.column ?? ''} ${e.message.replace(/^(parseCsv|readCsv): /, '')}`;
}

/** Where two frames differ, or null. */
function frameDiff(a: DataFrame, b: DataFrame): string | null {
  const ca = a.columns;
  const cb = b.columns;
  if (JSON.stringify(ca) !== JSON.stringify(cb))
    return `columns ${JSON.stringify(ca).slice(0, 200)} vs ${JSON.stringify(cb).slice(0, 200)}`;
  if (a.shape[0] !== b.shape[0]) return `rows ${a.shape[0]} vs ${b.shape[0]}`;
  if (ca.length > 5000) {
    // df.col(name) looks the name up in a list: on the widest frames (empty fields, a row or
    // two) compare the JSON cells (NaN and infinities are null there) and the dtypes
    const da = JSON.stringify(Object.entries(a.dtypes));
    const db = JSON.stringify(Object.entries(b.dtypes));
    if (da !== db) return 'dtypes differ';
    const ja = JSON.stringify(a.toJSON({ orient: 'split' }));
    return ja === JSON.stringify(b.toJSON({ orient: 'split' })) ? null : 'cells differ';
  }
  for (const name of ca) {
    const sa = a.col(name);
    const sb = b.col(name);
    if (sa.dtype !== sb.dtype) return `dtype of ${JSON.stringify(name)}: ${sa.dtype} vs ${sb.dtype}`;
    const va = sa.toArray();
    const vb = sb.toArray();
    for (let i = 0; i < va.length; i++) {
      if (!Object.is(va[i], vb[i]))
        return `${JSON.stringify(name)}[${i}]: ${JSON.stringify(va[i])} vs ${JSON.stringify(vb[i])}`;
    }
  }
  return null;
}

function compare(label: string, whole: Result, other: Result): void {
  if ('frame' in whole && 'frame' in other) {
    const d = frameDiff(whole.frame, other.frame);
    if (d !== null) throw new Error(`whole and ${label} parses differ: ${d}`);
    return;
  }
  if ('error' in whole && 'error' in other) {
    const ka = errorKey(whole.error);
    const kb = errorKey(other.error);
    if (ka !== kb) throw new Error(`whole and ${label} parses fail differently:\n  ${ka}\n  ${kb}`);
    return;
  }
  const what = (r: Result) => ('frame' in r ? `a frame of shape ${r.frame.shape}` : errorKey(r.error));
  throw new Error(`whole and ${label} parses disagree: ${what(whole)} vs ${what(other)}`);
}

const target: FuzzTarget<Input> = {
  name: 'csv',
  description: 'parseCsv whole vs readCsv in random chunks: same frame or same library error',
  generate(rng) {
    const sep = rng.pick([',', ',', ',', ';', '\t', '|']);
    const roll = rng.float();
    const cols = rng.bool(0.05) ? rng.size(5000) + 1 : rng.int(1, 8);
    let kind: string;
    let bytes: Uint8Array;
    if (roll < 0.7) {
      kind = 'structured';
      bytes = enc.encode(structured(rng, sep, cols));
    } else if (roll < 0.82) {
      kind = 'soup';
      bytes = soup(rng, sep);
    } else if (roll < 0.9) {
      kind = 'random bytes';
      bytes = rng.bytes(rng.size(3000));
    } else if (roll < 0.95) {
      kind = 'long line';
      const n = rng.size(20_000); // wide headers cost ~10 µs a column (names, builders): 3 parses fit the 5 s limit on a busy machine
      bytes = enc.encode(rng.bool() ? `${sep.repeat(n)}\n` : `a\n${'"x""'.repeat(n >> 2)}"\n`);
    } else {
      kind = 'empty-ish';
      bytes = enc.encode(rng.pick(['', '\n', '\r\n', '\ufeff', 'a', '"', '""', '\ufeff\n', ',\n,']));
    }
    const m = mutate(rng, bytes);
    if (m.what.length > 0) kind += ` + ${m.what.join(', ')}`;
    return { kind, bytes: m.bytes, opts: options(rng, sep, cols), chunks: chunkSizes(rng, m.bytes.length) };
  },
  async run(input) {
    const whole = await attempt(() => parseCsv(input.bytes, input.opts));
    if ('error' in whole && !(whole.error instanceof LumenError)) throw whole.error;
    compare(
      `chunked (${input.chunks.join(', ')})`,
      whole,
      await attempt(() => readCsv(pieces(input.bytes, input.chunks), input.opts)),
    );
    compare('sized', whole, await attempt(() => readCsv(input.bytes, input.opts)));
    if ('error' in whole) throw whole.error;
    return whole.frame.shape;
  },
  show(input) {
    const head = new TextDecoder().decode(input.bytes.subarray(0, 80));
    return `${input.kind}; ${input.bytes.length} bytes ${JSON.stringify(head)}; options ${JSON.stringify(input.opts)}; chunks ${input.chunks.join(',')}`;
  },
};
export default target;
