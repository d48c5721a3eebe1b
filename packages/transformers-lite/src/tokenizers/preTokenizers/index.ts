import { atPath, checkDepth, failHere, type JsonObject, readArray, readBool, stageType } from '../config.js';
import { ByteLevelPreTokenizer } from './byteLevel.js';
import type { PreTokenizer } from './preTokenizer.js';
import { readBehavior } from './preTokenizer.js';
import {
  BertPreTokenizer,
  Digits,
  Metaspace,
  PreTokenizerSequence,
  Punctuation,
  Split,
  Whitespace,
  WhitespaceSplit,
} from './simple.js';

export { ByteLevelPreTokenizer, GPT2_PATTERN } from './byteLevel.js';
export type { PreTokenizer, SplitBehavior } from './preTokenizer.js';
export {
  BertPreTokenizer,
  Digits,
  Metaspace,
  PreTokenizerSequence,
  Punctuation,
  Split,
  Whitespace,
  WhitespaceSplit,
} from './simple.js';

/** Builds a pre-tokenizer from its tokenizer.json entry at `path` (Sequences nest at most MAX_SEQUENCE_DEPTH deep). */
export function createPreTokenizer(cfg: unknown, path = 'pre_tokenizer', depth = 0): PreTokenizer {
  return atPath(path, () => buildPreTokenizer(cfg, path, depth));
}

function buildPreTokenizer(cfg: unknown, path: string, depth: number): PreTokenizer {
  const type = stageType(cfg, 'pre_tokenizer');
  const c = cfg as JsonObject;
  switch (type) {
    case 'BertPreTokenizer':
      return new BertPreTokenizer();
    case 'ByteLevel':
      return ByteLevelPreTokenizer.fromJSON(c);
    case 'Whitespace':
      return new Whitespace();
    case 'WhitespaceSplit':
      return new WhitespaceSplit();
    case 'Punctuation':
      return new Punctuation(readBehavior(c, 'Punctuation', 'Isolated'));
    case 'Digits':
      return new Digits(readBool(c, 'individual_digits', 'Digits', false));
    case 'Split':
      return Split.fromJSON(c);
    case 'Metaspace':
      return Metaspace.fromJSON(c);
    case 'Sequence':
      checkDepth(depth + 1, 'pre_tokenizer Sequence');
      return new PreTokenizerSequence(
        readArray(c, 'pretokenizers', 'pre_tokenizer Sequence').map((p, i) =>
          createPreTokenizer(p, `${path}.pretokenizers[${i}]`, depth + 1),
        ),
      );
    default:
      failHere(`Unknown pre-tokenizer type: ${type}`);
  }
}
