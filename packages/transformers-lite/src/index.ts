// @lumen/transformers-lite: Hugging Face-compatible tokenizers, BERT and GPT-2 models, generate(), remote chat.

export { setWarningHandler, simpleFilter } from '@lumen/tensor';
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
} from './chat/openRouter.js';
export { type ServerSentEvent, SSEParser } from './chat/sse.js';
export type { GenerateOptions, Streamer, StreamerCallback } from './generation/config.js';
export { type CausalLM, generate } from './generation/generate.js';
export {
  type LogitsProcessor,
  minLengthProcessor,
  minNewTokensProcessor,
  repetitionPenaltyProcessor,
  temperatureWarper,
  topKWarper,
  topPWarper,
} from './generation/processors.js';
export { type HubOptions, type HubProgress, HubUnreachableError, hubSettings } from './hub/hub.js';
export { type EagerAttentionOptions, eagerAttention, MASK_VALUE } from './models/attention.js';
export {
  AutoConfig,
  AutoModel,
  AutoModelForCausalLM,
  AutoModelForMaskedLM,
  AutoModelForSequenceClassification,
} from './models/auto.js';
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
} from './models/bert.js';
export {
  BertConfig,
  type BertConfigOptions,
  type ConfigDict,
  GPT2Config,
  type GPT2ConfigOptions,
  PretrainedConfig,
} from './models/config.js';
export { Conv1D } from './models/conv1d.js';
export type { ModelFileContents, ModelSource } from './models/files.js';
export {
  type CausalLMInputs,
  type CausalLMOutput,
  type GPT2Inputs,
  GPT2LMHeadModel,
  GPT2Model,
  type GPT2ModelOutput,
} from './models/gpt2.js';
export { KVCache, type LegacyCache } from './models/kvCache.js';
export {
  type FromPretrainedOptions,
  type LoadingInfo,
  PreTrainedModel,
  type SavePretrainedOptions,
} from './models/pretrained.js';
export type { ResizeTokenEmbeddingsOptions } from './models/resize.js';
export type { AddedToken } from './tokenizers/addedTokens.js';
export { AutoTokenizer } from './tokenizers/auto.js';
export { BertTokenizer } from './tokenizers/bert.js';
export type { ChatMessage, ChatTemplateOptions } from './tokenizers/chatTemplate.js';
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
} from './tokenizers/decoders/index.js';
export type { DecodeOptions } from './tokenizers/decoding.js';
export {
  type CallOptions,
  type EncodeOptions,
  type EncodingOutput,
  type PaddingOption,
  type TextInput,
  type TruncationOption,
  VERY_LARGE_INTEGER,
} from './tokenizers/encoding.js';
export type { TokenizerFileContents, TokenizerSource } from './tokenizers/files.js';
export { GPT2Tokenizer } from './tokenizers/gpt2.js';
export {
  BPE,
  type BPEOptions,
  createModel,
  type TokenizerModel,
  Unigram,
  WordPiece,
  type WordPieces,
} from './tokenizers/models/index.js';
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
} from './tokenizers/normalizers/index.js';
export type { Encoding, PostProcessor } from './tokenizers/postProcessors/index.js';
export {
  BertProcessing,
  ByteLevelProcessing,
  createPostProcessor,
  PostProcessorSequence,
  RobertaProcessing,
  TemplateProcessing,
} from './tokenizers/postProcessors/index.js';
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
} from './tokenizers/preTokenizers/index.js';
export { PreTrainedTokenizer } from './tokenizers/pretrained.js';
export type { SpecialTokenRole } from './tokenizers/specialTokens.js';
export {
  Tokenizer,
  type TokenizerStages,
  type TruncationSide,
  type TruncationStrategy,
} from './tokenizers/tokenizer.js';
export {
  type TrainOptions,
  type TrainWordPieceOptions,
  trainBpe,
  trainWordPiece,
} from './tokenizers/trainers/train.js';
