import { checkOptions, FileFormatError } from '@lumen/tensor';
import { nodeFolder } from '../env.js';
import type { HubOptions } from '../hub/hub.js';
import { isHubSource } from '../hub/open.js';
import { fetchTokenizerRepo } from '../hub/plans.js';
import { recoverFolder, saveFolderAtomically } from '../models/atomicFolder.js';
import { describe, fail, isObject, type JsonObject } from './config.js';

/** File contents given directly: text, bytes, or already-parsed JSON. */
export type TokenizerFileContents = string | Uint8Array | JsonObject;
/** Where a tokenizer comes from: a Hub model id, a local folder (Node), or the files themselves (browsers, bundles, tests). */
export type TokenizerSource = string | { files: Record<string, TokenizerFileContents> };

/** The files a tokenizer can be built from; each is read only if present. */
export const TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'added_tokens.json',
  'chat_template.jinja',
  'vocab.txt',
  'vocab.json',
  'merges.txt',
] as const;
export type TokenizerFileName = (typeof TOKENIZER_FILES)[number];

/** The raw text of each file that exists, plus where it came from (for error messages). */
export interface LoadedFiles {
  where: string;
  text: Partial<Record<TokenizerFileName, string>>;
  parsed: Partial<Record<TokenizerFileName, JsonObject>>;
}

export async function loadTokenizerFiles(
  source: TokenizerSource,
  op: string,
  hub: HubOptions = {},
): Promise<LoadedFiles> {
  if (typeof source === 'string') {
    if (await isHubSource(source))
      return loadTokenizerFiles((await fetchTokenizerRepo(source, hub, op)).source(), op);
    return loadFolder(source, op);
  }
  if (!isObject(source) || !isObject(source.files)) {
    fail(
      op,
      `source must be a folder path or { files: { "tokenizer.json": ..., ... } }, got ${describe(source)}`,
    );
  }
  checkOptions(op, source, ['files']);
  const out: LoadedFiles = { where: '{ files }', text: {}, parsed: {} };
  for (const [name, content] of Object.entries(source.files)) {
    if (!(TOKENIZER_FILES as readonly string[]).includes(name)) {
      fail(
        op,
        `unknown file ${JSON.stringify(name)} in { files }; expected some of ${TOKENIZER_FILES.join(', ')}`,
      );
    }
    const key = name as TokenizerFileName;
    if (typeof content === 'string') out.text[key] = content;
    else if (content instanceof Uint8Array) out.text[key] = new TextDecoder().decode(content);
    else if (isObject(content)) out.parsed[key] = content;
    else
      fail(
        op,
        `files[${JSON.stringify(name)}] must be a string, Uint8Array or parsed JSON object, got ${describe(content)}`,
      );
  }
  return out;
}

async function loadFolder(dir: string, op: string): Promise<LoadedFiles> {
  const { fs, path } = nodeFolder(op, dir);
  await recoverFolder(dir, { clean: false }); // a save killed mid-swap leaves no folder at dir
  const stat = await fs.stat(dir).catch(() => null);
  if (!stat) fail(op, `no such folder: ${dir} (nor a Hub model id such as 'openai-community/gpt2')`);
  if (!stat.isDirectory()) fail(op, `${dir} is not a folder`);
  const out: LoadedFiles = { where: dir, text: {}, parsed: {} };
  for (const name of TOKENIZER_FILES) {
    try {
      out.text[name] = await fs.readFile(path.join(dir, name), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        fail(op, `cannot read ${path.join(dir, name)}: ${(e as Error).message}`);
      }
    }
  }
  return out;
}

export function hasFile(files: LoadedFiles, name: TokenizerFileName): boolean {
  return files.text[name] !== undefined || files.parsed[name] !== undefined;
}

/** The parsed JSON of `name` (an object), or undefined when absent; corrupt files name themselves. */
export function readJsonFile(files: LoadedFiles, name: TokenizerFileName): JsonObject | undefined {
  const parsed = files.parsed[name];
  if (parsed) return parsed;
  const text = files.text[name];
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    fail(`${name} (in ${files.where})`, `is not valid JSON: ${(e as Error).message}`, FileFormatError);
  }
  if (!isObject(value))
    fail(`${name} (in ${files.where})`, `must hold a JSON object, got ${describe(value)}`, FileFormatError);
  files.parsed[name] = value;
  return value;
}

export function readTextFile(files: LoadedFiles, name: TokenizerFileName): string | undefined {
  return files.text[name];
}

/**
 * Writes the files into `dir` atomically as a set (models/atomicFolder.ts: a temporary sibling
 * folder, fsynced, swapped in; the folder's other files are kept), the same way models save.
 */
export async function writeFilesAtomically(
  dir: string,
  contents: Record<string, string | Uint8Array>,
  op: string,
): Promise<string[]> {
  return saveFolderAtomically(dir, contents, op);
}
