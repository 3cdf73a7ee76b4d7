/**
 * Learned dynamics for chapter 3: a forward model T̂(s, a) → Δs and a reward model R̂(s, a), as one network with
 * two outputs, and an **ensemble** of B such networks (PETS, Chua et al. 2018).
 *
 * Probabilistic members predict a Gaussian N(μ_θ(s,a), Σ_θ(s,a)) with diagonal Σ and are trained by its negative
 * log-likelihood (PETS eq. 1, per sample, up to constants):
 *     loss = Σ_d (μ_d − y_d)² / σ²_d + log σ²_d
 * with the log-variance kept in a learned band [min, max] by soft clamping, plus 0.01·(Σ max − Σ min) so the band
 * tightens (PETS' appendix). Deterministic members predict μ only and train on the squared error.
 * Each member sees its own bootstrap resample of the data: disagreement between members where data is scarce is
 * the **epistemic** uncertainty; the predicted σ² is the **aleatoric** noise of the system itself.
 *
 * Inputs [s, a] and targets [s' − s, r] are standardised (normalizer.ts); predictions come back in raw units.
 * All B members run as one batched computation: x [B, rows, in] → [B, rows, out] (nn/layers.ts `denseBatched`).
 */
import { tf } from "../nn/backend.js";
import { activate, denseBatched, normalInit, Params, type Activation } from "../nn/layers.js";
import { CheckpointError, loadCheckpoint, saveCheckpoint } from "../nn/io.js";
import { Adam, trainStep } from "../nn/optim.js";
import { Rng } from "../util/random.js";
import { positiveInt } from "../util/validate.js";
import { Normalizer } from "./normalizer.js";

export interface EnsembleConfig {
  /** Members B (PETS: 5). 1 with `probabilistic: false` is a plain deterministic model. */
  ensembleSize: number;
  /** Hidden layer widths (PETS cartpole: 3 × 500; the course default is smaller for a laptop). */
  hidden: number[];
  /** Hidden activation (PETS uses swish; Mish is its close relative, already fast on wasm here). */
  activation: Activation;
  /** Gaussian outputs with learned variance (PETS "P") or mean only ("D"). */
  probabilistic: boolean;
  /** Adam learning rate (PETS: 1e-3). */
  lr: number;
  /** Minibatch size per member (PETS: 32). */
  batchSize: number;
  /** Each member trains on a bootstrap resample of the data (PETS); false: every member sees all data. */
  bootstrap: boolean;
  seed: number;
}

export const PETS_ENSEMBLE_DEFAULTS: EnsembleConfig = {
  ensembleSize: 5,
  hidden: [200, 200, 200],
  activation: "mish",
  probabilistic: true,
  lr: 1e-3,
  batchSize: 32,
  bootstrap: true,
  seed: 0,
};

/** Transitions as flat row-major arrays: obs/nextObs n × obsDim, act n × actDim, reward n. */
export interface TransitionData {
  n: number;
  obs: Float32Array;
  act: Float32Array;
  nextObs: Float32Array;
  reward: Float32Array;
}

export interface Prediction {
  /** [B, rows, obsDim + 1]: Δs then r, raw units. */
  mean: Float32Array;
  /** Same shape: predicted variance σ² (0 for deterministic members). */
  variance: Float32Array;
  rows: number;
}

export class DynamicsEnsemble {
  readonly cfg: EnsembleConfig;
  readonly inDim: number;
  /** Δs and r. */
  readonly outDim: number;
  readonly params = new Params();
  readonly inNorm: Normalizer;
  readonly outNorm: Normalizer;
  private readonly opt: Adam;
  private readonly rng: Rng;
  private readonly layers: number;
  /** Epochs trained so far. */
  epochs = 0;

  constructor(
    readonly obsDim: number,
    readonly actDim: number,
    config: Partial<EnsembleConfig> = {},
  ) {
    const c = { ...PETS_ENSEMBLE_DEFAULTS, ...config };
    for (const [k, v] of [["obsDim", obsDim], ["actDim", actDim], ["ensembleSize", c.ensembleSize], ["batchSize", c.batchSize]] as const) positiveInt(`DynamicsEnsemble: ${k}`, v);
    if (c.hidden.length === 0 || c.hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new RangeError(`DynamicsEnsemble: hidden must be positive widths, got [${c.hidden}]`);
    if (!(c.lr > 0)) throw new RangeError(`DynamicsEnsemble: lr must be > 0, got ${c.lr}`);
    this.cfg = c;
    this.inDim = obsDim + actDim;
    this.outDim = obsDim + 1;
    this.inNorm = new Normalizer(this.inDim);
    this.outNorm = new Normalizer(this.outDim);
    this.rng = new Rng(c.seed);
    const E = c.ensembleSize;
    const dims = [this.inDim, ...c.hidden, c.probabilistic ? 2 * this.outDim : this.outDim];
    this.layers = dims.length - 1;
    for (let i = 0; i < this.layers; i++) {
      // PETS initialises with a truncated normal of std 1/(2√fan_in)
      this.params.add(`ens/${i}/W`, normalInit([E, dims[i]!, dims[i + 1]!], this.rng, 1 / (2 * Math.sqrt(dims[i]!))));
      this.params.add(`ens/${i}/b`, tf.zeros([E, 1, dims[i + 1]!]));
    }
    if (c.probabilistic) {
      this.params.add("ens/max_logvar", tf.fill([this.outDim], 0.5));
      this.params.add("ens/min_logvar", tf.fill([this.outDim], -10));
    }
    this.opt = new Adam(this.params, { lr: c.lr });
  }

  /** Network outputs for standardised inputs x [B, rows, in]: standardised mean and log-variance. */
  forward(x: tf.Tensor3D): { mean: tf.Tensor3D; logvar?: tf.Tensor3D } {
    let h: tf.Tensor3D = x;
    for (let i = 0; i < this.layers; i++) {
      h = denseBatched(h, this.params.get(`ens/${i}/W`), this.params.get(`ens/${i}/b`));
      if (i < this.layers - 1) h = activate(h, this.cfg.activation);
    }
    if (!this.cfg.probabilistic) return { mean: h };
    const [mean, raw] = tf.split(h, 2, 2) as [tf.Tensor3D, tf.Tensor3D];
    return { mean, logvar: this.boundLogVar(raw) };
  }

  /** Soft clamp into [min_logvar, max_logvar] (PETS): smooth, so gradients never vanish at the bounds. */
  private boundLogVar(raw: tf.Tensor3D): tf.Tensor3D {
    const max = this.params.get("ens/max_logvar");
    const min = this.params.get("ens/min_logvar");
    const upper = tf.sub(max, tf.softplus(tf.sub(max, raw)));
    return tf.add(min, tf.softplus(tf.sub(upper, min))) as tf.Tensor3D;
  }

  /** Gaussian NLL (or MSE) on standardised targets y [B, rows, out], averaged over rows, members and outputs. */
  loss(x: tf.Tensor3D, y: tf.Tensor3D): tf.Scalar {
    const { mean, logvar } = this.forward(x);
    const sq = tf.square(tf.sub(mean, y));
    if (!logvar) return tf.mean(sq) as tf.Scalar;
    const nll = tf.mean(tf.add(tf.mul(sq, tf.exp(tf.neg(logvar))), logvar));
    const band = tf.sub(tf.sum(this.params.get("ens/max_logvar")), tf.sum(this.params.get("ens/min_logvar")));
    return tf.add(nll, tf.mul(0.01, band)) as tf.Scalar;
  }

  /**
   * Train on `data` for `epochs` passes (PETS refits after every episode on all data so far). The normalisers are
   * refitted to the data first. Returns the mean training loss of each epoch.
   */
  fit(data: TransitionData, epochs: number, onEpoch?: (epoch: number, loss: number) => void): number[] {
    checkData(data, this.obsDim, this.actDim);
    positiveInt("fit: epochs", epochs);
    const { inputs, targets } = this.rawInputsTargets(data);
    this.inNorm.fit(inputs, data.n);
    this.outNorm.fit(targets, data.n);
    const xs = this.inNorm.normalize(inputs);
    const ys = this.outNorm.normalize(targets);
    const E = this.cfg.ensembleSize;
    const B = Math.min(this.cfg.batchSize, data.n);
    // one index list per member: a bootstrap resample (with replacement) or all rows
    const idx = Array.from({ length: E }, () => {
      const a = new Uint32Array(data.n);
      for (let i = 0; i < data.n; i++) a[i] = this.cfg.bootstrap ? this.rng.int(data.n) : i;
      return a;
    });
    const losses: number[] = [];
    const xb = new Float32Array(E * B * this.inDim);
    const yb = new Float32Array(E * B * this.outDim);
    for (let ep = 0; ep < epochs; ep++) {
      for (const a of idx) this.rng.shuffle(a);
      const batches = Math.floor(data.n / B);
      let total = 0;
      for (let b = 0; b < batches; b++) {
        for (let e = 0; e < E; e++)
          for (let r = 0; r < B; r++) {
            const row = idx[e]![b * B + r]!;
            xb.set(xs.subarray(row * this.inDim, (row + 1) * this.inDim), (e * B + r) * this.inDim);
            yb.set(ys.subarray(row * this.outDim, (row + 1) * this.outDim), (e * B + r) * this.outDim);
          }
        const res = trainStep(this.opt, () => {
          const x = tf.tensor3d(xb, [E, B, this.inDim]);
          const y = tf.tensor3d(yb, [E, B, this.outDim]);
          return { loss: this.loss(x, y) };
        });
        total += res.loss;
      }
      const mean = total / Math.max(1, batches);
      losses.push(mean);
      this.epochs++;
      onEpoch?.(this.epochs, mean);
    }
    return losses;
  }

  /**
   * Predict for raw inputs: `obs` and `act` hold rows for every member, laid out [B, rows, ·] (member e's rows
   * first), so that each member can be asked about different states (trajectory sampling).
   */
  predict(obs: Float32Array, act: Float32Array, rows: number): Prediction {
    const E = this.cfg.ensembleSize;
    if (obs.length !== E * rows * this.obsDim || act.length !== E * rows * this.actDim) {
      throw new RangeError(`predict: expected obs ${E}×${rows}×${this.obsDim} and act ${E}×${rows}×${this.actDim}, got ${obs.length} and ${act.length}`);
    }
    const x = new Float32Array(E * rows * this.inDim);
    for (let i = 0; i < E * rows; i++) {
      for (let d = 0; d < this.obsDim; d++) x[i * this.inDim + d] = (obs[i * this.obsDim + d]! - this.inNorm.mean[d]!) / this.inNorm.std[d]!;
      for (let d = 0; d < this.actDim; d++) {
        const k = this.obsDim + d;
        x[i * this.inDim + k] = (act[i * this.actDim + d]! - this.inNorm.mean[k]!) / this.inNorm.std[k]!;
      }
    }
    // keep tensors (not typed arrays) as the tidy's result: reading them afterwards is cheap (PLATFORM.md)
    const [meanT, logvarT] = tf.tidy(() => {
      const out = this.forward(tf.tensor3d(x, [E, rows, this.inDim]));
      return [out.mean, out.logvar ?? tf.zeros([1])];
    });
    const m = meanT.dataSync() as Float32Array;
    const lv = logvarT.dataSync() as Float32Array;
    meanT.dispose();
    logvarT.dispose();
    const mean = new Float32Array(m.length);
    const variance = new Float32Array(m.length);
    for (let i = 0; i < m.length; i++) {
      const d = i % this.outDim;
      const s = this.outNorm.std[d]!;
      mean[i] = m[i]! * s + this.outNorm.mean[d]!;
      variance[i] = this.cfg.probabilistic ? Math.exp(lv[i]!) * s * s : 0;
    }
    return { mean, variance, rows };
  }

  /** Same rows for every member: predictions for one batch of (s, a) from all B members. */
  predictAll(obs: Float32Array, act: Float32Array, rows: number): Prediction {
    const E = this.cfg.ensembleSize;
    const o = new Float32Array(E * obs.length);
    const a = new Float32Array(E * act.length);
    for (let e = 0; e < E; e++) {
      o.set(obs, e * obs.length);
      a.set(act, e * act.length);
    }
    return this.predict(o, a, rows);
  }

  private rawInputsTargets(data: TransitionData): { inputs: Float32Array; targets: Float32Array } {
    const inputs = new Float32Array(data.n * this.inDim);
    const targets = new Float32Array(data.n * this.outDim);
    for (let i = 0; i < data.n; i++) {
      inputs.set(data.obs.subarray(i * this.obsDim, (i + 1) * this.obsDim), i * this.inDim);
      inputs.set(data.act.subarray(i * this.actDim, (i + 1) * this.actDim), i * this.inDim + this.obsDim);
      for (let d = 0; d < this.obsDim; d++) targets[i * this.outDim + d] = data.nextObs[i * this.obsDim + d]! - data.obs[i * this.obsDim + d]!;
      targets[i * this.outDim + this.obsDim] = data.reward[i]!;
    }
    return { inputs, targets };
  }

  /**
   * Save everything training continues from: weights, Adam moments and step, the generator that draws bootstrap
   * indices and minibatch orders, the normalisers and the epoch count (nn/io.ts checkpoint at `base`).
   */
  async save(base: string): Promise<void> {
    const rng = this.rng.getState().map((v) => (Number.isNaN(v) ? null : v)); // JSON has no NaN
    await saveCheckpoint(base, this.params, { ens: this.opt }, { rng, epochs: this.epochs, inNorm: this.inNorm.toJSON(), outNorm: this.outNorm.toJSON() });
  }

  /** Restore what `save` wrote into this ensemble (same sizes, else CheckpointError): training resumes exactly. */
  load(base: string): void {
    const meta = loadCheckpoint(base, this.params, { ens: this.opt }).meta as { rng?: (number | null)[]; epochs?: number; inNorm?: { mean: number[]; std: number[] }; outNorm?: { mean: number[]; std: number[] } };
    const { rng, epochs, inNorm, outNorm } = meta;
    if (!Array.isArray(rng) || typeof epochs !== "number" || !inNorm || !outNorm) throw new CheckpointError(`${base}.json`, "meta lacks the ensemble's rng, epochs or normalisers (not saved by DynamicsEnsemble.save)");
    this.rng.setState(rng.map((v) => (v === null ? Number.NaN : v)));
    this.epochs = epochs;
    this.inNorm.mean.set(inNorm.mean);
    this.inNorm.std.set(inNorm.std);
    this.outNorm.mean.set(outNorm.mean);
    this.outNorm.std.set(outNorm.std);
  }

  dispose(): void {
    this.opt.dispose();
    this.params.dispose();
  }
}

/**
 * Split the predictive variance of the ensemble at one batch of inputs (law of total variance):
 *   Var[y] = E_e[σ²_e] (aleatoric: noise the members predict) + Var_e[μ_e] (epistemic: their disagreement).
 * Returns per-row, per-output arrays [rows, out].
 */
export function decomposeVariance(p: Prediction, ensembleSize: number, outDim: number): { mean: Float32Array; aleatoric: Float32Array; epistemic: Float32Array } {
  const n = p.rows * outDim;
  const mean = new Float32Array(n);
  const aleatoric = new Float32Array(n);
  const epistemic = new Float32Array(n);
  for (let e = 0; e < ensembleSize; e++)
    for (let i = 0; i < n; i++) {
      mean[i]! += p.mean[e * n + i]! / ensembleSize;
      aleatoric[i]! += p.variance[e * n + i]! / ensembleSize;
    }
  for (let e = 0; e < ensembleSize; e++)
    for (let i = 0; i < n; i++) epistemic[i]! += (p.mean[e * n + i]! - mean[i]!) ** 2 / ensembleSize;
  return { mean, aleatoric, epistemic };
}

function checkData(d: TransitionData, obsDim: number, actDim: number): void {
  if (!Number.isInteger(d.n) || d.n < 1) throw new RangeError(`transition data needs n ≥ 1 rows, got ${d.n}`);
  const want = { obs: d.n * obsDim, act: d.n * actDim, nextObs: d.n * obsDim, reward: d.n } as const;
  for (const [k, len] of Object.entries(want)) {
    const arr = d[k as keyof typeof want];
    if (arr.length !== len) throw new RangeError(`transition data: ${k} has ${arr.length} values, expected ${len}`);
    for (let i = 0; i < arr.length; i++) if (!Number.isFinite(arr[i]!)) throw new RangeError(`transition data: ${k}[${i}] is ${arr[i]} (not finite)`);
  }
}
