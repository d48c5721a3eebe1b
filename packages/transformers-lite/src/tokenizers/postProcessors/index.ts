import { atPath, checkDepth, failHere, type JsonObject, readArray, stageType } from '../config.js';
import type { PostProcessor } from './postProcessor.js';
import {
  BertProcessing,
  ByteLevelProcessing,
  PostProcessorSequence,
  RobertaProcessing,
  TemplateProcessing,
} from './processors.js';

export type { Encoding, PostProcessor } from './postProcessor.js';
export { concatEncodings } from './postProcessor.js';
export {
  BertProcessing,
  ByteLevelProcessing,
  PostProcessorSequence,
  RobertaProcessing,
  TemplateProcessing,
} from './processors.js';

/** Builds a post-processor from its tokenizer.json entry at `path` (Sequences nest at most MAX_SEQUENCE_DEPTH deep). */
export function createPostProcessor(cfg: unknown, path = 'post_processor', depth = 0): PostProcessor {
  return atPath(path, () => buildPostProcessor(cfg, path, depth));
}

function buildPostProcessor(cfg: unknown, path: string, depth: number): PostProcessor {
  const type = stageType(cfg, 'post_processor');
  const c = cfg as JsonObject;
  switch (type) {
    case 'TemplateProcessing':
      return TemplateProcessing.fromJSON(c);
    case 'BertProcessing':
      return BertProcessing.fromJSON(c);
    case 'RobertaProcessing':
      return RobertaProcessing.fromJSON(c);
    case 'ByteLevel':
      return ByteLevelProcessing.fromJSON(c);
    case 'Sequence':
      checkDepth(depth + 1, 'post_processor Sequence');
      return new PostProcessorSequence(
        readArray(c, 'processors', 'post_processor Sequence').map((p, i) =>
          createPostProcessor(p, `${path}.processors[${i}]`, depth + 1),
        ),
      );
    default:
      failHere(`Unknown post-processor type: ${type}`);
  }
}
