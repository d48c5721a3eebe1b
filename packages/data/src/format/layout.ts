import { padRight, strLen } from './arrayFormat.js';

/** pandas' adjoin: lists side by side, each padded to its widest + `space` (the last one not). */
export function adjoin(space: number, lists: readonly string[][]): string {
  const lengths = lists.map(
    (l, i) => l.reduce((m, s) => Math.max(m, strLen(s)), 0) + (i < lists.length - 1 ? space : 0),
  );
  const rows = lists.reduce((m, l) => Math.max(m, l.length), 0);
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    let line = '';
    lists.forEach((l, i) => {
      line += r < l.length ? padRight(l[r]!, lengths[i]!) : ' '.repeat(lengths[i]!);
    });
    lines.push(line);
  }
  return lines.join('\n');
}

/** Python's round() of a float: halves go to the even neighbour. */
export function pyRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** pandas' _binify: where to break columns into blocks that fit `lineWidth`. */
export function binify(cols: readonly number[], lineWidth: number): number[] {
  const bins: number[] = [];
  let curr = 0;
  const last = cols.length - 1;
  cols.forEach((w, i) => {
    const wAdj = w + 1;
    curr += wAdj;
    const wrap = i === last ? curr + 1 > lineWidth && i > 0 : curr + 2 > lineWidth && i > 0;
    if (wrap) {
      bins.push(i);
      curr = wAdj;
    }
  });
  bins.push(cols.length);
  return bins;
}
