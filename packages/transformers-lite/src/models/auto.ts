import { checkOptions } from '@lumen/tensor';
import { HUB_OPTION_KEYS, type HubOptions, hubOptionsOf } from '../hub/hub.js';
import { BertForMaskedLM, BertForSequenceClassification, BertModel } from './bert.js';
import { type BertConfig, type ConfigDict, configFromDict, type GPT2Config } from './config.js';
import { fail } from './errors.js';
import { type ModelSource, readModelFiles } from './files.js';
import { GPT2LMHeadModel, GPT2Model } from './gpt2.js';
import { FROM_PRETRAINED_KEYS, type FromPretrainedOptions } from './pretrained.js';

/** transformers' AutoConfig: the config class named by config.json's `model_type`. */
export const AutoConfig = {
  /** From a Hub id, a folder or `{ files }`; only config.json is read (and downloaded). */
  async fromPretrained(source: ModelSource, options: HubOptions = {}): Promise<BertConfig | GPT2Config> {
    const op = 'AutoConfig.fromPretrained';
    checkOptions(op, options, HUB_OPTION_KEYS);
    const files = await readModelFiles(source, op, options, false);
    return configFromDict(files.config, `config.json (in ${files.where})`);
  },
  fromDict(dict: ConfigDict): BertConfig | GPT2Config {
    return configFromDict(dict, 'AutoConfig.fromDict');
  },
};

type Loader<M> = (source: ModelSource, options: FromPretrainedOptions) => Promise<M>;

/** An Auto class: picks the model class for the task by config.json's `model_type`. */
function autoClass<M>(task: string, byType: Record<string, Loader<M>>) {
  return {
    async fromPretrained(source: ModelSource, options: FromPretrainedOptions = {}): Promise<M> {
      const op = `${task}.fromPretrained`;
      checkOptions(op, options, FROM_PRETRAINED_KEYS);
      const files = await readModelFiles(source, op, hubOptionsOf(options), false);
      const type = files.config.model_type;
      const load = typeof type === 'string' ? byType[type] : undefined;
      if (!load)
        fail(
          op,
          `no ${task.replace('AutoModelFor', '')} model for model_type ${JSON.stringify(type)} (in ${files.where}); supported: ${Object.keys(byType).join(', ')}`,
        );
      return load(source, options);
    },
  };
}

export const AutoModel = autoClass<BertModel | GPT2Model>('AutoModel', {
  bert: (s, o) => BertModel.fromPretrained(s, o),
  gpt2: (s, o) => GPT2Model.fromPretrained(s, o),
});

export const AutoModelForSequenceClassification = autoClass<BertForSequenceClassification>(
  'AutoModelForSequenceClassification',
  { bert: (s, o) => BertForSequenceClassification.fromPretrained(s, o) },
);

export const AutoModelForCausalLM = autoClass<GPT2LMHeadModel>('AutoModelForCausalLM', {
  gpt2: (s, o) => GPT2LMHeadModel.fromPretrained(s, o),
});

export const AutoModelForMaskedLM = autoClass<BertForMaskedLM>('AutoModelForMaskedLM', {
  bert: (s, o) => BertForMaskedLM.fromPretrained(s, o),
});
