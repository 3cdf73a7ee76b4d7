import { describe, expect, it } from "vitest";
import { loadModelFromXml, MjcfError, mujocoVersion } from "../../src/envs/mujoco.js";

const PENDULUM = `
<mujoco>
  <option timestep="0.01"/>
  <worldbody>
    <body pos="0 0 1">
      <joint name="hinge" type="hinge" axis="0 1 0"/>
      <geom type="capsule" fromto="0 0 0 0 0 -0.5" size="0.02" mass="1"/>
    </body>
  </worldbody>
</mujoco>`;

describe("MuJoCo WebAssembly loader", () => {
  it("reports the engine version of @mujoco/mujoco", async () => {
    expect(await mujocoVersion()).toMatch(/^3\.\d+\.\d+$/);
  });

  it("loads a model, steps it under gravity and frees it", async () => {
    const sim = await loadModelFromXml(PENDULUM);
    expect(sim.model.nq).toBe(1);
    sim.data.qpos[0] = 0.5;
    for (let i = 0; i < 20; i++) sim.mj.mj_step(sim.model, sim.data);
    expect(sim.data.time).toBeCloseTo(0.2, 10);
    // released from 0.5 rad the pendulum falls back towards 0: angle shrinks, velocity turns negative
    expect(sim.data.qpos[0]).toBeLessThan(0.5);
    expect(sim.data.qvel[0]).toBeLessThan(0);
    sim.delete();
    sim.delete(); // idempotent
  });

  it("raises an error carrying MuJoCo's own message for invalid MJCF", async () => {
    const bad = `<mujoco><worldbody><body><joint type="bogus"/></body></worldbody></mujoco>`;
    await expect(loadModelFromXml(bad)).rejects.toThrow(MjcfError);
    await expect(loadModelFromXml(bad)).rejects.toThrow(/XML Error: invalid keyword: 'bogus'/);
    await expect(loadModelFromXml("<mujoco><worldbody>")).rejects.toThrow(/invalid MJCF: .*XML/);
    await expect(loadModelFromXml("   ")).rejects.toThrow(/MJCF is empty/);
  });

  it("frees model and data: 300 load/delete cycles of a 2 MB model do not grow memory", async () => {
    // <size memory="2M"/> gives each MjData a 2 MB arena: 300 leaked copies would add ~600 MB of wasm heap.
    const big = PENDULUM.replace("<worldbody>", '<size memory="2M"/><worldbody>');
    for (let i = 0; i < 20; i++) (await loadModelFromXml(big)).delete();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 300; i++) (await loadModelFromXml(big)).delete();
    const grownMb = (process.memoryUsage().rss - before) / 2 ** 20;
    expect(grownMb).toBeLessThan(100);
  });
});
