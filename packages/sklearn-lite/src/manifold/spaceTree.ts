/**
 * A 2^d-ary space-partitioning tree (quadtree for d = 2, octree for 3) over the embedding, as
 * Barnes-Hut t-SNE uses it: each cell keeps its point count, barycenter and squared width. Built
 * by inserting points one at a time into typed arrays (it is rebuilt every iteration, so no
 * per-cell objects).
 */
export class SpaceTree {
  readonly d: number;
  private readonly fan: number; // 2^d
  private cap = 0;
  private count = 0;
  private center = new Float64Array(0); // cells x d
  private half = new Float64Array(0); // cells x d
  private sum = new Float64Array(0); // cells x d, then barycenters
  private size = new Int32Array(0);
  private point = new Int32Array(0); // a point of a leaf, -1 when empty
  private firstChild = new Int32Array(0); // -1 for leaves
  private sqWidth = new Float64Array(0);

  constructor(Y: Float64Array, n: number, d: number) {
    this.d = d;
    this.fan = 1 << d;
    this.grow(Math.max(16, 2 * n));
    const lo = new Float64Array(d).fill(Number.POSITIVE_INFINITY);
    const hi = new Float64Array(d).fill(Number.NEGATIVE_INFINITY);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < d; a++) {
        lo[a] = Math.min(lo[a]!, Y[i * d + a]!);
        hi[a] = Math.max(hi[a]!, Y[i * d + a]!);
      }
    }
    // scikit-learn widens the box a little so no point sits on its upper edge.
    for (let a = 0; a < d; a++) hi[a] = Math.max(hi[a]! * (1 + 1e-3 * Math.sign(hi[a]!)), hi[a]! + 1e-3);
    const root = this.newCell();
    for (let a = 0; a < d; a++) {
      this.center[root * d + a] = (lo[a]! + hi[a]!) / 2;
      this.half[root * d + a] = (hi[a]! - lo[a]!) / 2;
    }
    for (let i = 0; i < n; i++) this.insert(Y, i);
    for (let c = 0; c < this.count; c++) {
      let w = 0;
      for (let a = 0; a < d; a++) {
        if (this.size[c]! > 0) this.sum[c * d + a]! /= this.size[c]!;
        w = Math.max(w, 2 * this.half[c * d + a]!);
      }
      this.sqWidth[c] = w * w;
    }
  }

  private grow(cap: number): void {
    const d = this.d;
    const f64 = (old: Float64Array, per: number) => {
      const a = new Float64Array(cap * per);
      a.set(old);
      return a;
    };
    const i32 = (old: Int32Array) => {
      const a = new Int32Array(cap);
      a.set(old);
      return a;
    };
    this.center = f64(this.center, d);
    this.half = f64(this.half, d);
    this.sum = f64(this.sum, d);
    this.sqWidth = f64(this.sqWidth, 1);
    this.size = i32(this.size);
    this.point = i32(this.point);
    this.firstChild = i32(this.firstChild);
    this.cap = cap;
  }

  private newCell(): number {
    if (this.count === this.cap) this.grow(this.cap * 2);
    const c = this.count++;
    this.point[c] = -1;
    this.firstChild[c] = -1;
    this.size[c] = 0;
    return c;
  }

  private childFor(Y: Float64Array, p: number, cell: number): number {
    const d = this.d;
    let k = 0;
    for (let a = 0; a < d; a++) if (Y[p * d + a]! > this.center[cell * d + a]!) k |= 1 << a;
    return this.firstChild[cell]! + k;
  }

  private split(cell: number): void {
    const d = this.d;
    const first = this.count;
    for (let k = 0; k < this.fan; k++) {
      const c = this.newCell();
      for (let a = 0; a < d; a++) {
        const h = this.half[cell * d + a]! / 2;
        this.half[c * d + a] = h;
        this.center[c * d + a] = this.center[cell * d + a]! + (k & (1 << a) ? h : -h);
      }
    }
    this.firstChild[cell] = first;
  }

  private insert(Y: Float64Array, p: number): void {
    const d = this.d;
    let cell = 0;
    for (;;) {
      this.size[cell]!++;
      for (let a = 0; a < d; a++) this.sum[cell * d + a]! += Y[p * d + a]!;
      if (this.firstChild[cell]! >= 0) {
        cell = this.childFor(Y, p, cell);
        continue;
      }
      const q = this.point[cell]!;
      if (q < 0) {
        this.point[cell] = p;
        return;
      }
      let same = true;
      for (let a = 0; a < d; a++) if (Y[q * d + a] !== Y[p * d + a]) same = false;
      if (same) return; // duplicates share a leaf
      // Split the leaf: its point (with its duplicates) moves down one level, then p goes on.
      const dup = this.size[cell]! - 1;
      this.split(cell);
      this.point[cell] = -1;
      const c = this.childFor(Y, q, cell);
      this.point[c] = q;
      this.size[c] = dup;
      for (let a = 0; a < d; a++) this.sum[c * d + a] = Y[q * d + a]! * dup;
      cell = this.childFor(Y, p, cell);
    }
  }

  /**
   * Repulsive forces on point y: Σ over summarized cells of size·q²·(y - barycenter) with
   * q = 1/(1 + |y - barycenter|²) (scikit-learn's form for other dof), into `force`; returns
   * Σ size·q (its share of Z). Cells whose width/distance < theta are summarized; leaves always
   * are; the point's own contribution is left out.
   */
  repulsion(
    y: Float64Array,
    yo: number,
    thetaSq: number,
    force: Float64Array,
    stack: Int32Array,
    dof = 1,
  ): number {
    const d = this.d;
    force.fill(0);
    let sumQ = 0;
    let top = 0;
    stack[top++] = 0;
    const expo = (dof + 1) / 2;
    while (top > 0) {
      const cell = stack[--top]!;
      const size0 = this.size[cell]!;
      if (size0 === 0) continue;
      let d2 = 0;
      const o = cell * d;
      for (let a = 0; a < d; a++) {
        const t = y[yo + a]! - this.sum[o + a]!;
        d2 += t * t;
      }
      const first = this.firstChild[cell]!;
      if (first < 0 || this.sqWidth[cell]! < thetaSq * d2) {
        let size = size0;
        if (first < 0 && d2 === 0) size -= 1; // the point itself (duplicates still count)
        if (size <= 0) continue;
        const q = dof === 1 ? 1 / (1 + d2) : (dof / (dof + d2)) ** expo;
        sumQ += size * q;
        const mult = size * q * q;
        for (let a = 0; a < d; a++) force[a]! += mult * (y[yo + a]! - this.sum[o + a]!);
        continue;
      }
      for (let k = 0; k < this.fan; k++) stack[top++] = first + k;
    }
    return sumQ;
  }

  get cellCount(): number {
    return this.count;
  }
}
