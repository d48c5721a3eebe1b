import { Column } from '../column/column.js';
import { type ColumnDType, INT32_MAX, INT32_MIN } from '../column/dtype.js';
import { decodeField } from './decode.js';
import { INTEGER, parsed, parseNumber } from './numbers.js';

/** What the values seen so far allow the column to be (pandas' inference, step by step). */
const EMPTY = 0; // only missing values so far
const INT = 1; // integers (and missing)
const NUM = 2; // numbers (and missing)
const BOOL = 3; // True/False literals (and missing)
const STR = 4; // anything else: strings

/** pandas' default true_values/false_values; the code stored for a boolean is its index here. */
const BOOL_WORDS = ['True', 'TRUE', 'true', 'False', 'FALSE', 'false'];

export interface BuilderConfig {
  naValues: ReadonlySet<string>;
  /** Some NA string parses as a number, so the NA check must come first. */
  naBeforeNumbers: boolean;
  /** Explicit dtype, or undefined to infer. */
  dtype: ColumnDType | undefined;
}

export type FieldError = (message: string) => never;

/** What a builder holds before its first number: one shared empty array (a header of a million blank names makes a million builders). */
const NO_NUMS = new Float64Array(0);

/**
 * Collects one CSV column. Numbers live in a Float64Array from the start (NaN for missing,
 * booleans as word codes) and only a column that turns out to hold text is moved to strings, so
 * a numeric file never makes a JS value per cell. The array starts small and doubles as values
 * come (memory follows the data: a header of 100,000 empty names reserves next to nothing), or is
 * sized once from an estimate of the row count (`reserve`).
 */
export class ColumnBuilder {
  private state = EMPTY;
  private nums: Float64Array;
  private strs: (string | null)[] | null = null;
  length = 0;
  private naCount = 0;
  private int32Safe = true;

  constructor(
    readonly name: string,
    private readonly cfg: BuilderConfig,
    capacity: number,
  ) {
    this.nums = capacity > 0 ? new Float64Array(capacity) : NO_NUMS;
    if (cfg.dtype === 'string') this.toStrings();
  }

  /** How the column is read (for a builder of the next chunk). */
  get config(): BuilderConfig {
    return this.cfg;
  }

  /** The dtype given for this column (undefined: inferred). */
  get explicitDtype(): ColumnDType | undefined {
    return this.cfg.dtype;
  }

  /** Values the number array has room for (what the builder holds before any value is seen). */
  get capacity(): number {
    return this.strs === null ? this.nums.length : this.strs.length;
  }

  /**
   * The number array behind the last finish(), for the next chunk's builder of this column
   * (see adopt): a scratch array for int32/bool columns, the column's own values for float64.
   */
  spare: Float64Array | null = null;
  /** Whether the finished column shares `spare` (a float64 column's values). */
  spareShared = false;

  /** Whether finish() may hand out a view of a longer array (it is reused: see adopt). */
  private keepCapacity = false;

  /**
   * Starts from an array of an earlier chunk's builder (its values are overwritten). With
   * `shared`, the finished float64 column is a view of it whatever its spare capacity.
   */
  adopt(nums: Float64Array, shared: boolean): void {
    if (this.strs !== null || this.length !== 0 || nums.length <= this.nums.length) return;
    this.nums = nums;
    this.keepCapacity = shared;
  }

  /** Makes room for `capacity` values in all (an estimate from the file size). */
  reserve(capacity: number): void {
    if (this.strs === null && capacity > this.nums.length) {
      const next = new Float64Array(capacity);
      next.set(this.nums.subarray(0, this.length));
      this.nums = next;
    }
  }

  private pushNum(v: number): void {
    if (this.length === this.nums.length) {
      const next = new Float64Array(Math.max(8, this.nums.length * 2));
      next.set(this.nums);
      this.nums = next;
    }
    this.nums[this.length++] = v;
  }

  private pushNa(fail: FieldError): void {
    const d = this.cfg.dtype;
    if (d === 'int32' || d === 'bool') {
      fail(
        `missing value in a column read as ${d}, which cannot hold one; use dtype '${d === 'int32' ? 'Int32' : 'boolean'}' or 'float64'`,
      );
    }
    this.naCount++;
    if (this.strs !== null) {
      this.strs.push(null);
      this.length++;
    } else this.pushNum(Number.NaN);
  }

  /** Adds one field; `fail` reports a value that the explicit dtype cannot hold. */
  push(buf: Uint8Array, s: number, e: number, flag: number, fail: FieldError): void {
    const cfg = this.cfg;
    if (this.state === STR) {
      if (e === s && flag === 0) {
        if (cfg.naValues.has('')) this.pushNa(fail);
        else this.pushStr('', fail);
        return;
      }
      const text = decodeField(buf, s, e, flag);
      if (cfg.naValues.has(text)) this.pushNa(fail);
      else this.pushStr(text, fail);
      return;
    }
    if (e === s && flag <= 1 && cfg.naValues.has('')) {
      this.pushNa(fail);
      return;
    }
    if (!cfg.naBeforeNumbers && flag <= 1) {
      const kind = parseNumber(buf, s, e);
      if (kind !== 0) {
        this.pushNumber(parsed[0]!, kind, fail, buf, s, e, flag);
        return;
      }
    }
    const text = decodeField(buf, s, e, flag);
    if (cfg.naValues.has(text)) {
      this.pushNa(fail);
      return;
    }
    if (cfg.naBeforeNumbers || flag > 1) {
      const bytes = flag > 1 ? new TextEncoder().encode(text) : null;
      const kind = bytes ? parseNumber(bytes, 0, bytes.length) : parseNumber(buf, s, e);
      if (kind !== 0) {
        this.pushNumber(parsed[0]!, kind, fail, buf, s, e, flag);
        return;
      }
    }
    const word = BOOL_WORDS.indexOf(text);
    if (word >= 0 && (this.state === EMPTY || this.state === BOOL)) {
      const d = cfg.dtype;
      if (d !== undefined && d !== 'bool' && d !== 'boolean')
        fail(`cannot convert ${JSON.stringify(text)} to ${d}`);
      this.state = BOOL;
      this.pushNum(word);
      return;
    }
    this.pushStr(text, fail);
  }

  private pushNumber(
    v: number,
    kind: number,
    fail: FieldError,
    buf: Uint8Array,
    s: number,
    e: number,
    flag: number,
  ): void {
    const d = this.cfg.dtype;
    if (d !== undefined) {
      if (d === 'bool' || d === 'boolean')
        fail(
          `cannot convert ${JSON.stringify(decodeField(buf, s, e, flag))} to ${d} (expected True or False)`,
        );
      if ((d === 'int32' || d === 'Int32') && (kind !== INTEGER || v < INT32_MIN || v > INT32_MAX)) {
        fail(
          `cannot convert ${JSON.stringify(decodeField(buf, s, e, flag))} to ${d} (expected an integer in [${INT32_MIN}, ${INT32_MAX}])`,
        );
      }
    }
    const st = this.state;
    if (st === BOOL) {
      this.toStrings();
      this.pushStr(decodeField(buf, s, e, flag), fail);
      return;
    }
    if (kind === INTEGER) {
      if (st === EMPTY) this.state = INT;
      if (v < INT32_MIN || v > INT32_MAX) this.int32Safe = false;
    } else if (st !== NUM) this.state = NUM;
    this.pushNum(v);
  }

  private pushStr(text: string, fail: FieldError): void {
    const d = this.cfg.dtype;
    if (d !== undefined && d !== 'string') {
      const what = d === 'bool' || d === 'boolean' ? 'True or False' : 'a number';
      fail(`cannot convert ${JSON.stringify(text)} to ${d} (expected ${what})`);
    }
    if (this.strs === null) this.toStrings();
    this.strs!.push(text);
    this.length++;
  }

  /**
   * Switches to string storage. Earlier numbers become their shortest decimal form (so "1.50"
   * read before a text cell comes back as "1.5"; pandas' low-memory reader mixes numbers and
   * strings in such a column instead).
   */
  private toStrings(): void {
    if (this.strs !== null) return;
    const out = new Array<string | null>(this.length);
    const st = this.state;
    for (let i = 0; i < this.length; i++) {
      const v = this.nums[i]!;
      out[i] = v !== v ? null : st === BOOL ? BOOL_WORDS[v]! : String(v);
    }
    this.strs = out;
    this.state = STR;
    this.nums = NO_NUMS;
  }

  /** The finished column with pandas' dtype for what was seen. */
  finish(): Column {
    const n = this.length;
    const d = this.cfg.dtype;
    if (this.strs !== null) return new Column('string', this.strs);
    if (n === 0 && d === undefined) return new Column('string', []); // header only: pandas gives object columns
    const nums = this.nums;
    this.spare = nums.length > 0 ? nums : null;
    this.spareShared = false;
    if (d === 'Int32' || d === 'int32') {
      const values = new Int32Array(n);
      const valid = d === 'Int32' ? new Uint8Array(n) : null;
      for (let i = 0; i < n; i++) {
        const v = nums[i]!;
        if (v === v) {
          values[i] = v;
          if (valid) valid[i] = 1;
        }
      }
      return new Column(d, values, valid);
    }
    if (d === 'bool' || d === 'boolean' || (d === undefined && this.state === BOOL)) {
      const nullable = d === 'boolean' || (d === undefined && this.naCount > 0);
      const values = new Uint8Array(n);
      const valid = nullable ? new Uint8Array(n) : null;
      for (let i = 0; i < n; i++) {
        const v = nums[i]!;
        if (v === v) {
          values[i] = v < 3 ? 1 : 0;
          if (valid) valid[i] = 1;
        }
      }
      return new Column(nullable ? 'boolean' : 'bool', values, valid);
    }
    if (d === undefined && this.state === INT && this.naCount === 0 && this.int32Safe) {
      const values = new Int32Array(n);
      for (let i = 0; i < n; i++) values[i] = nums[i]!;
      return new Column('int32', values);
    }
    // float64: trim the spare capacity (copy only when it is worth it)
    const trimmed =
      n === 0
        ? new Float64Array(0)
        : nums.length === n
          ? nums
          : nums.length - n > nums.length / 16 && !this.keepCapacity
            ? nums.slice(0, n)
            : nums.subarray(0, n);
    this.nums = NO_NUMS;
    this.spareShared = trimmed.buffer === nums.buffer;
    return new Column('float64', trimmed);
  }
}
