import type { Column } from '../column/column.js';
import { nodeBuiltin } from '../env.js';
import { describe, fail } from '../errors.js';
import { pyRepr } from '../format/pyNumber.js';
import type { DataFrame } from '../frame/dataFrame.js';
import { checkOptions } from '../options.js';

export interface CsvWriteOptions {
  sep?: string;
  /** Write the row labels as the first column (pandas' default: true). */
  index?: boolean;
  /** Write the column names (default true). */
  header?: boolean;
  /** Text for missing values (default ''). */
  naRep?: string;
  /** Line end (default '\n'). */
  lineTerminator?: string;
}

/** Python's csv QUOTE_MINIMAL: quote a field holding the separator, a quote or a line break. */
function quote(s: string, sep: string): string {
  if (s.includes(sep) || s.includes('"') || s.includes('\n') || s.includes('\r'))
    return `"${s.replace(/"/g, '""')}"`;
  return s;
}

/** One cell as pandas' to_csv writes it: floats as Python's repr, booleans True/False. */
function cellText(col: Column, i: number, naRep: string): string {
  if (col.isNa(i)) return naRep;
  const v = col.get(i);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (col.dtype === 'float64') return pyRepr(v as number);
  return String(v);
}

/** pandas' to_csv as a string. */
export function frameToCsv(df: DataFrame, opts: CsvWriteOptions = {}): string {
  const parts: string[] = [];
  writeParts(df, opts, (s) => parts.push(s));
  return parts.join('');
}

function writeParts(df: DataFrame, opts: CsvWriteOptions, out: (s: string) => void): void {
  const op = 'toCsv';
  checkOptions(op, opts, ['sep', 'index', 'header', 'naRep', 'lineTerminator']);
  const sep = opts.sep ?? ',';
  if (typeof sep !== 'string' || sep.length !== 1)
    fail(op, `sep must be one character, got ${describe(sep)}`);
  const nl = opts.lineTerminator ?? '\n';
  const naRep = opts.naRep ?? '';
  const withIndex = opts.index ?? true;
  const names = df.columns;
  const cols = names.map((n) => df.columnData(n));
  const index = df.index.toColumn();
  if (opts.header ?? true) {
    const head = names.map((n) => quote(n, sep));
    if (withIndex) head.unshift(quote(df.index.name ?? '', sep));
    out(head.join(sep) + nl);
  }
  const rows = df.shape[0];
  const batch: string[] = [];
  for (let i = 0; i < rows; i++) {
    const cells = cols.map((c) => quote(cellText(c, i, naRep), sep));
    if (withIndex) cells.unshift(quote(cellText(index, i, naRep), sep));
    // a row that is one empty field would read back as a blank line, so Python's csv quotes it
    const line = cells.length === 1 && cells[0] === '' ? '""' : cells.join(sep);
    batch.push(line);
    if (batch.length === 4096) {
      out(batch.join(nl) + nl);
      batch.length = 0;
    }
  }
  if (batch.length > 0) out(batch.join(nl) + nl);
}

interface NodeFs {
  openSync(path: string, flags: string): number;
  writeSync(fd: number, s: string): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  rmSync(path: string, opts: { force: boolean }): void;
}

/**
 * Writes `df` as CSV to `path` (Node) atomically: into a temporary file next to it, then renamed
 * over the target, so a reader never sees half a file.
 */
export async function writeCsv(df: DataFrame, path: string, opts: CsvWriteOptions = {}): Promise<void> {
  const fs = nodeBuiltin<NodeFs>('node:fs');
  if (!fs) fail('writeCsv', 'writing files needs Node; in the browser use df.toCsv() and save the string');
  if (typeof path !== 'string' || path === '')
    fail('writeCsv', `path must be a non-empty string, got ${describe(path)}`);
  const tmp = `${path}.${Math.random().toString(36).slice(2)}.tmp`;
  const fd = fs.openSync(tmp, 'wx');
  try {
    writeParts(df, opts, (s) => {
      fs.writeSync(fd, s);
    });
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, path);
  } catch (e) {
    try {
      fs.closeSync(fd);
    } catch {
      // already closed
    }
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
