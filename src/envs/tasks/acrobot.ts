/**
 * acrobot-swingup (dm_control/suite/acrobot.py). 10 s episodes at a 0.01 s control step = 1000 steps.
 * Only the elbow is actuated. Reward: tolerance(distance from the tip to the target 4 m up, bounds [0, 0.2],
 * margin 1) — gaussian, 0.1 at one metre outside the target.
 * Observation (6): orientations = [xz(upper), xz(lower), zz(upper), zz(lower)] (sines then cosines of the
 * absolute link angles), velocity = [shoulder, elbow] angular velocities.
 */
import { defineTask, tolerance, type TaskDefinition } from "../task.js";
import { flat, norm3, XZ, ZZ } from "./util.js";

export const acrobotSwingup: TaskDefinition = defineTask({
  name: "acrobot-swingup",
  domain: "acrobot",
  description: "swing the two-link acrobot (elbow torque only) up so its tip reaches the target above",
  mjcf: { file: "data/mjcf/acrobot.xml" },
  physicsStepsPerControlStep: 1,
  actionRepeat: 4,
  plane: "xz",
  observationSpec: [
    ["orientations", 4],
    ["velocity", 2],
  ],
  randomReturn: [0, 60],
  initializeEpisode(physics, rng) {
    physics.qpos[physics.jointQposAdr("shoulder")] = rng.uniform(-Math.PI, Math.PI);
    physics.qpos[physics.jointQposAdr("elbow")] = rng.uniform(-Math.PI, Math.PI);
  },
  observation(physics) {
    const u = physics.bodyXmat("upper_arm");
    const l = physics.bodyXmat("lower_arm");
    return flat(u[XZ]!, l[XZ]!, u[ZZ]!, l[ZZ]!, physics.qvel);
  },
  reward(physics) {
    const radius = physics.memo("acrobot:targetRadius", () => physics.model.site_size[3 * physics.id("site", "target")]!);
    return tolerance(norm3(physics.siteXpos("target"), physics.siteXpos("tip")), [0, radius], 1);
  },
});

export const tasks = [acrobotSwingup];
