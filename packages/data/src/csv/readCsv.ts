import { describe, fail } from '../errors.js';
import type { DataFrame } from '../frame/dataFrame.js';
import { checkOptions } from '../options.js';
import { CsvError, FrameSink } from './frameSink.js';
import { READ_CSV_OPTION_KEYS, type ReadCsvOptions } from './options.js';
import { type CsvSource, looksLikeText, openSource } from './sources.js';
import { CsvSyntaxError, Tokenizer } from './tokenizer.js';

function separator(op: string, sep: string | undefined): number {
  const s = sep ?? ',';
  if (
    typeof s !== 'string' ||
    s.length !== 1 ||
    s.charCodeAt(0) > 127 ||
    s === '"' ||
    s === '\n' ||
    s === '\r'
  ) {
    fail(op, `sep must be one ASCII character other than a quote or line break, got ${JSON.stringify(s)}`);
  }
  return s.charCodeAt(0);
}

function start(op: string, opts: ReadCsvOptions): { tokenizer: Tokenizer; sink: FrameSink } {
  checkOptions(op, opts, READ_CSV_OPTION_KEYS);
  const enc = opts.encodingErrors ?? 'strict';
  if (enc !== 'strict' && enc !== 'replace')
    fail(op, `encodingErrors must be 'strict' or 'replace', got ${describe(enc)}`);
  const sink = new FrameSink(op, opts);
  const tokenizer = new Tokenizer(
    separator(op, opts.sep),
    sink,
    opts.skipBlankLines ?? true,
    enc === 'strict',
  );
  sink.tokenizer = tokenizer;
  return { tokenizer, sink };
}

function rethrow(op: string, e: unknown): never {
  if (e instanceof CsvSyntaxError) {
    throw new CsvError(`${op}: line ${e.line}, column ${e.column}: ${e.reason}`, e.line, e.column);
  }
  throw e;
}

/**
 * pandas' read_csv on text or bytes already in memory, synchronously. Dtypes are inferred per
 * column as pandas does (int32 for integers without missing values, float64 for numbers,
 * bool for True/False, string otherwise).
 */
export function parseCsv(text: string | Uint8Array, opts: ReadCsvOptions = {}): DataFrame {
  return parseText('parseCsv', text, opts);
}

function parseText(op: string, text: string | Uint8Array, opts: ReadCsvOptions): DataFrame {
  if (typeof text !== 'string' && !(text instanceof Uint8Array))
    fail(op, `text must be a string or a Uint8Array, got ${typeof text}`);
  const { tokenizer, sink } = start(op, opts);
  try {
    tokenizer.push(typeof text === 'string' ? new TextEncoder().encode(text) : text);
    tokenizer.finish();
  } catch (e) {
    rethrow(op, e);
  }
  return sink.finish();
}

/**
 * pandas' read_csv. `source` is CSV text (a string with a line break), a file path (Node), an
 * http(s) or file URL, a File/Blob, a ReadableStream, bytes, or an async iterable of chunks.
 * Streams: memory stays near the size of the resulting columns.
 */
export async function readCsv(source: CsvSource, opts: ReadCsvOptions = {}): Promise<DataFrame> {
  const op = 'readCsv';
  if (typeof source === 'string' && looksLikeText(source)) {
    return parseText(op, source, opts);
  }
  const { tokenizer, sink } = start(op, opts);
  const { size, chunks } = await openSource(op, source);
  try {
    for await (const chunk of chunks) {
      tokenizer.push(chunk);
      sink.reserveFor(size);
      if (tokenizer.done) break;
    }
    tokenizer.finish();
  } catch (e) {
    rethrow(op, e);
  }
  return sink.finish();
}
