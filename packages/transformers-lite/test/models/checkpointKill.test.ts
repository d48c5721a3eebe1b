import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { GPT2LMHeadModel } from '../../src/index.ts';

/**
 * A child saving a checkpoint in a loop is SIGKILLed at a random point of a save, then the folder
 * is loaded: it must hold the last save the child reported or the one in flight, with all three
 * files from that one save, the user's own file still there, and no temporaries of a dead save
 * left once the next child has saved. 10 trials here; LUMEN_KILL_TRIALS=60 for the long run.
 */
const TRIALS = Number(process.env.LUMEN_KILL_TRIALS ?? 10);
const scratch = mkdtempSync(join(tmpdir(), 'lumen-kill-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** tsx (a devDependency), so the child runs the sources. */
function tsxLoader(): string {
  const require = createRequire(join(import.meta.dirname, '..', '..', 'package.json'));
  return pathToFileURL(require.resolve('tsx')).href;
}

function startSaver(dir: string, first: number): { child: ChildProcess; saved: number[] } {
  const script = join(import.meta.dirname, 'checkpointSaver.ts');
  const child = spawn(
    process.execPath,
    ['--import', tsxLoader(), '--conditions=@lumen/source', script, dir, String(first)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const saved: number[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) if (line.startsWith('saved ')) saved.push(Number(line.slice(6)));
  });
  return { child, saved };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** What the folder loads as: the save counter of each file. */
async function loadCounters(dir: string): Promise<{ config: unknown; weights: number; generation: unknown }> {
  const model = await GPT2LMHeadModel.fromPretrained(dir);
  const w = model.transformer.wte.weight.dataSync();
  const weights = w[0]!;
  expect(
    w.every((v) => v === weights),
    'every value of wte comes from one save',
  ).toBe(true);
  return {
    config: model.config.extra.save_counter,
    weights,
    generation: model.generationConfigDict?.save_counter,
  };
}

describe('savePretrained survives SIGKILL at any point', () => {
  it(`${TRIALS} kills: the folder always loads the previous or the new checkpoint, never a mix`, {
    timeout: 60_000 + TRIALS * 20_000,
  }, async () => {
    const dir = join(scratch, 'ckpt');
    const stats = { old: 0, new: 0, swapInterrupted: 0, leftovers: 0 };
    // A file of the user's in the folder before any save: every save must keep it.
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    for (let trial = 0; trial < TRIALS; trial++) {
      // Counters stay below 2^24, so float32 weights hold them exactly.
      const first = trial * 10_000;
      const { child, saved } = startSaver(dir, first);
      const exited = new Promise((r) => child.on('exit', r));
      // The first save also cleans what the previous (killed) child left.
      await until(() => saved.length > 0 || child.exitCode !== null, 'the first save');
      expect(child.exitCode, 'the saver is running').toBe(null);
      const stale = readdirSync(scratch).filter(
        (e) => e.startsWith('.ckpt.') && !e.includes(`-${child.pid}-`),
      );
      expect(stale, 'temporaries of killed saves are removed by the next save').toEqual([]);
      // Kill somewhere in the next few saves (each takes a few ms to a few tens of ms).
      await sleep(Math.random() * 150);
      child.kill('SIGKILL');
      await exited;
      const reported = saved.at(-1)!;
      stats.leftovers += readdirSync(scratch).filter((e) => e.startsWith('.ckpt.')).length > 0 ? 1 : 0;
      if (!existsSync(dir)) stats.swapInterrupted++;
      const state = `siblings: ${readdirSync(scratch).join(' ')}; saves reported: ${saved.join(', ')}`;
      const loaded = await loadCounters(dir);
      expect(loaded.config, `trial ${trial}: config.json and the weights come from one save (${state})`).toBe(
        loaded.weights,
      );
      expect(loaded.generation, `trial ${trial}: generation_config.json too`).toBe(loaded.weights);
      expect(
        [reported, reported + 1],
        `trial ${trial}: the last reported save or the one in flight`,
      ).toContain(loaded.weights);
      if (loaded.weights === reported) stats.old++;
      else stats.new++;
      expect(readdirSync(dir).sort(), 'the user file is kept').toEqual([
        'config.json',
        'generation_config.json',
        'model.safetensors',
        'notes.txt',
      ]);
    }
    console.log(
      `kill test: ${TRIALS} trials, loaded the previous save ${stats.old}x and the one in flight ${stats.new}x; ` +
        `${stats.swapInterrupted} killed between the two renames (finished on load), ${stats.leftovers} left temporaries (removed by the next save)`,
    );
  });
});
