import { parseSafetensors, readSafetensorsHeader } from '@lumen/nn';
import type { Rng } from '../rng.ts';
import type { FuzzTarget } from '../target.ts';

/**
 * Mutated safetensors files read through the public reader. Each input starts as a valid file
 * built from random tensors (random dtypes, shapes, names such as "__proto__", metadata present,
 * absent or null), then gets one to three mutations: bytes flipped anywhere, the header JSON edited
 * (dtypes, shapes, offsets, metadata, entries added or dropped, nesting thousands deep, a BOM,
 * whitespace), the length prefix rewritten, the file cut or extended, data bytes out of range.
 */

const DTYPES: Record<string, number> = {
  F32: 4,
  F64: 8,
  F16: 2,
  BF16: 2,
  I32: 4,
  I64: 8,
  U64: 8,
  U32: 4,
  I16: 2,
  U16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
};
const NAMES = [
  'weight',
  'bias',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'a.b.c',
  'é✓',
  '',
  ' ',
];

type Header = Record<string, unknown>;

interface Input {
  bytes: Uint8Array;
  mutations: string[];
}

function validFile(rng: Rng): { header: Header; data: Uint8Array } {
  const header: Header = {};
  const roll = rng.int(0, 3);
  if (roll === 0) header.__metadata__ = { format: 'pt' };
  else if (roll === 1) header.__metadata__ = null;
  const n = rng.int(0, 5);
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (let i = 0; i < n; i++) {
    const dtype = rng.pick(Object.keys(DTYPES));
    const shape = Array.from({ length: rng.int(0, 3) }, () => rng.int(0, 4));
    const count = shape.reduce((a, b) => a * b, 1);
    let bytes = rng.bytes(count * DTYPES[dtype]!);
    if (dtype === 'BOOL') bytes = bytes.map((b) => b & 1);
    const name = rng.bool(0.5) ? `${rng.pick(NAMES)}${rng.bool() ? '' : i}` : `layer.${i}.weight`;
    if (name in header) continue;
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  const data = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) {
    data.set(c, at);
    at += c.length;
  }
  return { header, data };
}

function assemble(text: string, data: Uint8Array, lengthOverride?: bigint): Uint8Array {
  const headerBytes = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + headerBytes.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  out.set(data, 8 + headerBytes.length);
  return out;
}

/** A value a hostile header might hold where a number, list or string belongs. */
function oddValue(rng: Rng): unknown {
  switch (rng.int(0, 13)) {
    case 0:
      return -rng.int(1, 10);
    case 1:
      return rng.float() * 10;
    case 2:
      return 2 ** rng.int(31, 70);
    case 3:
      return Number.MAX_SAFE_INTEGER + rng.int(0, 4);
    case 4:
      return 'F32';
    case 5:
      return null;
    case 6:
      return true;
    case 7:
      return {};
    case 8:
      return [];
    case 9:
      return 1e308;
    case 10:
      return { nested: [1, 2] };
    case 11:
      return 'x'.repeat(rng.size(100_000));
    case 12:
      return [[1], [2]];
    default:
      return rng.int(0, 1000);
  }
}

/** A JSON text nested `depth` deep: [[[...]]] or {"a":{"a":...}}. */
function deep(depth: number, object: boolean): string {
  return object
    ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
    : `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

function mutateHeader(rng: Rng, header: Header, notes: string[]): string {
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const name = names.length ? rng.pick(names) : null;
  const raw = name ? header[name] : null;
  const entry =
    typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  let deepAt: string | null = null;
  switch (rng.int(0, 12)) {
    case 0:
      if (entry) entry.dtype = rng.bool() ? rng.pick(Object.keys(DTYPES)) : oddValue(rng);
      notes.push('dtype');
      break;
    case 1:
      if (entry) {
        const shape = [...list(entry.shape)];
        if (shape.length && rng.bool()) shape[rng.int(0, shape.length - 1)] = oddValue(rng) as number;
        else shape.push(rng.pick([0, 1, 2, 2 ** 32, 2 ** 53, -1]));
        entry.shape = rng.bool(0.2) ? oddValue(rng) : shape;
      }
      notes.push('shape');
      break;
    case 2:
      if (entry) {
        const [b = 0, e = 0] = list(entry.data_offsets).map((v) => (typeof v === 'number' ? v : 0));
        const choices = [
          [e, b],
          [b, e + rng.int(1, 16)],
          [b - rng.int(1, 16), e],
          [b, e, 0],
          [b],
          [oddValue(rng), e],
          [b + rng.int(1, 8), e + rng.int(1, 8)],
        ];
        entry.data_offsets = rng.bool(0.1) ? oddValue(rng) : rng.pick(choices);
      }
      notes.push('data_offsets');
      break;
    case 3:
      header.__metadata__ = rng.pick([
        null,
        5,
        'x',
        [],
        { a: 1 },
        { a: null },
        { a: { b: 'c' } },
        { __proto__: 'p' },
      ]);
      notes.push('metadata');
      break;
    case 4:
      if (name) delete header[name];
      notes.push('drop entry');
      break;
    case 5:
      header[rng.pick(NAMES)] = { dtype: 'F32', shape: [rng.int(0, 3)], data_offsets: [0, rng.int(0, 12)] };
      notes.push('add entry');
      break;
    case 6:
      if (name) header[name] = oddValue(rng);
      notes.push('entry value');
      break;
    case 7:
      deepAt = rng.pick(['shape', 'dtype', 'data_offsets', 'entry', '__metadata__']);
      notes.push(`nested ${deepAt}`);
      break;
    case 8:
      notes.push('duplicate key');
      if (name)
        return `${JSON.stringify(header).slice(0, -1)},${JSON.stringify(name)}:${JSON.stringify(header[name])}}`;
      break;
    default: {
      const text = JSON.stringify(header);
      const prefix = rng.pick(['\uFEFF', ' ', '\n', '[', '', '\u0000']);
      const suffix = rng.pick(['', ' ', '}', '\u0000', '   \n']);
      notes.push(`framed ${JSON.stringify(prefix)}…${JSON.stringify(suffix)}`);
      return prefix + text + suffix;
    }
  }
  let text = JSON.stringify(header);
  if (deepAt) {
    const nested = deep(rng.pick([100, 1000, 5000, 20000]), rng.bool());
    if (deepAt === '__metadata__')
      text = `{"__metadata__":${nested}${text.length > 2 ? `,${text.slice(1)}` : '}'}`;
    else if (deepAt === 'entry') text = `{"t":${nested}${text.length > 2 ? `,${text.slice(1)}` : '}'}`;
    else text = `{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"${deepAt}":${nested}}}`;
  }
  return text;
}

function generate(rng: Rng): Input {
  const { header, data } = validFile(rng);
  const notes: string[] = [];
  let text = JSON.stringify(header);
  let dataBytes = data;
  let length: bigint | undefined;
  const rounds = rng.int(0, 3);
  for (let r = 0; r < rounds; r++) {
    const kind = rng.int(0, 9);
    // A header nested thousands deep is not parsed back here (JSON.stringify would overflow).
    if (kind <= 4 && !notes.some((n) => n.startsWith('nested')))
      text = mutateHeader(rng, JSON.parse(safeParse(text)), notes);
    else if (kind === 5) {
      length = rng.pick([
        0n,
        1n,
        7n,
        2n ** 63n,
        2n ** 64n - 1n,
        BigInt(text.length) + BigInt(rng.int(-8, 8)),
      ]);
      notes.push(`length ${length}`);
    } else if (kind === 6) {
      const extra = rng.bytes(rng.int(1, 16));
      const joined = new Uint8Array(dataBytes.length + extra.length);
      joined.set(dataBytes);
      joined.set(extra, dataBytes.length);
      dataBytes = rng.bool() ? joined : dataBytes.slice(0, rng.int(0, dataBytes.length));
      notes.push('data length');
    } else if (kind === 7 && dataBytes.length) {
      dataBytes = dataBytes.slice();
      for (let i = rng.int(1, 4); i > 0; i--)
        dataBytes[rng.int(0, dataBytes.length - 1)] = rng.pick([0xff, 2, 0x80, 0x7f]);
      notes.push('data bytes');
    } else {
      notes.push('raw bytes');
      const bytes = assemble(text, dataBytes, length);
      for (let i = rng.int(1, 8); i > 0; i--) bytes[rng.int(0, bytes.length - 1)] = rng.u32() & 0xff;
      if (rng.bool(0.3))
        return { bytes: bytes.slice(0, rng.int(0, bytes.length)), mutations: [...notes, 'cut'] };
      return { bytes, mutations: notes };
    }
  }
  return { bytes: assemble(text, dataBytes, length), mutations: notes };
}

/** The header text back as JSON text, or "{}" once it no longer parses (a framed or nested one). */
function safeParse(text: string): string {
  try {
    const v = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? text : '{}';
  } catch {
    return '{}';
  }
}

const target: FuzzTarget<Input> = {
  name: 'safetensors',
  description:
    'mutated safetensors files (header JSON, offsets, dtypes, shapes, lengths, bytes) through parseSafetensors',
  generate,
  run({ bytes }) {
    const header = readSafetensorsHeader(bytes);
    const { tensors } = parseSafetensors(bytes);
    // The two must agree, and every entry must be an own, ordinary key.
    const a = Object.keys(header.tensors).sort();
    const b = Object.keys(tensors).sort();
    if (a.join('\0') !== b.join('\0')) throw new Error(`header and tensors disagree: ${a} vs ${b}`);
    if (Object.getPrototypeOf(tensors) !== null) throw new Error('the state dict has a prototype');
    for (const k of b) {
      const t = tensors[k]!;
      if (t.shape.join(',') !== header.tensors[k]!.shape.join(',')) throw new Error(`shape of ${k} differs`);
    }
    return b.length;
  },
  show: ({ bytes, mutations }) => `${bytes.length} bytes, ${mutations.join(', ') || 'valid'}`,
};
export default target;
