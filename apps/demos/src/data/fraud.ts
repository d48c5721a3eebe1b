import { DataFrame } from '@lumen/data';
import { Generator } from '@lumen/tensor';

/**
 * A SYNTHETIC table shaped like the credit-card fraud data set from Kaggle/ULB (284,807
 * transactions over two days, 492 frauds = 0.172%): Time, V1..V28 (PCA-like features, centred,
 * with the real table's spreads), Amount, Class. Generated from a seed; no real transaction is in
 * it. Frauds sit away from the bulk on the features the real frauds differ on (V1–V4, V7, V10, V12,
 * V14, V17…), Amount is log-normal and tied to a few features, and V3 drifts with Time, so the
 * correlation heatmap, the t-SNE map and the isolation forest have something real to find.
 */
export const FRAUD_ROWS = 284_807;
export const FRAUD_POSITIVES = 492;

/** Standard deviations of V1..V28 in the real table. */
const V_STD = [
  1.96, 1.65, 1.52, 1.42, 1.38, 1.33, 1.24, 1.19, 1.1, 1.09, 1.02, 1.0, 0.995, 0.959, 0.915, 0.876, 0.849,
  0.838, 0.814, 0.771, 0.735, 0.726, 0.624, 0.606, 0.521, 0.482, 0.404, 0.33,
];
/**
 * Mean of V1..V28 among frauds: 0.35 of the real table's fraud means, so that an isolation forest
 * finds most frauds but not all of them, as on the real data (0 for features that barely move).
 */
const FRAUD_SHIFT = [
  -1.68, 1.26, -2.45, 1.575, -1.12, -0.49, -1.96, 0.21, -0.91, -1.995, 1.33, -2.205, 0, -2.45, 0, -1.435,
  -2.345, -0.77, 0.245, 0.14, 0.245, 0, 0, 0, 0, 0, 0.07, 0.035,
];

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export function syntheticFraudTable(rows = FRAUD_ROWS, seed = 0): DataFrame {
  const g = new Generator(seed);
  const positives = Math.max(1, Math.round((rows * FRAUD_POSITIVES) / FRAUD_ROWS));
  const isFraud = new Uint8Array(rows);
  for (const i of g.permutation(rows).subarray(0, positives)) isFraud[i] = 1;

  const time = new Int32Array(rows);
  const v = Array.from({ length: 28 }, () => new Float64Array(rows));
  const amount = new Float64Array(rows);
  const cls = new Int32Array(rows);
  // Two days of seconds, busier by day (gaps three times longer at night), in arrival order.
  const arrival = new Float64Array(rows);
  for (let i = 1, t = 0; i < rows; i++) {
    const hour = (t / 3600) % 24;
    t += -Math.log(1 - g.random()) * (172_792 / rows) * (hour >= 7 ? 0.8 : 2.4);
    arrival[i] = t;
  }
  for (let i = 0; i < rows; i++) {
    time[i] = Math.floor((arrival[i]! / arrival[rows - 1]!) * 172_792);
    const fraud = isFraud[i] === 1;
    cls[i] = fraud ? 1 : 0;
    const drift = (time[i]! / 172_792 - 0.5) * 1.6; // V3 follows Time, as in the real table
    for (let k = 0; k < 28; k++) {
      const spread = fraud ? 1.3 : 1;
      let x = g.normal() * V_STD[k]! * spread + (fraud ? FRAUD_SHIFT[k]! : 0);
      if (k === 2 && !fraud) x -= drift;
      v[k]![i] = round(x, 6);
    }
    // Amount: log-normal, larger where V2 is low and V7/V20 high (the real table's strongest links).
    const z = -0.45 * v[1]![i]! + 0.35 * v[6]![i]! + 0.35 * v[19]![i]! - 0.3 * v[4]![i]!;
    amount[i] = round(Math.exp(3.1 + 0.35 * z + 1.2 * g.normal() + (fraud ? -0.6 : 0)), 2);
  }
  const columns: Record<string, ArrayLike<number>> = { Time: time };
  for (let k = 0; k < 28; k++) columns[`V${k + 1}`] = v[k]!;
  columns.Amount = amount;
  columns.Class = cls;
  return DataFrame.fromColumns(columns as Record<string, Float64Array | Int32Array>);
}
