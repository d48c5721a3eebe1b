import { fail, type JsonObject } from './config.js';
import { WordPieceDecoder } from './decoders/index.js';
import type { LoadedFiles } from './files.js';
import { legacyAddedTokens } from './io.js';
import { WordPiece } from './models/index.js';
import { BertNormalizer } from './normalizers/index.js';
import { TemplateProcessing } from './postProcessors/index.js';
import { BertPreTokenizer } from './preTokenizers/index.js';
import { PreTrainedTokenizer } from './pretrained.js';
import type { SpecialTokenRole } from './specialTokens.js';
import { Tokenizer } from './tokenizer.js';

/** BERT's WordPiece tokenizer; loads tokenizer.json or the older vocab.txt (+ tokenizer_config.json). */
export class BertTokenizer extends PreTrainedTokenizer {
  static override readonly pythonClassName: string = 'BertTokenizer';
  protected static override readonly defaultSpecialTokens: Partial<Record<SpecialTokenRole, string>> = {
    unk: '[UNK]',
    sep: '[SEP]',
    pad: '[PAD]',
    cls: '[CLS]',
    mask: '[MASK]',
  };
  protected static override readonly defaultCleanUpTokenizationSpaces: boolean = true;

  constructor(tokenizer: Tokenizer, config: JsonObject = {}) {
    super(tokenizer, config);
    // As transformers' BertTokenizerFast: tokenizer_config.json's do_lower_case, strip_accents and
    // tokenize_chinese_chars (defaults true, null, true) win over a BertNormalizer that disagrees.
    const n = tokenizer.normalizer;
    if (n instanceof BertNormalizer) {
      const lower = typeof config.do_lower_case === 'boolean' ? config.do_lower_case : true;
      const strip = typeof config.strip_accents === 'boolean' ? config.strip_accents : null;
      const chinese =
        typeof config.tokenize_chinese_chars === 'boolean' ? config.tokenize_chinese_chars : true;
      if (n.lowercase !== lower || n.stripAccents !== strip || n.handleChineseChars !== chinese) {
        tokenizer.normalizer = new BertNormalizer(n.cleanText, chinese, strip, lower);
      }
    }
  }

  /** vocab.txt as transformers converts it: BertNormalizer, BertPreTokenizer, [CLS]/[SEP] template, WordPiece. */
  protected static override fromLegacyFiles(files: LoadedFiles, config: JsonObject): Tokenizer {
    const vocabTxt = files.text['vocab.txt'];
    if (vocabTxt === undefined)
      fail('BertTokenizer.fromPretrained', `${files.where} has neither tokenizer.json nor vocab.txt`);
    const token = (key: string, dflt: string) =>
      typeof config[key] === 'string' ? (config[key] as string) : dflt;
    const unk = token('unk_token', '[UNK]');
    const model = WordPiece.fromVocabTxt(vocabTxt, unk);
    const idOf = (t: string) => {
      const id = model.tokenToId(t);
      if (id === undefined) fail(`vocab.txt (in ${files.where})`, `has no ${JSON.stringify(t)} token`);
      return id;
    };
    const cls = token('cls_token', '[CLS]');
    const sep = token('sep_token', '[SEP]');
    const bool = (key: string, dflt: boolean | null) =>
      typeof config[key] === 'boolean' ? (config[key] as boolean) : dflt;
    return new Tokenizer({
      normalizer: new BertNormalizer(
        true,
        bool('tokenize_chinese_chars', true)!,
        bool('strip_accents', null),
        bool('do_lower_case', true)!,
      ),
      preTokenizer: new BertPreTokenizer(),
      model,
      postProcessor: TemplateProcessing.bert([cls, idOf(cls)], [sep, idOf(sep)]),
      decoder: new WordPieceDecoder('##', true),
      addedTokens: legacyAddedTokens(files, config),
    });
  }
}
