/**
 * point_mass-easy (dm_control/suite/point_mass.py). 20 s episodes at a 0.02 s control step = 1000 steps.
 * Reward: near_target · small_control with near_target = tolerance(|target − mass|, [0, 0.015], margin 0.015)
 * (gaussian) and small_control = (4 + mean_i tolerance(u_i, margin 1, quadratic, 0)) / 5.
 * Start: both slide joints ~ U(-0.29, 0.29), their range in the suite's point_mass.xml (the walls stand at ±0.3). Observation (4): position [x, y], velocity [ẋ, ẏ].
 */
import { defineTask, tolerance, type TaskDefinition } from "../task.js";
import { flat, norm3 } from "./util.js";

export const pointMassEasy: TaskDefinition = defineTask({
  name: "point_mass-easy",
  domain: "point_mass",
  description: "push a point mass in the plane onto the target at the centre",
  mjcf: { file: "data/mjcf/point_mass.xml" },
  physicsStepsPerControlStep: 1,
  actionRepeat: 4,
  plane: "xy",
  observationSpec: [
    ["position", 2],
    ["velocity", 2],
  ],
  randomReturn: [0, 20],
  initializeEpisode(p, rng) {
    for (const j of ["root_x", "root_y"]) {
      const [lo, hi] = p.jointRange(j);
      p.qpos[p.jointQposAdr(j)] = rng.uniform(lo, hi);
    }
  },
  observation(p) {
    return flat(p.qpos, p.qvel);
  },
  reward(p) {
    const targetSize = p.memo("point_mass:targetSize", () => p.model.geom_size[3 * p.id("geom", "target")]!);
    const nearTarget = tolerance(norm3(p.geomXpos("target"), p.geomXpos("pointmass")), [0, targetSize], targetSize);
    const ctrl = p.ctrl;
    let c = 0;
    for (let i = 0; i < ctrl.length; i++) c += tolerance(ctrl[i]!, [0, 0], 1, "quadratic", 0);
    return nearTarget * ((4 + c / ctrl.length) / 5);
  },
});

export const tasks = [pointMassEasy];
