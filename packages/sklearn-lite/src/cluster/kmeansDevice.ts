/**
 * k-means with every O(n·k·d) step written as @lumen/tensor ops (matmul, argmin, one-hot
 * matmul for the center sums), so it runs wherever the data tensor lives — on webgpu the
 * distance and update steps run as GPU kernels and only O(k·d + n) numbers per iteration come
 * back (the k-means++ sampling and the stopping test). Same algorithm as the host Lloyd path.
 */
import { arange, cat, type Generator, type Tensor, tensor, tidy } from '@lumen/tensor';

export interface DeviceRun {
  labels: Tensor;
  centers: Tensor;
  inertia: number;
  nIter: number;
}

async function host(t: Tensor): Promise<Float64Array> {
  const d = await t.data();
  return d instanceof Float64Array ? d : Float64Array.from(d);
}

function indexTensor(ids: readonly number[], device: Tensor['device']): Tensor {
  return tensor(Int32Array.from(ids), { dtype: 'int32', device });
}

/** Squared distances (rows x n) from `rows` (r x d) to all of X, as |x|² - 2 r·x + |r|², clipped at 0. */
function distancesTo(rows: Tensor, X: Tensor, xNorms: Tensor): Tensor {
  return tidy(() => {
    const rN = rows.square().sum(1, { keepdim: true }); // (r, 1)
    return xNorms.unsqueeze(0).sub(rows.matmul(X.T).mul(2)).add(rN).clamp(0);
  });
}

export async function kmeansPlusPlusDevice(
  X: Tensor,
  xNorms: Tensor,
  k: number,
  g: Generator,
): Promise<Tensor> {
  const n = X.shape[0]!;
  const nTrials = 2 + Math.floor(Math.log(k));
  const first = g.randint(0, n);
  const rows: Tensor[] = [X.indexSelect(0, indexTensor([first], X.device))];
  let closest = distancesTo(rows[0]!, X, xNorms).squeeze(0);
  let closestHost = await host(closest);
  let pot = closestHost.reduce((a, b) => a + b, 0);
  const cum = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let acc = 0;
    for (let i = 0; i < n; i++) cum[i] = acc += closestHost[i]!;
    const ids: number[] = [];
    for (let t = 0; t < nTrials; t++) {
      const r = g.random() * pot;
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cum[mid]! < r) lo = mid + 1;
        else hi = mid;
      }
      ids.push(Math.min(lo, n - 1));
    }
    const cand = X.indexSelect(0, indexTensor(ids, X.device));
    const candMin = tidy(() => distancesTo(cand, X, xNorms).minimum(closest.unsqueeze(0)));
    const pots = await host(candMin.sum(1));
    let best = 0;
    for (let t = 1; t < nTrials; t++) if (pots[t]! < pots[best]!) best = t;
    pot = pots[best]!;
    closest = candMin.select(0, best).contiguous();
    closestHost = await host(closest);
    rows.push(cand.slice(0, best, best + 1));
  }
  return cat(rows, 0);
}

/** One Lloyd run on the data's device from `init` (k x d); tol is absolute (scikit-learn's scaled tol). */
export async function lloydDevice(X: Tensor, init: Tensor, maxIter: number, tol: number): Promise<DeviceRun> {
  const [n, d] = X.shape as [number, number];
  const k = init.shape[0]!;
  const classes = arange(0, k, 1, { dtype: 'int32', device: X.device });
  let centers = init;
  let labels = tidy(() => assign(X, centers));
  let old: Tensor | null = null;
  let strict = false;
  let it = 0;
  for (; it < maxIter; it++) {
    if (it > 0) labels = tidy(() => assign(X, centers));
    const onehot = labels.unsqueeze(1).eq(classes).cast(X.dtype); // (n, k)
    let sums = onehot.T.matmul(X); // (k, d)
    let counts = onehot.sum(0); // (k)
    const countsHost = await host(counts);
    const empty: number[] = [];
    countsHost.forEach((c, j) => {
      if (c === 0) empty.push(j);
    });
    if (empty.length > 0) {
      // Relocate empty clusters to the points farthest from their centers, as the host path does.
      const dist = await host(tidy(() => X.sub(centers.indexSelect(0, labels)).square().sum(1)));
      const labelsHost = await host(labels.cast('float32'));
      const far = Array.from({ length: n }, (_, i) => i)
        .sort((a, b) => dist[b]! - dist[a]! || a - b)
        .slice(0, empty.length);
      const sumsHost = await host(sums);
      const farRows = await host(X.indexSelect(0, indexTensor(far, X.device)));
      empty.forEach((newId, idx) => {
        const oldId = labelsHost[far[idx]!]!;
        for (let j = 0; j < d; j++) {
          sumsHost[oldId * d + j]! -= farRows[idx * d + j]!;
          sumsHost[newId * d + j] = farRows[idx * d + j]!;
        }
        countsHost[newId] = 1;
        countsHost[oldId]!--;
      });
      sums = tensor(sumsHost, {
        shape: [k, d],
        dtype: X.dtype === 'float64' ? 'float64' : 'float32',
        device: X.device,
      });
      counts = tensor(countsHost, { dtype: X.dtype === 'float64' ? 'float64' : 'float32', device: X.device });
    }
    const next = tidy(() => sums.div(counts.clamp(1).unsqueeze(1)));
    const flags = tidy(() => {
      const shift = next.sub(centers).square().sum().reshape(1);
      const changed = old
        ? labels.ne(old).any().cast(X.dtype).reshape(1)
        : tensor([1], { dtype: X.dtype, device: X.device });
      return cat([shift, changed], 0);
    });
    const [shift, changed] = await host(flags);
    centers = next;
    if (changed === 0) {
      strict = true;
      break;
    }
    if (shift! <= tol) break;
    old = labels;
  }
  if (!strict) labels = tidy(() => assign(X, centers));
  const inertia = (
    await host(tidy(() => X.sub(centers.indexSelect(0, labels)).square().sum().reshape(1)))
  )[0]!;
  return { labels, centers, inertia, nIter: Math.min(it + 1, maxIter) };
}

/** argmin_c |c|² - 2 x·c for every row: the distance step, one matmul and one reduction. */
export function assign(X: Tensor, centers: Tensor): Tensor {
  const cN = centers.square().sum(1).unsqueeze(0); // (1, k)
  return cN.sub(X.matmul(centers.T).mul(2)).argmin(1); // (n) int32
}
