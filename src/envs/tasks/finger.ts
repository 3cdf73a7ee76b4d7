/**
 * finger-spin: the DeepMind Control Suite's planar finger and spinner (dm_control/suite/finger.py, finger.xml).
 *
 * Facts taken from the suite:
 *  - model: data/mjcf/finger.xml (two-link finger: proximal + distal hinges, actuated; a free-spinning body on an
 *    unactuated hinge; gravity off; elliptic friction cones; timestep 0.01 s); control timestep 0.02 s = 2 physics
 *    steps; 20 s = 1000 control steps.
 *  - spin task set-up: the spinner hinge's damping is lowered from 0.5 to 0.03 (and the tip/target sites hidden);
 *    initial state: `randomize_limited_and_rotational_joints` (finger hinges uniform in ±110°, spinner uniform in
 *    [-π, π]) redrawn until no geoms touch (up to 1000 tries).
 *  - observation, all read from sensors: position = (proximal angle, distal angle, tip x − spinner x,
 *    tip z − spinner z) (4), velocity = (proximal, distal, hinge) joint velocities (3), touch = log1p of the two
 *    fingertip touch sensors (2) → 9 numbers.
 *  - reward: 1 if the hinge velocity ≤ −15 rad/s else 0 (sparse). Only one spin direction pays: negative velocity
 *    about the hinge axis (0, −1, 0), i.e. positive rotation about +y.
 */
import { defineTask, type TaskDefinition } from "../task.js";
import type { Physics } from "../physics.js";
import type { Rng } from "../../util/random.js";
import { randomizeLimitedAndRotationalJoints } from "./walker.js";

/** Hinge speed (rad/s) beyond which the spinner counts as spinning (suite: `_SPIN_VELOCITY`). */
export const FINGER_SPIN_VELOCITY = 15;
/** Spinner hinge damping during the spin task (the suite overrides the model's 0.5). */
export const FINGER_SPIN_HINGE_DAMPING = 0.03;
/** Attempts at a collision-free initial state before giving up (suite: `max_attempts`). */
const MAX_ATTEMPTS = 1000;

/** Spinner hinge velocity (rad/s), from its jointvel sensor. */
export function fingerHingeVelocity(physics: Physics): number {
  return physics.sensor("hinge_velocity")[0]!;
}

/** Draw joint angles until the finger and spinner do not touch (dm_control's `_set_random_joint_angles`). */
function setRandomJointAngles(physics: Physics, rng: Rng): void {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    randomizeLimitedAndRotationalJoints(physics, rng);
    physics.forward();
    if (physics.data.ncon === 0) return;
  }
  throw new Error(`finger: could not find a collision-free initial state after ${MAX_ATTEMPTS} attempts`);
}

export const fingerSpin: TaskDefinition = defineTask({
  name: "finger-spin",
  domain: "finger",
  description: "planar two-link finger: spin the free body faster than 15 rad/s (sparse reward)",
  mjcf: { file: "data/mjcf/finger.xml" },
  physicsStepsPerControlStep: 2, // suite: control timestep 0.02 s / physics timestep 0.01 s
  actionRepeat: 2, // TD-MPC cfgs/tasks/finger.yaml (the default.yaml value, 4, is for the other domains)
  plane: "xz",
  observationSpec: [
    ["position", 4],
    ["velocity", 3],
    ["touch", 2],
  ],
  // measured with our env (uniform random actions, 1000 steps): see tests/unit/envs-locomotion.test.ts
  randomReturn: [0, 50],
  initializeEpisode(physics, rng) {
    const { model } = physics;
    // The same value every episode, so writing it into the (shared) model is safe.
    model.dof_damping[model.jnt_dofadr[physics.id("joint", "hinge")]!] = FINGER_SPIN_HINGE_DAMPING;
    for (const site of ["target", "tip"]) model.site_rgba[4 * physics.id("site", site) + 3] = 0;
    setRandomJointAngles(physics, rng);
  },
  observation(physics) {
    const obs = new Float32Array(9);
    const tip = physics.sensor("tip");
    const spinner = physics.sensor("spinner");
    obs[0] = physics.sensor("proximal")[0]!;
    obs[1] = physics.sensor("distal")[0]!;
    obs[2] = tip[0]! - spinner[0]!;
    obs[3] = tip[2]! - spinner[2]!;
    obs[4] = physics.sensor("proximal_velocity")[0]!;
    obs[5] = physics.sensor("distal_velocity")[0]!;
    obs[6] = fingerHingeVelocity(physics);
    obs[7] = Math.log1p(physics.sensor("touchtop")[0]!);
    obs[8] = Math.log1p(physics.sensor("touchbottom")[0]!);
    return obs;
  },
  reward(physics) {
    return fingerHingeVelocity(physics) <= -FINGER_SPIN_VELOCITY ? 1 : 0;
  },
});

export const tasks: readonly TaskDefinition[] = [fingerSpin];
