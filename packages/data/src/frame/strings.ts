import { Column } from '../column/column.js';
import { describe as describeValue, fail } from '../errors.js';
import { checkOptions } from '../options.js';
import { DataFrame } from './dataFrame.js';
import { Series } from './series.js';

export interface ContainsOptions {
  /** Case-sensitive (default true). */
  case?: boolean;
  /** `pat` is a regular expression (default true, as pandas); JS RegExp syntax, which covers Python's common subset. */
  regex?: boolean;
  /** Result for a missing value (default: missing, so the result is a nullable `boolean` Series). */
  na?: boolean;
}

export interface ReplaceOptions {
  /** `pat` is a regular expression (default false, as pandas 2; pandas 1.5 guessed from the pattern). */
  regex?: boolean;
  /** Case-sensitive (default true). */
  case?: boolean;
  /** Replace at most n occurrences per value (default: all). */
  n?: number;
}

export interface SplitOptions {
  /** Split at most n times (default: no limit). */
  n?: number;
  /** One column per part (a DataFrame named 0, 1, …), missing where a value has fewer parts. */
  expand?: boolean;
}

/**
 * pandas' Series.str for a string Series: element-wise string methods that leave missing values
 * missing. Lengths count code points, as Python's len() does (an emoji is 1, not 2 UTF-16 units).
 */
export class StringMethods {
  private readonly s: Series;
  private readonly v: readonly (string | null)[];

  /** @internal Use series.str. */
  constructor(s: Series) {
    if (s.dtype !== 'string')
      fail(
        'Series.str',
        `can only use .str with string values; ${JSON.stringify(s.name)} has dtype ${s.dtype}`,
      );
    this.s = s;
    this.v = s.values as (string | null)[];
  }

  /** Length in code points: int32, or float64 with NaN when values are missing (as pandas). */
  len(): Series {
    const counts = this.v.map((x) => (x === null ? Number.NaN : codePoints(x)));
    const hasNa = this.v.some((x) => x === null);
    const col = hasNa
      ? new Column('float64', Float64Array.from(counts))
      : new Column('int32', Int32Array.from(counts));
    return this.series(col);
  }

  lower(): Series {
    return this.map((x) => x.toLowerCase());
  }
  upper(): Series {
    return this.map((x) => x.toUpperCase());
  }

  /** Leading and trailing whitespace removed, or the given characters (any of them). */
  strip(toStrip?: string): Series {
    return this.map((x) => stripChars(x, toStrip, true, true));
  }
  lstrip(toStrip?: string): Series {
    return this.map((x) => stripChars(x, toStrip, true, false));
  }
  rstrip(toStrip?: string): Series {
    return this.map((x) => stripChars(x, toStrip, false, true));
  }

  contains(pat: string | RegExp, opts: ContainsOptions = {}): Series {
    checkOptions('Series.str.contains', opts, ['case', 'regex', 'na']);
    const caseSensitive = opts.case ?? true;
    let test: (x: string) => boolean;
    if (pat instanceof RegExp) {
      const re = new RegExp(pat.source, pat.flags.replace('g', '') + (caseSensitive ? '' : 'i'));
      test = (x) => re.test(x);
    } else {
      if (typeof pat !== 'string')
        fail('Series.str.contains', `pat must be a string or RegExp, got ${describeValue(pat)}`);
      if (opts.regex ?? true) {
        const re = compile('Series.str.contains', pat, caseSensitive ? 'u' : 'iu');
        test = (x) => re.test(x);
      } else if (caseSensitive) test = (x) => x.includes(pat);
      else {
        const p = pat.toLowerCase();
        test = (x) => x.toLowerCase().includes(p);
      }
    }
    return this.predicate('contains', test, opts.na);
  }

  startswith(pat: string, opts: { na?: boolean } = {}): Series {
    checkOptions('Series.str.startswith', opts, ['na']);
    if (typeof pat !== 'string')
      fail('Series.str.startswith', `pat must be a string, got ${describeValue(pat)}`);
    return this.predicate('startswith', (x) => x.startsWith(pat), opts.na);
  }

  endswith(pat: string, opts: { na?: boolean } = {}): Series {
    checkOptions('Series.str.endswith', opts, ['na']);
    if (typeof pat !== 'string')
      fail('Series.str.endswith', `pat must be a string, got ${describeValue(pat)}`);
    return this.predicate('endswith', (x) => x.endsWith(pat), opts.na);
  }

  /**
   * Occurrences of `pat` replaced by `repl`. With `regex: true`, `repl` may name groups as
   * Python does (`\1`, `\g<name>`).
   */
  replace(pat: string | RegExp, repl: string, opts: ReplaceOptions = {}): Series {
    const op = 'Series.str.replace';
    checkOptions(op, opts, ['regex', 'case', 'n']);
    if (typeof repl !== 'string') fail(op, `repl must be a string, got ${describeValue(repl)}`);
    const limit = opts.n ?? -1;
    if (!Number.isInteger(limit)) fail(op, `n must be an integer, got ${describeValue(opts.n)}`);
    const caseSensitive = opts.case ?? true;
    const isRegex = pat instanceof RegExp || (opts.regex ?? false);
    let re: RegExp;
    let replacement: string;
    if (isRegex) {
      const flags = `g${caseSensitive ? '' : 'i'}u`;
      re = pat instanceof RegExp ? new RegExp(pat.source, flags) : compile(op, pat, flags);
      replacement = pythonReplacement(repl);
    } else {
      if (typeof pat !== 'string') fail(op, `pat must be a string or RegExp, got ${describeValue(pat)}`);
      if (pat === '' && limit < 0 && caseSensitive) return this.map((x) => insertEverywhere(x, repl));
      re = new RegExp(escapeRegExp(pat), `g${caseSensitive ? '' : 'i'}u`);
      replacement = repl.replace(/\$/g, '$$$$');
    }
    return this.map((x) => {
      if (limit < 0) return x.replace(re, replacement);
      let done = 0;
      return x.replace(re, (...m) => {
        if (done >= limit) return m[0] as string;
        done++;
        return (m[0] as string).replace(new RegExp(re.source, re.flags.replace('g', '')), replacement);
      });
    });
  }

  /**
   * Values split on `pat` (default: runs of whitespace, ends trimmed, as Python's str.split()).
   * Lumen has no list dtype, so the result is an array of string arrays (null for a missing
   * value); with `expand: true` it is a DataFrame with one column per part.
   */
  split(pat?: string | null, opts?: SplitOptions & { expand?: false }): (string[] | null)[];
  split(pat: string | null | undefined, opts: SplitOptions & { expand: true }): DataFrame;
  split(pat?: string | null, opts?: SplitOptions): (string[] | null)[] | DataFrame;
  split(pat: string | null = null, opts: SplitOptions = {}): (string[] | null)[] | DataFrame {
    const op = 'Series.str.split';
    checkOptions(op, opts, ['n', 'expand']);
    if (pat !== null && (typeof pat !== 'string' || pat === ''))
      fail(op, `pat must be a non-empty string or null (whitespace), got ${describeValue(pat)}`);
    const n = opts.n ?? -1;
    if (!Number.isInteger(n)) fail(op, `n must be an integer, got ${describeValue(opts.n)}`);
    const parts = this.v.map((x) => (x === null ? null : pySplit(x, pat, n <= 0 ? -1 : n)));
    if (!opts.expand) return parts;
    const width = parts.reduce((m, p) => Math.max(m, p?.length ?? 0), 0);
    const data: Record<string, (string | null)[]> = {};
    for (let k = 0; k < width; k++) data[String(k)] = parts.map((p) => p?.[k] ?? null);
    return new DataFrame(data, { index: this.s.index, dtype: 'string' });
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private series(col: Column): Series {
    return Series.of(col, this.s.index, this.s.name);
  }

  private map(fn: (x: string) => string): Series {
    return this.series(
      new Column(
        'string',
        this.v.map((x) => (x === null ? null : fn(x))),
      ),
    );
  }

  private predicate(op: string, test: (x: string) => boolean, na: boolean | undefined): Series {
    if (na !== undefined && typeof na !== 'boolean')
      fail(`Series.str.${op}`, `na must be a boolean, got ${describeValue(na)}`);
    const n = this.v.length;
    const out = new Uint8Array(n);
    const valid = new Uint8Array(n);
    let missing = false;
    for (let i = 0; i < n; i++) {
      const x = this.v[i]!;
      if (x === null) {
        missing = true;
        out[i] = na ? 1 : 0;
      } else {
        out[i] = test(x) ? 1 : 0;
        valid[i] = 1;
      }
    }
    if (!missing || na !== undefined) return this.series(new Column('bool', out));
    return this.series(new Column('boolean', out, valid));
  }
}

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // a surrogate pair is one code point; a lone surrogate counts 1, as Python's len() of it
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

// Python's str.isspace() characters (str.strip() and str.split() with no argument use them)
const PY_SPACE_CHARS = new Set(
  [9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000]
    .concat(Array.from({ length: 11 }, (_, i) => 0x2000 + i))
    .map((c) => String.fromCharCode(c)),
);
const PY_SPACE = { test: (c: string): boolean => PY_SPACE_CHARS.has(c) };

function stripChars(x: string, chars: string | undefined, left: boolean, right: boolean): string {
  const strip = chars === undefined ? (c: string) => PY_SPACE.test(c) : (c: string) => chars.includes(c);
  const cps = [...x];
  let a = 0;
  let b = cps.length;
  if (left) while (a < b && strip(cps[a]!)) a++;
  if (right) while (b > a && strip(cps[b - 1]!)) b--;
  return cps.slice(a, b).join('');
}

function pySplit(x: string, pat: string | null, maxsplit: number): string[] {
  if (pat !== null) {
    const out: string[] = [];
    let from = 0;
    while (maxsplit < 0 || out.length < maxsplit) {
      const at = x.indexOf(pat, from);
      if (at < 0) break;
      out.push(x.slice(from, at));
      from = at + pat.length;
    }
    out.push(x.slice(from));
    return out;
  }
  // Python's whitespace split: runs of whitespace separate, leading/trailing whitespace ignored
  const cps = [...x];
  const out: string[] = [];
  let i = 0;
  while (i < cps.length) {
    while (i < cps.length && PY_SPACE.test(cps[i]!)) i++;
    if (i >= cps.length) break;
    if (maxsplit >= 0 && out.length === maxsplit) {
      let end = cps.length;
      while (end > i && PY_SPACE.test(cps[end - 1]!)) end--;
      out.push(cps.slice(i, end).join(''));
      break;
    }
    const start = i;
    while (i < cps.length && !PY_SPACE.test(cps[i]!)) i++;
    out.push(cps.slice(start, i).join(''));
  }
  return out;
}

function compile(op: string, pat: string, flags: string): RegExp {
  try {
    return new RegExp(pat, flags);
  } catch (e) {
    return fail(op, `pat ${JSON.stringify(pat)} is not a valid regular expression: ${(e as Error).message}`);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** Python's re.sub replacement (`\1`, `\g<1>`, `\g<name>`) as a JS replacement string. */
function pythonReplacement(repl: string): string {
  return repl
    .replace(/\$/g, '$$$$')
    .replace(/\\(?:g<(\w+)>|(\d{1,2}))|\\\\/g, (m, name?: string, num?: string) => {
      if (m === '\\\\') return '\\';
      const ref = name ?? num!;
      return /^\d+$/.test(ref) ? `$${ref}` : `$<${ref}>`;
    });
}

function insertEverywhere(x: string, repl: string): string {
  return repl + [...x].join(repl) + repl;
}
