/**
 * reacher-{easy, hard} (dm_control/suite/reacher.py). 20 s episodes at a 0.02 s control step = 1000 steps.
 * Reward: 1 while the finger touches the target (distance ≤ target radius + finger radius), else 0.
 * Target radius: easy 0.05, hard 0.015. Start: shoulder ~ U(-π, π), wrist ~ U(its ±160° range); the target is put
 * at angle ~ U(0, 2π), radius ~ U(0.05, 0.20) (as sin/cos, x = r sin a, y = r cos a).
 * Observation (6): position = [shoulder, wrist] angles, to_target = target − finger in the plane (x, y: the
 * suite's `finger_to_target` takes the first two coordinates), velocity = [shoulder, wrist] angular velocities.
 *
 * The suite moves the target by editing the model; here the target is a mocap body (see data/mjcf/reacher.xml),
 * so vectorised copies sharing one model can hold different targets. The target *size* is a per-task constant
 * and is written into the model, as the suite does.
 */
import type { Physics } from "../physics.js";
import { defineTask, tolerance, type TaskDefinition } from "../task.js";
import { flat } from "./util.js";

/** Target − finger in the plane (dm_control: `geom_xpos['target', :2] - geom_xpos['finger', :2]`). */
function toTarget(p: Physics): [number, number] {
  const t = p.geomXpos("target");
  const f = p.geomXpos("finger");
  return [t[0]! - f[0]!, t[1]! - f[1]!];
}

function reacher(task: string, targetSize: number, randomReturn: [number, number]): TaskDefinition {
  return defineTask({
    name: `reacher-${task}`,
    domain: "reacher",
    description: `move the two-link arm's fingertip onto a random target (radius ${targetSize}; sparse)`,
    mjcf: { file: "data/mjcf/reacher.xml" },
    physicsStepsPerControlStep: 1,
    actionRepeat: 4,
    plane: "xy",
    observationSpec: [
      ["position", 2],
      ["to_target", 2],
      ["velocity", 2],
    ],
    randomReturn,
    initializeEpisode(p, rng) {
      p.model.geom_size[3 * p.id("geom", "target")] = targetSize;
      p.qpos[p.jointQposAdr("shoulder")] = rng.uniform(-Math.PI, Math.PI);
      const [lo, hi] = p.jointRange("wrist");
      p.qpos[p.jointQposAdr("wrist")] = rng.uniform(lo, hi);
      const angle = rng.uniform(0, 2 * Math.PI);
      const radius = rng.uniform(0.05, 0.2);
      const mocap = p.model.body_mocapid[p.id("body", "target")]!;
      const pos = p.data.mocap_pos as Float64Array;
      pos[3 * mocap] = radius * Math.sin(angle);
      pos[3 * mocap + 1] = radius * Math.cos(angle);
    },
    observation(p) {
      return flat(p.jointQpos("shoulder"), p.jointQpos("wrist"), toTarget(p), p.qvel);
    },
    reward(p) {
      // the sizes are task constants (the target's is written at every reset, always the same value)
      const radii = p.memo(`${task}:radii`, () => p.model.geom_size[3 * p.id("geom", "target")]! + p.model.geom_size[3 * p.id("geom", "finger")]!);
      const [dx, dy] = toTarget(p);
      return tolerance(Math.hypot(dx, dy), [0, radii]);
    },
  });
}

export const reacherEasy = reacher("easy", 0.05, [0, 700]);
export const reacherHard = reacher("hard", 0.015, [0, 400]);

export const tasks = [reacherEasy, reacherHard];
