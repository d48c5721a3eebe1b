import { checkOptions } from '@lumen/tensor';
import { fail } from '../base/errors.js';
import { checkOneOf, optionKeys } from '../base/estimator.js';
import { checkSameLength, type LabelsLike, toLabels } from '../base/input.js';

/** The non-zero cells of the contingency table of two labelings, with row and column sums. */
interface Contingency {
  n: number;
  /** counts of each (class, cluster) pair present */
  cells: number[];
  cellRow: number[];
  cellCol: number[];
  rowSums: number[];
  colSums: number[];
}

function codes(labels: (number | string)[]): { code: Int32Array; k: number } {
  const index = new Map<number | string, number>();
  const code = new Int32Array(labels.length);
  labels.forEach((l, i) => {
    let c = index.get(l);
    if (c === undefined) {
      c = index.size;
      index.set(l, c);
    }
    code[i] = c;
  });
  return { code, k: index.size };
}

function contingency(op: string, labelsTrue: LabelsLike, labelsPred: LabelsLike): Contingency {
  const a = toLabels(op, 'labelsTrue', labelsTrue);
  const b = toLabels(op, 'labelsPred', labelsPred);
  checkSameLength(op, ['labelsTrue', 'labelsPred'], a, b);
  const ca = codes(a);
  const cb = codes(b);
  const cellIndex = new Map<number, number>();
  const cells: number[] = [];
  const cellRow: number[] = [];
  const cellCol: number[] = [];
  const rowSums = new Array<number>(ca.k).fill(0);
  const colSums = new Array<number>(cb.k).fill(0);
  for (let i = 0; i < a.length; i++) {
    const r = ca.code[i]!;
    const c = cb.code[i]!;
    const key = r * cb.k + c;
    let q = cellIndex.get(key);
    if (q === undefined) {
      q = cells.length;
      cellIndex.set(key, q);
      cells.push(0);
      cellRow.push(r);
      cellCol.push(c);
    }
    cells[q]!++;
    rowSums[r]!++;
    colSums[c]!++;
  }
  return { n: a.length, cells, cellRow, cellCol, rowSums, colSums };
}

function entropyOf(counts: number[]): number {
  const pi = counts.filter((c) => c > 0);
  if (pi.length <= 1) return 0;
  const sum = pi.reduce((s, v) => s + v, 0);
  const logSum = Math.log(sum);
  let h = 0;
  for (const v of pi) h += (v / sum) * (Math.log(v) - logSum);
  return -h;
}

function mutualInfo(t: Contingency): number {
  if (t.rowSums.length === 1 || t.colSums.length === 1) return 0;
  const total = t.n;
  const logTotal = Math.log(total);
  const logOuterBase = Math.log(total) + Math.log(total);
  let mi = 0;
  for (let q = 0; q < t.cells.length; q++) {
    const nz = t.cells[q]!;
    const pnm = nz / total;
    const outer = t.rowSums[t.cellRow[q]!]! * t.colSums[t.cellCol[q]!]!;
    const term = pnm * (Math.log(nz) - logTotal) + pnm * (-Math.log(outer) + logOuterBase);
    mi += Math.abs(term) < 2.220446049250313e-16 ? 0 : term;
  }
  return Math.max(mi, 0);
}

/** scikit-learn's mutual_info_score (natural logarithm). */
export function mutualInfoScore(labelsTrue: LabelsLike, labelsPred: LabelsLike): number {
  return mutualInfo(contingency('mutualInfoScore', labelsTrue, labelsPred));
}

/** The pair confusion matrix [[tn, fp], [fn, tp]] as BigInts (pair counts overflow 2⁵³ for large n). */
function pairConfusion(t: Contingency): [bigint, bigint, bigint, bigint] {
  const n = BigInt(t.n);
  let sumSquares = 0n;
  let rowDot = 0n;
  let colDot = 0n;
  for (let q = 0; q < t.cells.length; q++) {
    const v = BigInt(t.cells[q]!);
    sumSquares += v * v;
    rowDot += v * BigInt(t.colSums[t.cellCol[q]!]!);
    colDot += v * BigInt(t.rowSums[t.cellRow[q]!]!);
  }
  const tp = sumSquares - n;
  const fp = rowDot - sumSquares;
  const fn = colDot - sumSquares;
  const tn = n * n - fp - fn - sumSquares;
  return [tn, fp, fn, tp];
}

/** scikit-learn's rand_score: the fraction of sample pairs on which the two labelings agree. */
export function randScore(labelsTrue: LabelsLike, labelsPred: LabelsLike): number {
  const t = contingency('randScore', labelsTrue, labelsPred);
  const [tn, fp, fn, tp] = pairConfusion(t);
  const numerator = tp + tn;
  const denominator = tn + fp + fn + tp;
  if (numerator === denominator || denominator === 0n) return 1;
  return Number(numerator) / Number(denominator);
}

/** scikit-learn's adjusted_rand_score: the Rand index adjusted for chance (1 for identical partitions, any labels). */
export function adjustedRandScore(labelsTrue: LabelsLike, labelsPred: LabelsLike): number {
  const t = contingency('adjustedRandScore', labelsTrue, labelsPred);
  const [tn, fp, fn, tp] = pairConfusion(t);
  if (fn === 0n && fp === 0n) return 1;
  // 2(tp·tn − fn·fp) / ((tp+fn)(fn+tn) + (tp+fp)(fp+tn)), exact in integers until the division.
  return (2 * Number(tp * tn - fn * fp)) / Number((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}

export interface HomogeneityCompleteness {
  homogeneity: number;
  completeness: number;
  vMeasure: number;
}

/** scikit-learn's homogeneity_completeness_v_measure (beta weighs homogeneity against completeness, default 1). */
export function homogeneityCompletenessVMeasure(
  labelsTrue: LabelsLike,
  labelsPred: LabelsLike,
  opts: { beta?: number } = {},
): HomogeneityCompleteness {
  return hcv('homogeneityCompletenessVMeasure', labelsTrue, labelsPred, opts);
}

function hcv(
  op: string,
  labelsTrue: LabelsLike,
  labelsPred: LabelsLike,
  opts: { beta?: number },
): HomogeneityCompleteness {
  checkOptions(op, opts, optionKeys<typeof opts>({ beta: true }));
  const beta = opts.beta ?? 1;
  if (typeof beta !== 'number' || !(beta >= 0)) fail(op, `beta must be a number >= 0, got ${String(beta)}`);
  const t = contingency(op, labelsTrue, labelsPred);
  if (t.n === 0) return { homogeneity: 1, completeness: 1, vMeasure: 1 };
  const hC = entropyOf(t.rowSums);
  const hK = entropyOf(t.colSums);
  const mi = mutualInfo(t);
  const homogeneity = hC ? mi / hC : 1;
  const completeness = hK ? mi / hK : 1;
  const vMeasure =
    homogeneity + completeness === 0
      ? 0
      : ((1 + beta) * homogeneity * completeness) / (beta * homogeneity + completeness);
  return { homogeneity, completeness, vMeasure };
}

export function homogeneityScore(labelsTrue: LabelsLike, labelsPred: LabelsLike): number {
  return hcv('homogeneityScore', labelsTrue, labelsPred, {}).homogeneity;
}

export function completenessScore(labelsTrue: LabelsLike, labelsPred: LabelsLike): number {
  return hcv('completenessScore', labelsTrue, labelsPred, {}).completeness;
}

export function vMeasureScore(
  labelsTrue: LabelsLike,
  labelsPred: LabelsLike,
  opts: { beta?: number } = {},
): number {
  return hcv('vMeasureScore', labelsTrue, labelsPred, opts).vMeasure;
}

export type AverageMethod = 'arithmetic' | 'geometric' | 'min' | 'max';

/** scikit-learn's normalized_mutual_info_score; averageMethod 'arithmetic' by default. */
export function normalizedMutualInfoScore(
  labelsTrue: LabelsLike,
  labelsPred: LabelsLike,
  opts: { averageMethod?: AverageMethod } = {},
): number {
  const op = 'normalizedMutualInfoScore';
  checkOptions(op, opts, optionKeys<typeof opts>({ averageMethod: true }));
  const method = checkOneOf(op, 'averageMethod', opts.averageMethod ?? 'arithmetic', [
    'arithmetic',
    'geometric',
    'min',
    'max',
  ] as const);
  const t = contingency(op, labelsTrue, labelsPred);
  const k1 = t.rowSums.length;
  const k2 = t.colSums.length;
  if ((k1 === 1 && k2 === 1) || (k1 === 0 && k2 === 0)) return 1;
  const mi = mutualInfo(t);
  if (mi === 0) return 0;
  const u = entropyOf(t.rowSums);
  const v = entropyOf(t.colSums);
  const norm =
    method === 'min'
      ? Math.min(u, v)
      : method === 'max'
        ? Math.max(u, v)
        : method === 'geometric'
          ? Math.sqrt(u * v)
          : (u + v) / 2;
  return mi / norm;
}

/** scikit-learn's fowlkes_mallows_score: the geometric mean of pairwise precision and recall. */
export function fowlkesMallowsScore(labelsTrue: LabelsLike, labelsPred: LabelsLike): number {
  const t = contingency('fowlkesMallowsScore', labelsTrue, labelsPred);
  let tk = 0;
  for (const c of t.cells) tk += c * c;
  tk -= t.n;
  const pk = t.colSums.reduce((s, c) => s + c * c, 0) - t.n;
  const qk = t.rowSums.reduce((s, c) => s + c * c, 0) - t.n;
  return tk !== 0 ? Math.sqrt(tk / pk) * Math.sqrt(tk / qk) : 0;
}
