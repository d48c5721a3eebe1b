// @lumen/transformers-lite: Hugging Face-compatible tokenizers (and, later, BERT/GPT-2 models).

export type { AddedToken } from './tokenizers/addedTokens.ts';
export { AutoTokenizer } from './tokenizers/auto.ts';
export { BertTokenizer } from './tokenizers/bert.ts';
export type { ChatMessage } from './tokenizers/chatTemplate.ts';
export {
  BPEDecoder,
  ByteFallbackDecoder,
  ByteLevelDecoder,
  createDecoder,
  type Decoder,
  DecoderSequence,
  FuseDecoder,
  MetaspaceDecoder,
  ReplaceDecoder,
  StripDecoder,
  WordPieceDecoder,
} from './tokenizers/decoders/index.ts';
export type { TokenizerFileContents, TokenizerSource } from './tokenizers/files.ts';
export { GPT2Tokenizer } from './tokenizers/gpt2.ts';
export {
  BPE,
  type BPEOptions,
  createModel,
  type TokenizerModel,
  Unigram,
  WordPiece,
  type WordPieces,
} from './tokenizers/models/index.ts';
export {
  BertNormalizer,
  createNormalizer,
  Lowercase,
  type Normalizer,
  NormalizerSequence,
  Prepend,
  Replace,
  Strip,
  StripAccents,
  UnicodeNormalizer,
} from './tokenizers/normalizers/index.ts';
export type { Encoding, PostProcessor } from './tokenizers/postProcessors/index.ts';
export {
  BertProcessing,
  ByteLevelProcessing,
  createPostProcessor,
  PostProcessorSequence,
  RobertaProcessing,
  TemplateProcessing,
} from './tokenizers/postProcessors/index.ts';
export {
  BertPreTokenizer,
  ByteLevelPreTokenizer,
  createPreTokenizer,
  Digits,
  GPT2_PATTERN,
  Metaspace,
  type PreTokenizer,
  PreTokenizerSequence,
  Punctuation,
  Split,
  type SplitBehavior,
  Whitespace,
  WhitespaceSplit,
} from './tokenizers/preTokenizers/index.ts';
export {
  type CallOptions,
  type ChatTemplateOptions,
  type DecodeOptions,
  type EncodeOptions,
  type EncodingOutput,
  type PaddingOption,
  PreTrainedTokenizer,
  type SpecialTokenRole,
  type TextInput,
  type TruncationOption,
  VERY_LARGE_INTEGER,
} from './tokenizers/pretrained.ts';
export {
  Tokenizer,
  type TokenizerStages,
  type TruncationSide,
  type TruncationStrategy,
} from './tokenizers/tokenizer.ts';
export {
  type TrainOptions,
  type TrainWordPieceOptions,
  trainBpe,
  trainWordPiece,
} from './tokenizers/trainers/train.ts';
