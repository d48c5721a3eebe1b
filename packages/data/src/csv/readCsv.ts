import { describe, fail } from '../errors.js';
import type { DataFrame } from '../frame/dataFrame.js';
import { checkOptions } from '../options.js';
import { CsvError, FrameSink } from './frameSink.js';
import { READ_CSV_OPTION_KEYS, type ReadCsvChunkOptions, type ReadCsvOptions } from './options.js';
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

function start(op: string, opts: ReadCsvOptions, chunked = false): { tokenizer: Tokenizer; sink: FrameSink } {
  checkOptions(
    op,
    opts,
    chunked ? [...READ_CSV_OPTION_KEYS, 'chunkSize', 'reuseMemory'] : READ_CSV_OPTION_KEYS,
  );
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
 * http(s) or file URL, a File/Blob, a ReadableStream, a fetch Response, bytes, or an async
 * iterable of chunks. Streams: memory stays near the size of the resulting columns.
 *
 * With `chunkSize`, an async iterator of frames of at most that many rows (pandas' chunksize),
 * read as the source streams in, so memory stays near one chunk whatever the file's size. Rows
 * keep their labels across chunks (the second chunk of 1000 starts at 1000), and every chunk has
 * the dtypes the first one was given (pandas infers each chunk anew): a later value that dtype
 * cannot hold is a CsvError that names it and says which `dtype` to pass. Options are checked
 * when readCsv is called; the source is opened at the first `next()`, and closed when the loop
 * ends or breaks.
 */
export function readCsv(source: CsvSource, opts: ReadCsvChunkOptions): AsyncIterableIterator<DataFrame>;
export function readCsv(source: CsvSource, opts?: ReadCsvOptions): Promise<DataFrame>;
export function readCsv(
  source: CsvSource,
  opts: ReadCsvOptions = {},
): Promise<DataFrame> | AsyncIterableIterator<DataFrame> {
  const op = 'readCsv';
  if (opts !== null && typeof opts === 'object' && 'chunkSize' in opts && opts.chunkSize !== undefined) {
    return readChunks(op, source, start(op, opts, true));
  }
  return readWhole(op, source, opts);
}

async function readWhole(op: string, source: CsvSource, opts: ReadCsvOptions): Promise<DataFrame> {
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

async function* readChunks(
  op: string,
  source: CsvSource,
  { tokenizer, sink }: { tokenizer: Tokenizer; sink: FrameSink },
): AsyncGenerator<DataFrame, void, undefined> {
  const { size, chunks } =
    typeof source === 'string' && looksLikeText(source)
      ? { size: undefined, chunks: textChunks(source) }
      : await openSource(op, source);
  const it = chunks[Symbol.asyncIterator]();
  // The tokenizer pauses at the end of every chunk, so a chunk is handed out before the next one
  // is read (one chunk in memory, however many a read of the source holds). Chunks completed
  // before an error are handed out first, then the error (as pandas yields the good chunks and
  // raises at the bad one).
  let failure: unknown = null;
  const attempt = (f: () => void): void => {
    try {
      f();
    } catch (e) {
      failure = e;
    }
  };
  try {
    for (;;) {
      const next = await it.next();
      if (next.done) attempt(() => tokenizer.finish());
      else
        attempt(() => {
          tokenizer.push(next.value);
          sink.reserveFor(size);
        });
      for (;;) {
        while (sink.ready.length > 0) yield sink.ready.shift()!;
        if (failure !== null) rethrow(op, failure);
        if (!tokenizer.paused) break;
        attempt(() => tokenizer.resume());
      }
      if (next.done || tokenizer.done) {
        attempt(() => sink.finishChunks());
        while (sink.ready.length > 0) yield sink.ready.shift()!;
        if (failure !== null) rethrow(op, failure);
        return;
      }
    }
  } finally {
    await it.return?.(); // closes a file handle or cancels a stream when the loop breaks early
  }
}

/** CSV text in pieces of 4 MiB, so a big string is not encoded whole. */
async function* textChunks(text: string): AsyncIterable<Uint8Array> {
  const enc = new TextEncoder();
  let at = 0;
  while (at < text.length) {
    let end = Math.min(text.length, at + (4 << 20));
    const c = text.charCodeAt(end - 1);
    if (end < text.length && c >= 0xd800 && c <= 0xdbff) end++; // never split a surrogate pair
    yield enc.encode(text.slice(at, end));
    at = end;
  }
}
