import { isNode, nodeBuiltin } from '../env.js';
import { describe, fail } from '../errors.js';

/** Where CSV bytes can come from. */
export type CsvSource =
  | string
  | URL
  | Uint8Array
  | ArrayBuffer
  | Blob
  | Response
  | ReadableStream<Uint8Array | string>
  | AsyncIterable<Uint8Array | string>;

export interface ByteSource {
  /** Total bytes when known (file size, Blob size, Content-Length), for sizing the columns once. */
  size: number | undefined;
  chunks: AsyncIterable<Uint8Array>;
}

/**
 * Bytes per read of a file. 1 MiB reads as fast as 4 (the 150 MB fraud CSV whole: 2.43 s either
 * way), and the read buffer and the tokenizer's copy of it are ~2 MiB instead of 12: a fifth of a
 * 100,000 × 31 chunk less.
 */
const CHUNK = 1 << 20;

interface NodeFsPromises {
  open(
    path: string,
    flags: string,
  ): Promise<{
    stat(): Promise<{ size: number }>;
    read(
      buf: Uint8Array,
      offset: number,
      length: number,
      position: number | null,
    ): Promise<{ bytesRead: number }>;
    close(): Promise<void>;
  }>;
}

/** A string that is CSV text rather than a path or URL: it has a line break. */
export function looksLikeText(s: string): boolean {
  return s.includes('\n') || s.includes('\r');
}

/** Opens any supported source as a stream of byte chunks. */
export async function openSource(op: string, source: CsvSource): Promise<ByteSource> {
  if (typeof source === 'string') {
    if (/^https?:\/\//i.test(source)) return fetchSource(op, source);
    if (/^file:/i.test(source)) return fileSource(op, decodeURIComponent(new URL(source).pathname));
    if (!isNode) {
      fail(
        op,
        `${describe(source)} is neither CSV text (it has no line break) nor an http(s) URL; in the browser pass the text, a File, a URL or a ReadableStream`,
      );
    }
    return fileSource(op, source);
  }
  if (source instanceof URL) {
    if (source.protocol === 'file:') return fileSource(op, decodeURIComponent(source.pathname));
    return fetchSource(op, source.href);
  }
  if (source instanceof Uint8Array) return { size: source.length, chunks: once(source) };
  if (source instanceof ArrayBuffer) return { size: source.byteLength, chunks: once(new Uint8Array(source)) };
  if (typeof Blob !== 'undefined' && source instanceof Blob)
    return { size: source.size, chunks: streamChunks(source.stream()) };
  if (typeof Response !== 'undefined' && source instanceof Response)
    return responseSource(op, source, 'the Response');
  if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream)
    return { size: undefined, chunks: streamChunks(source) };
  if (source !== null && typeof source === 'object' && Symbol.asyncIterator in source) {
    return { size: undefined, chunks: iterChunks(source as AsyncIterable<Uint8Array | string>) };
  }
  return fail(
    op,
    `source must be CSV text, a path, a URL, a File/Blob, a fetch Response, a ReadableStream, bytes or an async iterable of chunks; got ${describe(source)}`,
  );
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

const encoder = new TextEncoder();

async function* streamChunks(stream: ReadableStream<Uint8Array | string>): AsyncIterable<Uint8Array> {
  const reader = stream.getReader();
  let ended = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        ended = true;
        return;
      }
      yield typeof value === 'string' ? encoder.encode(value) : value;
    }
  } finally {
    // a reader that stops early (nrows, a break out of readCsv's chunks) cancels the stream, so a
    // fetch stops downloading
    if (!ended) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

async function* iterChunks(it: AsyncIterable<Uint8Array | string>): AsyncIterable<Uint8Array> {
  for await (const v of it) yield typeof v === 'string' ? encoder.encode(v) : v;
}

async function fetchSource(op: string, url: string): Promise<ByteSource> {
  return responseSource(op, await fetch(url), `fetching ${url}`);
}

/** A fetch Response's body as it arrives (never buffered whole). */
function responseSource(op: string, res: Response, what: string): ByteSource {
  if (!res.ok) fail(op, `${what} failed: HTTP ${res.status} ${res.statusText}`);
  if (res.body === null) fail(op, `${what} has no body`);
  if (res.bodyUsed) fail(op, `${what}: its body was already read (a Response body can be read once)`);
  const len = Number(res.headers.get('content-length'));
  const encoded = res.headers.get('content-encoding');
  return {
    size: Number.isFinite(len) && len > 0 && !encoded ? len : undefined,
    chunks: streamChunks(res.body),
  };
}

async function fileSource(op: string, path: string): Promise<ByteSource> {
  const fs = nodeBuiltin<NodeFsPromises>('node:fs/promises');
  if (!fs) fail(op, `cannot read the file ${JSON.stringify(path)}: no file system here`);
  let fh: Awaited<ReturnType<NodeFsPromises['open']>>;
  try {
    fh = await fs.open(path, 'r');
  } catch (e) {
    return fail(op, `cannot open ${JSON.stringify(path)}: ${(e as Error).message}`);
  }
  const { size } = await fh.stat();
  async function* chunks(): AsyncIterable<Uint8Array> {
    const buf = new Uint8Array(CHUNK);
    try {
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
        if (bytesRead === 0) return;
        yield buf.subarray(0, bytesRead);
      }
    } finally {
      await fh.close();
    }
  }
  return { size, chunks: chunks() };
}
