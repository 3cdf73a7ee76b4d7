/**
 * pendulum-swingup (dm_control/suite/pendulum.py). 20 s episodes at a 0.02 s control step = 1000 steps.
 * Reward: 1 while the pole is within 8° of upright (cos θ ≥ cos 8°), else 0 — a sparse swing-up.
 * Observation (3): orientation [zz, xz] of the pole frame (cos θ, sin θ), angular velocity.
 */
import { defineTask, tolerance, type TaskDefinition } from "../task.js";
import { flat, XZ, ZZ } from "./util.js";

const COSINE_BOUND = Math.cos((8 * Math.PI) / 180);

export const pendulumSwingup: TaskDefinition = defineTask({
  name: "pendulum-swingup",
  domain: "pendulum",
  description: "swing a torque-limited pendulum up and hold it within 8° of vertical (sparse)",
  mjcf: { file: "data/mjcf/pendulum.xml" },
  physicsStepsPerControlStep: 1,
  actionRepeat: 4,
  plane: "xz",
  observationSpec: [
    ["orientation", 2],
    ["velocity", 1],
  ],
  randomReturn: [0, 60],
  initializeEpisode(physics, rng) {
    physics.qpos[physics.jointQposAdr("hinge")] = rng.uniform(-Math.PI, Math.PI);
  },
  observation(physics) {
    const m = physics.bodyXmat("pole");
    return flat(m[ZZ]!, m[XZ]!, physics.jointQvel("hinge"));
  },
  reward(physics) {
    return tolerance(physics.bodyXmat("pole")[ZZ]!, [COSINE_BOUND, 1]);
  },
});

export const tasks = [pendulumSwingup];
