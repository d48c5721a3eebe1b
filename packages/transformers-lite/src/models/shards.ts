/**
 * The checkpoint formats real Hub repositories use besides one model.safetensors: weights split
 * into shards with `model.safetensors.index.json` (transformers' save_pretrained(max_shard_size=)),
 * and the pickle files (pytorch_model.bin, .pt, .ckpt) that Lumen refuses to read.
 */

import { describe, FileFormatError, fail } from './errors.js';

export const WEIGHTS_INDEX_FILE = 'model.safetensors.index.json';
/** Files that hold weights as a Python pickle. */
export const PICKLE_WEIGHTS_FILES = ['pytorch_model.bin', 'pytorch_model.bin.index.json'];
/** Other frameworks' weights, named in the "no weights" error. */
const OTHER_WEIGHTS_FILES = ['tf_model.h5', 'flax_model.msgpack'];
/** Bounds for untrusted index files. */
const MAX_SHARDS = 100_000;
const MAX_INDEX_BYTES = 50_000_000;

/** `model-00001-of-00002.safetensors`, as transformers names shard `i` (0-based) of `n`. */
export function shardFileName(i: number, n: number): string {
  const pad = (k: number) => String(k).padStart(5, '0');
  return `model-${pad(i + 1)}-of-${pad(n)}.safetensors`;
}

/** A name an index may give a shard: one file in the same folder, never a path. */
const SHARD_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.safetensors$/;

/**
 * transformers' convert_file_size_to_int / huggingface_hub's parse_size_to_int: an integer of
 * bytes, or a string of a number and a unit — KB, MB, GB, TB (powers of 10), KiB, MiB, GiB, TiB
 * (powers of 2); a lowercase final `b` (`'5Gb'`) means bits, as in transformers.
 */
export function parseShardSize(op: string, value: unknown): number {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value <= 0)
      fail(op, `maxShardSize must be a positive integer of bytes or a string like '5GB', got ${value}`);
    return value;
  }
  const m = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([KMGT])(i?)([Bb])\s*$/i.exec(value) : null;
  if (!m)
    fail(
      op,
      `maxShardSize must be a positive integer of bytes or a string like '5GB', '200MB' or '1GiB', got ${describe(value)}`,
    );
  const power = 'KMGT'.indexOf(m[2]!.toUpperCase()) + 1;
  let bytes = Number(m[1]) * (m[3] ? 2 ** (10 * power) : 10 ** (3 * power));
  if (m[4] === 'b' && !m[3]) bytes /= 8;
  bytes = Math.floor(bytes);
  if (bytes <= 0) fail(op, `maxShardSize must be at least one byte, got ${describe(value)}`);
  return bytes;
}

/**
 * huggingface_hub's split_state_dict_into_shards: tensors in state-dict order fill a shard until
 * the next would pass `maxBytes`; a tensor larger than `maxBytes` gets a shard of its own.
 */
export function splitIntoShards(sizes: [string, number][], maxBytes: number): string[][] {
  const shards: string[][] = [];
  let current: string[] = [];
  let currentBytes = 0;
  for (const [name, bytes] of sizes) {
    if (bytes > maxBytes) {
      shards.push([name]);
      continue;
    }
    if (currentBytes + bytes > maxBytes && current.length > 0) {
      shards.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(name);
    currentBytes += bytes;
  }
  if (current.length > 0) shards.push(current);
  return shards;
}

/** JSON as Python's json.dumps(obj, indent=2, sort_keys=True) writes it (ASCII-escaped). */
function pythonJson(value: unknown, indent = ''): string {
  if (value === null || typeof value !== 'object') {
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + pythonJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (keys.length === 0) return '{}';
  const entries = keys.map(
    (k) => `${inner}${pythonJson(k)}: ${pythonJson((value as Record<string, unknown>)[k], inner)}`,
  );
  return `{\n${entries.join(',\n')}\n${indent}}`;
}

/** model.safetensors.index.json's text, as transformers writes it. */
export function indexJson(totalSize: number, weightMap: Record<string, string>): string {
  return `${pythonJson({ metadata: { total_size: totalSize }, weight_map: weightMap })}\n`;
}

/** The shard files an index names, in first-use order, after checking the index. */
export function readIndex(where: string, text: string): string[] {
  const name = `${WEIGHTS_INDEX_FILE} (in ${where})`;
  if (text.length > MAX_INDEX_BYTES) fail(name, `is ${text.length} bytes, more than an index can be`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    fail(name, `is not valid JSON: ${(e as Error).message}`, FileFormatError);
  }
  const map = (value as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map))
    fail(name, `must hold { "weight_map": { tensor name: shard file } }, got ${describe(value)}`);
  const files: string[] = [];
  const seen = new Set<string>();
  for (const [tensor, file] of Object.entries(map)) {
    if (typeof file !== 'string' || !SHARD_NAME.test(file) || file.includes('..'))
      fail(
        name,
        `weight_map[${JSON.stringify(tensor)}] must name a .safetensors file in the same folder, got ${describe(file)}`,
      );
    if (!seen.has(file)) {
      seen.add(file);
      files.push(file);
      if (files.length > MAX_SHARDS) fail(name, `names more than ${MAX_SHARDS} shards`);
    }
  }
  if (files.length === 0) fail(name, 'has an empty weight_map');
  return files;
}

/** Whether a path names a pickle checkpoint by its extension. */
export function isPickleFile(file: string): boolean {
  return /\.(bin|pt|pth|ckpt|pkl)$/i.test(file);
}

/** The error for a pickle checkpoint: why it is refused, and what to do instead. */
export function refusePickle(op: string, file: string, where: string): never {
  fail(
    op,
    `${file} (in ${where}) is a PyTorch pickle checkpoint, and Lumen does not read pickles: unpickling runs ` +
      'code the file contains, so a checkpoint could execute anything on this machine. Use its safetensors ' +
      "version instead: most Hub repositories have model.safetensors, or a pull request adding it (pass { revision: 'refs/pr/N' }); " +
      'otherwise convert it in Python, where you trust the file: ' +
      'AutoModel.from_pretrained(dir).save_pretrained(out_dir, safe_serialization=True) ' +
      '(or the Hub space https://huggingface.co/spaces/safetensors/convert)',
  );
}

/** The error for a folder or repository with no safetensors weights; names what it has instead. */
export function noWeights(op: string, where: string, present: string[]): never {
  const pickle = present.find((f) => PICKLE_WEIGHTS_FILES.includes(f) || isPickleFile(f));
  if (pickle) refusePickle(op, pickle, where);
  const other = present.find((f) => OTHER_WEIGHTS_FILES.includes(f));
  fail(
    op,
    `${where} has no model.safetensors nor ${WEIGHTS_INDEX_FILE}` +
      (other
        ? ` (only ${other}: TensorFlow/Flax weights are not read; save them as safetensors with transformers)`
        : ''),
  );
}
