import { describe, fail, isObject, type JsonObject, MAX_TOKEN_ID, preview } from './config.js';
import { ByteLevelDecoder } from './decoders/index.js';
import { type LoadedFiles, readJsonFile } from './files.js';
import { legacyAddedTokens } from './io.js';
import { BPE, parseMergesTxt } from './models/index.js';
import { ByteLevelProcessing } from './postProcessors/index.js';
import { ByteLevelPreTokenizer } from './preTokenizers/index.js';
import { PreTrainedTokenizer } from './pretrained.js';
import type { SpecialTokenRole } from './specialTokens.js';
import { Tokenizer } from './tokenizer.js';

/** GPT-2's byte-level BPE tokenizer; loads tokenizer.json or the older vocab.json + merges.txt. */
export class GPT2Tokenizer extends PreTrainedTokenizer {
  static override readonly pythonClassName: string = 'GPT2Tokenizer';
  protected static override readonly defaultSpecialTokens: Partial<Record<SpecialTokenRole, string>> = {
    unk: '<|endoftext|>',
    bos: '<|endoftext|>',
    eos: '<|endoftext|>',
  };
  protected static override readonly defaultModelInputNames: readonly string[] = [
    'input_ids',
    'attention_mask',
  ];

  constructor(tokenizer: Tokenizer, config: JsonObject = {}) {
    super(tokenizer, config);
    // As transformers' GPT2TokenizerFast: tokenizer_config.json's add_prefix_space (default false)
    // wins over a ByteLevel pre-tokenizer that disagrees.
    const pre = tokenizer.preTokenizer;
    const addPrefixSpace = config.add_prefix_space === true;
    if (pre instanceof ByteLevelPreTokenizer && pre.addPrefixSpace !== addPrefixSpace) {
      tokenizer.preTokenizer = new ByteLevelPreTokenizer(addPrefixSpace, pre.useRegex, pre.trimOffsets);
    }
  }

  /** vocab.json + merges.txt as transformers converts them: ByteLevel pre-tokenizer, BPE, ByteLevel decoder. */
  protected static override fromLegacyFiles(files: LoadedFiles, config: JsonObject): Tokenizer {
    const mergesTxt = files.text['merges.txt'];
    const vocabJson = readJsonFile(files, 'vocab.json');
    if (!vocabJson || mergesTxt === undefined) {
      fail(
        'GPT2Tokenizer.fromPretrained',
        `${files.where} has neither tokenizer.json nor vocab.json + merges.txt`,
      );
    }
    const vocab = new Map<string, number>();
    for (const [token, id] of Object.entries(vocabJson)) {
      if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0 || id > MAX_TOKEN_ID) {
        fail(
          `vocab.json (in ${files.where})`,
          `${preview(token)} must map to a token id (an integer from 0 to ${MAX_TOKEN_ID}), got ${describe(id)}`,
        );
      }
      vocab.set(token, id);
    }
    let model: BPE;
    try {
      model = new BPE(vocab, parseMergesTxt(mergesTxt));
    } catch (e) {
      (e as Error).message = `merges.txt (in ${files.where}): ${(e as Error).message}`;
      throw e;
    }
    const addPrefixSpace = config.add_prefix_space === true;
    const added = legacyAddedTokens(files, config);
    if (!isObject(config.added_tokens_decoder) && vocab.has('<|endoftext|>')) {
      added.push({
        id: vocab.get('<|endoftext|>')!,
        content: '<|endoftext|>',
        singleWord: false,
        lstrip: false,
        rstrip: false,
        normalized: true,
        special: true,
      });
    }
    return new Tokenizer({
      preTokenizer: new ByteLevelPreTokenizer(addPrefixSpace),
      model,
      postProcessor: new ByteLevelProcessing(true, false),
      decoder: new ByteLevelDecoder(),
      addedTokens: added,
    });
  }
}
