/**
 * Logits processors, as transformers' LogitsProcessor/LogitsWarper classes: each takes the ids so
 * far (one array per batch row) and the next-token scores (one Float32Array of vocabSize per row),
 * changes the scores in place and returns them. They run on the host: the last position's scores
 * are read back each step anyway (to stream tokens and stop at eos), and top-k/top-p need a sort
 * that @lumen/tensor does not have.
 */
export type LogitsProcessor = (
  inputIds: readonly (readonly number[])[],
  scores: Float32Array[],
) => Float32Array[];

/** Scores of tokens already present are divided by `penalty` (multiplied when negative): CTRL's rule. */
export function repetitionPenaltyProcessor(penalty: number): LogitsProcessor {
  return (ids, scores) => {
    scores.forEach((row, b) => {
      for (const id of new Set(ids[b])) {
        const s = row[id]!;
        row[id] = s < 0 ? s * penalty : s / penalty;
      }
    });
    return scores;
  };
}

/** Forbids the eos tokens until the sequences (prompt included) are `minLength` long. */
export function minLengthProcessor(minLength: number, eosTokenIds: readonly number[]): LogitsProcessor {
  return (ids, scores) => {
    if ((ids[0]?.length ?? 0) < minLength)
      for (const row of scores) for (const e of eosTokenIds) row[e] = -Infinity;
    return scores;
  };
}

/** Forbids the eos tokens until `minNewTokens` tokens follow the (padded) prompt. */
export function minNewTokensProcessor(
  promptLength: number,
  minNewTokens: number,
  eosTokenIds: readonly number[],
): LogitsProcessor {
  return minLengthProcessor(promptLength + minNewTokens, eosTokenIds);
}

/** Divides the scores by the temperature (> 1 flattens the distribution, < 1 sharpens it). */
export function temperatureWarper(temperature: number): LogitsProcessor {
  return (_ids, scores) => {
    for (const row of scores) for (let i = 0; i < row.length; i++) row[i] = row[i]! / temperature;
    return scores;
  };
}

/** Keeps the k highest scores (ties with the k-th included) and sets the rest to -Infinity. */
export function topKWarper(topK: number, minTokensToKeep = 1): LogitsProcessor {
  return (_ids, scores) => {
    for (const row of scores) {
      const k = Math.min(Math.max(topK, minTokensToKeep), row.length);
      const threshold = kthLargest(row, k);
      for (let i = 0; i < row.length; i++) if (row[i]! < threshold) row[i] = -Infinity;
    }
    return scores;
  };
}

/**
 * Nucleus sampling: keeps the smallest set of highest-scoring tokens whose probabilities add up
 * to more than topP (transformers' TopPLogitsWarper: sort ascending, drop the tokens whose
 * cumulative probability is ≤ 1 − topP, always keep the best `minTokensToKeep`).
 */
export function topPWarper(topP: number, minTokensToKeep = 1): LogitsProcessor {
  return (_ids, scores) => {
    for (const row of scores) {
      // Tokens already at -Infinity have probability 0 and stay removed, so only finite ones are sorted.
      const order: number[] = [];
      for (let i = 0; i < row.length; i++) if (row[i]! > -Infinity) order.push(i);
      // Ascending; among equal scores the higher index sorts first (and is dropped first), as torch.sort orders them.
      order.sort((a, b) => row[a]! - row[b]! || b - a);
      let max = -Infinity;
      for (const i of order) max = Math.max(max, row[i]!);
      let total = 0;
      for (const i of order) total += Math.exp(row[i]! - max);
      let cumulative = 0;
      const keepFrom = order.length - minTokensToKeep;
      order.forEach((i, rank) => {
        cumulative += Math.exp(row[i]! - max) / total;
        if (rank < keepFrom && cumulative <= 1 - topP) row[i] = -Infinity;
      });
    }
    return scores;
  };
}

/** The k-th largest value of `values` (k ≥ 1), by quickselect on a copy. */
export function kthLargest(values: Float32Array, k: number): number {
  const a = Float32Array.from(values);
  let lo = 0;
  let hi = a.length - 1;
  const target = k - 1; // position in descending order
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! > pivot) i++;
      while (a[j]! < pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target]!;
  }
  return a[target]!;
}
