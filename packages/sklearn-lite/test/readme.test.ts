import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sk from '@lumen/sklearn-lite';
import { expect, it, vi } from 'vitest';

it('the README example runs and prints what it says', async () => {
  const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md'), 'utf8');
  const code = readme.split('```ts\n')[1]!.split('```')[0]!;
  const body = code.replace(/^import [^;]*;$/m, '');
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  new Function('sk', `const { ${Object.keys(sk).join(', ')} } = sk;\n${body}`)(sk);
  const printed = log.mock.calls.map((c) => c.join(' '));
  log.mockRestore();
  expect(printed[0]).toBe('tensor([0.7296, 0.2285], dtype=float64)');
  expect(printed[2]).toContain('    setosa       1.00      1.00      1.00        50');
});

it('the README text example runs: string labels in, string labels out', () => {
  const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md'), 'utf8');
  const code = readme.split('```ts\n')[2]!.split('```')[0]!;
  const body = code.replace(/^import [^;]*;$/m, '');
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  new Function('sk', `const { ${Object.keys(sk).join(', ')} } = sk;\n${body}`)(sk);
  const [pred, yte] = log.mock.calls[0]!;
  log.mockRestore();
  expect(pred).toHaveLength(2);
  expect([...(pred as string[])].sort()).toEqual(['ham', 'spam']);
  expect([...(yte as string[])].sort()).toEqual(['ham', 'spam']);
});
