/**
 * Model-predictive control: plan an action sequence on a model, execute its first action in the real
 * environment, observe, plan again from the new state (receding horizon). With `replanEvery = H` the same loop
 * runs open loop: the whole plan is executed blindly before the next one — the comparison of chapter 2.
 */
import type { Plan, Planner, PlanningModel } from "./types.js";
import { intInRange, positiveInt } from "../util/validate.js";

/** The part of the Gymnasium-shaped env the MPC loop needs. */
export interface MpcEnv {
  readonly actionSpace: { readonly shape: readonly number[] };
  readonly maxEpisodeSteps: number;
  reset(seed?: number): { obs: Float32Array };
  step(action: ArrayLike<number>): { obs: Float32Array; reward: number; terminated: boolean; truncated: boolean };
}

export interface MpcOptions {
  /** Execute this many actions of each plan before replanning: 1 = receding horizon, H = open loop. */
  replanEvery?: number;
  /** Stop after this many env steps (default: the env's episode length). */
  maxSteps?: number;
  seed?: number;
  /** Called after every env step (progress, live plots). */
  onStep?: (info: { step: number; reward: number; totalReturn: number; plan: Plan }) => void;
}

export interface MpcEpisode {
  totalReturn: number;
  steps: number;
  rewards: number[];
  actions: Float32Array[];
  /** Observations o_0 … o_T (one more than actions): transition t is (o_t, a_t, r_t, o_{t+1}). */
  observations: Float32Array[];
  /** Wall-clock milliseconds per planning call (median is what `bench plan` reports). */
  planMs: number[];
}

/**
 * Run one episode. `modelAt(obs)` returns the planning model started from the env's current state: for the
 * true simulator it copies the env's state into its batch of simulators; for a learned model it encodes `obs`.
 */
export async function runMpcEpisode(
  env: MpcEnv,
  planner: Planner,
  modelAt: (obs: Float32Array) => PlanningModel | Promise<PlanningModel>,
  opts: MpcOptions = {},
): Promise<MpcEpisode> {
  const A = env.actionSpace.shape[0]!;
  if (planner.actionDim !== A) throw new Error(`planner plans ${planner.actionDim}-D actions, env takes ${A}-D`);
  const replanEvery = intInRange("replanEvery", opts.replanEvery ?? 1, 1, planner.horizon);
  const maxSteps = positiveInt("maxSteps", opts.maxSteps ?? env.maxEpisodeSteps);
  planner.reset();
  let { obs } = env.reset(opts.seed);
  const ep: MpcEpisode = { totalReturn: 0, steps: 0, rewards: [], actions: [], observations: [obs], planMs: [] };
  let plan: Plan | undefined;
  let offset = 0; // index of the next action to execute within `plan`

  while (ep.steps < maxSteps) {
    if (!plan || offset >= replanEvery) {
      const t0 = performance.now();
      const model = await modelAt(obs);
      plan = await planner.plan(model, { executed: plan ? offset : 0 });
      ep.planMs.push(performance.now() - t0);
      offset = 0;
    }
    const action = plan.mean.slice(offset * A, offset * A + A);
    offset++;
    const r = env.step(action);
    obs = r.obs;
    ep.observations.push(obs);
    ep.steps++;
    ep.totalReturn += r.reward;
    ep.rewards.push(r.reward);
    ep.actions.push(action);
    opts.onStep?.({ step: ep.steps, reward: r.reward, totalReturn: ep.totalReturn, plan });
    if (r.terminated || r.truncated) break;
  }
  return ep;
}
