/**
 * What acts in an environment, and the one loop that plays an episode.
 *
 * An `Agent` maps observations to actions (Gymnasium's env API has no agent; this is its counterpart): hand-written
 * controllers, lookahead controllers, MPC on any model, PETS, TD-MPC and TD-MPC2 all implement it, so every
 * episode of the course — evaluation, data collection, replays — is played by `runEpisode`.
 */
import type { Env } from "./env.js";

export interface ActContext {
  /** The environment acted in: lookahead controllers read and copy its simulator; most agents ignore it. */
  env: Env;
  /** Agent steps taken in this episode so far. */
  step: number;
  /** Training: add exploration noise / random seed actions (false when evaluating). */
  explore: boolean;
}

export interface Transition {
  obs: Float32Array;
  action: Float32Array;
  reward: number;
  nextObs: Float32Array;
  terminated: boolean;
  truncated: boolean;
}

export interface Agent {
  readonly name: string;
  /** Start of an episode (after `env.reset`): forget per-episode memory such as a planner's warm start. */
  reset(): void | Promise<void>;
  /** The action for this observation. */
  act(obs: Float32Array, ctx: ActContext): Float32Array | Promise<Float32Array>;
  /** Called after every step with the transition it produced (agents that collect data). */
  observe?(t: Transition): void | Promise<void>;
  /** Free what the agent holds (simulator copies, tensors). */
  close?(): void | Promise<void>;
}

/** A stateless feedback law as an agent. */
export function policyAgent(name: string, policy: (obs: Float32Array) => ArrayLike<number>): Agent {
  return { name, reset() {}, act: (obs) => Float32Array.from(policy(obs)) };
}

export interface EpisodeOptions {
  /** Seed of `env.reset` (the initial state); without one the env's stream continues. */
  seed?: number;
  explore?: boolean;
  /** Stop after this many agent steps (default: the env's episode). */
  maxSteps?: number;
  /** Keep every observation and action (default true; false saves memory in long evaluations). */
  keep?: boolean;
  /** After every step (progress bars, live plots, recorders). */
  onStep?: (info: { step: number; reward: number; totalReturn: number; obs: Float32Array; action: Float32Array }) => void;
}

export interface Episode {
  totalReturn: number;
  steps: number;
  rewards: number[];
  /** Actions a_0 … a_{T−1} and observations o_0 … o_T (one more): transition t is (o_t, a_t, r_t, o_{t+1}). */
  actions: Float32Array[];
  observations: Float32Array[];
  /** Wall-clock milliseconds of each `act` call. */
  actMs: number[];
}

/** Play one episode: reset the env and the agent, then act and step until the episode ends or `maxSteps`. */
export async function runEpisode(env: Env, agent: Agent, opts: EpisodeOptions = {}): Promise<Episode> {
  const A = env.actionSpace.shape[0]!;
  const maxSteps = opts.maxSteps ?? env.maxEpisodeSteps;
  if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new RangeError(`maxSteps must be a positive integer, got ${maxSteps}`);
  const keep = opts.keep ?? true;
  let { obs } = env.reset(opts.seed);
  await agent.reset();
  const ep: Episode = { totalReturn: 0, steps: 0, rewards: [], actions: [], observations: keep ? [obs] : [], actMs: [] };
  while (ep.steps < maxSteps) {
    const t0 = performance.now();
    const action = Float32Array.from(await agent.act(obs, { env, step: ep.steps, explore: opts.explore ?? false }));
    ep.actMs.push(performance.now() - t0);
    if (action.length !== A) throw new RangeError(`agent ${agent.name} returned a ${action.length}-D action; the env takes ${A}-D`);
    const r = env.step(action);
    await agent.observe?.({ obs, action, reward: r.reward, nextObs: r.obs, terminated: r.terminated, truncated: r.truncated });
    obs = r.obs;
    ep.steps++;
    ep.totalReturn += r.reward;
    ep.rewards.push(r.reward);
    if (keep) {
      ep.actions.push(action);
      ep.observations.push(obs);
    }
    opts.onStep?.({ step: ep.steps, reward: r.reward, totalReturn: ep.totalReturn, obs, action });
    if (r.terminated || r.truncated) break;
  }
  return ep;
}
