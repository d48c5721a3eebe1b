import { checkOptions } from '@lumen/tensor';
import { HUB_OPTION_KEYS, type HubOptions } from '../hub/hub.js';
import { BertTokenizer } from './bert.js';
import { fail } from './config.js';
import { hasFile, loadTokenizerFiles, readJsonFile, type TokenizerSource } from './files.js';
import { GPT2Tokenizer } from './gpt2.js';
import { PreTrainedTokenizer } from './pretrained.js';

const CLASSES: Record<string, typeof PreTrainedTokenizer> = {
  BertTokenizer,
  DistilBertTokenizer: BertTokenizer,
  GPT2Tokenizer,
  PreTrainedTokenizer,
};

/** Picks the tokenizer class from a folder's files, as transformers' `AutoTokenizer` does. */
// biome-ignore lint/complexity/noStaticOnlyClass: mirrors transformers' AutoTokenizer.from_pretrained
export class AutoTokenizer {
  /**
   * `tokenizer_config.json`'s `tokenizer_class` decides (Bert*, GPT2*; any other class works
   * generically from tokenizer.json); without one, vocab.txt means BERT and vocab.json + merges.txt GPT-2.
   */
  static async fromPretrained(
    source: TokenizerSource,
    options: HubOptions = {},
  ): Promise<PreTrainedTokenizer> {
    const op = 'AutoTokenizer.fromPretrained';
    // transformers' other keywords (use_fast, padding_side…) are refused, not ignored.
    checkOptions(op, options, HUB_OPTION_KEYS);
    const files = await loadTokenizerFiles(source, op, options);
    const config = readJsonFile(files, 'tokenizer_config.json') ?? {};
    const named =
      typeof config.tokenizer_class === 'string' ? config.tokenizer_class.replace(/Fast$/, '') : null;
    const hasJson = hasFile(files, 'tokenizer.json');
    let cls: typeof PreTrainedTokenizer | undefined = named ? CLASSES[named] : undefined;
    if (!cls) {
      if (hasJson) cls = PreTrainedTokenizer;
      else if (named) {
        fail(
          op,
          `${files.where}: tokenizer_class ${JSON.stringify(config.tokenizer_class)} is not supported without a tokenizer.json (supported: BertTokenizer, GPT2Tokenizer)`,
        );
      } else if (hasFile(files, 'vocab.txt')) cls = BertTokenizer;
      else if (hasFile(files, 'vocab.json') && hasFile(files, 'merges.txt')) cls = GPT2Tokenizer;
      else
        fail(
          op,
          `${files.where} has no tokenizer files: expected tokenizer.json, vocab.txt, or vocab.json + merges.txt`,
        );
    }
    return cls.fromFiles(files);
  }
}
