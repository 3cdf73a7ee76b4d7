/**
 * The library's one seeded PRNG. Every stochastic piece (optimisers, environments' initial states, weight
 * initialisation, replay sampling, planners) takes a `Rng` so that a seed reproduces a run bit for bit.
 *
 * Generator: xoshiro128** (Blackman & Vigna, 2018) on four 32-bit words, seeded through splitmix32 so that
 * nearby seeds give unrelated streams. Normals: Marsaglia's polar method (caches the second variate).
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | undefined;
  readonly seed: number;

  constructor(seed = 0) {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
    this.seed = seed;
    // splitmix32 over the seed (and its high bits, so seeds ≥ 2^32 differ too)
    let x = (seed >>> 0) ^ Math.floor(seed / 0x100000000);
    const next = () => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const r = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.random();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1) || !Number.isInteger(n)) throw new RangeError(`int(n) needs an integer n ≥ 1, got ${n}`);
    return Math.floor(this.random() * n);
  }

  /** Standard normal N(0, 1). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u: number, v: number, q: number;
    do {
      u = 2 * this.random() - 1;
      v = 2 * this.random() - 1;
      q = u * u + v * v;
    } while (q >= 1 || q === 0);
    const f = Math.sqrt((-2 * Math.log(q)) / q);
    this.spare = v * f;
    return u * f;
  }

  /** Fill `out` with N(mean, std²) samples. */
  fillNormal<T extends Float32Array | Float64Array>(out: T, mean = 0, std = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** Fill `out` with U[lo, hi) samples. */
  fillUniform<T extends Float32Array | Float64Array>(out: T, lo = 0, hi = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * this.random();
    return out;
  }

  /** In-place Fisher–Yates shuffle of an array or typed array. */
  shuffle<A extends { length: number; [i: number]: unknown }>(xs: A): A {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    return xs;
  }

  /** An independent child stream (for a sub-component), derived deterministically from this one. */
  fork(): Rng {
    return new Rng(this.nextUint32() * 4096 + (this.nextUint32() >>> 20));
  }

  /** Snapshot of the generator state (checkpoints: resume a run exactly). */
  getState(): number[] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0, this.spare ?? Number.NaN];
  }

  /** Restore `getState()`; the cached normal may come back as null from JSON (NaN does not survive JSON.stringify). */
  setState(state: (number | null)[]): void {
    if (state.length !== 5 || state.slice(0, 4).some((w) => !Number.isInteger(w))) throw new Error("Rng.setState: not a state from getState()");
    [this.s0, this.s1, this.s2, this.s3] = state.slice(0, 4).map((w) => w! | 0) as [number, number, number, number];
    const spare = state[4];
    this.spare = spare === null || spare === undefined || Number.isNaN(spare) ? undefined : spare;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
