/**
 * scipy's `lu(Y, permute_l=True)[0]` (the row-permuted unit lower-trapezoidal factor P·L of
 * Y = P·L·U, Gaussian elimination with partial pivoting), for Y (m x k, m >= k) given as its
 * transpose `yt` (k x m, one column of Y per row), overwritten in place. It spans the same space as
 * Y, which is all scikit-learn's randomized range finder asks of it between power iterations, at
 * a fraction of a QR's cost: k²m/2 multiply-adds in contiguous loops, and no Q to form.
 *
 * Rows of Y pivoted at an earlier step hold zeros in the later columns, so the eliminations run
 * over every row without a branch (they subtract zero there).
 */
export function luPermutedLowerRows(yt: Float64Array, m: number, k: number): Float64Array {
  const pivoted = new Uint8Array(m);
  for (let j = 0; j < k; j++) {
    const cj = j * m;
    let r = -1;
    let best = -1;
    for (let i = 0; i < m; i++) {
      const a = Math.abs(yt[cj + i]!);
      if (a > best && pivoted[i] === 0) {
        best = a;
        r = i;
      }
    }
    pivoted[r] = 1;
    const pivot = yt[cj + r]!;
    // a zero pivot (nothing left in this column): LAPACK skips the scaling and L keeps its unit
    // diagonal, so the column becomes the unit vector of the pivot row
    if (pivot !== 0) {
      const inv = 1 / pivot;
      for (let i = 0; i < m; i++) yt[cj + i]! *= inv;
    }
    yt[cj + r] = 1; // exactly, as LAPACK's implicit unit diagonal
    for (let c = j + 1; c < k; c++) {
      const cc = c * m;
      const u = yt[cc + r]!;
      if (u === 0) continue;
      for (let i = 0; i < m; i++) yt[cc + i]! -= yt[cj + i]! * u;
      yt[cc + r] = 0;
    }
  }
  return yt;
}
