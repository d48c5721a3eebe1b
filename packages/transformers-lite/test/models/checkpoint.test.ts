import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import * as realFs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noGrad } from '@lumen/autograd';
import { LumenError } from '@lumen/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { GPT2Config, GPT2LMHeadModel, GPT2Tokenizer } from '../../src/index.ts';
import { recoverFolder, saveFolderAtomically } from '../../src/models/atomicFolder.ts';
import { isModelFile } from '../../src/models/files.ts';
import { GENERATED } from '../tokenizers/helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'lumen-checkpoint-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A tiny GPT-2 whose config and weights both carry `k`. */
function model(k: number): GPT2LMHeadModel {
  const m = new GPT2LMHeadModel(
    new GPT2Config({ vocabSize: 16, nPositions: 8, nEmbd: 8, nLayer: 1, nHead: 2 }),
  );
  m.config.extra.save_counter = k;
  noGrad(() => m.transformer.wte.weight.copy_(k));
  return m;
}

async function counter(dir: string): Promise<{ config: unknown; weight: number }> {
  const m = await GPT2LMHeadModel.fromPretrained(dir);
  return { config: m.config.extra.save_counter, weight: m.transformer.wte.weight.dataSync()[0]! };
}

/** node:fs/promises, except that calls `failWhen` picks throw ENOSPC (a full disk). */
function fullDisk(failWhen: (call: string, path: string) => boolean): typeof realFs {
  return new Proxy(realFs, {
    get(target, key) {
      const value = (target as Record<string | symbol, unknown>)[key];
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (failWhen(String(key), String(args[0])))
          throw Object.assign(new Error(`ENOSPC: no space left on device, ${String(key)} '${args[0]}'`), {
            code: 'ENOSPC',
          });
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

const siblings = (name: string) => readdirSync(scratch).filter((e) => e.startsWith(`.${name}.`));

describe('savePretrained is atomic as a whole', () => {
  it('keeps the files it does not own, replaces the ones it does, and leaves no temporaries', async () => {
    const dir = join(scratch, 'keep');
    const first = model(1);
    first.generationConfigDict = { max_length: 5 };
    await first.savePretrained(dir);
    writeFileSync(join(dir, 'tokenizer.json'), '{"model": {}}');
    writeFileSync(join(dir, 'model-00001-of-00002.safetensors'), 'a stale shard');
    mkdirSync(join(dir, 'runs'));
    writeFileSync(join(dir, 'runs', 'log.txt'), 'epoch 1');
    symlinkSync('tokenizer.json', join(dir, 'link.json'));
    const written = await model(2).savePretrained(dir);
    expect(written).toEqual([join(dir, 'config.json'), join(dir, 'model.safetensors')]);
    // The new save has no generation config: the old one goes with the old weights.
    expect(readdirSync(dir).sort()).toEqual([
      'config.json',
      'link.json',
      'model.safetensors',
      'runs',
      'tokenizer.json',
    ]);
    expect(readFileSync(join(dir, 'runs', 'log.txt'), 'utf8')).toBe('epoch 1');
    expect(readFileSync(join(dir, 'link.json'), 'utf8')).toBe('{"model": {}}');
    expect(await counter(dir)).toEqual({ config: 2, weight: 2 });
    expect(siblings('keep')).toEqual([]);
  });

  it('a model and its tokenizer saved into one folder keep each other (both save the same way)', async () => {
    const dir = join(scratch, 'both');
    const tokenizer = await GPT2Tokenizer.fromPretrained(`${GENERATED}gpt2`);
    await model(1).savePretrained(dir);
    await tokenizer.savePretrained(dir);
    await model(2).savePretrained(dir);
    const files = [
      'config.json',
      'model.safetensors',
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ];
    expect(readdirSync(dir).sort()).toEqual(files);
    await tokenizer.savePretrained(dir);
    expect(readdirSync(dir).sort()).toEqual(files);
    expect(await counter(dir)).toEqual({ config: 2, weight: 2 });
    expect((await GPT2Tokenizer.fromPretrained(dir)).encode('hello world')).toEqual(
      tokenizer.encode('hello world'),
    );
    expect(siblings('both')).toEqual([]);
  });

  it('a write failing on a full disk leaves the previous checkpoint loadable, unchanged', async () => {
    const dir = join(scratch, 'enospc');
    await model(1).savePretrained(dir);
    const before = readdirSync(dir).map((f) => [f, readFileSync(join(dir, f))]);
    const files = await model(2).toFiles();
    for (const [call, file] of [
      ['open', 'model.safetensors'], // the weights cannot be written
      ['open', 'config.json'],
      ['rename', '.enospc.tmp-'], // the swap's second rename
    ] as const) {
      const fs = fullDisk((c, p) => c === call && p.includes(file));
      const save = saveFolderAtomically(dir, files, 'GPT2LMHeadModel.savePretrained', {
        owns: isModelFile,
        fs,
      });
      await expect(save).rejects.toThrow(LumenError);
      await expect(save).rejects.toThrow(/cannot save into .*enospc: ENOSPC.*Nothing was changed/);
      expect(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f))])).toEqual(before);
      expect(await counter(dir)).toEqual({ config: 1, weight: 1 });
      expect(siblings('enospc'), `after ${call} ${file} failed`).toEqual([]);
    }
  });

  it('the next save removes temporaries of a killed save; a live save of another process is left alone', async () => {
    const dir = join(scratch, 'stale');
    await model(1).savePretrained(dir);
    const dead = join(scratch, '.stale.tmp-99999999-abc');
    mkdirSync(dead);
    writeFileSync(join(dead, 'model.safetensors'), new Uint8Array(1000));
    const live = join(scratch, `.stale.tmp-${process.ppid}-def`);
    mkdirSync(live);
    expect(await counter(dir)).toEqual({ config: 1, weight: 1 }); // loads ignore them
    expect(existsSync(dead)).toBe(true);
    await model(2).savePretrained(dir);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    rmSync(live, { recursive: true });
  });

  it('a save killed between its two renames is finished by the next load (or rolled back without the new folder)', async () => {
    const dir = join(scratch, 'swap');
    await model(1).savePretrained(dir);
    // What a kill leaves after `dir` was renamed aside and before the new folder was renamed in.
    await model(2).savePretrained(join(scratch, '.swap.tmp-99999999-xyz'));
    await realFs.rename(dir, join(scratch, '.swap.old-99999999-xyz'));
    expect(existsSync(dir)).toBe(false);
    expect(await counter(dir)).toEqual({ config: 2, weight: 2 });
    expect(siblings('swap')).toEqual(['.swap.old-99999999-xyz']); // loads finish the swap only
    await recoverFolder(dir);
    expect(siblings('swap')).toEqual([]);
    // Only the old folder aside (the new one lost): it is put back.
    await realFs.rename(dir, join(scratch, '.swap.old-99999999-uvw'));
    expect(await counter(dir)).toEqual({ config: 2, weight: 2 });
  });

  it('a symbolic link to a checkpoint folder stays a link; the folder it points at is replaced', async () => {
    const target = join(scratch, 'run-5');
    await model(1).savePretrained(target);
    const link = join(scratch, 'latest');
    symlinkSync(target, link);
    await model(2).savePretrained(link);
    await expect(realFs.lstat(link).then((st) => st.isSymbolicLink())).resolves.toBe(true);
    expect(await counter(target)).toEqual({ config: 2, weight: 2 });
    expect(siblings('run-5')).toEqual([]);
  });

  it('refuses a path that is a file, and file names that are not plain names', async () => {
    const file = join(scratch, 'a-file');
    writeFileSync(file, 'x');
    await expect(model(1).savePretrained(file)).rejects.toThrow(/a-file exists and is not a folder/);
    await expect(saveFolderAtomically(join(scratch, 'names'), { '../x': 'y' }, 'op')).rejects.toThrow(
      /op: file names must be plain names inside the folder, got "..\/x"/,
    );
    await expect(model(1).savePretrained('' as string)).rejects.toThrow(/dir must be a non-empty string/);
  });
});
