import { fail, type JsonObject, readArray, readBool, stageType } from '../config.ts';
import { ByteLevelPreTokenizer } from './byteLevel.ts';
import type { PreTokenizer } from './preTokenizer.ts';
import { readBehavior } from './preTokenizer.ts';
import {
  BertPreTokenizer,
  Digits,
  Metaspace,
  PreTokenizerSequence,
  Punctuation,
  Split,
  Whitespace,
  WhitespaceSplit,
} from './simple.ts';

export { ByteLevelPreTokenizer, GPT2_PATTERN } from './byteLevel.ts';
export type { PreTokenizer, SplitBehavior } from './preTokenizer.ts';
export {
  BertPreTokenizer,
  Digits,
  Metaspace,
  PreTokenizerSequence,
  Punctuation,
  Split,
  Whitespace,
  WhitespaceSplit,
} from './simple.ts';

/** Builds a pre-tokenizer from its tokenizer.json entry. */
export function createPreTokenizer(cfg: unknown): PreTokenizer {
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
      return new PreTokenizerSequence(
        readArray(c, 'pretokenizers', 'pre_tokenizer Sequence').map(createPreTokenizer),
      );
    default:
      fail('tokenizer.json', `Unknown pre-tokenizer type: ${type}`);
  }
}
