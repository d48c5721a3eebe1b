import { Column, type Positions } from '../column/column.js';
import type { Scalar } from '../column/dtype.js';
import { type ColumnInput, toColumn } from '../column/fromValues.js';
import { fail } from '../errors.js';

/**
 * Row labels, as pandas' Index: a range start, start+1, … (pandas' RangeIndex, the default, stored
 * as two numbers) or a column of labels (after filtering, sampling, sorting, or for results such
 * as describe() and valueCounts() whose rows are named). A MultiIndex (groupBy on several keys)
 * has more levels: `labels` is the first, `innerLevels` the others, each with its name.
 */
export class Index {
  readonly length: number;
  /** The labels (the first level of a MultiIndex), or null for a range starting at `start`. */
  readonly labels: Column | null;
  readonly start: number;
  readonly name: string | null;
  /** A MultiIndex's levels after the first (empty for a one-level index). */
  readonly innerLevels: readonly Column[];
  /** Their names. */
  readonly innerNames: readonly (string | null)[];

  private constructor(
    length: number,
    labels: Column | null,
    start: number,
    name: string | null,
    innerLevels: readonly Column[] = [],
    innerNames: readonly (string | null)[] = [],
  ) {
    this.length = length;
    this.labels = labels;
    this.start = start;
    this.name = name;
    this.innerLevels = innerLevels;
    this.innerNames = innerNames;
  }

  /** pandas' MultiIndex.from_arrays: one label column per level, all as long. */
  static multi(levels: readonly Column[], names: readonly (string | null)[]): Index {
    if (levels.length < 2) return Index.from(levels[0]!, names[0] ?? null);
    return new Index(levels[0]!.length, levels[0]!, 0, names[0] ?? null, levels.slice(1), names.slice(1));
  }

  /** How many levels (1, or more for a MultiIndex). */
  get nlevels(): number {
    return 1 + this.innerLevels.length;
  }

  /** Every level's label column (a range materialised). */
  get levels(): Column[] {
    return [this.toColumn(), ...this.innerLevels];
  }

  /** Every level's name. */
  get names(): (string | null)[] {
    return [this.name, ...this.innerNames];
  }

  /** The labels at position i: one per level. */
  getTuple(i: number): Scalar[] {
    return [this.get(i), ...this.innerLevels.map((l) => l.get(i))];
  }

  static range(length: number, start = 0): Index {
    return new Index(length, null, start, null);
  }

  static from(labels: ColumnInput | Index, name: string | null = null): Index {
    if (labels instanceof Index) return labels;
    const col = toColumn('Index', 'labels', labels);
    return new Index(col.length, col, 0, name);
  }

  withName(name: string | null): Index {
    return new Index(this.length, this.labels, this.start, name, this.innerLevels, this.innerNames);
  }

  get isRange(): boolean {
    return this.labels === null;
  }

  /** The label at position i (of the first level, for a MultiIndex: see getTuple). */
  get(i: number): Scalar {
    return this.labels === null ? this.start + i : this.labels.get(i);
  }

  take(positions: Positions): Index {
    if (this.labels !== null)
      return new Index(
        positions.length,
        this.labels.take(positions),
        0,
        this.name,
        this.innerLevels.map((l) => l.take(positions)),
        this.innerNames,
      );
    const out = new Int32Array(positions.length);
    for (let i = 0; i < out.length; i++) out[i] = this.start + positions[i]!;
    return new Index(out.length, new Column('int32', out), 0, this.name);
  }

  slice(start: number, end: number): Index {
    if (this.labels === null) return new Index(end - start, null, this.start + start, this.name);
    return new Index(
      end - start,
      this.labels.slice(start, end),
      0,
      this.name,
      this.innerLevels.map((l) => l.slice(start, end)),
      this.innerNames,
    );
  }

  /** The labels as a column (materialising a range). */
  toColumn(): Column {
    if (this.labels !== null) return this.labels;
    const out = new Int32Array(this.length);
    for (let i = 0; i < out.length; i++) out[i] = this.start + i;
    return new Column('int32', out);
  }

  toArray(): Scalar[] {
    const out = new Array<Scalar>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.get(i);
    return out;
  }

  /** Positions of the given labels (each must exist). */
  positionsOf(op: string, labels: readonly Scalar[]): number[] {
    const where = new Map<Scalar, number[]>();
    for (let i = 0; i < this.length; i++) {
      const l = this.get(i);
      const list = where.get(l);
      if (list) list.push(i);
      else where.set(l, [i]);
    }
    const out: number[] = [];
    for (const l of labels) {
      const found = where.get(l);
      if (!found) fail(op, `label ${JSON.stringify(l)} is not in the index`);
      out.push(...found);
    }
    return out;
  }
}
