/**
 * walker-stand and walker-walk: the DeepMind Control Suite's planar biped (dm_control/suite/walker.py, walker.xml).
 *
 * Facts taken from the suite:
 *  - model: data/mjcf/walker.xml (7 bodies, 6 actuated hinges + rootz, rootx, rooty; timestep 0.0025 s);
 *    control timestep 0.025 s = 10 physics steps; 25 s = 1000 control steps.
 *  - initial state (`randomize_limited_and_rotational_joints`): every limited hinge uniform in its range, the
 *    unlimited root hinge (torso pitch) uniform in [-π, π], root slides untouched (torso at 1.3 m). The walker
 *    then falls: standing up is part of the task.
 *  - observation: orientations = for each of the 7 bodies the xx and xz entries of its world rotation matrix (14),
 *    height = torso z (1), velocity = qvel (9) → 24 numbers.
 *  - reward: standing = tolerance(torso z, [1.2, ∞), margin 0.6) (gaussian, 0.1 at the margin),
 *    upright = (1 + torso zz)/2, stand = (3·standing + upright)/4;
 *    stand task: stand; walk task: stand · (5·move + 1)/6 with
 *    move = tolerance(COM x-velocity, [1, ∞), margin 0.5, linear, value_at_margin 0.5).
 */
import { defineTask, tolerance, type TaskDefinition } from "../task.js";
import type { Physics } from "../physics.js";
import type { Rng } from "../../util/random.js";
import { XX, XZ, ZZ } from "./util.js";

/** Torso height (m) above which the standing term is 1 (suite: `_STAND_HEIGHT`). */
export const WALKER_STAND_HEIGHT = 1.2;
/** Walking speed (m/s) above which the move term is 1 (suite: `_WALK_SPEED`). */
export const WALKER_WALK_SPEED = 1;

/**
 * dm_control's `randomize_limited_and_rotational_joints` for models made of hinges and slides (walker, hopper,
 * finger): a limited hinge/slide is uniform in its range, an unlimited hinge uniform in [-π, π], an unlimited slide
 * is left alone. (Ball and free joints, which these models do not have, are rejected.) `jnt_limited` is a bool array
 * that @mujoco/mujoco's bindings cannot read; in these models a joint is limited exactly when its range is
 * non-empty (unlimited joints have no range), so the range decides.
 */
export function randomizeLimitedAndRotationalJoints(physics: Physics, rng: Rng): void {
  const { model, mj } = physics;
  const qpos = physics.qpos;
  const HINGE = mj.mjtJoint.mjJNT_HINGE.value;
  const SLIDE = mj.mjtJoint.mjJNT_SLIDE.value;
  for (let j = 0; j < model.njnt; j++) {
    const type = model.jnt_type[j]!;
    if (type !== HINGE && type !== SLIDE) throw new Error(`randomizeLimitedAndRotationalJoints: joint ${j} is not a hinge or slide`);
    const lo = model.jnt_range[2 * j]!;
    const hi = model.jnt_range[2 * j + 1]!;
    const adr = model.jnt_qposadr[j]!;
    if (lo < hi) qpos[adr] = rng.uniform(lo, hi);
    else if (type === HINGE) qpos[adr] = rng.uniform(-Math.PI, Math.PI);
  }
}

/** Torso height (m): world z of the torso body frame. */
export function walkerTorsoHeight(physics: Physics): number {
  return physics.bodyXpos("torso")[2]!;
}

/** Projection of the torso's z axis on the world z axis (1 upright, -1 upside down). */
export function walkerTorsoUpright(physics: Physics): number {
  return physics.bodyXmat("torso")[ZZ]!;
}

/** Horizontal velocity of the centre of mass (m/s). */
export function walkerHorizontalVelocity(physics: Physics): number {
  return physics.sensor("torso_subtreelinvel")[0]!;
}

/** The stand reward (3·standing + upright)/4 shared by both tasks. */
export function walkerStandReward(physics: Physics): number {
  const standing = tolerance(walkerTorsoHeight(physics), [WALKER_STAND_HEIGHT, Infinity], WALKER_STAND_HEIGHT / 2);
  const upright = (1 + walkerTorsoUpright(physics)) / 2;
  return (3 * standing + upright) / 4;
}

function walkerObservation(physics: Physics): Float32Array {
  const nbody = physics.model.nbody; // body 0 is the world
  const nv = physics.nv;
  const obs = new Float32Array(2 * (nbody - 1) + 1 + nv);
  const xmat = physics.xmat;
  let k = 0;
  for (let b = 1; b < nbody; b++) {
    obs[k++] = xmat[9 * b + XX]!;
    obs[k++] = xmat[9 * b + XZ]!;
  }
  obs[k++] = walkerTorsoHeight(physics);
  obs.set(physics.qvel, k);
  return obs;
}

const common = {
  domain: "walker",
  mjcf: { file: "data/mjcf/walker.xml" },
  physicsStepsPerControlStep: 10, // suite: control timestep 0.025 s / physics timestep 0.0025 s
  actionRepeat: 2, // TD-MPC cfgs/tasks/walker.yaml
  plane: "xz",
  observationSpec: [
    ["orientations", 14],
    ["height", 1],
    ["velocity", 9],
  ],
  initializeEpisode: randomizeLimitedAndRotationalJoints,
  observation: walkerObservation,
} as const;

export const walkerStand: TaskDefinition = defineTask({
  ...common,
  name: "walker-stand",
  description: "planar biped: get up and stand (torso above 1.2 m, upright)",
  // measured with our env (uniform random actions, 1000 steps): see tests/unit/envs-locomotion.test.ts
  randomReturn: [50, 400],
  reward: walkerStandReward,
});

export const walkerWalk: TaskDefinition = defineTask({
  ...common,
  name: "walker-walk",
  description: "planar biped: walk forward at 1 m/s or faster while standing",
  randomReturn: [10, 150],
  reward(physics) {
    const move = tolerance(walkerHorizontalVelocity(physics), [WALKER_WALK_SPEED, Infinity], WALKER_WALK_SPEED / 2, "linear", 0.5);
    return (walkerStandReward(physics) * (5 * move + 1)) / 6;
  },
});

export const tasks: readonly TaskDefinition[] = [walkerStand, walkerWalk];
