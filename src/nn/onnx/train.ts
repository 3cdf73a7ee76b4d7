/**
 * Training graphs and the engine that runs them: a `TrainGraph` is a `Graph` whose parameters, target copies and
 * optimiser moments are inputs named after their `WeightStore` keys and whose updated values are outputs; one
 * `OnnxTrainer.run` is one whole update (forward, backward, clipping, Adam, Polyak) in one onnxruntime call.
 */
import { gradients } from "./autodiff.js";
import { Graph, Sym } from "./graph.js";
import { adamScalars, adamStep, polyakStep, type AdamHyper } from "./optim.js";
import type { SessionOptions } from "./proto.js";
import { GraphSession, type Feed } from "./session.js";
import { storeKey, WeightStore } from "./store.js";
import type { OrtTensor } from "./proto.js";

export interface OptimizerDef {
  id: string;
  hyper: AdamHyper;
  names: string[];
}

const NEW = "new|";
const OUT = "out|";

export class TrainGraph {
  readonly g = new Graph();
  private readonly params = new Map<string, Sym>();
  private readonly targets = new Map<string, Sym>();
  readonly shapes = new Map<string, number[]>();
  readonly optimizers: OptimizerDef[] = [];
  /** store keys whose new values are outputs */
  readonly stateOut: string[] = [];
  /** scalar or tensor outputs reported to the caller */
  readonly reports: string[] = [];
  readonly usesTau: boolean[] = [false];

  /** `paramShapes`: every parameter the graph may read; `targetNames`: those with a target copy. */
  constructor(paramShapes: [string, number[]][], targetNames: string[] = []) {
    for (const [n, s] of paramShapes) {
      this.shapes.set(n, s);
      this.params.set(n, this.g.input(storeKey("p", n), s));
    }
    for (const n of targetNames) {
      const s = this.shapes.get(n);
      if (!s) throw new Error(`TrainGraph: target "${n}" is not a parameter`);
      this.targets.set(n, this.g.input(storeKey("t", n), s));
    }
  }

  /** Reads the current parameters. */
  readonly P = (name: string): Sym => {
    const s = this.params.get(name);
    if (!s) throw new Error(`TrainGraph: no parameter "${name}"`);
    return s;
  };

  /** Reads the target copies. */
  readonly T = (name: string): Sym => {
    const s = this.targets.get(name);
    if (!s) throw new Error(`TrainGraph: no target copy of "${name}"`);
    return s;
  };

  input(name: string, shape: number[], dtype: "float" | "int64" = "float"): Sym {
    return this.g.input(name, shape, dtype);
  }

  /**
   * Differentiate `loss` w.r.t. the named parameters and apply one Adam step (optimiser `id`, its moments and step
   * scalars are graph inputs). Returns the updated parameters (a `P`-like reader: updated where stepped) and ‖g‖.
   */
  adam(id: string, hyper: AdamHyper, names: string[], loss: Sym): { P: (name: string) => Sym; updated: Map<string, Sym>; gradNorm: Sym } {
    const g = this.g;
    const wrt = names.map((n) => this.P(n));
    const grads = gradients(g, loss, wrt);
    const gm = new Map(names.map((n, i) => [n, grads[i]!] as const));
    const m = new Map(names.map((n) => [n, g.input(storeKey("m", n, id), this.shapes.get(n)!)] as const));
    const v = new Map(names.map((n) => [n, g.input(storeKey("v", n, id), this.shapes.get(n)!)] as const));
    const inp = { stepSize: g.input(`adam:${id}:step_size`, []), invBc2: g.input(`adam:${id}:inv_bc2`, []) };
    const r = adamStep(g, hyper, new Map(names.map((n, i) => [n, wrt[i]!] as const)), gm, m, v, inp);
    for (const n of names) {
      this.out(storeKey("p", n), r.params.get(n)!);
      this.out(storeKey("m", n, id), r.m.get(n)!);
      this.out(storeKey("v", n, id), r.v.get(n)!);
    }
    this.optimizers.push({ id, hyper, names });
    return { P: (n) => r.params.get(n) ?? this.P(n), updated: r.params, gradNorm: r.gradNorm };
  }

  /** Polyak-average every target copy towards `source` (the updated parameters); τ is the graph input "tau". */
  polyak(source: (name: string) => Sym): void {
    const tau = this.g.input("tau", []);
    this.usesTau[0] = true;
    const src = new Map([...this.targets.keys()].map((n) => [n, source(n)] as const));
    for (const [n, s] of polyakStep(this.g, this.targets, src, tau)) this.out(storeKey("t", n), s);
  }

  /** Report a value (a loss, the TD errors, …) as an output of the step. */
  report(name: string, s: Sym): void {
    this.g.output(s, OUT + name);
    this.reports.push(name);
  }

  private out(key: string, s: Sym): void {
    this.g.output(s, NEW + key);
    this.stateOut.push(key);
  }
}

export interface TrainerOptions extends SessionOptions {}

/** Runs a `TrainGraph` against a `WeightStore`: one call, one update. */
export class OnnxTrainer {
  /** Adam step counts per optimiser (t of the bias corrections) */
  readonly steps: Record<string, number> = {};

  private constructor(
    readonly session: GraphSession,
    readonly store: WeightStore,
    private readonly tg: TrainGraph,
  ) {
    for (const o of tg.optimizers) this.steps[o.id] = 0;
  }

  /** Build the session; parameters and targets must be in the store, moments are added as zeros when missing. */
  static async create(tg: TrainGraph, store: WeightStore, opts: TrainerOptions = {}): Promise<OnnxTrainer> {
    for (const o of tg.optimizers) {
      for (const n of o.names) {
        for (const kind of ["m", "v"] as const) {
          const key = storeKey(kind, n, o.id);
          if (!store.has(key)) store.add(key, tg.shapes.get(n)!);
        }
      }
    }
    const session = await GraphSession.create(tg.g, opts);
    for (const v of session.inputs) {
      if ((v.name.startsWith("p:") || v.name.startsWith("t:")) && !store.has(v.name)) throw new Error(`OnnxTrainer: the store has no "${v.name}"`);
    }
    return new OnnxTrainer(session, store, tg);
  }

  /** One update: `feeds` holds the batch (and noise) inputs; returns the reported outputs. */
  async run(feeds: Record<string, Feed>, tau = 0): Promise<Record<string, OrtTensor>> {
    const f: Record<string, Feed> = { ...feeds };
    for (const o of this.tg.optimizers) {
      const t = ++this.steps[o.id]!;
      const s = adamScalars(o.hyper, t);
      f[`adam:${o.id}:step_size`] = Float32Array.of(s.stepSize);
      f[`adam:${o.id}:inv_bc2`] = Float32Array.of(s.invBc2);
    }
    if (this.tg.usesTau[0]) f.tau = Float32Array.of(tau);
    for (const v of this.session.inputs) if (this.store.has(v.name)) f[v.name] = this.store.get(v.name);
    const r = await this.session.run(f);
    for (const key of this.tg.stateOut) this.store.replace(key, r[NEW + key]!);
    const out: Record<string, OrtTensor> = {};
    for (const k of this.tg.reports) out[k] = r[OUT + k]!;
    return out;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/** A scalar output as a number. */
export function scalarOf(t: OrtTensor | undefined): number {
  if (!t) throw new Error("missing output");
  return (t.data as Float32Array)[0]!;
}
