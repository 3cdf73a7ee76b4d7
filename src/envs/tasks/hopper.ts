/**
 * hopper-stand: the DeepMind Control Suite's planar one-legged hopper (dm_control/suite/hopper.py, hopper.xml).
 *
 * Facts taken from the suite:
 *  - model: data/mjcf/hopper.xml (torso, pelvis, thigh, calf, foot; 4 actuated hinges + rootx, rootz, rooty;
 *    timestep 0.005 s); control timestep 0.02 s = 4 physics steps; 20 s = 1000 control steps.
 *  - initial state (`randomize_limited_and_rotational_joints`): limited hinges uniform in their ranges, the root
 *    pitch uniform in [-π, π], root slides untouched (torso at 1 m): the hopper falls and must get up.
 *  - observation: position = qpos[1:] (6), velocity = qvel (7), touch = log1p of the toe and heel touch sensors (2)
 *    → 15 numbers.
 *  - reward: standing = 1 if 0.6 ≤ (torso COM z − foot COM z) ≤ 2 else 0 (tolerance with zero margin),
 *    small_control = (4 + mean_i tolerance(ctrl_i, margin 1, quadratic, value_at_margin 0)) / 5
 *    = (4 + mean(1 − ctrl²)) / 5 for |ctrl| ≤ 1; reward = standing · small_control.
 */
import { defineTask, tolerance, type TaskDefinition } from "../task.js";
import type { Physics } from "../physics.js";
import { randomizeLimitedAndRotationalJoints } from "./walker.js";

/** Torso-over-foot height (m) above which the hopper counts as standing (suite: `_STAND_HEIGHT`). */
export const HOPPER_STAND_HEIGHT = 0.6;

/** Height of the torso's centre of mass over the foot's (m): dm_control's `physics.height()` (xipos z difference). */
export function hopperHeight(physics: Physics): number {
  const xipos = physics.data.xipos;
  return xipos[3 * physics.id("body", "torso") + 2]! - xipos[3 * physics.id("body", "foot") + 2]!;
}

/** The suite's small-control factor in [0.8, 1]: (4 + mean tolerance(ctrl, margin=1, quadratic, 0)) / 5. */
export function hopperSmallControl(physics: Physics): number {
  const ctrl = physics.ctrl;
  let sum = 0;
  for (let i = 0; i < ctrl.length; i++) sum += tolerance(ctrl[i]!, [0, 0], 1, "quadratic", 0);
  return (4 + sum / ctrl.length) / 5;
}

export const hopperStand: TaskDefinition = defineTask({
  name: "hopper-stand",
  domain: "hopper",
  description: "planar one-legged hopper: get up and stand with the torso 0.6–2 m above the foot, small controls",
  mjcf: { file: "data/mjcf/hopper.xml" },
  physicsStepsPerControlStep: 4, // suite: control timestep 0.02 s / physics timestep 0.005 s
  actionRepeat: 4, // TD-MPC cfgs/tasks/default.yaml
  plane: "xz",
  observationSpec: [
    ["position", 6],
    ["velocity", 7],
    ["touch", 2],
  ],
  // measured with our env (uniform random actions, 1000 steps): see tests/unit/envs-locomotion.test.ts
  randomReturn: [0, 60],
  initializeEpisode: randomizeLimitedAndRotationalJoints,
  observation(physics) {
    const { nq, nv } = physics;
    const obs = new Float32Array(nq - 1 + nv + 2);
    obs.set(physics.qpos.subarray(1), 0);
    obs.set(physics.qvel, nq - 1);
    obs[nq - 1 + nv] = Math.log1p(physics.sensor("touch_toe")[0]!);
    obs[nq + nv] = Math.log1p(physics.sensor("touch_heel")[0]!);
    return obs;
  },
  reward(physics) {
    const standing = tolerance(hopperHeight(physics), [HOPPER_STAND_HEIGHT, 2]);
    return standing * hopperSmallControl(physics);
  },
});

export const tasks: readonly TaskDefinition[] = [hopperStand];
