/**
 * Model sizes. The 1M and 5M presets are TD-MPC2's (official `common/__init__.py` MODEL_SIZE, `config.yaml`
 * defaults: num_q 5, num_bins 101, vmin/vmax ±10, simnorm_dim 8, dropout 0.01, lr 3e-4, enc_lr_scale 0.3,
 * grad_clip_norm 20, tau 0.01, rho 0.5, batch 256, horizon 3, 6 iterations × 512 samples, 64 elites).
 * "laptop" is this course's own: small enough for runs of minutes to an hour on 2 CPU cores.
 */
export interface ModelConfig {
  /** preset name, for reports */
  name: string;
  enc_dim: number;
  num_enc_layers: number;
  mlp_dim: number;
  latent_dim: number;
  num_q: number;
  num_bins: number;
  vmin: number;
  vmax: number;
  simnorm_dim: number;
  dropout: number;
}

export interface TrainConfig {
  lr: number;
  enc_lr_scale: number;
  grad_clip_norm: number;
  tau: number;
  rho: number;
  batch_size: number;
  horizon: number;
  consistency_coef: number;
  reward_coef: number;
  value_coef: number;
  entropy_coef: number;
  log_std_min: number;
  log_std_max: number;
  discount: number;
}

export interface PlanConfig {
  iterations: number;
  num_samples: number;
  num_elites: number;
  horizon: number;
  min_std: number;
  max_std: number;
  temperature: number;
}

const COMMON = { num_q: 5, num_bins: 101, vmin: -10, vmax: 10, simnorm_dim: 8, dropout: 0.01 };

export const MODEL_PRESETS: Record<string, ModelConfig> = {
  // TD-MPC2 model_size 1: 1M parameters (official table sets num_q 2 for this size)
  "1M": { name: "1M", enc_dim: 256, num_enc_layers: 2, mlp_dim: 384, latent_dim: 128, ...COMMON, num_q: 2 },
  // TD-MPC2 model_size 5 (the default): 5M parameters
  "5M": { name: "5M", enc_dim: 256, num_enc_layers: 2, mlp_dim: 512, latent_dim: 512, ...COMMON },
  // course preset: 0.31M parameters (obs 24, action 6); keeps TD-MPC2's structure (SimNorm, two-hot, 5 Q heads)
  laptop: { name: "laptop", enc_dim: 128, num_enc_layers: 2, mlp_dim: 128, latent_dim: 64, ...COMMON },
};

export const TRAIN_DEFAULTS: TrainConfig = {
  lr: 3e-4,
  enc_lr_scale: 0.3,
  grad_clip_norm: 20,
  tau: 0.01,
  rho: 0.5,
  batch_size: 256,
  horizon: 3,
  consistency_coef: 20,
  reward_coef: 0.1,
  value_coef: 0.1,
  entropy_coef: 1e-4,
  log_std_min: -10,
  log_std_max: 2,
  discount: 0.99,
};

export const PLAN_DEFAULTS: PlanConfig = {
  iterations: 6,
  num_samples: 512,
  num_elites: 64,
  horizon: 3,
  min_std: 0.05,
  max_std: 2,
  temperature: 0.5,
};

export function modelPreset(name: string): ModelConfig {
  const p = MODEL_PRESETS[name];
  if (!p) throw new Error(`unknown model preset "${name}"; use one of ${Object.keys(MODEL_PRESETS).join(", ")}`);
  return { ...p };
}
