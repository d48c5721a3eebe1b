/**
 * The child of hub.test.ts's concurrency tests: loads argv[2] (a Hub id) into the cache argv[3]
 * from HF_ENDPOINT, printing `progress <loaded>` as bytes arrive and `logits <sum>` when loaded.
 */
import { tensor } from '@lumen/tensor';
import { GPT2LMHeadModel } from '../../src/index.ts';

const [id, cacheDir] = process.argv.slice(2) as [string, string];
const model = await GPT2LMHeadModel.fromPretrained(id, {
  cacheDir,
  onProgress: (p) => {
    if (p.status === 'progress' && p.file === 'model.safetensors')
      process.stdout.write(`progress ${p.loaded}\n`);
  },
});
const ids = tensor(Int32Array.from([5, 17, 42, 8]), { shape: [1, 4], dtype: 'int32' });
const logits = model.forward({ inputIds: ids }).logits;
process.stdout.write(`logits ${(await logits.sum().item()) as number}\n`);
