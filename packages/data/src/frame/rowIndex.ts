import { Column, type Positions } from '../column/column.js';
import type { Scalar } from '../column/dtype.js';
import { type ColumnInput, toColumn } from '../column/fromValues.js';
import { fail } from '../errors.js';

/**
 * Row labels, as pandas' Index: a range start, start+1, … (pandas' RangeIndex, the default, stored
 * as two numbers) or a column of labels (after filtering, sampling, sorting, or for results such
 * as describe() and valueCounts() whose rows are named).
 */
export class Index {
  readonly length: number;
  /** The labels, or null for a range starting at `start`. */
  readonly labels: Column | null;
  readonly start: number;
  readonly name: string | null;

  private constructor(length: number, labels: Column | null, start: number, name: string | null) {
    this.length = length;
    this.labels = labels;
    this.start = start;
    this.name = name;
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
    return new Index(this.length, this.labels, this.start, name);
  }

  get isRange(): boolean {
    return this.labels === null;
  }

  /** The label at position i. */
  get(i: number): Scalar {
    return this.labels === null ? this.start + i : this.labels.get(i);
  }

  take(positions: Positions): Index {
    if (this.labels !== null) return new Index(positions.length, this.labels.take(positions), 0, this.name);
    const out = new Int32Array(positions.length);
    for (let i = 0; i < out.length; i++) out[i] = this.start + positions[i]!;
    return new Index(out.length, new Column('int32', out), 0, this.name);
  }

  slice(start: number, end: number): Index {
    if (this.labels === null) return new Index(end - start, null, this.start + start, this.name);
    return new Index(end - start, this.labels.slice(start, end), 0, this.name);
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
