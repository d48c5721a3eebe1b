// `pnpm size`: source lines per package (src/ only; generated files and tests counted apart), so
// growth is visible in review.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const groups = ['packages', 'apps']
  .flatMap((g) => readdirSync(join(root, g)).map((p) => join(g, p)))
  .concat(['bench']);

function walk(dir, out = []) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e === 'node_modules' || e === 'dist' || e === 'fixtures') continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|mts|mjs|wgsl)$/.test(e)) out.push(p);
  }
  return out;
}

const lines = (f) =>
  readFileSync(f, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '').length;
const rows = [];
for (const g of groups) {
  const dir = join(root, g);
  const src = walk(join(dir, 'src'));
  const generated = src.filter((f) => f.includes('.generated.'));
  const hand = src.filter((f) => !f.includes('.generated.'));
  const tests = walk(join(dir, 'test'));
  rows.push([
    g,
    hand.reduce((n, f) => n + lines(f), 0),
    generated.reduce((n, f) => n + lines(f), 0),
    tests.reduce((n, f) => n + lines(f), 0),
  ]);
}
const header = ['package', 'src lines', 'generated', 'test lines'];
const width = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const fmt = (r) =>
  r.map((c, i) => (i === 0 ? String(c).padEnd(width[i]) : String(c).padStart(width[i]))).join('  ');
console.log(fmt(header));
for (const r of rows) console.log(fmt(r));
const total = rows.reduce((t, r) => [t[0], t[1] + r[1], t[2] + r[2], t[3] + r[3]], ['total', 0, 0, 0]);
console.log(fmt(total));
