import { describe, expect, it } from "vitest";
import { HAND_CONTROLLERS } from "../../src/controllers/feedback.js";
import { policyAgent, runEpisode } from "../../src/envs/agent.js";
import { recordEpisode } from "../../src/envs/recording.js";
import { makeEnv } from "../../src/envs/registry.js";
import { animationFigure2d, animationFigure3d } from "../../src/viz/animation.js";

describe("episode recording and its animation", () => {
  it("records body poses and geometry; the figure shows the pole going from down to up", async () => {
    const env = await makeEnv("cartpole-swingup", { seed: 0, actionRepeat: 1 });
    const { recording, ret } = await recordEpisode(env, HAND_CONTROLLERS["cartpole-swingup"]!, { every: 10 });
    env.close();
    expect(recording.frames).toHaveLength(101); // initial + every 10th of 1000 steps
    expect(recording.bodies).toEqual(["world", "cart", "pole_1"]);
    expect(recording.geoms.map((g) => g.shape)).toEqual(["plane", "capsule", "capsule", "box", "capsule"]);
    expect(recording.frames.at(-1)!.ret).toBeCloseTo(ret, 9);
    // pole tip height: hanging (≈ 1 − 1 m) at the start, upright (≈ 1 + 1 m) at the end
    const fig = animationFigure2d(recording, { maxFrames: 50 });
    expect(fig.frames).toHaveLength(50);
    const poleTrace = fig.data.findIndex((d) => d.name === "pole_1");
    const k0 = fig.frames![0]!.traces as number[];
    const topOf = (f: number) => Math.max(...((fig.frames![f]!.data as { y: number[] }[])[k0.indexOf(poleTrace)]!.y));
    expect(topOf(0)).toBeLessThan(1.1);
    expect(topOf(49)).toBeGreaterThan(1.9);
    expect(String((fig.frames![49]!.layout as { title: { text: string } }).title.text)).toMatch(/t = 10\.00 s/);
    const f3 = animationFigure3d(recording, { maxFrames: 20 });
    expect(f3.frames).toHaveLength(20);
    expect(f3.data.filter((d) => d.type === "mesh3d").length).toBeGreaterThanOrEqual(4);
    expect(() => animationFigure2d(recording, { follow: "nope" })).toThrow(/no body named 'nope'/);
  });

  it("records a top-view task, whose target is a moving (mocap) body", async () => {
    const env = await makeEnv("reacher-hard", { seed: 3 });
    const { recording } = await recordEpisode(env, () => [0.2, -0.2], { maxSteps: 20 });
    env.close();
    expect(recording.plane).toBe("xy");
    expect(recording.frames).toHaveLength(21);
    expect(recording.geoms.find((g) => g.name === "target")!.size[0]).toBe(0.015);
    const fig = animationFigure2d(recording);
    expect((fig.layout!.yaxis as { title: { text: string } }).title.text).toBe("y (m)");
  });

  it("plays an agent through runEpisode: frames every `every` steps and at the last step, the episode's return", async () => {
    const env = await makeEnv("pendulum-swingup", { actionRepeat: 1 });
    const agent = policyAgent("swing-up", HAND_CONTROLLERS["pendulum-swingup"]!);
    const { totalReturn } = await runEpisode(env, agent, { seed: 1, maxSteps: 20 });
    const { recording, ret, rewards } = await recordEpisode(env, agent, { seed: 1, maxSteps: 20, every: 7 });
    expect(ret).toBe(totalReturn);
    expect(rewards).toHaveLength(20);
    expect(recording.frames.map((f) => Math.round(f.time / env.physics.timestep))).toEqual([0, 7, 14, 20]);
    expect(recording.frames.at(-1)!.ret).toBe(ret);
    await expect(recordEpisode(env, agent, { every: 0 })).rejects.toThrow(/every must be a positive integer/);
    env.close();
  });
});
