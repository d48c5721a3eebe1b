import { atPath, failHere, type JsonObject, stageType } from '../config.js';
import { BPE } from './bpe.js';
import type { TokenizerModel } from './model.js';
import { Unigram } from './unigram.js';
import { WordPiece } from './wordPiece.js';

export { BPE, type BPEOptions, parseMergesTxt } from './bpe.js';
export type { TokenizerModel, WordPieces } from './model.js';
export { Unigram } from './unigram.js';
export { WordPiece } from './wordPiece.js';

/** Builds the model from its tokenizer.json entry (old files without `type` are guessed from their fields). */
export function createModel(cfg: unknown, path = 'model'): TokenizerModel {
  return atPath(path, () => buildModel(cfg));
}

function buildModel(cfg: unknown): TokenizerModel {
  let type: string;
  if (typeof cfg === 'object' && cfg !== null && !('type' in cfg)) {
    const c = cfg as JsonObject;
    type = 'merges' in c ? 'BPE' : Array.isArray(c.vocab) ? 'Unigram' : 'WordPiece';
  } else type = stageType(cfg, 'model');
  const c = cfg as JsonObject;
  switch (type) {
    case 'WordPiece':
      return WordPiece.fromJSON(c);
    case 'BPE':
      return BPE.fromJSON(c);
    case 'Unigram':
      return Unigram.fromJSON(c);
    default:
      failHere(`Unknown model type: ${type}`);
  }
}
