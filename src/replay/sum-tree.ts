/**
 * A sum tree (Schaul et al. 2016, "Prioritized Experience Replay", App. B.2.1): leaves hold non-negative priorities,
 * every inner node the sum of its children, so drawing an index with probability p_i / Σp and updating one priority
 * both cost O(log n).
 */
export class SumTree {
  readonly capacity: number;
  private readonly size: number; // leaves, a power of two ≥ capacity
  private readonly tree: Float64Array; // 1-based heap: node k has children 2k, 2k+1; leaves at size … 2·size−1

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`SumTree: capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    let s = 1;
    while (s < capacity) s *= 2;
    this.size = s;
    this.tree = new Float64Array(2 * s);
  }

  get total(): number {
    return this.tree[1]!;
  }

  get(i: number): number {
    return this.tree[this.size + i]!;
  }

  set(i: number, p: number): void {
    if (!(i >= 0 && i < this.capacity)) throw new RangeError(`SumTree: index ${i} out of range 0…${this.capacity - 1}`);
    if (!(p >= 0) || !Number.isFinite(p)) throw new RangeError(`SumTree: priority must be finite and ≥ 0, got ${p}`);
    let k = this.size + i;
    this.tree[k] = p;
    for (k >>= 1; k >= 1; k >>= 1) this.tree[k] = this.tree[2 * k]! + this.tree[2 * k + 1]!;
  }

  /** The leaf whose cumulative range [Σ_{j<i} p_j, Σ_{j≤i} p_j) contains u, for u in [0, total). */
  find(u: number): number {
    let k = 1;
    while (k < this.size) {
      const left = this.tree[2 * k]!;
      if (u < left || this.tree[2 * k + 1]! <= 0) k = 2 * k;
      else {
        u -= left;
        k = 2 * k + 1;
      }
    }
    return Math.min(k - this.size, this.capacity - 1);
  }

  /** Leaf priorities as an array (checkpoints). */
  leaves(): Float64Array {
    return this.tree.slice(this.size, this.size + this.capacity);
  }

  /** Restore from `leaves()`. */
  load(leaves: ArrayLike<number>): void {
    if (leaves.length !== this.capacity) throw new RangeError(`SumTree: ${leaves.length} leaves for capacity ${this.capacity}`);
    this.tree.fill(0);
    this.tree.set(leaves, this.size);
    for (let k = this.size - 1; k >= 1; k--) this.tree[k] = this.tree[2 * k]! + this.tree[2 * k + 1]!;
  }
}
