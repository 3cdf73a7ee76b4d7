/**
 * Chapter 0's pendulum: a plain MJCF rod on a hinge, released from 60°, stepped with MuJoCo directly. The notebook
 * writes the same loop by hand and checks it against `simulatePendulum`; `npx tdmpc figures ch00` draws it.
 */
import { loadModelFromXml } from "../envs/mujoco.js";

/** A 0.5 m, 1 kg capsule on a hinge with a little damping; timestep 2 ms. */
export const SETUP_PENDULUM_XML = `
<mujoco model="setup-pendulum">
  <option timestep="0.002"/>
  <worldbody>
    <body name="pole" pos="0 0 1">
      <joint name="hinge" type="hinge" axis="0 1 0" damping="0.05"/>
      <geom type="capsule" fromto="0 0 0 0 0 -0.5" size="0.02" mass="1"/>
    </body>
  </worldbody>
</mujoco>`;

export interface PendulumTrajectory {
  /** Time (s), hinge angle (rad) and angular velocity (rad/s), every `every` steps. */
  t: number[];
  angle: number[];
  velocity: number[];
}

/** Release the pendulum from `angle0` (rad) and record it for `seconds`, one sample every `every` physics steps. */
export async function simulatePendulum(o: { seconds?: number; angle0?: number; damping?: number; every?: number } = {}): Promise<PendulumTrajectory> {
  const sim = await loadModelFromXml(o.damping === undefined ? SETUP_PENDULUM_XML : SETUP_PENDULUM_XML.replace('damping="0.05"', `damping="${o.damping}"`));
  const { mj, model, data } = sim;
  try {
    data.qpos[0] = o.angle0 ?? Math.PI / 3;
    mj.mj_forward(model, data);
    const steps = Math.round((o.seconds ?? 5) / model.opt.timestep);
    const every = o.every ?? 10;
    const out: PendulumTrajectory = { t: [], angle: [], velocity: [] };
    for (let i = 0; i < steps; i++) {
      mj.mj_step(model, data);
      if (i % every === 0) {
        out.t.push(data.time);
        out.angle.push(data.qpos[0]!);
        out.velocity.push(data.qvel[0]!);
      }
    }
    return out;
  } finally {
    sim.delete();
  }
}

/** Mean period (s) from the upward zero crossings of the angle (linear interpolation between samples). */
export function measuredPeriod(tr: PendulumTrajectory): number {
  const cross: number[] = [];
  for (let i = 1; i < tr.angle.length; i++) {
    const a = tr.angle[i - 1]!;
    const b = tr.angle[i]!;
    if (a < 0 && b >= 0) cross.push(tr.t[i - 1]! + ((tr.t[i]! - tr.t[i - 1]!) * -a) / (b - a));
  }
  if (cross.length < 2) throw new Error("measuredPeriod: the trajectory holds fewer than two upward zero crossings");
  return (cross[cross.length - 1]! - cross[0]!) / (cross.length - 1);
}

/** Small-angle period of a uniform rod of length L pivoting at one end: 2π √(2L / 3g). */
export function rodPeriod(length: number, g = 9.81): number {
  return 2 * Math.PI * Math.sqrt((2 * length) / (3 * g));
}
