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

/** writeCsv's options: `mode: 'a'` appends to the file instead of replacing it. */
export interface CsvFileOptions extends CsvWriteOptions {
  /**
   * 'w' (default) replaces the file atomically (a temporary file renamed over it); 'a' appends,
   * as pandas' mode="a": the header is written only when the file is new or empty, and must
   * match the file's first line otherwise. A failed append is cut back to where it began.
   */
  mode?: 'w' | 'a';
}

const WRITE_KEYS = ['sep', 'index', 'header', 'naRep', 'lineTerminator'] as const;

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

/** The header line (with its line end) as writeParts writes it. */
function headerLine(df: DataFrame, opts: CsvWriteOptions): string {
  const sep = opts.sep ?? ',';
  const head = df.columns.map((n) => quote(n, sep));
  if (opts.index ?? true) head.unshift(quote(df.index.name ?? '', sep));
  return head.join(sep) + (opts.lineTerminator ?? '\n');
}

function writeParts(df: DataFrame, opts: CsvWriteOptions, out: (s: string) => void, op = 'toCsv'): void {
  checkOptions(op, opts, WRITE_KEYS);
  const sep = opts.sep ?? ',';
  if (typeof sep !== 'string' || sep.length !== 1)
    fail(op, `sep must be one character, got ${describe(sep)}`);
  const nl = opts.lineTerminator ?? '\n';
  const naRep = opts.naRep ?? '';
  const withIndex = opts.index ?? true;
  if (typeof nl !== 'string' || nl === '')
    fail(op, `lineTerminator must be a non-empty string, got ${describe(nl)}`);
  const names = df.columns;
  const cols = names.map((n) => df.columnData(n));
  const index = df.index.toColumn();
  if (opts.header ?? true) out(headerLine(df, opts));
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
  writeSync(fd: number, s: string | Uint8Array): number;
  readSync(fd: number, buf: Uint8Array, offset: number, length: number, position: number): number;
  fstatSync(fd: number): { size: number };
  ftruncateSync(fd: number, len: number): void;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  rmSync(path: string, opts: { force: boolean }): void;
}

/**
 * pandas' df.to_csv(path). By default the file is written atomically: into a temporary file next
 * to it, then renamed over the target, so a reader never sees half a file. With `mode: 'a'` the
 * rows are appended (chunk by chunk from `readCsv(..., { chunkSize })`, say): the header goes in
 * only when the file is new or empty, and otherwise must equal the file's first line; the file
 * must end with a line end; and if writing fails part way the file is cut back to its old length,
 * so it never ends in half a row. Appends from several writers at once are not coordinated.
 */
export async function writeCsv(df: DataFrame, path: string, opts: CsvFileOptions = {}): Promise<void> {
  const op = 'writeCsv';
  const fs = nodeBuiltin<NodeFs>('node:fs');
  if (!fs) fail(op, 'writing files needs Node; in the browser use df.toCsv() and save the string');
  if (typeof path !== 'string' || path === '')
    fail(op, `path must be a non-empty string, got ${describe(path)}`);
  checkOptions(op, opts, [...WRITE_KEYS, 'mode']);
  const { mode = 'w', ...rest } = opts;
  if (mode !== 'w' && mode !== 'a')
    fail(op, `mode must be 'w' (replace) or 'a' (append), got ${describe(mode)}`);
  if (mode === 'a') {
    appendCsv(fs, op, df, path, rest);
    return;
  }
  const tmp = `${path}.${Math.random().toString(36).slice(2)}.tmp`;
  const fd = fs.openSync(tmp, 'wx');
  try {
    writeParts(
      df,
      rest,
      (s) => {
        fs.writeSync(fd, s);
      },
      op,
    );
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

function appendCsv(fs: NodeFs, op: string, df: DataFrame, path: string, opts: CsvWriteOptions): void {
  const enc = new TextEncoder();
  let fd = -1;
  try {
    fd = fs.openSync(path, 'a+');
  } catch (e) {
    fail(op, `cannot open ${JSON.stringify(path)} to append: ${(e as Error).message}`);
  }
  let size = -1;
  try {
    size = fs.fstatSync(fd).size;
    const nl = opts.lineTerminator ?? '\n';
    let header = opts.header ?? true;
    if (size > 0) {
      const end = enc.encode(nl);
      const tail = new Uint8Array(end.length);
      const got = size >= end.length ? fs.readSync(fd, tail, 0, end.length, size - end.length) : 0;
      if (got !== end.length || !tail.every((b, i) => b === end[i])) {
        fail(
          op,
          `${JSON.stringify(path)} does not end with a line end (${JSON.stringify(nl)}): its last row is incomplete, so appending would join two rows; repair the file first`,
        );
      }
      if (header) {
        const want = enc.encode(headerLine(df, opts));
        const have = new Uint8Array(Math.max(want.length, 200));
        const n = fs.readSync(fd, have, 0, have.length, 0);
        if (n < want.length || !want.every((b, i) => b === have[i])) {
          const shown = new TextDecoder().decode(have.subarray(0, n)).split(nl)[0]!;
          fail(
            op,
            `cannot append: ${JSON.stringify(path)} starts with the header ${JSON.stringify(shown)} but the frame's is ${JSON.stringify(headerLine(df, opts).slice(0, -nl.length))} (columns, index and sep must match; pass header: false to append without a check)`,
          );
        }
        header = false;
      }
    }
    writeParts(
      df,
      { ...opts, header },
      (s) => {
        const bytes = enc.encode(s);
        let at = 0;
        while (at < bytes.length) at += fs.writeSync(fd, at === 0 ? bytes : bytes.subarray(at));
      },
      op,
    );
    fs.fsyncSync(fd);
  } catch (e) {
    // cut back to where the append began, so the file never ends in half a row
    if (size >= 0) {
      try {
        fs.ftruncateSync(fd, size);
      } catch {
        // the original error says more
      }
    }
    throw e;
  } finally {
    fs.closeSync(fd);
  }
}
