/**
 * An environment checker in the spirit of Gymnasium's `check_env`: it exercises an environment through its public
 * API and reports every contract it breaks (spaces, dtypes, reset/step results, seeding, clipping, state
 * save/restore, the time limit, close). Run it on a new task before training on it.
 */
import type { Env } from "./env.js";

export interface CheckReport {
  task: string;
  problems: string[];
}

function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/**
 * Check `env` (it is reset and stepped; it is not closed). `fullEpisode` also runs one whole episode to check
 * the time limit (maxEpisodeSteps steps, `truncated` on the last one only).
 */
export function checkEnv(env: Env, opts: { fullEpisode?: boolean; seed?: number } = {}): CheckReport {
  const problems: string[] = [];
  const fail = (msg: string) => problems.push(msg);
  const seed = opts.seed ?? 123;
  const { observationSpace: os, actionSpace: as } = env;

  // spaces
  for (const [name, sp] of [["observationSpace", os], ["actionSpace", as]] as const) {
    if (sp.shape.length !== 1 || !(sp.shape[0]! >= 1)) fail(`${name}.shape must be [n] with n ≥ 1, got [${sp.shape.join(", ")}]`);
    if (!(sp.low instanceof Float32Array) || !(sp.high instanceof Float32Array)) fail(`${name} bounds must be Float32Arrays`);
    if (sp.low.length !== sp.shape[0] || sp.high.length !== sp.shape[0]) fail(`${name} bounds must have length ${sp.shape[0]}`);
    for (let i = 0; i < sp.low.length; i++) if (!(sp.low[i]! <= sp.high[i]!)) fail(`${name}.low[${i}] > high[${i}]`);
  }
  for (let i = 0; i < as.low.length; i++) {
    if (!Number.isFinite(as.low[i]!) || !Number.isFinite(as.high[i]!)) fail(`actionSpace bound ${i} is not finite (every suite actuator is ctrl-limited)`);
  }

  // reset
  const r0 = env.reset(seed);
  const checkObs = (obs: unknown, where: string) => {
    if (!(obs instanceof Float32Array)) return fail(`${where}: observation is not a Float32Array`);
    if (obs.length !== os.shape[0]) fail(`${where}: observation has length ${obs.length}, observationSpace says ${os.shape[0]}`);
    for (let i = 0; i < obs.length; i++) {
      if (!Number.isFinite(obs[i]!)) return fail(`${where}: observation[${i}] is ${obs[i]}`);
      if (obs[i]! < os.low[i]! || obs[i]! > os.high[i]!) return fail(`${where}: observation[${i}] = ${obs[i]} is outside the observation space`);
    }
  };
  checkObs(r0.obs, "reset");
  if (typeof r0.info !== "object" || r0.info === null) fail("reset: info must be an object");

  // seeding: same seed → same initial observation, different seeds → (almost surely) different
  const again = env.reset(seed).obs;
  if (!sameArray(r0.obs, again)) fail("reset(seed) twice gave different observations: seeding is not deterministic");
  const other = env.reset(seed + 1).obs;
  if (sameArray(r0.obs, other)) fail("reset with two different seeds gave the same observation: the initial state is not random");

  // step
  env.reset(seed);
  const mid = new Float32Array(as.shape[0]!).map((_, i) => (as.low[i]! + as.high[i]!) / 2);
  const s = env.step(mid);
  checkObs(s.obs, "step");
  if (typeof s.reward !== "number" || !Number.isFinite(s.reward)) fail(`step: reward ${s.reward} is not a finite number`);
  else if (s.reward < 0 || s.reward > env.actionRepeat) fail(`step: reward ${s.reward} outside [0, ${env.actionRepeat}] (each control step's reward is in [0, 1])`);
  if (typeof s.terminated !== "boolean" || typeof s.truncated !== "boolean") fail("step: terminated and truncated must be booleans");

  // clipping: an action beyond the bounds acts like the bound
  const saved = env.getState();
  const over = env.step(new Float32Array(as.shape[0]!).map((_, i) => as.high[i]! + 10)).obs;
  env.setState(saved);
  const atBound = env.step(as.high).obs;
  if (!sameArray(over, atBound)) fail("an action above the upper bound does not act like the bound (actions must be clipped)");

  // state save/restore reproduces the continuation exactly
  env.setState(saved);
  if (!sameArray(env.observe(), s.obs)) fail("setState(getState()) does not reproduce the observation");
  const a = new Float32Array(as.shape[0]!).map((_, i) => as.low[i]! + 0.3 * (as.high[i]! - as.low[i]!));
  const x1 = env.step(a);
  env.setState(saved);
  const x2 = env.step(a);
  if (!sameArray(x1.obs, x2.obs) || x1.reward !== x2.reward) fail("stepping from a restored state is not deterministic");

  // bad actions are refused with an error, not silently used
  for (const [bad, why] of [
    [new Float32Array(as.shape[0]! + 1), "an action of the wrong length"],
    [new Float32Array(as.shape[0]!).fill(Number.NaN), "a NaN action"],
  ] as const) {
    let threw = false;
    try {
      env.step(bad);
    } catch {
      threw = true;
    }
    if (!threw) fail(`step accepted ${why}`);
  }

  if (opts.fullEpisode) {
    env.reset(seed);
    let n = 0;
    for (;;) {
      const r = env.step(mid);
      n++;
      if (r.terminated || r.truncated) break;
      if (n > env.maxEpisodeSteps) break;
    }
    if (n !== env.maxEpisodeSteps) fail(`the episode ended after ${n} steps, maxEpisodeSteps is ${env.maxEpisodeSteps}`);
    let threw = false;
    try {
      env.step(mid);
    } catch {
      threw = true;
    }
    if (!threw) fail("step after the episode ended did not ask for reset()");
  }
  return { task: env.task.name, problems };
}
