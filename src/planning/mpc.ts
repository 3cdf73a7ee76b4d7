/**
 * Model-predictive control as an agent: plan an action sequence on a model, execute its first action in the real
 * environment, observe, plan again from the new state (receding horizon). With `replanEvery = H` the same agent
 * runs open loop: the whole plan is executed blindly before the next one — the comparison of chapter 2.
 */
import { runEpisode, type ActContext, type Agent, type Episode, type EpisodeOptions } from "../envs/agent.js";
import type { Env } from "../envs/env.js";
import type { Plan, Planner, PlanningModel } from "./types.js";

/**
 * The planning model started from the env's current state: for the true simulator it copies the env's state into
 * its batch of simulators; for a learned model it encodes `obs`.
 */
export type ModelAt = (obs: Float32Array, env: Env) => PlanningModel | Promise<PlanningModel>;

export interface MpcAgentOptions {
  /** Execute this many actions of each plan before replanning: 1 = receding horizon, H = open loop. */
  replanEvery?: number;
  /** Called after every plan (live plots of the planner's imagination). */
  onPlan?: (plan: Plan) => void;
}

export class MpcAgent implements Agent {
  readonly name: string;
  readonly replanEvery: number;
  /** Wall-clock milliseconds of each planning call, and the last plan. */
  readonly planMs: number[] = [];
  lastPlan: Plan | undefined;
  private offset = 0;

  constructor(
    readonly planner: Planner,
    readonly modelAt: ModelAt,
    readonly opts: MpcAgentOptions = {},
  ) {
    this.name = `MPC (${planner.name})`;
    this.replanEvery = opts.replanEvery ?? 1;
    if (!Number.isInteger(this.replanEvery) || this.replanEvery < 1 || this.replanEvery > planner.horizon) {
      throw new RangeError(`replanEvery must be an integer in [1, horizon=${planner.horizon}], got ${this.replanEvery}`);
    }
  }

  reset(): void {
    this.planner.reset();
    this.lastPlan = undefined;
    this.offset = 0;
  }

  async act(obs: Float32Array, ctx: ActContext): Promise<Float32Array> {
    const A = this.planner.actionDim;
    if (!this.lastPlan || this.offset >= this.replanEvery) {
      const t0 = performance.now();
      const model = await this.modelAt(obs, ctx.env);
      this.lastPlan = await this.planner.plan(model, { executed: this.lastPlan ? this.offset : 0, explore: ctx.explore });
      this.planMs.push(performance.now() - t0);
      this.offset = 0;
      this.opts.onPlan?.(this.lastPlan);
    }
    const plan = this.lastPlan;
    const action = this.offset === 0 ? plan.action.slice() : plan.sequence.slice(this.offset * A, this.offset * A + A);
    this.offset++;
    return action;
  }
}

export interface MpcOptions extends Omit<EpisodeOptions, "onStep"> {
  replanEvery?: number;
  /** Called after every env step (progress, live plots). */
  onStep?: (info: { step: number; reward: number; totalReturn: number; plan: Plan }) => void;
}

export interface MpcEpisode extends Episode {
  /** Wall-clock milliseconds per planning call (median is what `bench plan` reports). */
  planMs: number[];
}

/** One MPC episode: `runEpisode` with an `MpcAgent` (kept as the chapter-2 entry point). */
export async function runMpcEpisode(env: Env, planner: Planner, modelAt: ModelAt, opts: MpcOptions = {}): Promise<MpcEpisode> {
  const A = env.actionSpace.shape[0]!;
  if (planner.actionDim !== A) throw new Error(`planner plans ${planner.actionDim}-D actions, env takes ${A}-D`);
  const agent = new MpcAgent(planner, modelAt, { replanEvery: opts.replanEvery });
  const { onStep, ...episodeOpts } = opts;
  const ep = await runEpisode(env, agent, { ...episodeOpts, onStep: onStep && ((i) => onStep({ ...i, plan: agent.lastPlan! })) });
  return { ...ep, planMs: agent.planMs };
}
