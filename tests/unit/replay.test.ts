import { describe, expect, it } from "vitest";
import { ReplayStore } from "../../src/replay/store.js";
import { SumTree } from "../../src/replay/sum-tree.js";

/** An episode of T steps whose observation o_t = [episode, t], action a_t = [t], reward r_t = 10·episode + t. */
function episode(e: number, T: number) {
  return {
    observations: Array.from({ length: T + 1 }, (_, t) => [e, t]),
    actions: Array.from({ length: T }, (_, t) => [t]),
    rewards: Array.from({ length: T }, (_, t) => 10 * e + t),
  };
}

describe("sum tree", () => {
  it("draws index i with probability p_i / Σp (chi-square over 40,000 draws)", () => {
    const p = [1, 0, 3, 6, 0.5, 2.5, 0, 7];
    const tree = new SumTree(p.length);
    p.forEach((x, i) => tree.set(i, x));
    expect(tree.total).toBe(20);
    const n = 40_000;
    const counts = new Array(p.length).fill(0);
    let u = 0.5;
    for (let k = 0; k < n; k++) {
      u = (u * 9301 + 49297) % 233280; // a fixed stream, independent of Math.random
      counts[tree.find((u / 233280) * tree.total)]++;
    }
    let chi2 = 0;
    p.forEach((x, i) => {
      if (x === 0) expect(counts[i]).toBe(0);
      else chi2 += (counts[i] - (n * x) / 20) ** 2 / ((n * x) / 20);
    });
    expect(chi2).toBeLessThan(16.8); // χ² with 5 dof, p = 0.005
  });
});

describe("replay store", () => {
  it("samples sub-sequences that stay inside one episode, time-major, with their actions and rewards", () => {
    const s = new ReplayStore({ obsDim: 2, actionDim: 1, capacity: 100, horizon: 3, seed: 0 });
    s.addEpisode(episode(0, 10));
    s.addEpisode(episode(1, 5));
    expect(s.numSteps).toBe(15);
    expect(s.numSequences).toBe(8 + 3);
    const b = s.sampleSequences(64);
    for (let i = 0; i < 64; i++) {
      const e = b.obs[i * 2]!;
      const t0 = b.obs[i * 2 + 1]!;
      for (let t = 0; t <= 3; t++) {
        expect(b.obs[(t * 64 + i) * 2]).toBe(e); // same episode
        expect(b.obs[(t * 64 + i) * 2 + 1]).toBe(t0 + t); // consecutive steps
        if (t < 3) {
          expect(b.action[t * 64 + i]).toBe(t0 + t);
          expect(b.reward[t * 64 + i]).toBe(10 * e + t0 + t);
        }
      }
      expect(t0 + 3).toBeLessThanOrEqual(e === 0 ? 10 : 5);
    }
    expect(Array.from(b.weight)).toEqual(new Array(64).fill(1));
  });

  it("PER: sequences are drawn in proportion to priority^α (chi-square) with weights (N·P)^−β / max", () => {
    const s = new ReplayStore({ obsDim: 2, actionDim: 1, capacity: 50, horizon: 1, priority: { alpha: 0.6, beta: 0.4 }, seed: 1 });
    s.addEpisode(episode(0, 4)); // 4 sequences, slots 0–3
    s.updatePriorities([0, 1, 2, 3], [1, 2, 4, 8]);
    const P = [1, 2, 4, 8].map((p) => p ** 0.6);
    const total = P.reduce((a, b) => a + b, 0);
    const counts = [0, 0, 0, 0];
    const n = 20_000;
    for (let k = 0; k < n / 50; k++) {
      const b = s.sampleSequences(50);
      for (let i = 0; i < 50; i++) counts[b.index[i]!]++;
      for (let i = 0; i < 50; i++) {
        const w = (4 * (P[b.index[i]!]! / total)) ** -0.4;
        const wmax = Math.max(...Array.from(b.index, (j) => (4 * (P[j]! / total)) ** -0.4));
        expect(b.weight[i]).toBeCloseTo(w / wmax, 5);
      }
    }
    const chi2 = counts.reduce((c, x, i) => c + (x - (n * P[i]!) / total) ** 2 / ((n * P[i]!) / total), 0);
    expect(chi2).toBeLessThan(12.8); // χ² with 3 dof, p = 0.005
    for (let i = 0; i < 4; i++) expect(s.probability(i)).toBeCloseTo(P[i]! / total, 6);
  });

  it("PER: a new episode's sequences enter at the largest priority seen", () => {
    const s = new ReplayStore({ obsDim: 2, actionDim: 1, capacity: 50, horizon: 1, priority: { alpha: 1, beta: 0.4 }, seed: 1 });
    s.addEpisode(episode(0, 2));
    s.updatePriorities([0, 1], [5, 0.5]);
    s.addEpisode(episode(1, 2)); // slots 3, 4
    expect(s.probability(3)).toBeCloseTo(5 / (5 + 0.5 + 5 + 5), 6);
    expect(() => s.updatePriorities([0], [Number.NaN])).toThrow(/priority 0 is NaN/);
  });

  it("drops the oldest whole episodes when the ring is full", () => {
    const s = new ReplayStore({ obsDim: 2, actionDim: 1, capacity: 20, horizon: 2, seed: 0 });
    for (let e = 0; e < 5; e++) s.addEpisode(episode(e, 5)); // 6 slots each: 3 fit
    expect(s.numEpisodes).toBe(3);
    const b = s.sampleSequences(200);
    const eps = new Set(Array.from({ length: 200 }, (_, i) => b.obs[i * 2]));
    expect([...eps].sort()).toEqual([2, 3, 4]);
    expect(s.totalSteps).toBe(25);
  });

  it("transitions() returns every (o, a, r, o') for PETS", () => {
    const s = new ReplayStore({ obsDim: 2, actionDim: 1, capacity: 30, horizon: 1, seed: 0 });
    s.addEpisode(episode(0, 3));
    s.addEpisode(episode(1, 2));
    const d = s.transitions();
    expect(d.n).toBe(5);
    expect(Array.from(d.obs)).toEqual([0, 0, 0, 1, 0, 2, 1, 0, 1, 1]);
    expect(Array.from(d.nextObs)).toEqual([0, 1, 0, 2, 0, 3, 1, 1, 1, 2]);
    expect(Array.from(d.reward)).toEqual([0, 1, 2, 10, 11]);
  });

  it("a snapshot restores a store that samples exactly as the original", () => {
    const s = new ReplayStore({ obsDim: 2, actionDim: 1, capacity: 40, horizon: 2, priority: { alpha: 0.6, beta: 0.4 }, seed: 3 });
    for (let e = 0; e < 4; e++) s.addEpisode(episode(e, 6));
    s.updatePriorities([0, 1, 2], [3, 0.2, 9]);
    s.sampleSequences(5);
    const { meta, arrays } = s.snapshot();
    const r = ReplayStore.restore(JSON.parse(JSON.stringify(meta)), arrays);
    expect(r.sampleSequences(16)).toEqual(s.sampleSequences(16));
  });

  it("refuses bad input by name", () => {
    const s = new ReplayStore({ obsDim: 2, actionDim: 1, capacity: 10, horizon: 3, seed: 0 });
    expect(() => s.sampleSequences(4)).toThrow(/holds no sequence/);
    expect(() => s.addEpisode({ ...episode(0, 3), rewards: [0, Number.NaN, 1] })).toThrow(/reward 1 is NaN/);
    expect(() => s.addEpisode(episode(0, 20))).toThrow(/does not fit/);
    s.addEpisode(episode(0, 4));
    expect(() => s.sampleSequences(4, 5)).toThrow(/horizon must be an integer in \[1, 3\]/);
    expect(() => new ReplayStore({ obsDim: 0, actionDim: 1, capacity: 10, horizon: 1, seed: 0 })).toThrow(/obsDim/);
  });
});
