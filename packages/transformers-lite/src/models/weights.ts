import {
  parseSafetensors,
  readSafetensorsHeader,
  type SafetensorsTensorInfo,
  type StateDict,
  serializeSafetensors,
} from '@lumen/nn';
import type { Device, Tensor } from '@lumen/tensor';
import { fail } from './errors.js';
import type { WeightsFile } from './files.js';
import { indexJson, parseShardSize, shardFileName, splitIntoShards, WEIGHTS_INDEX_FILE } from './shards.js';

/**
 * A checkpoint key under the name transformers loads it by: old checkpoints (TensorFlow-era BERT)
 * call LayerNorm's weight and bias `gamma` and `beta`; transformers renames them on load.
 */
export function checkpointKey(key: string): string {
  if (key.endsWith('.gamma')) return `${key.slice(0, -'gamma'.length)}weight`;
  if (key.endsWith('.beta')) return `${key.slice(0, -'beta'.length)}bias`;
  return key;
}

/** Puts `value` at checkpointKey(key) in `into`, refusing a key that two entries map to. */
function addUnique<T>(
  op: string,
  where: string,
  into: Record<string, T>,
  key: string,
  value: T,
  file: string,
) {
  const name = checkpointKey(key);
  if (Object.hasOwn(into, name))
    fail(
      op,
      `the weights in ${where} hold ${name} twice (${key === name ? key : `${key}, renamed to ${name}`}, again in ${file})`,
    );
  into[name] = value;
}

/**
 * The headers of every weights file, merged under checkpointKey names, read without decoding any
 * data (what the config is checked against before anything is allocated).
 */
export function readWeightsHeader(
  op: string,
  where: string,
  files: WeightsFile[],
): Record<string, SafetensorsTensorInfo> {
  const out: Record<string, SafetensorsTensorInfo> = Object.create(null);
  for (const f of files) {
    let tensors: Record<string, SafetensorsTensorInfo>;
    try {
      tensors = readSafetensorsHeader(f.bytes).tensors;
    } catch (e) {
      fail(op, `cannot read ${f.name} (in ${where}): ${(e as Error).message}`);
    }
    for (const [k, v] of Object.entries(tensors)) addUnique(op, where, out, k, v, f.name);
  }
  return out;
}

/**
 * Every weights file's tensors under checkpointKey names. float16 and bfloat16 values are
 * converted to float32 (the dtype Lumen's models run in), exactly: every half value is a float32.
 */
export function readWeights(op: string, where: string, files: WeightsFile[], device: Device): StateDict {
  const out: StateDict = Object.create(null);
  for (const f of files) {
    let tensors: StateDict;
    try {
      tensors = parseSafetensors(f.bytes, { device }).tensors;
    } catch (e) {
      fail(op, `cannot read ${f.name} (in ${where}): ${(e as Error).message}`);
    }
    for (const [k, v] of Object.entries(tensors)) addUnique<Tensor>(op, where, out, k, v, f.name);
  }
  return out;
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

/**
 * The weights files savePretrained writes for `stateDict`: one model.safetensors, or, when it is
 * larger than `maxShardSize`, shards named and split as transformers' save_pretrained does plus
 * model.safetensors.index.json (the same file names, the same index JSON).
 */
export async function weightsFiles(
  op: string,
  stateDict: StateDict,
  maxShardSize: unknown,
): Promise<Record<string, string | Uint8Array>> {
  // transformers refuses safetensors files whose metadata lacks format: "pt".
  const metadata = { format: 'pt' };
  if (maxShardSize === undefined)
    return { 'model.safetensors': await serializeSafetensors(stateDict, { metadata }) };
  const limit = parseShardSize(op, maxShardSize);
  const sizes: [string, number][] = Object.entries(stateDict).map(([k, t]) => [
    k,
    t.size * BYTES_PER_ELEMENT[t.dtype]!,
  ]);
  const shards = splitIntoShards(sizes, limit);
  if (shards.length === 1)
    return { 'model.safetensors': await serializeSafetensors(stateDict, { metadata }) };
  const out: Record<string, string | Uint8Array> = {};
  const weightMap: Record<string, string> = {};
  for (let i = 0; i < shards.length; i++) {
    const name = shardFileName(i, shards.length);
    const part: StateDict = {};
    for (const k of shards[i]!) {
      part[k] = stateDict[k]!;
      weightMap[k] = name;
    }
    out[name] = await serializeSafetensors(part, { metadata });
  }
  out[WEIGHTS_INDEX_FILE] = indexJson(
    sizes.reduce((s, [, b]) => s + b, 0),
    weightMap,
  );
  return out;
}
