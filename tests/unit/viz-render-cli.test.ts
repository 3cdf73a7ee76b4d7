import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { buildCli } from "../../src/cli/index.js";
import { benchRender } from "../../src/envs/render/bench.js";
import { decodePng } from "../../src/viz/image.js";
import { parseCamera, parseSize } from "../../src/cli/render.js";

const dir = mkdtempSync(join(tmpdir(), "tdmpc-render-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...args: string[]): Promise<{ out: string; err: string; code: number | undefined }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((s: string) => void out.push(s));
  const error = vi.spyOn(console, "error").mockImplementation((s: string) => void err.push(s));
  process.exitCode = undefined;
  try {
    await buildCli().parseAsync(["node", "tdmpc", ...args]);
    return { out: out.join("\n"), err: err.join("\n"), code: process.exitCode as number | undefined };
  } finally {
    log.mockRestore();
    error.mockRestore();
    process.exitCode = undefined;
  }
}

describe("tdmpc render", () => {
  it("writes a PNG of the requested size and a GIF with a frame per kept step", async () => {
    const png = join(dir, "cp.png");
    expect((await run("render", "cartpole-swingup", "--out", png, "--size", "40x30", "--steps", "2")).code).toBeUndefined();
    const img = decodePng(readFileSync(png));
    expect([img.width, img.height]).toEqual([40, 30]);
    const gif = join(dir, "cp.gif");
    const r = await run("render", "cartpole-balance", "--out", gif, "--size", "32", "--steps", "6", "--policy", "hand", "--camera", "lookatcart");
    expect(r.out).toMatch(/frames, 32×32, 6 agent steps/);
    const bytes = readFileSync(gif);
    expect(bytes.subarray(0, 6).toString()).toBe("GIF89a");
  });

  it("says what is wrong with bad arguments", async () => {
    expect((await run("render", "cheetah-run", "--out", join(dir, "x.bmp"))).err).toMatch(/--out must end in \.png or \.gif/);
    expect((await run("render", "cheetah-run", "--out", join(dir, "x.gif"), "--policy", "hand")).err).toMatch(/no hand-written controller for cheetah-run/);
    expect((await run("render", "cheetah-run", "--out", join(dir, "x.png"), "--camera", "top")).err).toMatch(/no camera named 'top'.*'side', 1 'back'/);
    expect(() => parseSize("12xx")).toThrow(/--size/);
    expect(parseSize("84")).toEqual({ width: 84, height: 84 });
    expect(parseCamera("-1")).toBe(-1);
    expect(parseCamera("side")).toBe("side");
  });
});

describe("tdmpc bench render", () => {
  it("returns one row per task and size, with the multiRay peer", async () => {
    const rows = await benchRender({ tasks: ["pendulum-swingup"], sizes: [16, 24], frames: 3, glFrames: 0 });
    expect(rows.map((r) => [r.task, r.size])).toEqual([
      ["pendulum-swingup", 16],
      ["pendulum-swingup", 24],
    ]);
    for (const r of rows) {
      expect(r.ms).toBeGreaterThan(0);
      expect(r.multiRayMs).toBeGreaterThan(0);
      expect(r.glMs).toBeNull();
      expect(r.share).toBeNull();
    }
  });
});
