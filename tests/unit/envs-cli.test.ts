import { existsSync, rmSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { benchApi, benchNative, benchRaw, buildNative, mjcfForMujoco2 } from "../../src/envs/bench.js";
import { checkTask, taskTable, taskTableMarkdown } from "../../src/envs/task-table.js";
import { textTable } from "../../src/util/table.js";
import { listTasks } from "../../src/envs/registry.js";

describe("tdmpc env list / env check", () => {
  it("lists every registered task with its sizes and action repeat", async () => {
    const rows = await taskTable();
    expect(rows.map((r) => r.task)).toEqual(listTasks());
    const cp = rows.find((r) => r.task === "cartpole-swingup")!;
    expect(cp).toMatchObject({ obsDim: 5, actDim: 1, actionRepeat: 8, episodeLength: 1000, controlTimestep: 0.01 });
    const md = taskTableMarkdown(rows);
    expect(md.split("\n")).toHaveLength(rows.length + 2);
    expect(md).toContain("| `cartpole-swingup` | 5 | 1 | 8 | 0.01 | 1 |");
    expect(textTable([{ a: 1, b: "x" }])).toContain("a  b");
  });

  it("env check reports {task, obsDim, actDim, actionRepeat, randomReturn, stepsPerSec} and no checker problems", async () => {
    const r = await checkTask("pendulum-swingup", 0);
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ task: "pendulum-swingup", obsDim: 3, actDim: 1, actionRepeat: 4 });
    expect(r.randomReturn).toBeGreaterThanOrEqual(0);
    expect(r.randomReturn).toBeLessThanOrEqual(60);
    expect(r.stepsPerSec).toBeGreaterThan(0);
    await expect(checkTask("no-such")).rejects.toThrow(/unknown task 'no-such'/);
  });
});

describe("tdmpc bench env (pieces, no timing assertions)", () => {
  it("measures api and raw wasm throughput", async () => {
    expect(await benchApi("pendulum-swingup", 200)).toBeGreaterThan(0);
    expect(await benchRaw("pendulum-swingup", 200)).toBeGreaterThan(0);
  });

  it("strips MuJoCo-3-only attributes for the native 2.2 run", () => {
    expect(mjcfForMujoco2('<mujoco>\n  <size memory="1M"/>\n  <size njmax="5" memory="2M"/></mujoco>')).toBe('<mujoco>\n  \n  <size njmax="5"/></mujoco>');
  });

  it.skipIf(!existsSync("/usr/include/mujoco/mujoco.h"))("compiles the native C bench and runs it on our MJCF", () => {
    const native = buildNative();
    if ("error" in native) throw new Error(native.error);
    try {
      expect(benchNative(native.exe, native.dir, "cartpole-swingup", 500)).toBeGreaterThan(0);
    } finally {
      rmSync(native.dir, { recursive: true, force: true });
    }
  });
});
