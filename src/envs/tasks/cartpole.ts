/**
 * cartpole-{balance, balance_sparse, swingup, swingup_sparse} (dm_control/suite/cartpole.py).
 * 10 s episodes at a 0.01 s control step = 1000 steps.
 *
 * Observation (5): position = [cart x, pole cos θ (xmat zz), pole sin θ (xmat xz)], velocity = [cart ẋ, pole θ̇].
 * Smooth reward = upright · centered · small_control · small_velocity with
 *   upright = (cos θ + 1)/2, centered = (1 + tol(x, margin 2))/2, small_control = (4 + tol(u, margin 1, quadratic, 0))/5,
 *   small_velocity = (1 + tol(θ̇, margin 5))/2.
 * Sparse reward = 1[|x| ≤ 0.25] · 1[cos θ ≥ 0.995].
 * Start: swing-up tasks hang the pole down (θ = π + 0.01 N(0,1), x = 0.01 N(0,1)); balance tasks start near upright
 * (x ~ U(-0.1, 0.1), θ ~ U(-0.034, 0.034)); both add velocities 0.01 N(0,1).
 */
import type { Physics } from "../physics.js";
import type { Rng } from "../../util/random.js";
import { defineTask, tolerance, type TaskDefinition } from "../task.js";
import { flat, XZ, ZZ } from "./util.js";

function cartPosition(p: Physics): number {
  return p.jointQpos("slider");
}

function poleCos(p: Physics): number {
  return p.bodyXmat("pole_1")[ZZ]!;
}

function initialize(swingUp: boolean) {
  return (p: Physics, rng: Rng) => {
    const slider = p.jointQposAdr("slider");
    const hinge = p.jointQposAdr("hinge_1");
    if (swingUp) {
      p.qpos[slider] = 0.01 * rng.normal();
      p.qpos[hinge] = Math.PI + 0.01 * rng.normal();
    } else {
      p.qpos[slider] = rng.uniform(-0.1, 0.1);
      p.qpos[hinge] = rng.uniform(-0.034, 0.034);
    }
    for (let i = 0; i < p.nv; i++) p.qvel[i] = 0.01 * rng.normal();
  };
}

function observation(p: Physics): Float32Array {
  const m = p.bodyXmat("pole_1");
  return flat(cartPosition(p), m[ZZ]!, m[XZ]!, p.qvel);
}

function smoothReward(p: Physics): number {
  const upright = (poleCos(p) + 1) / 2;
  const centered = (1 + tolerance(cartPosition(p), [0, 0], 2)) / 2;
  const smallControl = (4 + tolerance(p.ctrl[0]!, [0, 0], 1, "quadratic", 0)) / 5;
  const smallVelocity = (1 + tolerance(p.jointQvel("hinge_1"), [0, 0], 5)) / 2;
  return upright * smallControl * smallVelocity * centered;
}

function sparseReward(p: Physics): number {
  return tolerance(cartPosition(p), [-0.25, 0.25]) * tolerance(poleCos(p), [0.995, 1]);
}

function cartpole(task: string, swingUp: boolean, sparse: boolean, randomReturn: [number, number], description: string): TaskDefinition {
  return defineTask({
    name: `cartpole-${task}`,
    domain: "cartpole",
    description,
    mjcf: { file: "data/mjcf/cartpole.xml" },
    physicsStepsPerControlStep: 1,
    actionRepeat: 8,
    plane: "xz",
    observationSpec: [
      ["position", 3],
      ["velocity", 2],
    ],
    randomReturn,
    initializeEpisode: initialize(swingUp),
    observation,
    reward: sparse ? sparseReward : smoothReward,
  });
}

export const cartpoleBalance = cartpole("balance", false, false, [200, 600], "keep the pole upright from a near-upright start (smooth reward)");
export const cartpoleBalanceSparse = cartpole("balance_sparse", false, true, [0, 250], "keep the pole within cos θ ≥ 0.995 and the cart within ±0.25 (sparse)");
export const cartpoleSwingup = cartpole("swingup", true, false, [0, 150], "swing the pole up from hanging and balance it (smooth reward)");
export const cartpoleSwingupSparse = cartpole("swingup_sparse", true, true, [0, 20], "swing up and balance, reward only when upright and centred (sparse)");

export const tasks = [cartpoleBalance, cartpoleBalanceSparse, cartpoleSwingup, cartpoleSwingupSparse];
