import { checkOptions, FileFormatError } from '@lumen/tensor';
import { nodeFolder } from '../env.js';
import type { HubOptions } from '../hub/hub.js';
import { isHubSource } from '../hub/open.js';
import { fetchModelRepo } from '../hub/plans.js';
import { recoverFolder } from './atomicFolder.js';
import { describe, fail } from './errors.js';
import { isPickleFile, noWeights, readIndex, refusePickle, WEIGHTS_INDEX_FILE } from './shards.js';

/** A model's files given directly: config JSON (text, bytes or parsed) and the safetensors bytes. */
export type ModelFileContents = string | Uint8Array | { [key: string]: unknown };
/**
 * Where a model comes from: a Hub model id ('openai-community/gpt2'), a local folder (Node), or its
 * files (browsers, bundles, tests).
 */
export type ModelSource = string | { files: Record<string, ModelFileContents> };

export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'model.safetensors';
export const GENERATION_CONFIG_FILE = 'generation_config.json';
const KNOWN = [CONFIG_FILE, WEIGHTS_FILE, GENERATION_CONFIG_FILE];

/**
 * The files a model's savePretrained replaces as a set: what it writes, plus sharded weights and
 * their index (transformers removes stale shards too). A save drops those it does not write, so a
 * folder never pairs new weights with an old generation_config.json; every other file is kept.
 */
export function isModelFile(name: string): boolean {
  return KNOWN.includes(name) || name === WEIGHTS_INDEX_FILE || /^model-\d+-of-\d+\.safetensors$/.test(name);
}

/** One weights file: model.safetensors, or one shard of a sharded checkpoint. */
export interface WeightsFile {
  name: string;
  bytes: Uint8Array;
}

export interface ModelFiles {
  /** The folder, or '{ files }', for messages. */
  where: string;
  config: { [key: string]: unknown };
  generationConfig: { [key: string]: unknown } | null;
  /** Reads the weights: one file, or every shard an index names (only when needed: AutoConfig never does). */
  weights(): Promise<WeightsFile[]>;
}

function parseJson(where: string, name: string, content: ModelFileContents): { [key: string]: unknown } {
  let value: unknown = content;
  if (typeof content === 'string' || content instanceof Uint8Array) {
    const text = typeof content === 'string' ? content : new TextDecoder().decode(content);
    try {
      value = JSON.parse(text);
    } catch (e) {
      fail(`${name} (in ${where})`, `is not valid JSON: ${(e as Error).message}`, FileFormatError);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(`${name} (in ${where})`, `must hold a JSON object, got ${describe(value)}`);
  return value as { [key: string]: unknown };
}

/**
 * The files of `source`. A Hub id is fetched first (config.json, generation_config.json, and with
 * `weights` the safetensors weights) into the cache, then read like a folder.
 */
export async function readModelFiles(
  source: ModelSource,
  op: string,
  hub: HubOptions = {},
  weights = true,
): Promise<ModelFiles> {
  if (typeof source === 'string') {
    if (await isHubSource(source)) {
      const repo = await fetchModelRepo(source, hub, op, weights);
      return readModelFiles(repo.source(), op);
    }
    return readFolder(source, op);
  }
  if (
    typeof source !== 'object' ||
    source === null ||
    typeof source.files !== 'object' ||
    source.files === null
  )
    fail(
      op,
      `source must be a folder path or { files: { "config.json": ..., "model.safetensors": bytes } }, got ${describe(source)}`,
    );
  checkOptions(op, source, ['files']);
  const files = source.files;
  for (const name of Object.keys(files)) {
    if (isPickleFile(name)) refusePickle(op, name, '{ files }');
    if (!KNOWN.includes(name) && name !== WEIGHTS_INDEX_FILE && !name.endsWith('.safetensors'))
      fail(
        op,
        `unknown file ${JSON.stringify(name)} in { files }; expected ${[...KNOWN, WEIGHTS_INDEX_FILE].join(', ')} and shards`,
      );
  }
  const config = files[CONFIG_FILE];
  if (config === undefined) fail(op, `{ files } has no "${CONFIG_FILE}"`);
  const gen = files[GENERATION_CONFIG_FILE];
  return {
    where: '{ files }',
    config: parseJson('{ files }', CONFIG_FILE, config),
    generationConfig: gen === undefined ? null : parseJson('{ files }', GENERATION_CONFIG_FILE, gen),
    weights: async () => {
      const bytesOf = (name: string): WeightsFile => {
        const w = files[name];
        if (w === undefined) fail(op, `{ files } has no "${name}"`);
        if (!(w instanceof Uint8Array))
          fail(op, `files["${name}"] must be a Uint8Array of the file's bytes, got ${describe(w)}`);
        return { name, bytes: w };
      };
      if (files[WEIGHTS_FILE] !== undefined || files[WEIGHTS_INDEX_FILE] === undefined)
        return [bytesOf(WEIGHTS_FILE)];
      const index = files[WEIGHTS_INDEX_FILE];
      const text =
        typeof index === 'string'
          ? index
          : index instanceof Uint8Array
            ? new TextDecoder().decode(index)
            : JSON.stringify(index);
      return readIndex('{ files }', text).map(bytesOf);
    },
  };
}

async function readFolder(dir: string, op: string): Promise<ModelFiles> {
  const { fs, path } = nodeFolder(op, dir);
  // A save killed between its two renames leaves no folder at `dir`; finishing its swap restores it.
  await recoverFolder(dir, { clean: false });
  const stat = await fs.stat(dir).catch(() => null);
  if (!stat) fail(op, `no such folder: ${dir}`);
  if (!stat.isDirectory()) {
    if (isPickleFile(dir)) refusePickle(op, path.basename(dir), path.dirname(dir));
    fail(op, `${dir} is not a folder`);
  }
  const read = async (name: string): Promise<string | null> => {
    try {
      return await fs.readFile(path.join(dir, name), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      fail(op, `cannot read ${path.join(dir, name)}: ${(e as Error).message}`);
    }
  };
  const config = await read(CONFIG_FILE);
  if (config === null) fail(op, `${dir} has no ${CONFIG_FILE}`);
  const gen = await read(GENERATION_CONFIG_FILE);
  return {
    where: dir,
    config: parseJson(dir, CONFIG_FILE, config),
    generationConfig: gen === null ? null : parseJson(dir, GENERATION_CONFIG_FILE, gen),
    weights: async () => {
      const readBytes = async (name: string): Promise<WeightsFile | null> => {
        const file = path.join(dir, name);
        const buf = await fs.readFile(file).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'ENOENT') fail(op, `cannot read ${file}: ${e.message}`);
          return null;
        });
        return buf && { name, bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) };
      };
      const single = await readBytes(WEIGHTS_FILE);
      if (single) return [single];
      const index = await read(WEIGHTS_INDEX_FILE);
      if (index === null) noWeights(op, dir, await fs.readdir(dir).catch(() => []));
      const shards: WeightsFile[] = [];
      for (const name of readIndex(dir, index)) {
        const shard = await readBytes(name);
        if (!shard) fail(op, `${dir} has no ${name}, a shard ${WEIGHTS_INDEX_FILE} names`);
        shards.push(shard);
      }
      return shards;
    },
  };
}
