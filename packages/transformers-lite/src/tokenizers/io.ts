import { type AddedToken, addedTokenFromJSON } from './addedTokens.js';
import { readChatTemplate } from './chatTemplate.js';
import { describe, fail, isObject, type JsonObject } from './config.js';
import { VERY_LARGE_INTEGER } from './encoding.js';
import { type LoadedFiles, readJsonFile, readTextFile, writeFilesAtomically } from './files.js';
import type { SpecialTokens } from './specialTokens.js';
import { Tokenizer, type TruncationSide } from './tokenizer.js';

/** tokenizer_config.json's settings that PreTrainedTokenizer keeps as fields. */
export interface TokenizerSettings {
  modelMaxLength: number;
  paddingSide: 'left' | 'right';
  truncationSide: TruncationSide;
  modelInputNames: readonly string[];
  cleanUpTokenizationSpaces: boolean;
  chatTemplate: string | Record<string, string> | null;
}

/** The keys of tokenizer_config.json that PreTrainedTokenizer interprets (the rest is kept as is). */
const MANAGED = new Set([
  ...['bos', 'eos', 'unk', 'sep', 'pad', 'cls', 'mask'].map((r) => `${r}_token`),
  'additional_special_tokens',
  'model_max_length',
  'padding_side',
  'truncation_side',
  'clean_up_tokenization_spaces',
  'chat_template',
  'added_tokens_decoder',
  'tokenizer_class',
  'model_input_names',
]);

/** Reads the settings, with a class's defaults for what the config leaves out. */
export function readSettings(
  config: JsonObject,
  defaults: { modelInputNames: readonly string[]; cleanUpTokenizationSpaces: boolean },
): TokenizerSettings {
  const where = 'tokenizer_config.json';
  const num = (key: string, dflt: number): number => {
    const v = config[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'number' || v <= 0)
      fail(where, `"${key}" must be a positive number, got ${describe(v)}`);
    return v;
  };
  const side = (key: string): 'left' | 'right' => {
    const v = config[key] ?? 'right';
    if (v !== 'left' && v !== 'right') fail(where, `"${key}" must be "left" or "right", got ${describe(v)}`);
    return v;
  };
  const modelMaxLength = num('model_max_length', VERY_LARGE_INTEGER);
  const paddingSide = side('padding_side');
  const truncationSide = side('truncation_side');
  const names = config.model_input_names;
  const cleanUp = config.clean_up_tokenization_spaces;
  return {
    modelMaxLength,
    paddingSide,
    truncationSide,
    modelInputNames: Array.isArray(names) ? (names as string[]) : defaults.modelInputNames,
    cleanUpTokenizationSpaces: typeof cleanUp === 'boolean' ? cleanUp : defaults.cleanUpTokenizationSpaces,
    chatTemplate: readChatTemplate(config.chat_template),
  };
}

/** Config entries PreTrainedTokenizer does not interpret, written back by savePretrained. */
export function extraConfig(config: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(config).filter(([k]) => !MANAGED.has(k)));
}

/** tokenizer_config.json, with special_tokens_map.json and chat_template.jinja filling what it lacks. */
export function loadConfig(files: LoadedFiles): JsonObject {
  const config: JsonObject = { ...(readJsonFile(files, 'tokenizer_config.json') ?? {}) };
  const map = readJsonFile(files, 'special_tokens_map.json');
  if (map)
    for (const [k, v] of Object.entries(map))
      if (config[k] === undefined || config[k] === null) config[k] = v;
  const jinja = readTextFile(files, 'chat_template.jinja');
  if (jinja !== undefined && config.chat_template === undefined) config.chat_template = jinja;
  return config;
}

/** The pipeline of a tokenizer.json; its errors name the file and folder. */
export function tokenizerFromJSON(json: JsonObject, files: LoadedFiles): Tokenizer {
  try {
    return Tokenizer.fromJSON(json);
  } catch (e) {
    (e as Error).message = `tokenizer.json (in ${files.where}): ${(e as Error).message}`;
    throw e;
  }
}

/** Added tokens a tokenizer_config.json declares (`added_tokens_decoder`) and added_tokens.json lists. */
export function legacyAddedTokens(files: LoadedFiles, config: JsonObject): AddedToken[] {
  const out: AddedToken[] = [];
  const decoder = config.added_tokens_decoder;
  if (isObject(decoder)) {
    for (const [id, entry] of Object.entries(decoder)) {
      out.push(
        addedTokenFromJSON(
          { ...(entry as JsonObject), id: Number(id) },
          `tokenizer_config.json added_tokens_decoder[${id}]`,
        ),
      );
    }
  }
  const extra = readJsonFile(files, 'added_tokens.json');
  if (extra) {
    for (const [content, id] of Object.entries(extra)) {
      if (typeof id !== 'number')
        fail(
          `added_tokens.json (in ${files.where})`,
          `${JSON.stringify(content)} must map to an id, got ${describe(id)}`,
        );
      if (!out.some((t) => t.content === content))
        out.push(addedTokenFromJSON({ id, content, special: false }, 'added_tokens.json'));
    }
  }
  return out;
}

/** What savePretrained writes. */
export interface SavedTokenizer {
  backend: Tokenizer;
  specials: SpecialTokens;
  settings: TokenizerSettings;
  extraConfig: JsonObject;
  pythonClassName: string;
}

/** Writes tokenizer.json, tokenizer_config.json and special_tokens_map.json (each atomically); returns the paths. */
export function saveTokenizerFiles(dir: string, tok: SavedTokenizer): Promise<string[]> {
  const specialsMap = tok.specials.toJSON();
  const addedTokensDecoder: JsonObject = {};
  for (const t of [...tok.backend.addedTokens].sort((a, b) => a.id - b.id)) {
    addedTokensDecoder[String(t.id)] = {
      content: t.content,
      lstrip: t.lstrip,
      normalized: t.normalized,
      rstrip: t.rstrip,
      single_word: t.singleWord,
      special: t.special,
    };
  }
  const s = tok.settings;
  const config: JsonObject = {
    ...tok.extraConfig,
    added_tokens_decoder: addedTokensDecoder,
    ...specialsMap,
    clean_up_tokenization_spaces: s.cleanUpTokenizationSpaces,
    model_max_length: s.modelMaxLength,
    padding_side: s.paddingSide,
    truncation_side: s.truncationSide,
    tokenizer_class: tok.pythonClassName,
  };
  if (s.chatTemplate !== null) config.chat_template = s.chatTemplate;
  const pretty = (x: unknown) => `${JSON.stringify(x, null, 2)}\n`;
  return writeFilesAtomically(
    dir,
    {
      'tokenizer.json': pretty(tok.backend.toJSON()),
      'tokenizer_config.json': pretty(config),
      'special_tokens_map.json': pretty(specialsMap),
    },
    'savePretrained',
  );
}
