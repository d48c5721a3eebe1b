import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseSafetensors, readSafetensorsHeader, serializeSafetensors } from '@lumen/nn';
import { afterAll, describe, expect, it } from 'vitest';
import { BertForMaskedLM, BertModel, GPT2LMHeadModel, GPT2Model } from '../../src/index.ts';
import { expectClose, fixture, folder, maxDiff, type TJ, t } from './helpers.ts';

// hub.json: the reference PyTorch model's outputs on the float16 / bfloat16 weights
// (scripts/gen-hub-fixtures.py); gpt2.json: its outputs on the float32 originals.
const hub = fixture<{
  gpt2: { inputIds: TJ; logits: TJ };
  bert: { inputIds: TJ; attentionMask: TJ; logits: TJ };
}>('hub.json');
const gpt2 = fixture<{ inputIds: TJ; logits: TJ }>('gpt2.json');

const scratch = mkdtempSync(join(tmpdir(), 'lumen-formats-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(scratch, `d${n++}`);

describe('sharded and half-precision safetensors', () => {
  it('loads a float16 checkpoint in four shards: logits equal the reference on the same weights', async () => {
    const model = await GPT2LMHeadModel.fromPretrained(folder('gpt2-sharded-f16'));
    expect(model.loadingInfo).toEqual({ missingKeys: [], unexpectedKeys: [], mismatchedKeys: [] });
    expect(model.parameters().every((p) => p.dtype === 'float32')).toBe(true);
    const logits = model.forward({ inputIds: t(hub.gpt2.inputIds) }).logits;
    await expectClose(logits, hub.gpt2.logits, 1e-4);
    // float16 rounding moves the logits a little from the float32 model's, not more.
    const d = await maxDiff(logits, gpt2.logits);
    expect(d).toBeGreaterThan(1e-5);
    expect(d).toBeLessThan(0.05);
  });

  it('loads float32 shards to the same logits as the single file', async () => {
    const model = await GPT2LMHeadModel.fromPretrained(folder('gpt2-sharded-f32'));
    await expectClose(model.forward({ inputIds: t(gpt2.inputIds) }).logits, gpt2.logits, 1e-4);
  });

  it('loads bfloat16 BERT with the gamma/beta LayerNorm names of old checkpoints', async () => {
    const mlm = await BertForMaskedLM.fromPretrained(folder('bert-mlm-legacy-bf16'));
    expect(mlm.loadingInfo!.missingKeys).toEqual([]);
    expect(mlm.loadingInfo!.unexpectedKeys).toEqual([]);
    const inputs = {
      inputIds: t(hub.bert.inputIds),
      attentionMask: t(hub.bert.attentionMask),
    };
    await expectClose(mlm.forward(inputs).logits, hub.bert.logits, 1e-4);
    // A bare BertModel from the same file: the `bert.` prefix is stripped.
    const base = await BertModel.fromPretrained(folder('bert-mlm-legacy-bf16'));
    await expectClose(base.forward(inputs).lastHiddenState, mlm.bert.forward(inputs).lastHiddenState, 1e-6);
  });

  it('loads BERT and GPT-2 checkpoints with the backbone prefix absent', async () => {
    const bytes = readFileSync(join(folder('bert-mlm'), 'model.safetensors'));
    const sd = parseSafetensors(new Uint8Array(bytes)).tensors;
    const bare = Object.fromEntries(
      Object.entries(sd)
        .filter(([k]) => k.startsWith('bert.'))
        .map(([k, v]) => [k.slice('bert.'.length), v]),
    );
    const dir = fresh();
    mkdirSync(dir);
    copyFileSync(join(folder('bert-mlm'), 'config.json'), join(dir, 'config.json'));
    writeFileSync(join(dir, 'model.safetensors'), await serializeSafetensors(bare));
    const inputs = { inputIds: t(hub.bert.inputIds), attentionMask: t(hub.bert.attentionMask) };
    const fromBare = await BertModel.fromPretrained(dir);
    const fromPrefixed = await BertModel.fromPretrained(folder('bert-mlm'));
    await expectClose(
      fromBare.forward(inputs).lastHiddenState,
      fromPrefixed.forward(inputs).lastHiddenState,
      1e-6,
    );
    // GPT-2: a head model's (prefixed) shards into the bare backbone.
    const backbone = await GPT2Model.fromPretrained(folder('gpt2-sharded-f32'));
    expect(backbone.loadingInfo!.missingKeys).toEqual([]);
  });

  it('refuses an index that names a missing shard, a path, or a tensor twice', async () => {
    const dir = fresh();
    mkdirSync(dir);
    for (const f of readdirSync(folder('gpt2-sharded-f32')))
      copyFileSync(join(folder('gpt2-sharded-f32'), f), join(dir, f));
    rmSync(join(dir, 'model-00003-of-00004.safetensors'));
    await expect(GPT2LMHeadModel.fromPretrained(dir)).rejects.toThrow(
      /has no model-00003-of-00004\.safetensors, a shard model\.safetensors\.index\.json names/,
    );
    const index = JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8'));
    index.weight_map['transformer.wte.weight'] = '../gpt2-lm/model.safetensors';
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify(index));
    await expect(GPT2LMHeadModel.fromPretrained(dir)).rejects.toThrow(
      /weight_map\["transformer\.wte\.weight"\] must name a \.safetensors file in the same folder, got "\.\.\/gpt2-lm/,
    );
    // Shard 3 replaced by a copy of shard 2: its tensors appear twice.
    copyFileSync(
      join(dir, 'model-00002-of-00004.safetensors'),
      join(dir, 'model-00003-of-00004.safetensors'),
    );
    index.weight_map['transformer.wte.weight'] = 'model-00001-of-00004.safetensors';
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify(index));
    await expect(GPT2LMHeadModel.fromPretrained(dir)).rejects.toThrow(
      /hold transformer\.h\.0\.mlp\.c_\w+\.\w+ twice \(.*again in model-00003-of-00004\.safetensors\)/,
    );
  });
});

describe('savePretrained({ maxShardSize })', () => {
  it("writes transformers' shards and index: the same files as save_pretrained(max_shard_size='40KB')", async () => {
    const model = await GPT2LMHeadModel.fromPretrained(folder('gpt2-lm'));
    const expected = folder('gpt2-sharded-f32');
    for (const size of ['40KB', 40_000, '40kB', '320Kb']) {
      const dir = fresh();
      const written = await model.savePretrained(dir, { maxShardSize: size });
      const names = readdirSync(expected).sort();
      expect(written.map((p) => basename(p)).sort()).toEqual(names);
      expect(readdirSync(dir).sort()).toEqual(names);
      expect(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8')).toBe(
        readFileSync(join(expected, 'model.safetensors.index.json'), 'utf8'),
      );
      for (const f of names.filter((x) => x.endsWith('.safetensors'))) {
        const ours = parseSafetensors(new Uint8Array(readFileSync(join(dir, f))));
        const theirs = parseSafetensors(new Uint8Array(readFileSync(join(expected, f))));
        expect(Object.keys(ours.tensors)).toEqual(Object.keys(theirs.tensors));
        expect(ours.metadata).toEqual({ format: 'pt' });
        for (const [k, v] of Object.entries(ours.tensors))
          expect(await v.toArray()).toEqual(await theirs.tensors[k]!.toArray());
      }
    }
  });

  it('round-trips through shards; a later unsharded save removes the stale shards', async () => {
    const model = await GPT2LMHeadModel.fromPretrained(folder('gpt2-lm'));
    const dir = fresh();
    await model.savePretrained(dir, { maxShardSize: '0.03MB' });
    const shards = readdirSync(dir).filter((f) => f.startsWith('model-'));
    expect(shards.length).toBeGreaterThan(4); // 30,000 bytes < the 40KB of the fixture's four
    expect(shards).toContain(`model-00001-of-0000${shards.length}.safetensors`);
    const back = await GPT2LMHeadModel.fromPretrained(dir);
    await expectClose(back.forward({ inputIds: t(gpt2.inputIds) }).logits, gpt2.logits, 1e-4);
    // A tensor larger than the limit gets a shard of its own (huggingface_hub's rule).
    await model.savePretrained(dir, { maxShardSize: 1000 });
    const index = JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8'));
    const wte = index.weight_map['transformer.wte.weight'];
    const header = readSafetensorsHeader(new Uint8Array(readFileSync(join(dir, wte)))).tensors;
    expect(Object.keys(header)).toEqual(['transformer.wte.weight']);
    await model.savePretrained(dir, { maxShardSize: '5GB' });
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'model.safetensors']);
  });

  it('refuses a maxShardSize that is not a size, naming it', async () => {
    const model = await GPT2LMHeadModel.fromPretrained(folder('gpt2-lm'));
    for (const bad of [0, -5, 1.5, '5 parsecs', '5G', '', null]) {
      await expect(model.savePretrained(fresh(), { maxShardSize: bad as never })).rejects.toThrow(
        /maxShardSize must be/,
      );
    }
    await expect(model.savePretrained(fresh(), { max_shard_size: '5GB' } as never)).rejects.toThrow(
      /maxShardSize/,
    );
  });
});

describe('pickle checkpoints are refused', () => {
  it('pytorch_model.bin, .pt, .ckpt: the error says why and what to do', async () => {
    const dir = fresh();
    mkdirSync(dir);
    copyFileSync(join(folder('gpt2-lm'), 'config.json'), join(dir, 'config.json'));
    // The bytes are never read: a pickle is refused by name, before anything is opened.
    writeFileSync(join(dir, 'pytorch_model.bin'), 'PK\x03\x04 not really a zip');
    const why =
      /pytorch_model\.bin \(in .*\) is a PyTorch pickle checkpoint.*runs code.*refs\/pr\/N.*safe_serialization=True/;
    await expect(GPT2LMHeadModel.fromPretrained(dir)).rejects.toThrow(why);
    for (const name of ['model.pt', 'weights.ckpt']) {
      writeFileSync(join(dir, name), 'x');
      await expect(GPT2LMHeadModel.fromPretrained(join(dir, name))).rejects.toThrow(
        /is a PyTorch pickle checkpoint/,
      );
    }
    const config = readFileSync(join(dir, 'config.json'), 'utf8');
    await expect(
      GPT2LMHeadModel.fromPretrained({
        files: { 'config.json': config, 'pytorch_model.bin': new Uint8Array(4) },
      }),
    ).rejects.toThrow(/is a PyTorch pickle checkpoint/);
  });
});
