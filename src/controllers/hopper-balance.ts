/**
 * hopper-stand: a balance controller for the standing hopper, and what the suite's random start allows.
 *
 * Mechanics (data/mjcf/hopper.xml, 12.4 kg): the hopper stands on a foot that reaches 0.12 m behind and 0.21 m in
 * front of the ankle, and its ankle motor gives at most 10 N·m, which holds the whole body's weight (≈ 122 N) only
 * while its centre of mass stays within ≈ 8 cm of the ankle. The standing equilibrium used here therefore puts the
 * centre of mass over the ankle (ankle torque ≈ 0, margin both ways) rather than over the foot's own centre of mass.
 *
 * The balance law is a discrete-time LQR (Anderson & Moore, "Optimal Control: Linear Quadratic Methods", 1990,
 * ch. 2) about that equilibrium: u = u* − K (x − x*), with x = [qpos[1:], qvel] — exactly the first 13 numbers of
 * the observation, so the law reads the observation alone. scripts/hopper-lqr.mjs obtains A, B by central finite
 * differences (ε = 1e−5) of one 0.02 s control step of the env's simulator (foot resting on the floor, so the soft
 * contact is part of the linear model) and solves the Riccati equation with Q = diag(10·I₆, I₇), R = I₄.
 *
 * What it does NOT do: get up. From the suite's random start (any torso pitch, random joint angles, 1 m drop) the
 * hopper lands lying, sitting or on its head, and the LQR's basin is only a few degrees wide; tests/unit/
 * envs-locomotion.test.ts lists the returns. Our seed 0 starts with the thigh pushed 8.4 cm into the torso capsule
 * (joint angles drawn without a collision check, as in dm_control's `randomize_limited_and_rotational_joints`):
 * the leg stays locked through the torso under every control tried, so no controller can stand from that seed.
 */
import type { Policy } from "./feedback.js";

const clip1 = (u: number) => (u > 1 ? 1 : u < -1 ? -1 : u);

/** The standing equilibrium: x* = [rootz, pitch, waist, hip, knee, ankle, 7 × velocity 0] and its controls u*. */
export const HOPPER_STAND_EQUILIBRIUM = {
  x: [-0.06219, -0.071688, 0.001418, 0.005103, 0.119359, -0.055045, 0, 0, 0, 0, 0, 0, 0],
  u: [-0.002835, -0.025516, -0.096797, -0.11346],
} as const;

/** LQR gain K (4 controls × 13 states, normalised controls): see the module comment for how it was computed. */
export const HOPPER_LQR_GAIN: readonly (readonly number[])[] = [
  [-0.0354, -1.1648, 0.365, -0.4131, -0.296, -0.2598, -0.1301, 0.0034, -0.1888, 0.2545, -0.022, -0.0071, -0.0172],
  [-1.0626, -1.0008, -0.5251, 0.7866, 0.1973, 0.168, -0.2055, -0.0764, -0.2358, -0.1231, 0.1934, -0.0154, -0.0421],
  [-6.2821, -3.0374, -2.5172, -1.7, 0.6883, -0.1248, -0.8829, -0.3344, -0.2781, -0.1678, -0.1131, 0.2716, -0.143],
  [0.157, -17.8363, -16.5423, -13.8469, -8.2074, -1.3982, -5.5599, -0.0236, 0.2042, 0.3518, 0.0803, -0.0723, 0.1641],
];

/**
 * Balance the standing hopper: u = clip(u* − K (x − x*)) with x = obs[0:13] = [qpos[1:], qvel].
 * Observation: qpos[1:] (6), qvel (7), log1p(touch) (2).
 */
export const hopperBalanceController: Policy = (obs) => {
  if (obs.length < 13) throw new RangeError(`hopperBalanceController: expected the 15-number hopper observation, got ${obs.length}`);
  const { x: xs, u: us } = HOPPER_STAND_EQUILIBRIUM;
  const out = new Float32Array(4);
  for (let i = 0; i < 4; i++) {
    const k = HOPPER_LQR_GAIN[i]!;
    let u = us[i]!;
    for (let j = 0; j < 13; j++) u -= k[j]! * (obs[j]! - xs[j]!);
    out[i] = clip1(u);
  }
  return out;
};
