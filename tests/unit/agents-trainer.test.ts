/**
 * The trainer survives a crash: kill -9 mid-run, `--resume`, and the results equal an uninterrupted run's
 * (every column but wall-clock time); damaged or foreign checkpoints are refused by name.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeConfig } from "../../src/agents/config.js";
import { loadAgent } from "../../src/agents/evaluate.js";
import { runIdentityDiff, train } from "../../src/agents/trainer.js";
import { initBackend } from "../../src/nn/backend.js";
import { truncateFile } from "../../src/nn/io.js";
import { projectRoot } from "../../src/tooling/paths.js";

const root = projectRoot();
const cli = join(root, "bin", "tdmpc.js");
const TINY = ["mlp_dim=16", "enc_dim=16", "latent_dim=8", "batch_size=8", "num_samples=16", "num_elites=4", "iterations=1", "seed_steps=125", "horizon=2", "horizon_schedule=2"];
const args = (runDir: string) => [cli, "train", "--agent", "tdmpc", "--task", "cartpole-swingup", "--steps", "5000", "--seed", "3", "--preset", "official", "--eval-freq", "2000", "--eval-episodes", "1", "--checkpoint-every", "1", "--run-dir", runDir, ...TINY.flatMap((s) => ["--set", s])];
const withoutWall = (csv: string) => csv.trim().split("\n").map((l) => l.split(",").filter((_, i) => i !== 11).join(","));

let dir: string;
beforeAll(async () => {
  await initBackend({ quiet: true });
  dir = mkdtempSync(join(tmpdir(), "tdmpc-trainer-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("run identity", () => {
  it("a config key added after a run started matches at its default, not at another value; a changed key is named", () => {
    const cfg = makeConfig("tdmpc", "laptop") as unknown as Record<string, unknown>;
    const now = { task: "cartpole-swingup", seed: 1, protocol: "tdmpc", steps: 100_000, cfg };
    const { planner: _p, ...older } = cfg; // a run saved before `planner` existed
    expect(runIdentityDiff({ ...now, cfg: older }, now)).toEqual([]);
    expect(runIdentityDiff({ ...now, cfg: older }, { ...now, cfg: { ...cfg, planner: "poplin_a" } })).toEqual(['planner: undefined → "poplin_a"']);
    expect(runIdentityDiff({ ...now, cfg: { ...cfg, horizon: 3 } }, now)).toEqual([`horizon: 3 → ${JSON.stringify(cfg.horizon)}`]);
    expect(runIdentityDiff({ ...now, seed: 2 }, now)).toEqual(["seed: 2 → 1"]);
  });
});

describe("trainer", () => {
  it("kill -9 during training, then --resume: the CSV equals an uninterrupted run's, with no gap and no duplicate", async () => {
    const full = join(dir, "full");
    const r = spawnSync(process.execPath, args(full), { cwd: root, encoding: "utf8", timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    const expected = withoutWall(readFileSync(join(full, "results.csv"), "utf8"));
    expect(expected.filter((l) => l.includes(",train,"))).toHaveLength(5);
    expect(expected.filter((l) => l.includes(",eval,")).map((l) => l.split(",")[5])).toEqual(["0", "2000", "4000", "5000"]);

    const killed = join(dir, "killed");
    const child = spawn(process.execPath, args(killed), { cwd: root, stdio: "ignore" });
    // kill once the third episode's checkpoint exists (mid-run: episodes 4 and 5 are still to come)
    await new Promise<void>((res, rej) => {
      const t0 = Date.now();
      const poll = setInterval(() => {
        const ck = join(killed, "checkpoints");
        if (existsSync(ck) && readdirSync(ck).some((f) => f === "ckpt-0000003")) {
          clearInterval(poll);
          child.kill("SIGKILL");
          res();
        } else if (Date.now() - t0 > 240_000) {
          clearInterval(poll);
          rej(new Error("no checkpoint within 240 s"));
        }
      }, 50);
    });
    await new Promise((res) => child.once("exit", res));
    const partial = withoutWall(readFileSync(join(killed, "results.csv"), "utf8"));
    expect(partial.length).toBeLessThan(expected.length);
    const again = spawnSync(process.execPath, args(killed), { cwd: root, encoding: "utf8", timeout: 300_000 });
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already holds a run: pass --resume/);
    const resumed = spawnSync(process.execPath, [...args(killed), "--resume"], { cwd: root, encoding: "utf8", timeout: 300_000 });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(withoutWall(readFileSync(join(killed, "results.csv"), "utf8"))).toEqual(expected);
  });

  it("a kill among the seed-step updates (TD-MPC: seed_steps of them at once) resumes from a checkpoint taken among them: the CSV equals an uninterrupted run's", async () => {
    // seed_steps 250 = two episodes: after the third, 250 updates in a row, checkpointed every 60
    const cfg = makeConfig("tdmpc", "official", { ...Object.fromEntries(TINY.map((s) => s.split("="))), seed_steps: 250 });
    const run = (runDir: string, more: Partial<Parameters<typeof train>[1]> = {}) =>
      train(cfg, { task: "cartpole-swingup", seed: 3, steps: 4000, evalFreq: 2000, evalEpisodes: 1, runDir, silent: true, checkpointUpdates: 60, ...more });
    const full = join(dir, "pretrain-full");
    await run(full);
    const killed = join(dir, "pretrain-killed");
    const seen: string[] = [];
    await expect(
      run(killed, {
        onCheckpoint: (c) => {
          seen.push(`${c.episodes}:${c.pending?.updates ?? "-"}`);
          if (c.pending?.updates === 130) throw new Error("simulated kill");
        },
      }),
    ).rejects.toThrow(/simulated kill/);
    expect(seen).toEqual(["2:-", "2:190", "2:130"]); // at the evaluation after episode 2, then among the updates after episode 3
    expect(readFileSync(join(killed, "checkpoints", "latest"), "utf8")).toBe("ckpt-0000002-u0000130");
    await run(killed, { resume: true });
    const rows = withoutWall(readFileSync(join(killed, "results.csv"), "utf8"));
    expect(rows).toEqual(withoutWall(readFileSync(join(full, "results.csv"), "utf8")));
    expect(rows.filter((l) => l.includes(",train,"))).toHaveLength(4);
  });

  it("refuses a corrupt, truncated or foreign checkpoint with a message that names the problem", async () => {
    const runDir = join(dir, "small");
    const cfg = makeConfig("tdmpc", "official", Object.fromEntries(TINY.map((s) => s.split("="))));
    await train(cfg, { task: "cartpole-swingup", seed: 1, steps: 2000, evalFreq: 2000, evalEpisodes: 1, runDir, silent: true });
    const { agent } = await loadAgent(runDir);
    agent.dispose();
    // another config in the same run directory
    const other = makeConfig("tdmpc", "official", { ...Object.fromEntries(TINY.map((s) => s.split("="))), mlp_dim: 32 });
    await expect(train(other, { task: "cartpole-swingup", seed: 1, steps: 2000, runDir, resume: true, silent: true })).rejects.toThrow(/describes another run/);
    const ckpt = join(runDir, "checkpoints", readFileSync(join(runDir, "checkpoints", "latest"), "utf8"));
    // a flipped byte in the weights
    const bin = readFileSync(join(ckpt, "model.bin"));
    bin[100] = bin[100]! ^ 0xff;
    writeFileSync(join(ckpt, "model.bin"), bin);
    await expect(loadAgent(runDir)).rejects.toThrow(/model\.bin: checksum .* \(corrupt file\)/);
    // a truncated replay file
    bin[100] = bin[100]! ^ 0xff;
    writeFileSync(join(ckpt, "model.bin"), bin);
    truncateFile(join(ckpt, "replay.bin"), 64);
    await expect(loadAgent(runDir)).rejects.toThrow(/replay\.bin: array "\w+" runs past the end of the file .*truncated/);
    // a state file that is not one
    writeFileSync(join(ckpt, "state.json"), "null");
    await expect(loadAgent(runDir)).rejects.toThrow(/state\.json: is not a run state/);
  });
});
