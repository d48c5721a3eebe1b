import { isNode, nodeBuiltin } from '../env.js';
import { describe, fail } from '../errors.js';

/** Where binary files (Arrow IPC, Parquet) can come from. */
export type BinarySource = string | URL | Uint8Array | ArrayBuffer | Blob | Response;

/**
 * Random access to a file's bytes: what Parquet readers need to fetch only the footer and the
 * column chunks asked for. `bytesRead` counts what was actually read (files: through the file
 * handle; URLs: HTTP range requests), so tests and benchmarks can check projection.
 */
export interface RandomAccessFile {
  readonly byteLength: number;
  slice(start: number, end?: number): Promise<ArrayBuffer>;
  /**
   * Reads `into.length` bytes from `start` into a buffer the caller reuses (no new buffer per
   * read); sources without it are read through slice.
   */
  readInto?(start: number, into: Uint8Array): Promise<void>;
  close(): Promise<void>;
  bytesRead: number;
  readonly name: string;
}

interface NodeFileHandle {
  stat(): Promise<{ size: number }>;
  read(
    buf: Uint8Array,
    offset: number,
    length: number,
    position: number | null,
  ): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

interface NodeFsPromises {
  open(path: string, flags: string): Promise<NodeFileHandle>;
}

function filePath(source: string | URL): string | null {
  if (source instanceof URL) return source.protocol === 'file:' ? decodeURIComponent(source.pathname) : null;
  if (/^file:/i.test(source)) return decodeURIComponent(new URL(source).pathname);
  if (/^https?:\/\//i.test(source)) return null;
  return source;
}

/** Opens a source for random access: a Node file handle, HTTP range requests, or bytes in memory. */
export async function openRandomAccess(op: string, source: BinarySource): Promise<RandomAccessFile> {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    const bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
    return memoryFile(bytes, 'bytes');
  }
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    const f: RandomAccessFile = {
      byteLength: source.size,
      name: 'Blob',
      bytesRead: 0,
      async slice(start, end = source.size) {
        const b = await source.slice(start, end).arrayBuffer();
        f.bytesRead += b.byteLength;
        return b;
      },
      async close() {},
    };
    return f;
  }
  if (typeof Response !== 'undefined' && source instanceof Response) {
    if (!source.ok) fail(op, `the Response failed: HTTP ${source.status} ${source.statusText}`);
    return memoryFile(new Uint8Array(await source.arrayBuffer()), 'Response');
  }
  if (typeof source === 'string' || source instanceof URL) {
    const path = filePath(source);
    if (path === null) return urlFile(op, String(source));
    return nodeFile(op, path);
  }
  return fail(
    op,
    `source must be a path, a URL, bytes (Uint8Array/ArrayBuffer), a Blob or a fetch Response; got ${describe(source)}`,
  );
}

function memoryFile(bytes: Uint8Array, name: string): RandomAccessFile {
  const f: RandomAccessFile = {
    byteLength: bytes.length,
    name,
    bytesRead: 0,
    async slice(start, end = bytes.length) {
      f.bytesRead += end - start;
      return bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + end) as ArrayBuffer;
    },
    async readInto(start, into) {
      if (start < 0 || start + into.length > bytes.length)
        throw new RangeError(`bytes ${start} to ${start + into.length} are outside ${bytes.length}`);
      into.set(bytes.subarray(start, start + into.length));
      f.bytesRead += into.length;
    },
    async close() {},
  };
  return f;
}

async function nodeFile(op: string, path: string): Promise<RandomAccessFile> {
  if (!isNode)
    fail(op, `cannot open the file ${JSON.stringify(path)} outside Node; pass a URL, a File or bytes`);
  const fs = nodeBuiltin<NodeFsPromises>('node:fs/promises')!;
  let fh: NodeFileHandle;
  try {
    fh = await fs.open(path, 'r');
  } catch (e) {
    return fail(op, `cannot open ${JSON.stringify(path)}: ${(e as Error).message}`);
  }
  const { size } = await fh.stat();
  const f: RandomAccessFile = {
    byteLength: size,
    name: path,
    bytesRead: 0,
    async slice(start, end = size) {
      const len = Math.max(0, Math.min(end, size) - start);
      const buf = new Uint8Array(len);
      let at = 0;
      while (at < len) {
        const { bytesRead } = await fh.read(buf, at, len - at, start + at);
        if (bytesRead === 0) break;
        at += bytesRead;
      }
      f.bytesRead += at;
      return buf.buffer;
    },
    async readInto(start, into) {
      let at = 0;
      while (at < into.length) {
        const { bytesRead } = await fh.read(into, at, into.length - at, start + at);
        if (bytesRead === 0) throw new RangeError(`the file ended at byte ${start + at} of ${size}`);
        at += bytesRead;
      }
      f.bytesRead += at;
    },
    close: () => fh.close(),
  };
  return f;
}

async function urlFile(op: string, url: string): Promise<RandomAccessFile> {
  const head = await fetch(url, { method: 'HEAD' });
  const size = Number(head.headers.get('content-length'));
  const ranges = head.headers.get('accept-ranges') === 'bytes';
  if (!head.ok || !Number.isFinite(size) || !ranges) {
    // no range requests: read it whole
    const res = await fetch(url);
    if (!res.ok) fail(op, `fetching ${url} failed: HTTP ${res.status} ${res.statusText}`);
    return memoryFile(new Uint8Array(await res.arrayBuffer()), url);
  }
  const f: RandomAccessFile = {
    byteLength: size,
    name: url,
    bytesRead: 0,
    async slice(start, end = size) {
      const res = await fetch(url, { headers: { range: `bytes=${start}-${end - 1}` } });
      if (!res.ok) fail(op, `fetching bytes ${start}-${end - 1} of ${url} failed: HTTP ${res.status}`);
      const b = await res.arrayBuffer();
      f.bytesRead += b.byteLength;
      return b;
    },
    async close() {},
  };
  return f;
}

/** The whole of a source, as bytes. */
export async function readAllBytes(op: string, source: BinarySource): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  const f = await openRandomAccess(op, source);
  try {
    return new Uint8Array(await f.slice(0, f.byteLength));
  } finally {
    await f.close();
  }
}

interface NodeFs {
  openSync(path: string, flags: string): number;
  writeSync(fd: number, b: Uint8Array): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  rmSync(path: string, opts: { force: boolean }): void;
}

/**
 * A file written atomically: bytes go to a temporary file next to `path`, which is flushed and
 * renamed over `path` by `commit()`; `abort()` (or any error before commit) leaves `path` as it was.
 */
export class AtomicFile {
  private readonly fs: NodeFs;
  private readonly fd: number = -1;
  private readonly tmp: string;
  private done = false;
  bytesWritten = 0;

  constructor(
    op: string,
    readonly path: string,
  ) {
    const fs = nodeBuiltin<NodeFs>('node:fs');
    if (!fs) fail(op, 'writing files needs Node; in the browser ask for the bytes instead of a path');
    if (typeof path !== 'string' || path === '')
      fail(op, `path must be a non-empty string, got ${describe(path)}`);
    this.fs = fs;
    this.tmp = `${path}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      this.fd = fs.openSync(this.tmp, 'wx');
    } catch (e) {
      fail(op, `cannot write next to ${JSON.stringify(path)}: ${(e as Error).message}`);
    }
  }

  write(bytes: Uint8Array): void {
    let at = 0;
    while (at < bytes.length) at += this.fs.writeSync(this.fd, at === 0 ? bytes : bytes.subarray(at));
    this.bytesWritten += bytes.length;
  }

  commit(): void {
    if (this.done) return;
    this.done = true;
    try {
      this.fs.fsyncSync(this.fd);
      this.fs.closeSync(this.fd);
      this.fs.renameSync(this.tmp, this.path);
    } catch (e) {
      this.fs.rmSync(this.tmp, { force: true });
      throw e;
    }
  }

  abort(): void {
    if (this.done) return;
    this.done = true;
    try {
      this.fs.closeSync(this.fd);
    } finally {
      this.fs.rmSync(this.tmp, { force: true });
    }
  }
}

/** Writes bytes to `path` atomically. */
export function writeFileAtomic(op: string, path: string, bytes: Uint8Array): void {
  const f = new AtomicFile(op, path);
  try {
    f.write(bytes);
    f.commit();
  } catch (e) {
    f.abort();
    throw e;
  }
}
