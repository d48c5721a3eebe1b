import {
  atPath,
  checkDepth,
  failHere,
  type JsonObject,
  readArray,
  readString,
  stageType,
} from '../config.js';
import { BertNormalizer } from './bert.js';
import type { Normalizer } from './normalizer.js';
import {
  Lowercase,
  NormalizerSequence,
  Prepend,
  Replace,
  Strip,
  StripAccents,
  UnicodeNormalizer,
} from './simple.js';

export { BertNormalizer } from './bert.js';
export type { Normalizer } from './normalizer.js';
export {
  Lowercase,
  NormalizerSequence,
  Prepend,
  Replace,
  Strip,
  StripAccents,
  UnicodeNormalizer,
} from './simple.js';

/**
 * Builds a normalizer from its tokenizer.json entry at `path`; Sequences nest at most
 * MAX_SEQUENCE_DEPTH deep (checked before going down a level).
 */
export function createNormalizer(cfg: unknown, path = 'normalizer', depth = 0): Normalizer {
  return atPath(path, () => buildNormalizer(cfg, path, depth));
}

function buildNormalizer(cfg: unknown, path: string, depth: number): Normalizer {
  const type = stageType(cfg, 'normalizer');
  const c = cfg as JsonObject;
  switch (type) {
    case 'BertNormalizer':
      return BertNormalizer.fromJSON(c);
    case 'Lowercase':
      return new Lowercase();
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD':
      return new UnicodeNormalizer(type);
    case 'StripAccents':
      return new StripAccents();
    case 'Strip':
      return Strip.fromJSON(c);
    case 'Replace':
      return Replace.fromJSON(c);
    case 'Prepend':
      return new Prepend(readString(c, 'prepend', 'Prepend'));
    case 'Sequence':
      checkDepth(depth + 1, 'normalizer Sequence');
      return new NormalizerSequence(
        readArray(c, 'normalizers', 'normalizer Sequence').map((n, i) =>
          createNormalizer(n, `${path}.normalizers[${i}]`, depth + 1),
        ),
      );
    default:
      failHere(`Unknown normalizer type: ${type}`);
  }
}
