import { describe, expect, it } from "vitest";
import { HAND_CONTROLLERS } from "../../src/envs/controllers.js";
import { recordEpisode } from "../../src/envs/replay.js";
import { makeEnv } from "../../src/envs/registry.js";
import { replayFigure2d, replayFigure3d } from "../../src/viz/replay.js";

describe("episode replay", () => {
  it("records body poses and geometry; the figure shows the pole going from down to up", async () => {
    const env = await makeEnv("cartpole-swingup", { seed: 0, actionRepeat: 1 });
    const { recording, ret } = recordEpisode(env, HAND_CONTROLLERS["cartpole-swingup"]!, { every: 10 });
    env.close();
    expect(recording.frames).toHaveLength(101); // initial + every 10th of 1000 steps
    expect(recording.bodies).toEqual(["world", "cart", "pole_1"]);
    expect(recording.geoms.map((g) => g.shape)).toEqual(["plane", "capsule", "capsule", "box", "capsule"]);
    expect(recording.frames.at(-1)!.ret).toBeCloseTo(ret, 9);
    // pole tip height: hanging (≈ 1 − 1 m) at the start, upright (≈ 1 + 1 m) at the end
    const fig = replayFigure2d(recording, { maxFrames: 50 });
    expect(fig.frames).toHaveLength(50);
    const poleTrace = fig.data.findIndex((d) => d.name === "pole_1");
    const k0 = fig.frames![0]!.traces as number[];
    const topOf = (f: number) => Math.max(...((fig.frames![f]!.data as { y: number[] }[])[k0.indexOf(poleTrace)]!.y));
    expect(topOf(0)).toBeLessThan(1.1);
    expect(topOf(49)).toBeGreaterThan(1.9);
    expect(String((fig.frames![49]!.layout as { title: { text: string } }).title.text)).toMatch(/t = 10\.00 s/);
    const f3 = replayFigure3d(recording, { maxFrames: 20 });
    expect(f3.frames).toHaveLength(20);
    expect(f3.data.filter((d) => d.type === "mesh3d").length).toBeGreaterThanOrEqual(4);
    expect(() => replayFigure2d(recording, { follow: "nope" })).toThrow(/no body named 'nope'/);
  });

  it("records a top-view task, whose target is a moving (mocap) body", async () => {
    const env = await makeEnv("reacher-hard", { seed: 3 });
    const { recording } = recordEpisode(env, () => [0.2, -0.2], { maxSteps: 20 });
    env.close();
    expect(recording.plane).toBe("xy");
    expect(recording.frames).toHaveLength(21);
    expect(recording.geoms.find((g) => g.name === "target")!.size[0]).toBe(0.015);
    const fig = replayFigure2d(recording);
    expect((fig.layout!.yaxis as { title: { text: string } }).title.text).toBe("y (m)");
  });
});
