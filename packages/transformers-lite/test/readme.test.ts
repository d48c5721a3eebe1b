import { readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tensorLib from '@lumen/tensor';
import ts from 'typescript';
import { expect, it, vi } from 'vitest';
import * as tl from '../src/index.ts';

/** Runs each ```ts block of the README with its imports bound to the real modules; returns what it logged. */
async function runBlock(code: string): Promise<string[]> {
  const modules: Record<string, Record<string, unknown>> = {
    'node:fs/promises': fs,
    'node:os': os,
    'node:path': { ...path },
    '@lumen/tensor': tensorLib,
    '@lumen/transformers-lite': tl,
  };
  const bindings: Record<string, unknown> = {};
  const body = code.replace(
    /^import\s*\{([^}]*)\}\s*from\s*'([^']+)';$/gm,
    (_, names: string, from: string) => {
      const mod = modules[from];
      if (!mod) throw new Error(`README imports ${from}, which this test does not provide`);
      for (const n of names
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)) {
        if (!(n in mod)) throw new Error(`README imports ${n} from ${from}, which does not export it`);
        bindings[n] = mod[n];
      }
      return '';
    },
  );
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
    // The blocks are TypeScript (`loss!`): strip the types the way tsc would.
    const js = ts.transpileModule(body, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    }).outputText;
    await new AsyncFunction(...Object.keys(bindings), js)(...Object.values(bindings));
    return log.mock.calls.map((c) => c.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(' '));
  } finally {
    log.mockRestore();
  }
}

const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md'), 'utf8');
const blocks = readme
  .split('```ts\n')
  .slice(1)
  .map((b) => b.split('```')[0]!);

it('the README tokenizer example runs and prints what its comments say', async () => {
  const dir = await fs.mkdtemp(join(os.tmpdir(), 'readme-tok-'));
  const printed = await runBlock(blocks[0]!.replaceAll("'./my-tokenizer'", JSON.stringify(join(dir, 'tok'))));
  expect(printed).toEqual(['[2,6] int32', 'the cat']);
  await fs.rm(dir, { recursive: true, force: true });
});

it('the README model example runs and prints what its comments say', async () => {
  const printed = await runBlock(blocks[1]!);
  expect(printed[0]).toBe('[1,11]');
  expect(printed[1]).toBe('true');
  const [shape, loss] = printed[2]!.split(' ');
  expect(shape).toBe('[2,2]');
  expect(Math.abs(Number(loss) - Math.log(2))).toBeLessThan(0.05);
});
