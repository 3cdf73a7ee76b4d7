/**
 * Agent configurations with the official names and defaults: TD-MPC (nicklashansen/tdmpc cfgs/default.yaml) and
 * TD-MPC2 (nicklashansen/tdmpc2 tdmpc2/config.yaml), so that a reader maps one onto the other key by key; the
 * course's switches (chapters 4–5) are added with defaults that leave the official algorithm unchanged.
 *
 * Presets: "official" is the paper's configuration. "laptop" shrinks what dominates a step's CPU time so that a
 * cartpole run of 100k environment steps fits in about an hour on one core — see LAPTOP_* below for what and why.
 */
import { TDMPC2_MODEL, TDMPC_MODEL, type WorldModelConfig } from "../models/world-model.js";

/** The course's switches, shared by both agents (each defaults to the official behaviour). */
export interface CourseSwitches {
  /** Plan with γ^H·Q(z_H, π(z_H)) at the end of each sequence (chapter 5: value beyond the horizon). */
  terminal_value: boolean;
  /** How the policy prior learns: the agent's own ("td" = TD-MPC's DDPG-like −Q, "sac" = TD-MPC2's), or from the
   * planner's data ("bc", "rwr", "awr"), or "none" (no policy: planning alone, chapter 4). */
  policy_learner: "td" | "sac" | "bc" | "rwr" | "awr" | "none";
  /** "joint": reward and value losses backpropagate into the encoder and dynamics (the papers); "independent": the
   * encoder and dynamics learn from the consistency loss alone, heads sit on detached latents (chapter 4). */
  latent_mode: "joint" | "independent";
  /** Weight of a reconstruction loss through a decoder (0 = none, the papers' choice; chapter 4's contrast). */
  reconstruction_coef: number;
  /** Execute the action the planner returns (true) or the policy's own action (false: "policy alone", chapter 5). */
  plan: boolean;
}

export interface TdmpcConfig extends WorldModelConfig, CourseSwitches {
  agent: "tdmpc";
  discount: number;
  episode_length: number;
  iterations: number;
  num_samples: number;
  num_elites: number;
  mixture_coef: number;
  min_std: number;
  temperature: number;
  momentum: number;
  batch_size: number;
  max_buffer_size: number;
  horizon: number;
  reward_coef: number;
  value_coef: number;
  consistency_coef: number;
  rho: number;
  lr: number;
  /** "linear(init, final, duration)" in agent steps, as the official config writes it. */
  std_schedule: string;
  horizon_schedule: string;
  per: boolean;
  per_alpha: number;
  per_beta: number;
  grad_clip_norm: number;
  seed_steps: number;
  update_freq: number;
  tau: number;
  /** Course extension (chapter 5): TD-MPC's MPPI ("mppi", mixing `mixture_coef` policy sequences in), or POPLIN
   * (Wang & Ba 2019) searching around the policy: over action residuals ("poplin_a") or over perturbations of its
   * last layer ("poplin_p"); src/planning/poplin.ts. */
  planner: "mppi" | "poplin_a" | "poplin_p";
  /** POPLIN: initial std of the search variables u ∈ [−1, 1] (residual = 2u; last-layer perturbation ∝ u). */
  poplin_std: number;
}

export interface Tdmpc2Config extends WorldModelConfig, CourseSwitches {
  agent: "tdmpc2";
  /** Set by the trainer from the episode length: clip((L/denom − 1)/(L/denom), discount_min, discount_max). */
  discount: number;
  discount_denom: number;
  discount_min: number;
  discount_max: number;
  episode_length: number;
  iterations: number;
  num_samples: number;
  num_elites: number;
  num_pi_trajs: number;
  horizon: number;
  min_std: number;
  max_std: number;
  temperature: number;
  batch_size: number;
  buffer_size: number;
  reward_coef: number;
  value_coef: number;
  consistency_coef: number;
  rho: number;
  lr: number;
  enc_lr_scale: number;
  grad_clip_norm: number;
  tau: number;
  entropy_coef: number;
  /** max(1000, 5·episode_length) when 0 (the official default). */
  seed_steps: number;
}

export type AgentConfig = TdmpcConfig | Tdmpc2Config;

const COURSE_DEFAULTS = { terminal_value: true, latent_mode: "joint", reconstruction_coef: 0, plan: true } as const;

/** TD-MPC, cfgs/default.yaml (episode_length = 1000 / action_repeat is set per task by the trainer). */
export const TDMPC_DEFAULTS: TdmpcConfig = {
  agent: "tdmpc",
  ...TDMPC_MODEL,
  ...COURSE_DEFAULTS,
  policy_learner: "td",
  discount: 0.99,
  episode_length: 125,
  iterations: 6,
  num_samples: 512,
  num_elites: 64,
  mixture_coef: 0.05,
  min_std: 0.05,
  temperature: 0.5,
  momentum: 0.1,
  batch_size: 512,
  max_buffer_size: 1_000_000,
  horizon: 5,
  reward_coef: 0.5,
  value_coef: 0.1,
  consistency_coef: 2,
  rho: 0.5,
  lr: 1e-3,
  std_schedule: "linear(0.5, 0.05, 25000)",
  horizon_schedule: "linear(1, 5, 25000)",
  per: true,
  per_alpha: 0.6,
  per_beta: 0.4,
  grad_clip_norm: 10,
  seed_steps: 5000,
  update_freq: 2,
  tau: 0.01,
  planner: "mppi",
  poplin_std: 0.25,
};

/** TD-MPC2, tdmpc2/config.yaml with model_size 5 (5M parameters). */
export const TDMPC2_DEFAULTS: Tdmpc2Config = {
  agent: "tdmpc2",
  ...TDMPC2_MODEL,
  ...COURSE_DEFAULTS,
  policy_learner: "sac",
  discount: 0.99,
  discount_denom: 5,
  discount_min: 0.95,
  discount_max: 0.995,
  episode_length: 500,
  iterations: 6,
  num_samples: 512,
  num_elites: 64,
  num_pi_trajs: 24,
  horizon: 3,
  min_std: 0.05,
  max_std: 2,
  temperature: 0.5,
  batch_size: 256,
  buffer_size: 1_000_000,
  reward_coef: 0.1,
  value_coef: 0.1,
  consistency_coef: 20,
  rho: 0.5,
  lr: 3e-4,
  enc_lr_scale: 0.3,
  grad_clip_norm: 20,
  tau: 0.01,
  entropy_coef: 1e-4,
  seed_steps: 0,
};

/**
 * TD-MPC "laptop": the update (batch × horizon × width²) and the planner (samples × iterations × horizon × width²)
 * dominate a step. Width 256 instead of 512 (4× fewer multiply-adds per layer), batch 256 instead of 512, and
 * 256 samples × 4 iterations instead of 512 × 6 (3× fewer rollouts per action); latent 50, horizon 5, the losses,
 * schedules and PER are the official ones.
 */
export const LAPTOP_TDMPC: Partial<TdmpcConfig> = { mlp_dim: 256, enc_dim: 256, batch_size: 256, num_samples: 256, num_elites: 32, iterations: 4 };

/**
 * TD-MPC2 "laptop": the 1M model's widths (enc 256, mlp 384 → 256 here, latent 128, 2 Q heads … kept at 5 for the
 * ensemble's lesson) shrunk further: mlp 256, latent 128; planning 256 samples × 4 iterations.
 */
export const LAPTOP_TDMPC2: Partial<Tdmpc2Config> = { mlp_dim: 256, enc_dim: 256, latent_dim: 128, num_samples: 256, num_pi_trajs: 24, num_elites: 32, iterations: 4 };

/**
 * TD-MPC from pixels: cfgs/pixels.yaml, merged over the preset when `modality=pixels` is given, before the other
 * overrides (as the official parse_cfg merges `<modality>.yaml`): frame_stack 3, num_channels 32, img_size 84,
 * lr 3e-4, batch 256. The random-shift pad is the official int(img_size / 21) (4 at 84, 3 at 64).
 */
export const PIXELS_TDMPC: Partial<TdmpcConfig> = { modality: "pixels", frame_stack: 3, num_channels: 32, img_size: 84, lr: 3e-4, batch_size: 256 };

/**
 * Pixels on a laptop: the CNN's cost grows with pixels × batch, and each update encodes (H+1)·batch stacks (the
 * online h(o_0) with its backward pass, then h and h_target of the H next observations). 64×64 frames (TD-MPC2's
 * size; 0.58× the pixels of 84×84) and batch 64 (1/4 of the official 256) bring an update to about a second on one
 * core (docs/pixels.md); the rest is the laptop preset.
 */
export const LAPTOP_PIXELS_TDMPC: Partial<TdmpcConfig> = { img_size: 64, batch_size: 64 };

/** Pixel settings per agent and preset (applied only with modality=pixels). */
export const PIXEL_PRESETS: Record<string, Record<string, Partial<AgentConfig>>> = {
  tdmpc: { official: PIXELS_TDMPC, laptop: { ...PIXELS_TDMPC, ...LAPTOP_PIXELS_TDMPC } },
};

/** TD-MPC2's model sizes (common/__init__.py MODEL_SIZE). */
export const TDMPC2_SIZES: Record<string, Partial<Tdmpc2Config>> = {
  "1M": { enc_dim: 256, mlp_dim: 384, latent_dim: 128, num_q: 2 },
  "5M": { enc_dim: 256, mlp_dim: 512, latent_dim: 512, num_q: 5 },
};

export const PRESETS: Record<string, Record<string, Partial<AgentConfig>>> = {
  tdmpc: { official: {}, laptop: LAPTOP_TDMPC },
  tdmpc2: { official: {}, laptop: LAPTOP_TDMPC2, "1M": TDMPC2_SIZES["1M"]!, "5M": TDMPC2_SIZES["5M"]! },
};

/**
 * A config saved by an earlier version of the library (a run's config.json, a checkpoint, an exported agent): keys
 * added since take their defaults — the run behaved as the default, since the switch did not exist — so older runs
 * still load, resume and match their grid. Not validated here; an unknown agent comes back as it is.
 */
export function withNewDefaults<C extends AgentConfig>(saved: C): C {
  if (saved?.agent !== "tdmpc" && saved?.agent !== "tdmpc2") return saved;
  return { ...makeConfig(saved.agent, "official"), ...saved };
}

/** A config from an agent name, a preset and `key=value` overrides; unknown keys and bad values are refused by name. */
export function makeConfig(agent: "tdmpc", preset?: string, overrides?: Record<string, unknown>): TdmpcConfig;
export function makeConfig(agent: "tdmpc2", preset?: string, overrides?: Record<string, unknown>): Tdmpc2Config;
export function makeConfig(agent: string, preset?: string, overrides?: Record<string, unknown>): AgentConfig;
export function makeConfig(agent: string, preset = "official", overrides: Record<string, unknown> = {}): AgentConfig {
  const base = agent === "tdmpc" ? TDMPC_DEFAULTS : agent === "tdmpc2" ? TDMPC2_DEFAULTS : undefined;
  if (!base) throw new RangeError(`unknown agent "${agent}"; use tdmpc or tdmpc2`);
  const p = PRESETS[agent]![preset];
  if (!p) throw new RangeError(`unknown preset "${preset}" for ${agent}; use one of ${Object.keys(PRESETS[agent]!).join(", ")}`);
  const cfg = { ...base, ...p } as Record<string, unknown>;
  if (overrides.modality !== undefined && String(overrides.modality) === "pixels") {
    const px = PIXEL_PRESETS[agent]?.[preset];
    if (!px) throw new RangeError(`config modality=pixels: ${agent} does not learn from pixels yet (TD-MPC does: --agent tdmpc)`);
    Object.assign(cfg, px);
  }
  for (const [k, v] of Object.entries(overrides)) {
    if (!(k in base)) throw new RangeError(`unknown config key "${k}" for ${agent}; valid keys: ${Object.keys(base).sort().join(", ")}`);
    cfg[k] = coerce(k, v, base[k as keyof typeof base]);
  }
  validateConfig(cfg as unknown as AgentConfig);
  return cfg as unknown as AgentConfig;
}

/** Parse `--set key=value` strings. */
export function parseOverrides(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf("=");
    if (i <= 0) throw new RangeError(`--set expects key=value, got "${p}"`);
    const k = p.slice(0, i).trim();
    if (k in out) throw new RangeError(`--set gives "${k}" twice`);
    out[k] = p.slice(i + 1).trim();
  }
  return out;
}

function coerce(key: string, v: unknown, like: unknown): unknown {
  if (typeof like === "number") {
    const n = typeof v === "number" ? v : Number(String(v).trim());
    if (String(v).trim() === "" || !Number.isFinite(n)) throw new RangeError(`config ${key}: expected a number, got "${String(v)}"`);
    return n;
  }
  if (typeof like === "boolean") {
    if (v === true || v === "true" || v === "1") return true;
    if (v === false || v === "false" || v === "0") return false;
    throw new RangeError(`config ${key}: expected true or false, got "${String(v)}"`);
  }
  return String(v);
}

const POSITIVE_INTS = ["iterations", "num_samples", "num_elites", "batch_size", "horizon", "episode_length", "enc_dim", "mlp_dim", "latent_dim", "num_q", "num_enc_layers"];
const UNIT_INTERVAL = ["discount", "rho", "tau", "momentum", "mixture_coef", "per_alpha", "per_beta", "dropout"];

export function validateConfig(c: AgentConfig): void {
  const r = c as unknown as Record<string, unknown>;
  for (const k of POSITIVE_INTS) if (k in r && (!Number.isInteger(r[k]) || (r[k] as number) < 1)) throw new RangeError(`config ${k} must be a positive integer, got ${String(r[k])}`);
  for (const k of UNIT_INTERVAL) if (k in r && !((r[k] as number) >= 0 && (r[k] as number) <= 1)) throw new RangeError(`config ${k} must be in [0, 1], got ${String(r[k])}`);
  for (const k of ["lr", "min_std", "temperature", "grad_clip_norm"]) if (k in r && !((r[k] as number) > 0)) throw new RangeError(`config ${k} must be > 0, got ${String(r[k])}`);
  for (const k of ["reward_coef", "value_coef", "consistency_coef", "reconstruction_coef", "seed_steps", "entropy_coef"]) {
    if (k in r && !((r[k] as number) >= 0)) throw new RangeError(`config ${k} must be ≥ 0, got ${String(r[k])}`);
  }
  const learners = c.agent === "tdmpc" ? ["td", "bc", "rwr", "awr", "none"] : ["sac", "bc", "rwr", "awr", "none"];
  if (!learners.includes(c.policy_learner)) throw new RangeError(`config policy_learner must be one of ${learners.join(", ")} for ${c.agent}, got "${c.policy_learner}"`);
  const modality = c.modality ?? "state"; // configs written before the key existed are state-based
  if (modality !== "state" && modality !== "pixels") throw new RangeError(`config modality must be state or pixels, got "${String(modality)}"`);
  if (modality === "pixels") {
    if (c.agent !== "tdmpc") throw new RangeError("config modality=pixels: only TD-MPC (--agent tdmpc) learns from pixels so far");
    for (const k of ["img_size", "frame_stack", "num_channels"] as const) if (!Number.isInteger(c[k]) || c[k] < 1) throw new RangeError(`config ${k} must be a positive integer, got ${String(c[k])}`);
    if (c.img_size < 39) throw new RangeError(`config img_size ${c.img_size} is too small for the encoder's 4 stride-2 convolutions (≥ 39)`);
    if (c.decoder || c.reconstruction_coef > 0) throw new RangeError("config modality=pixels has no decoder: reconstruction_coef must be 0");
  }
  if (c.latent_mode !== "joint" && c.latent_mode !== "independent") throw new RangeError(`config latent_mode must be joint or independent, got "${String(c.latent_mode)}"`);
  const pop = c.num_samples + (c.agent === "tdmpc" ? Math.floor(c.mixture_coef * c.num_samples) : 0);
  if (c.num_elites > pop) throw new RangeError(`config num_elites (${c.num_elites}) exceeds the planner's population (${pop})`);
  if (c.agent === "tdmpc") {
    parseSchedule(c.std_schedule);
    parseSchedule(c.horizon_schedule);
    if (!Number.isInteger(c.update_freq) || c.update_freq < 1) throw new RangeError(`config update_freq must be a positive integer, got ${c.update_freq}`);
    if (!["mppi", "poplin_a", "poplin_p"].includes(c.planner)) throw new RangeError(`config planner must be mppi, poplin_a or poplin_p, got "${String(c.planner)}"`);
    if (!(c.poplin_std > 0 && c.poplin_std <= 2)) throw new RangeError(`config poplin_std must be in (0, 2], got ${c.poplin_std}`);
    if (c.planner !== "mppi" && c.policy_learner === "none") throw new RangeError(`config planner=${c.planner} searches around the policy: it needs a policy_learner`);
  } else if (c.num_pi_trajs >= c.num_samples) throw new RangeError(`config num_pi_trajs (${c.num_pi_trajs}) must be < num_samples (${c.num_samples})`);
  if (c.policy_learner === "none" && (c.terminal_value || planUsesPolicy(c))) {
    throw new RangeError("config policy_learner=none needs terminal_value=false and no policy sequences (mixture_coef / num_pi_trajs 0): there is no policy");
  }
  if (!c.plan && c.policy_learner === "none") throw new RangeError("config plan=false acts with the policy alone: it needs a policy_learner");
}

function planUsesPolicy(c: AgentConfig): boolean {
  return c.agent === "tdmpc" ? Math.floor(c.mixture_coef * c.num_samples) > 0 : c.num_pi_trajs > 0;
}

/** TD-MPC's schedules: "linear(init, final, duration)" → value at `step` (helper.py linear_schedule), or a constant. */
export function parseSchedule(s: string): (step: number) => number {
  const c = Number(s);
  if (s.trim() !== "" && Number.isFinite(c)) return () => c;
  const m = /^\s*linear\(\s*([-\d.e+]+)\s*,\s*([-\d.e+]+)\s*,\s*([\d.e+]+)\s*\)\s*$/.exec(s);
  if (!m) throw new RangeError(`schedule "${s}": expected a number or linear(init, final, duration)`);
  const [init, final, duration] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (![init, final, duration].every(Number.isFinite) || duration <= 0) throw new RangeError(`schedule "${s}": bad numbers`);
  return (step) => init + (final - init) * Math.min(Math.max(step / duration, 0), 1);
}

/** TD-MPC2's discount heuristic (tdmpc2.py `_get_discount`): longer episodes, longer effective horizon. */
export function tdmpc2Discount(c: Pick<Tdmpc2Config, "discount_denom" | "discount_min" | "discount_max">, episodeLength: number): number {
  const frac = episodeLength / c.discount_denom;
  return Math.min(Math.max((frac - 1) / frac, c.discount_min), c.discount_max);
}
