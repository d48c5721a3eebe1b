import { closeSync, existsSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Generator } from '@lumen/tensor';

/**
 * A credit-card-fraud-shaped CSV (the Kaggle "creditcard.csv" layout: Time, V1..V28, Amount,
 * "Class"; 284,807 rows, ~150 MB), generated from a seed so every run and every machine benches
 * the same bytes. Numbers are written as R wrote the original (up to 15 significant digits, no
 * trailing zeros), the header and the class labels are quoted, about 0.17% of rows are frauds.
 * The file goes to the OS temp folder (never into the repository) and is reused when present.
 *
 *   tsx bench/src/data/fraudCsv.ts [rows] [outPath]
 */
export const FRAUD_ROWS = 284_807;

function g15(x: number): string {
  // %.15g without an exponent for this data's magnitudes, trailing zeros dropped
  let s = x.toPrecision(15);
  if (s.includes('e')) return String(Number(s));
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

export function writeFraudCsv(path: string, rows = FRAUD_ROWS, seed = 2013): void {
  const gen = new Generator(seed);
  // per-column scales, like the PCA components of the real data (V1 widest, V28 narrowest)
  const scales = Array.from({ length: 28 }, (_, j) => 1.96 / (1 + 0.12 * j));
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    const header = ['Time', ...Array.from({ length: 28 }, (_, j) => `V${j + 1}`), 'Amount', 'Class'].map(
      (h) => `"${h}"`,
    );
    writeSync(fd, `${header.join(',')}\n`);
    let time = 0;
    const lines: string[] = [];
    for (let i = 0; i < rows; i++) {
      time += gen.random() < 0.6 ? gen.randint(0, 2) : 0;
      const fraud = gen.random() < 0.00173;
      const cells = [String(time)];
      for (let j = 0; j < 28; j++) cells.push(g15(gen.normal() * scales[j]! + (fraud && j < 5 ? -2 : 0)));
      cells.push((Math.round(Math.exp(gen.normal() * 1.5 + 3) * 100) / 100).toFixed(2));
      cells.push(fraud ? '"1"' : '"0"');
      lines.push(cells.join(','));
      if (lines.length === 5000) {
        writeSync(fd, `${lines.join('\n')}\n`);
        lines.length = 0;
      }
    }
    if (lines.length > 0) writeSync(fd, `${lines.join('\n')}\n`);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** The cached file for (rows, seed), generated on first use. */
export function fraudCsvPath(rows = FRAUD_ROWS, seed = 2013): string {
  const dir = join(tmpdir(), 'lumen-bench');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `creditcard-${rows}-${seed}.csv`);
  if (!existsSync(path)) writeFraudCsv(path, rows, seed);
  return path;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = process.argv[2] ? Number(process.argv[2]) : FRAUD_ROWS;
  const out = process.argv[3];
  if (out) writeFraudCsv(out, rows);
  console.log(out ?? fraudCsvPath(rows));
}
