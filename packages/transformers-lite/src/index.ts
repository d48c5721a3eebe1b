// @lumen/transformers-lite: Hugging Face-compatible tokenizers, BERT and GPT-2 models, generate(), remote chat.

export {
  type ChatChunk,
  type ChatCompletion,
  type ChatCompletionMessage,
  type ChatRequest,
  type ChatStream,
  type ChatUsage,
  OpenRouterClient,
  OpenRouterError,
  type OpenRouterOptions,
} from './chat/openRouter.ts';
export { type ServerSentEvent, SSEParser } from './chat/sse.ts';
export type { GenerateOptions, Streamer, StreamerCallback } from './generation/config.ts';
export { type CausalLM, generate } from './generation/generate.ts';
export {
  type LogitsProcessor,
  minLengthProcessor,
  minNewTokensProcessor,
  repetitionPenaltyProcessor,
  temperatureWarper,
  topKWarper,
  topPWarper,
} from './generation/processors.ts';
export { type HubOptions, type HubProgress, HubUnreachableError, hubSettings } from './hub/hub.ts';
export { type AttentionOptions, MASK_VALUE, scaledDotProductAttention } from './models/attention.ts';
export {
  AutoConfig,
  AutoModel,
  AutoModelForCausalLM,
  AutoModelForMaskedLM,
  AutoModelForSequenceClassification,
} from './models/auto.ts';
export {
  BertForMaskedLM,
  BertForSequenceClassification,
  type BertInputs,
  BertModel,
  type BertModelOutput,
  type MaskedLMInputs,
  type MaskedLMOutput,
  type SequenceClassifierInputs,
  type SequenceClassifierOutput,
} from './models/bert.ts';
export {
  BertConfig,
  type BertConfigOptions,
  type ConfigDict,
  GPT2Config,
  type GPT2ConfigOptions,
  PretrainedConfig,
} from './models/config.ts';
export { Conv1D } from './models/conv1d.ts';
export { setWarningHandler } from './models/errors.ts';
export type { ModelFileContents, ModelSource } from './models/files.ts';
export {
  type CausalLMInputs,
  type CausalLMOutput,
  type GPT2Inputs,
  GPT2LMHeadModel,
  GPT2Model,
  type GPT2ModelOutput,
} from './models/gpt2.ts';
export { KVCache, type LegacyCache } from './models/kvCache.ts';
export {
  type FromPretrainedOptions,
  type LoadingInfo,
  PreTrainedModel,
  type SavePretrainedOptions,
} from './models/pretrained.ts';
export type { ResizeTokenEmbeddingsOptions } from './models/resize.ts';
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
