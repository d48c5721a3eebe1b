import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULES } from '../src/rules/index.js';

/**
 * Every op name @lumen/tensor records has a derivative rule. The names are read from tensor's
 * sources (its `record('op', …)` calls and its float elementwise op table), so a new op there
 * fails this test until autograd learns it.
 */
function recordedOps(): Set<string> {
  const root = new URL('../../tensor/src/', import.meta.url);
  const ops = new Set<string>();
  const walk = (dir: URL) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(new URL(`${e.name}/`, dir));
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.generated.ts')) {
        const src = readFileSync(new URL(e.name, dir), 'utf8');
        for (const m of src.matchAll(/record\('(\w+)'/g)) ops.add(m[1]!);
      }
    }
  };
  walk(root);
  const table = readFileSync(new URL('ops/opTable.ts', root), 'utf8');
  const unary = table.slice(table.indexOf('UNARY_OPS'), table.indexOf('BINARY_OPS'));
  const binary = table.slice(table.indexOf('BINARY_OPS'));
  for (const m of unary.matchAll(/^ {2}(\w+): \{ kind: '(same|float)'/gm))
    if (m[1] !== 'identity') ops.add(m[1]!);
  for (const m of binary.matchAll(/^ {2}(\w+): \{ kind: '(same|float)'/gm)) ops.add(m[1]!);
  return ops;
}

describe('rule coverage', () => {
  it('has a derivative rule for every op that @lumen/tensor records', () => {
    const ops = recordedOps();
    expect(ops.size).toBeGreaterThan(40);
    const missing = [...ops].filter((op) => !(op in RULES));
    expect(missing).toEqual([]);
  });
});
