/**
 * `tdmpc eval --checkpoint PATH`: a run directory and one checkpoint inside it evaluate the same agent with the same
 * RNG states (every task of a multi-task one), an export reproducibly; a path that is none of the three is refused
 * by name.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeConfig } from "../../src/agents/config.js";
import { evaluateCheckpoint, exportAgent, resolveCheckpoint } from "../../src/agents/evaluate.js";
import { train } from "../../src/agents/trainer.js";
import { initBackend } from "../../src/nn/backend.js";
import { projectRoot } from "../../src/tooling/paths.js";

const root = projectRoot();
const TASKS = ["cartpole-swingup", "pendulum-swingup"];
let dir: string;
beforeAll(async () => {
  await initBackend({ quiet: true });
  dir = mkdtempSync(join(tmpdir(), "tdmpc-eval-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("tdmpc eval", () => {
  it("a run directory and its checkpoint give the same returns on every task, its export the same from the command; other paths are named", async () => {
    const runDir = join(dir, "mt");
    const cfg = makeConfig("tdmpc2", "official", { mlp_dim: 16, enc_dim: 16, latent_dim: 8, num_bins: 11, batch_size: 8, num_samples: 16, num_elites: 4, iterations: 1, horizon: 2, num_pi_trajs: 4, seed_steps: 200 });
    // two tasks, one 500-step episode each under TD-MPC2's protocol (action repeat 2): 2,000 env steps
    await train(cfg, { task: TASKS, seed: 2, steps: 2000, evalFreq: 2000, evalEpisodes: 1, runDir, silent: true });
    const opts = { episodes: 1, seed: 5 };
    const fromRun = await evaluateCheckpoint(runDir, opts);
    expect(fromRun.map((r) => [r.task, r.envSteps, r.returns.length])).toEqual(TASKS.map((t) => [t, 2000, 1]));
    expect(fromRun.every((r) => Number.isFinite(r.mean) && r.mean >= 0)).toBe(true);
    const ckpt = join(runDir, "checkpoints", readFileSync(join(runDir, "checkpoints", "latest"), "utf8").trim());
    expect(resolveCheckpoint(ckpt)).toEqual({ kind: "run", runDir, checkpoint: ckpt });
    expect(await evaluateCheckpoint(ckpt, opts)).toEqual(fromRun);
    const exported = join(dir, "exported");
    await exportAgent(runDir, exported);
    expect(resolveCheckpoint(exported)).toEqual({ kind: "exported", dir: exported });
    // an export holds the weights, not the run's RNG states: its planner samples differently, reproducibly
    const fromExport = await evaluateCheckpoint(exported, opts);
    expect(fromExport.map((r) => [r.task, r.envSteps])).toEqual(TASKS.map((t) => [t, 2000]));
    // the episodes differ between tasks, so the agent did switch tasks (and an evaluation seed changes them)
    expect(fromRun[0]!.returns).not.toEqual(fromRun[1]!.returns);
    expect(() => resolveCheckpoint(join(dir, "nope"))).toThrow(/nope: does not exist/);
    expect(() => resolveCheckpoint(join(runDir, "checkpoints"))).toThrow(/is neither a run directory \(config\.json\), one of its checkpoints/);

    // the command: one line per task; neither --checkpoint nor --run-dir is refused
    const cli = (args: string[]) => spawnSync(process.execPath, [join(root, "bin", "tdmpc.js"), "eval", ...args], { cwd: root, encoding: "utf8", timeout: 120_000 });
    const ok = cli(["--checkpoint", exported, "--episodes", "1", "--seed", "5", "--json"]);
    expect(ok.status, ok.stderr).toBe(0);
    const lines = ok.stdout.trim().split("\n").map((l) => JSON.parse(l) as { task: string; returns: number[] });
    expect(lines.map((l) => [l.task, l.returns])).toEqual(fromExport.map((r) => [r.task, r.returns]));
    const none = cli(["--episodes", "1"]);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/give the agent to evaluate as --checkpoint PATH/);
  });
});
