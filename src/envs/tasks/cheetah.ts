/**
 * cheetah-run: the DeepMind Control Suite's planar half-cheetah (dm_control/suite/cheetah.py, cheetah.xml).
 *
 * Facts taken from the suite:
 *  - model: data/mjcf/cheetah.xml (6 actuated hinges + 3 root DOFs: rootx, rootz, rooty; 14 kg; timestep 0.01 s);
 *    control timestep = physics timestep (1 physics step per control step), 10 s = 1000 control steps.
 *  - initial state: every limited joint (the six leg hinges) uniform in its range, then 200 physics steps
 *    with zero control to let the body settle on the ground, then time reset to 0.
 *  - observation: position = qpos[1:] (rootx dropped: the task is invariant to where along x the cheetah is),
 *    velocity = qvel → 8 + 9 = 17 numbers.
 *  - reward: tolerance(speed, bounds=[10, ∞), margin=10, linear, value_at_margin=0) = clip(speed/10, 0, 1), where
 *    speed is the x component of the centre-of-mass velocity of the whole body (subtreelinvel sensor on torso).
 */
import { defineTask, tolerance, type TaskDefinition } from "../task.js";
import type { Physics } from "../physics.js";
import type { Rng } from "../../util/random.js";

/** Speed (m/s) at and above which the run reward is 1 (suite: `_RUN_SPEED`). */
export const CHEETAH_RUN_SPEED = 10;

/** Physics steps the suite lets the cheetah settle before an episode starts. */
const SETTLE_STEPS = 200;

/** Horizontal centre-of-mass speed (m/s). */
export function cheetahSpeed(physics: Physics): number {
  return physics.sensor("torso_subtreelinvel")[0]!;
}

/**
 * Every limited joint uniform in its range (dm_control's cheetah does this through `jnt_limited`; the root joints
 * are the unlimited ones). `jnt_limited` is a bool array that @mujoco/mujoco's bindings cannot read, and in this
 * model a joint is limited exactly when its range is non-empty, so the range decides.
 */
function randomizeLegJoints(physics: Physics, rng: Rng): void {
  const { model } = physics;
  const qpos = physics.qpos;
  for (let j = 0; j < model.njnt; j++) {
    const lo = model.jnt_range[2 * j]!;
    const hi = model.jnt_range[2 * j + 1]!;
    if (lo < hi) qpos[model.jnt_qposadr[j]!] = rng.uniform(lo, hi);
  }
}

export const cheetahRun: TaskDefinition = defineTask({
  name: "cheetah-run",
  domain: "cheetah",
  description: "planar half-cheetah: run forward, reward = clip(speed / 10 m/s, 0, 1)",
  mjcf: { file: "data/mjcf/cheetah.xml" },
  physicsStepsPerControlStep: 1, // suite: default control timestep = physics timestep 0.01 s
  actionRepeat: 4, // TD-MPC cfgs/tasks/default.yaml
  plane: "xz",
  observationSpec: [
    ["position", 8],
    ["velocity", 9],
  ],
  // measured with our env (uniform random actions, 1000 steps): see tests/unit/envs-locomotion.test.ts
  randomReturn: [0, 30],
  initializeEpisode(physics, rng) {
    // dm_control's reset runs mj_forward at qpos0, then the task draws the joints and steps without another
    // forward: Physics.step begins with mj_step2 (dm_control's "legacy" stepping), which uses that forward's
    // results for its first step. Doing the same calls in the same order gives the suite's exact start.
    physics.forward();
    randomizeLegJoints(physics, rng);
    physics.step(SETTLE_STEPS);
    physics.data.time = 0;
  },
  observation(physics) {
    const { nq, nv } = physics;
    const obs = new Float32Array(nq - 1 + nv);
    obs.set(physics.qpos.subarray(1), 0);
    obs.set(physics.qvel, nq - 1);
    return obs;
  },
  reward(physics) {
    return tolerance(cheetahSpeed(physics), [CHEETAH_RUN_SPEED, Infinity], CHEETAH_RUN_SPEED, "linear", 0);
  },
});

export const tasks: readonly TaskDefinition[] = [cheetahRun];
