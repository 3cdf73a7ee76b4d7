/**
 * Controllers that look ahead with the true simulator: the interface they share, the table of them by task, and the
 * episode loop that plays one (tests and scripts/*-lookahead-returns.mjs measure returns with it).
 */
import { AcrobotLookaheadController, type AcrobotLookaheadOptions } from "./acrobot-lookahead.js";
import type { Env } from "./env.js";
import { HopperLookaheadController, type HopperLookaheadOptions } from "./hopper-lookahead.js";

/** A controller that acts on the env itself (it may read and copy the simulator's state), not on the observation alone. */
export interface LookaheadController {
  /** Forget the episode's memory (call after `env.reset()`). */
  reset(): void;
  /** The action for the env's current state. */
  act(env: Env): Float32Array;
  /** Free the simulator copies. */
  close(): void;
}

/** Controllers that look ahead with the true simulator, by task name (each call makes a fresh controller). */
export const LOOKAHEAD_CONTROLLERS: Readonly<Record<string, (opts?: AcrobotLookaheadOptions & HopperLookaheadOptions) => LookaheadController>> = {
  "acrobot-swingup": (opts) => new AcrobotLookaheadController(opts),
  // src/envs/hopper-lookahead.ts: MPPI on the true simulator to get up, the LQR balance once a lookahead says it holds
  "hopper-stand": (opts) => new HopperLookaheadController(opts),
};

/** Play one whole episode from `env.reset(seed)` with `controller` (reset first); `onStep` sees every step. Returns the return. */
export function lookaheadEpisode(env: Env, controller: LookaheadController, seed: number, onStep?: (t: number, totalReturn: number) => void): number {
  env.reset(seed);
  controller.reset();
  let ret = 0;
  for (let t = 0; ; t++) {
    const r = env.step(controller.act(env));
    ret += r.reward;
    onStep?.(t, ret);
    if (r.terminated || r.truncated) return ret;
  }
}
