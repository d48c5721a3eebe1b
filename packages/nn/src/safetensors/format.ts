import {
  checkOptions,
  type Device,
  type DType,
  DtypeError,
  FileFormatError,
  preview,
  type Tensor,
  tensor,
} from '@lumen/tensor';
import { fail } from '../errors.js';

/**
 * The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON `{ name: { dtype, shape, data_offsets: [begin, end] },
 * "__metadata__": { key: string } }`, then the raw little-endian data; offsets are relative to the
 * data section. Readers (ours included) reject holes, overlaps and out-of-range offsets.
 */

export type StateDict = Record<string, Tensor>;

/** One tensor's entry in a header, as `readSafetensorsHeader` returns it (no data read). */
export interface SafetensorsTensorInfo {
  dtype: string;
  shape: number[];
  /** [begin, end) in the data section. */
  dataOffsets: [number, number];
}

const MAX_HEADER_BYTES = 100_000_000;

/** A tensor name for messages (quoted, long ones cut). */
const nameOf = (name: string) => preview(name);

/** Bytes per element of each safetensors dtype. */
const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
};

const WRITE_DTYPE: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function checkHost(op: string): void {
  if (!LITTLE_ENDIAN) fail(op, 'safetensors data is little-endian and this platform is big-endian');
}

/** The file's bytes for a state dict (tensors are read from their device first). */
export async function serializeSafetensors(
  stateDict: StateDict,
  options: { metadata?: Record<string, string> } = {},
): Promise<Uint8Array> {
  const op = 'saveSafetensors';
  checkHost(op);
  checkOptions(op, options, ['metadata']);
  if (typeof stateDict !== 'object' || stateDict === null)
    fail(op, `stateDict must be an object of tensors, got ${stateDict === null ? 'null' : typeof stateDict}`);
  // Null prototypes: a tensor or metadata key named "__proto__" is an ordinary key here.
  const header: Record<string, unknown> = Object.create(null);
  if (options.metadata !== undefined) {
    if (typeof options.metadata !== 'object' || options.metadata === null)
      fail(op, `metadata must be an object of strings, got ${preview(options.metadata)}`);
    const metadata: Record<string, string> = Object.create(null);
    for (const [k, v] of Object.entries(options.metadata)) {
      if (typeof v !== 'string')
        fail(op, `metadata values must be strings, got ${typeof v} for ${nameOf(k)}`);
      metadata[k] = v;
    }
    header.__metadata__ = metadata;
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(stateDict)) {
    if (name === '__metadata__') fail(op, "'__metadata__' is reserved and cannot be a tensor name");
    if (typeof t !== 'object' || t === null || !('shape' in t))
      fail(op, `stateDict[${nameOf(name)}] must be a Tensor, got ${typeof t}`);
    const data = await t.data();
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    header[name] = {
      dtype: WRITE_DTYPE[t.dtype],
      shape: [...t.shape],
      data_offsets: [offset, offset + bytes.byteLength],
    };
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
  const encoder = new TextEncoder();
  let headerBytes = encoder.encode(json);
  const pad = (8 - (headerBytes.byteLength % 8)) % 8;
  if (pad > 0) {
    json += ' '.repeat(pad);
    headerBytes = encoder.encode(json);
  }
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.byteLength;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

function parseHeader(
  op: string,
  bytes: Uint8Array,
): { entries: Entry[]; metadata: Record<string, string>; dataStart: number } {
  if (!(bytes instanceof Uint8Array))
    fail(op, `expected the file's bytes as a Uint8Array, got ${typeof bytes}`);
  if (bytes.byteLength < 8)
    fail(
      op,
      `the file is ${bytes.byteLength} bytes, too short to hold the 8-byte header length`,
      FileFormatError,
    );
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(bytes.byteLength - 8))
    fail(
      op,
      `the header length ${n} (bytes 0-7) runs past the end of the ${bytes.byteLength}-byte file`,
      FileFormatError,
    );
  if (n > BigInt(MAX_HEADER_BYTES))
    fail(op, `the header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`, FileFormatError);
  const headerLength = Number(n);
  let text: string;
  try {
    // ignoreBOM keeps a leading U+FEFF in the text, so the '{' check below refuses it as the
    // reference reader does (InvalidHeaderStart: a header is JSON starting with '{').
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(
      bytes.subarray(8, 8 + headerLength),
    );
  } catch {
    fail(op, `the header (bytes 8-${8 + headerLength}) is not valid UTF-8`, FileFormatError);
  }
  if (!text.startsWith('{'))
    fail(
      op,
      `the header (at byte 8) must be a JSON object starting with '{', got ${text.startsWith('\uFEFF') ? 'a UTF-8 byte order mark (EF BB BF)' : JSON.stringify(text.slice(0, 20))}`,
      FileFormatError,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    fail(
      op,
      `the header (bytes 8-${8 + headerLength}) is not valid JSON: ${(e as Error).message}`,
      FileFormatError,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    fail(op, 'the header must be a JSON object', FileFormatError);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.byteLength - dataStart;
  const metadata: Record<string, string> = Object.create(null);
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === '__metadata__') {
      // null is "no metadata", as the reference reader's Option<HashMap<String, String>> reads it.
      if (raw === null) continue;
      if (typeof raw !== 'object' || Array.isArray(raw))
        fail(
          op,
          `__metadata__ must be an object of string values or null, got ${preview(raw)}`,
          FileFormatError,
        );
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v !== 'string')
          fail(
            op,
            `__metadata__ must be an object of string values, got ${preview(v)} for ${nameOf(k)}`,
            FileFormatError,
          );
        metadata[k] = v;
      }
      continue;
    }
    const where = `tensor ${nameOf(name)}`;
    if (typeof raw !== 'object' || raw === null)
      fail(op, `${where}: expected { dtype, shape, data_offsets }, got ${preview(raw)}`, FileFormatError);
    const {
      dtype,
      shape,
      data_offsets: offsets,
    } = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES))
      fail(op, `${where}: unknown dtype ${preview(dtype)}`, FileFormatError);
    if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
      fail(
        op,
        `${where}: shape must be an array of non-negative integers, got ${preview(shape)}`,
        FileFormatError,
      );
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      offsets.some((o) => !Number.isSafeInteger(o) || o < 0)
    ) {
      fail(
        op,
        `${where}: data_offsets must be [begin, end] non-negative integers, got ${preview(offsets)}`,
        FileFormatError,
      );
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > dataLength) {
      fail(
        op,
        `${where}: data_offsets [${begin}, ${end}] are out of range for a data section of ${dataLength} bytes (file offsets ${dataStart + begin}-${dataStart + end})`,
        FileFormatError,
      );
    }
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const expected = count * DTYPE_BYTES[dtype]!;
    if (!Number.isSafeInteger(expected) || expected !== end - begin) {
      fail(
        op,
        `${where}: ${dtype} of shape [${(shape as number[]).join(', ')}] needs ${expected} bytes but data_offsets span ${end - begin}`,
        FileFormatError,
      );
    }
    entries.push({ name, dtype, shape: shape as number[], begin, end });
  }
  // The data must be covered exactly once: no overlaps (aliasing) and no holes (hidden payloads).
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of sorted) {
    if (e.begin < cursor)
      fail(
        op,
        `tensor ${nameOf(e.name)} overlaps the previous tensor (data_offsets [${e.begin}, ${e.end}] start before byte ${cursor})`,
        FileFormatError,
      );
    if (e.begin > cursor)
      fail(
        op,
        `the data section has a hole: bytes ${cursor}-${e.begin} belong to no tensor (before ${nameOf(e.name)})`,
        FileFormatError,
      );
    cursor = e.end;
  }
  if (cursor !== dataLength)
    fail(
      op,
      `the data section has ${dataLength - cursor} trailing bytes that belong to no tensor (from file offset ${dataStart + cursor})`,
      FileFormatError,
    );
  return { entries, metadata, dataStart };
}

function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? Number.NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Decodes one entry's bytes into a tensor of a Lumen dtype. */
function decode(op: string, e: Entry, raw: Uint8Array, device: Device | undefined): Tensor {
  // Copy into an aligned buffer: offsets need not be multiples of the element size.
  const buf = raw.slice().buffer;
  const opts = { shape: e.shape, device };
  const toInt32 = (values: ArrayLike<number | bigint>) => {
    const out = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = Number(values[i]!);
      if (v < -2147483648 || v > 2147483647)
        fail(
          op,
          `tensor ${nameOf(e.name)} (${e.dtype}): value ${values[i]} at position ${i} does not fit int32, Lumen's integer type`,
          FileFormatError,
        );
      out[i] = v;
    }
    return out;
  };
  switch (e.dtype) {
    case 'F32':
      return tensor(new Float32Array(buf), opts);
    case 'F64':
      return tensor(new Float64Array(buf), opts);
    case 'I32':
      return tensor(new Int32Array(buf), opts);
    case 'BOOL': {
      const b = new Uint8Array(buf);
      for (let i = 0; i < b.length; i++)
        if (b[i]! > 1)
          fail(
            op,
            `tensor ${nameOf(e.name)} (BOOL): byte ${b[i]} at position ${i} is not 0 or 1`,
            FileFormatError,
          );
      return tensor(b, { ...opts, dtype: 'bool' });
    }
    case 'F16': {
      const h = new Uint16Array(buf);
      const f = new Float32Array(h.length);
      for (let i = 0; i < h.length; i++) f[i] = f16ToF32(h[i]!);
      return tensor(f, opts);
    }
    case 'BF16': {
      const h = new Uint16Array(buf);
      const bits = new Uint32Array(h.length);
      for (let i = 0; i < h.length; i++) bits[i] = h[i]! << 16;
      return tensor(new Float32Array(bits.buffer), opts);
    }
    case 'I64':
      return tensor(toInt32(new BigInt64Array(buf)), opts);
    case 'U64':
      return tensor(toInt32(new BigUint64Array(buf)), opts);
    case 'U32':
      return tensor(toInt32(new Uint32Array(buf)), opts);
    case 'I16':
      return tensor(toInt32(new Int16Array(buf)), opts);
    case 'U16':
      return tensor(toInt32(new Uint16Array(buf)), opts);
    case 'I8':
      return tensor(toInt32(new Int8Array(buf)), opts);
    case 'U8':
      return tensor(toInt32(new Uint8Array(buf)), opts);
    default:
      fail(
        op,
        `tensor ${nameOf(e.name)}: dtype ${e.dtype} is valid safetensors but Lumen cannot load it`,
        DtypeError,
      );
  }
}

/**
 * Reads and validates only the header: each tensor's dtype, shape and offsets, and the metadata,
 * without decoding any data (what a loader checks a config against before allocating). The
 * returned objects have null prototypes, so any tensor name is an ordinary key.
 */
export function readSafetensorsHeader(bytes: Uint8Array): {
  tensors: Record<string, SafetensorsTensorInfo>;
  metadata: Record<string, string>;
} {
  const { entries, metadata } = parseHeader('readSafetensorsHeader', bytes);
  const tensors: Record<string, SafetensorsTensorInfo> = Object.create(null);
  for (const e of entries)
    tensors[e.name] = { dtype: e.dtype, shape: [...e.shape], dataOffsets: [e.begin, e.end] };
  return { tensors, metadata };
}

/**
 * Parses safetensors bytes, validating the whole header before reading any data. Float16/bfloat16
 * load as float32, integer types as int32 (with a range check). The state dict and metadata have
 * null prototypes: a tensor named "__proto__" or "constructor" is an ordinary entry.
 */
export function parseSafetensors(
  bytes: Uint8Array,
  options: { device?: Device } = {},
): { tensors: StateDict; metadata: Record<string, string> } {
  const op = 'loadSafetensors';
  checkHost(op);
  checkOptions(op, options, ['device']);
  const { entries, metadata, dataStart } = parseHeader(op, bytes);
  const tensors: StateDict = Object.create(null);
  for (const e of entries)
    tensors[e.name] = decode(op, e, bytes.subarray(dataStart + e.begin, dataStart + e.end), options.device);
  return { tensors, metadata };
}
