import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadModelFromXml } from "../../src/envs/mujoco.js";

const mjcf = (name: string) => readFileSync(new URL(`../../data/mjcf/${name}.xml`, import.meta.url), "utf8");

// Sizes of the DeepMind Control Suite models (dm_control/suite/*.xml), counted from their joints and motors.
const SIZES = {
  cheetah: { nq: 9, nv: 9, nu: 6, nbody: 8, timestep: 0.01 },
  walker: { nq: 9, nv: 9, nu: 6, nbody: 8, timestep: 0.0025 },
  hopper: { nq: 7, nv: 7, nu: 4, nbody: 6, timestep: 0.005 },
  finger: { nq: 3, nv: 3, nu: 2, nbody: 4, timestep: 0.01 },
} as const;

describe("locomotion MJCF models (dm_control physical parameters)", () => {
  for (const [name, s] of Object.entries(SIZES)) {
    it(`${name}: compiles with dm_control's sizes and timestep, and steps to finite states`, async () => {
      const sim = await loadModelFromXml(mjcf(name));
      try {
        const { model, data, mj } = sim;
        expect({ nq: model.nq, nv: model.nv, nu: model.nu, nbody: model.nbody }).toEqual({
          nq: s.nq, nv: s.nv, nu: s.nu, nbody: s.nbody,
        });
        expect(model.opt.timestep).toBe(s.timestep);
        for (let i = 0; i < 500; i++) mj.mj_step(model, data);
        for (const v of data.qpos) expect(Number.isFinite(v)).toBe(true);
        for (const v of data.qvel) expect(Number.isFinite(v)).toBe(true);
      } finally {
        sim.delete();
      }
    });
  }

  it("cheetah: compiler settotalmass scales the body to 14 kg", async () => {
    const sim = await loadModelFromXml(mjcf("cheetah"));
    const total = Array.from(sim.model.body_mass as Float64Array).reduce((a, b) => a + b, 0);
    sim.delete();
    expect(total).toBeCloseTo(14, 6);
  });
});
