/**
 * Optimisation inside the graph, the same maths as optim.ts: global gradient-norm clipping (torch's
 * clip_grad_norm_: coef = min(max_norm / (‖g‖ + 1e-6), 1)), Adam (Kingma & Ba 2015) with a learning-rate scale per
 * module, and the Polyak target update θ′ ← θ′ + τ·(θ − θ′).
 *
 * The step-dependent scalars come in as graph inputs (`AdamInputs`: lr/(1 − β1ᵗ) and 1/(1 − β2ᵗ)), so one graph
 * serves every step and a learning-rate schedule needs no rebuild. The clipping coefficient is folded into Adam's
 * two moment scalars, so clipping costs no extra pass over the gradients.
 */
import { lrScaleFor, type AdamConfig } from "../optim.js";
import { Graph, Sym } from "./graph.js";

/** Adam's hyper-parameters: the same as the tfjs optimiser's (../optim.ts). */
export type AdamHyper = AdamConfig;

/** The per-step scalar inputs of one optimiser. */
export interface AdamInputs {
  /** lr / (1 − β1ᵗ) */
  stepSize: Sym;
  /** 1 / (1 − β2ᵗ) */
  invBc2: Sym;
}

export function adamDefaults(h: AdamHyper): Required<AdamHyper> {
  return { beta1: 0.9, beta2: 0.999, eps: 1e-8, clipNorm: Infinity, lrScale: {}, ...h };
}


/** The values of AdamInputs for step t (1-based). */
export function adamScalars(h: AdamHyper, t: number): { stepSize: number; invBc2: number } {
  const { lr, beta1, beta2 } = adamDefaults(h);
  return { stepSize: lr / (1 - beta1 ** t), invBc2: 1 / (1 - beta2 ** t) };
}

export interface AdamResult {
  params: Map<string, Sym>;
  m: Map<string, Sym>;
  v: Map<string, Sym>;
  /** ‖g‖ before clipping, scalar */
  gradNorm: Sym;
}

/** ‖g‖₂ over several tensors, scalar. */
export function globalNorm(g: Graph, grads: Sym[]): Sym {
  return g.sqrt(g.sum(grads.map((d) => g.reduceSumSquare(d, d.shape.map((_, i) => i)))));
}

/**
 * One Adam step of the named parameters: p ← p − lr·scale/(1 − β1ᵗ) · m / (√(v/(1 − β2ᵗ)) + ε), on gradients clipped
 * to the global norm. `grads` must hold a gradient for every parameter.
 */
export function adamStep(g: Graph, h: AdamHyper, params: Map<string, Sym>, grads: Map<string, Sym>, m: Map<string, Sym>, v: Map<string, Sym>, inp: AdamInputs): AdamResult {
  const { beta1, beta2, eps, clipNorm, lrScale } = adamDefaults(h);
  const names = [...params.keys()];
  for (const n of names) if (!grads.get(n)) throw new Error(`adam: parameter "${n}" does not affect the loss (no gradient)`);
  const gradNorm = globalNorm(g, names.map((n) => grads.get(n)!));
  let k1: Sym | number = 1 - beta1;
  let k2: Sym | number = 1 - beta2;
  if (Number.isFinite(clipNorm)) {
    const coef = g.min(g.div(clipNorm, g.add(gradNorm, 1e-6)), 1);
    k1 = g.mul(coef, 1 - beta1);
    k2 = g.mul(g.mul(coef, coef), 1 - beta2);
  }
  const out: AdamResult = { params: new Map(), m: new Map(), v: new Map(), gradNorm };
  const stepSizes = new Map<number, Sym>();
  for (const n of names) {
    const d = grads.get(n)!;
    const m1 = g.add(g.mul(m.get(n)!, beta1), g.mul(d, k1));
    const v1 = g.add(g.mul(v.get(n)!, beta2), g.mul(g.mul(d, d), k2));
    const scale = lrScaleFor(n, lrScale);
    if (!stepSizes.has(scale)) stepSizes.set(scale, scale === 1 ? inp.stepSize : g.mul(inp.stepSize, scale));
    const denom = g.add(g.sqrt(g.mul(v1, inp.invBc2)), eps);
    out.params.set(n, g.sub(params.get(n)!, g.mul(g.div(m1, denom), stepSizes.get(scale)!)));
    out.m.set(n, m1);
    out.v.set(n, v1);
  }
  return out;
}

/** θ′ + τ·(θ − θ′) for every target parameter; τ is a graph input (0 on steps without an update). */
export function polyakStep(g: Graph, target: Map<string, Sym>, source: Map<string, Sym>, tau: Sym): Map<string, Sym> {
  const out = new Map<string, Sym>();
  for (const [n, t] of target) {
    const s = source.get(n);
    if (!s) throw new Error(`polyak: no source parameter "${n}"`);
    out.set(n, g.add(t, g.mul(g.sub(s, t), tau)));
  }
  return out;
}
