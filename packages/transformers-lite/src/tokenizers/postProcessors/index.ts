import { fail, type JsonObject, readArray, stageType } from '../config.ts';
import type { PostProcessor } from './postProcessor.ts';
import {
  BertProcessing,
  ByteLevelProcessing,
  PostProcessorSequence,
  RobertaProcessing,
  TemplateProcessing,
} from './processors.ts';

export type { Encoding, PostProcessor } from './postProcessor.ts';
export { concatEncodings } from './postProcessor.ts';
export {
  BertProcessing,
  ByteLevelProcessing,
  PostProcessorSequence,
  RobertaProcessing,
  TemplateProcessing,
} from './processors.ts';

/** Builds a post-processor from its tokenizer.json entry. */
export function createPostProcessor(cfg: unknown): PostProcessor {
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
      return new PostProcessorSequence(
        readArray(c, 'processors', 'post_processor Sequence').map(createPostProcessor),
      );
    default:
      fail('tokenizer.json', `Unknown post-processor type: ${type}`);
  }
}
