/**
 * The child of checkpointKill.test.ts: saves a small GPT-2 checkpoint into argv[2] again and again
 * until it is killed. Save k writes k into three files (config.json's `save_counter`, every value
 * of `transformer.wte.weight`, generation_config.json's `save_counter`), so a load tells which save
 * it sees and whether the files come from one save. Prints `saved k` after each save returns.
 */
import { noGrad } from '@lumen/autograd';
import { GPT2Config, GPT2LMHeadModel } from '../../src/index.ts';

const [dir, first] = process.argv.slice(2) as [string, string];
const model = new GPT2LMHeadModel(
  new GPT2Config({ vocabSize: 2000, nPositions: 64, nEmbd: 64, nLayer: 2, nHead: 2 }),
);
for (let k = Number(first); ; k++) {
  model.config.extra.save_counter = k;
  model.generationConfigDict = { save_counter: k };
  noGrad(() => model.transformer.wte.weight.copy_(k));
  await model.savePretrained(dir);
  process.stdout.write(`saved ${k}\n`);
}
