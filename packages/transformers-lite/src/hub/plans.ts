/** Which files each loader fetches from a Hub repository ("only the files the class needs"). */

import { fail } from '../models/errors.js';
import { noWeights, PICKLE_WEIGHTS_FILES, readIndex, WEIGHTS_INDEX_FILE } from '../models/shards.js';
import type { HubOptions, HubRepo } from './hub.js';
import { openHubRepo } from './open.js';

/** config.json, generation_config.json when there is one, and (with `weights`) the safetensors weights. */
export async function fetchModelRepo(
  id: string,
  options: HubOptions,
  op: string,
  weights: boolean,
): Promise<HubRepo> {
  const repo = await openHubRepo(id, options, op);
  if (!(await repo.get('config.json')))
    fail(op, `${repo.where} has no config.json: is it a model repository?`);
  await repo.get('generation_config.json');
  if (!weights || (await repo.get('model.safetensors'))) {
    await repo.finish();
    return repo;
  }
  if (await repo.get(WEIGHTS_INDEX_FILE)) {
    for (const shard of readIndex(repo.where, await repo.text(WEIGHTS_INDEX_FILE))) {
      if (!(await repo.get(shard)))
        fail(op, `${repo.where} has no ${shard}, a shard its ${WEIGHTS_INDEX_FILE} names`);
    }
    await repo.finish();
    return repo;
  }
  // Name what the repository has instead (pickles are never downloaded, only asked about).
  const present: string[] = [];
  for (const f of [...PICKLE_WEIGHTS_FILES, 'tf_model.h5', 'flax_model.msgpack']) {
    if (await repo.has(f).catch(() => false)) {
      present.push(f);
      break;
    }
  }
  noWeights(op, repo.where, present);
}

/** tokenizer.json (else vocab.txt / vocab.json + merges.txt) and the configs beside it. */
export async function fetchTokenizerRepo(id: string, options: HubOptions, op: string): Promise<HubRepo> {
  const repo = await openHubRepo(id, options, op);
  const has = new Set<string>();
  const get = async (f: string) => {
    if (await repo.get(f)) has.add(f);
  };
  for (const f of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'added_tokens.json'])
    await get(f);
  await get('chat_template.jinja');
  if (!has.has('tokenizer.json')) for (const f of ['vocab.txt', 'vocab.json', 'merges.txt']) await get(f);
  if (!['tokenizer.json', 'vocab.txt', 'vocab.json'].some((f) => has.has(f)))
    fail(op, `${repo.where} has no tokenizer files (tokenizer.json, vocab.txt, vocab.json + merges.txt)`);
  await repo.finish();
  return repo;
}
