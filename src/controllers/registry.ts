/**
 * The hand-written controllers by task, as agents: feedback laws of the observation (`HAND_CONTROLLERS`,
 * ./feedback.ts) and controllers that look ahead with the true simulator (`LOOKAHEAD_CONTROLLERS`). Every episode
 * of them is played by `runEpisode` (src/envs/agent.ts), like any other agent's.
 *
 *     const agent = controllerAgent("acrobot-swingup");               // the lookahead one: it earns more
 *     const ep = await runEpisode(env, agent, { seed: 0 });            // env: makeEnv(task, { actionRepeat: 1 })
 *     await agent.close?.();
 */
import { policyAgent, type Agent } from "../envs/agent.js";
import { AcrobotLookaheadController, type AcrobotLookaheadOptions } from "./acrobot-lookahead.js";
import { HAND_CONTROLLERS } from "./feedback.js";
import { HopperLookaheadController, type HopperLookaheadOptions } from "./hopper-lookahead.js";

/** Options of any lookahead controller (each reads its own). */
export type LookaheadOptions = AcrobotLookaheadOptions & HopperLookaheadOptions;

/** Controllers that look ahead with the true simulator, by task name (each call makes a fresh agent; `close()` it). */
export const LOOKAHEAD_CONTROLLERS: Readonly<Record<string, (opts?: LookaheadOptions) => Agent & { close(): void }>> = {
  // ./acrobot-lookahead.ts: picks among variants of the energy-pumping law by playing each 3 s ahead
  "acrobot-swingup": (opts) => new AcrobotLookaheadController(opts),
  // ./hopper-lookahead.ts: MPPI on the true simulator to get up, the LQR balance once a lookahead says it holds
  "hopper-stand": (opts) => new HopperLookaheadController(opts),
};

/** "feedback": the law of `HAND_CONTROLLERS`; "lookahead": `LOOKAHEAD_CONTROLLERS`; "best": lookahead where there is one. */
export type ControllerKind = "feedback" | "lookahead" | "best";

/**
 * The agent of `task`'s hand-written controller. Lookahead controllers drive the env with action repeat 1 (they
 * check) and hold simulator copies until `close()`. Throws, naming the tasks that have one, when `task` has none of
 * the requested kind.
 */
export function controllerAgent(task: string, opts: { kind?: ControllerKind } & LookaheadOptions = {}): Agent {
  const { kind = "best", ...lookaheadOpts } = opts;
  const lookahead = LOOKAHEAD_CONTROLLERS[task];
  if (kind !== "feedback" && lookahead) return lookahead(lookaheadOpts);
  const policy = HAND_CONTROLLERS[task];
  if (kind !== "lookahead" && policy) return policyAgent(`${task} feedback controller`, policy);
  const table = kind === "lookahead" ? LOOKAHEAD_CONTROLLERS : kind === "feedback" ? HAND_CONTROLLERS : { ...HAND_CONTROLLERS, ...LOOKAHEAD_CONTROLLERS };
  throw new Error(`no ${kind === "best" ? "hand-written" : kind} controller for task '${task}': known ${Object.keys(table).sort().join(", ")}`);
}
