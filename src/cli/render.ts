/**
 * `tdmpc render TASK --out file.png|file.gif`: look at a task. A PNG is one frame after `--steps` agent steps
 * (default 0: the initial state); a GIF is an episode of `--steps` agent steps (default 200) played by a uniform
 * random policy or the task's hand-written controller (`--policy hand`, at action repeat 1 as it was tuned).
 * `tdmpc bench render`: the CPU renderer's speed (envs/render/bench.ts).
 */
import type { Command } from "commander";
import { writeFileSync } from "node:fs";
import { extname } from "node:path";
import { HAND_CONTROLLERS } from "../controllers/feedback.js";
import { listTasks, makeEnv } from "../envs/registry.js";
import { benchRender } from "../envs/render/bench.js";
import type { CameraSpec } from "../envs/render/camera.js";
import { getTask } from "../envs/task.js";
import { isQuick } from "../util/quick.js";
import { Rng } from "../util/random.js";
import { textTable } from "../util/table.js";
import { encodeGif, episodeFrames } from "../viz/gif.js";
import { encodePng } from "../viz/image.js";
import { guarded } from "./common.js";

/** "320x240" or "84" (square). */
export function parseSize(s: string): { width: number; height: number } {
  const m = /^(\d+)(?:x(\d+))?$/.exec(s.trim());
  if (!m) throw new Error(`--size must be WIDTHxHEIGHT or one number, got '${s}'`);
  return { width: Number(m[1]), height: Number(m[2] ?? m[1]) };
}

/** A camera index, "free", or a camera name. */
export function parseCamera(s: string): CameraSpec {
  return /^-?\d+$/.test(s) ? Number(s) : s;
}

export function register(program: Command, bench: Command): void {
  registerBench(bench);
  program
    .command("render")
    .description("render a task to a PNG (one frame) or an animated GIF (an episode) with the CPU renderer")
    .argument("<task>", "task name, e.g. cheetah-run (see `tdmpc env list`)")
    .requiredOption("--out <file>", "output file: .png or .gif")
    .option("--size <WxH>", "frame size, e.g. 320x240 or 84", "320x240")
    .option("--camera <id|name|free>", "model camera index or name, or 'free'", "0")
    .option("--steps <n>", "agent steps: before the PNG frame, or the GIF's length")
    .option("--policy <random|hand>", "who acts", "random")
    .option("--seed <n>", "seed of the reset and the random policy", "0")
    .option("--supersample <k>", "rays per pixel along each axis (anti-aliasing)", "2")
    .action(guarded(async (task: string, o: { out: string; size: string; camera: string; steps?: string; policy: string; seed: string; supersample: string }) => {
      getTask(task);
      const ext = extname(o.out).toLowerCase();
      if (ext !== ".png" && ext !== ".gif") throw new Error(`--out must end in .png or .gif, got '${o.out}'`);
      const { width, height } = parseSize(o.size);
      const seed = Number(o.seed);
      const steps = Number(o.steps ?? (ext === ".gif" ? 200 : 0));
      const supersample = Number(o.supersample);
      if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got '${o.seed}'`);
      if (!Number.isInteger(steps) || steps < 0) throw new Error(`--steps must be a non-negative integer, got '${o.steps}'`);
      if (o.policy !== "random" && o.policy !== "hand") throw new Error(`--policy must be random or hand, got '${o.policy}'`);
      const hand = HAND_CONTROLLERS[task];
      if (o.policy === "hand" && !hand) throw new Error(`no hand-written controller for ${task} (there are: ${Object.keys(HAND_CONTROLLERS).join(", ")})`);
      const env = await makeEnv(task, { seed, actionRepeat: o.policy === "hand" ? 1 : undefined });
      try {
        const rng = new Rng(seed + 1);
        const m = env.actionSpace.shape[0];
        const policy = o.policy === "hand" ? hand! : () => Float32Array.from({ length: m }, () => rng.uniform(-1, 1));
        // GIF frames at least 30 ms apart (browsers slow down shorter delays); a PNG keeps only its last frame
        const perStep = env.physics.timestep * env.task.physicsStepsPerControlStep * env.actionRepeat;
        const every = ext === ".gif" ? Math.max(1, Math.ceil(0.03 / perStep - 1e-9)) : Math.max(1, steps);
        const run = await episodeFrames(env, policy, { width, height, camera: parseCamera(o.camera), supersample, steps, seed, every });
        const bytes = ext === ".gif" ? encodeGif(run.frames, { delayMs: 1000 * run.secondsPerFrame }) : encodePng(run.frames[run.frames.length - 1]);
        writeFileSync(o.out, bytes);
        console.log(`${o.out}: ${ext === ".gif" ? `${run.frames.length} frames, ` : ""}${width}×${height}, ${steps} agent steps, return ${run.ret.toFixed(1)}`);
      } finally {
        env.close();
      }
    }));
}

const positiveInt = (name: string, s: string): number => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got '${s}'`);
  return n;
};

function registerBench(bench: Command): void {
  bench
    .command("render")
    .description("ms per frame of the CPU renderer per task at 64×64 and 84×84 (camera 0, one core) vs mj_multiRay's depth-only ray grid")
    .option("--tasks <names>", "comma-separated tasks (default: all)")
    .option("--sizes <list>", "frame sizes (square)", "64,84")
    .option("--frames <n>", "timed frames per task and size", isQuick() ? "100" : "500")
    .option("--gl-frames <n>", "frames timed with MuJoCo's OpenGL renderer on OSMesa (0 = skip; needs libmujoco-dev and libosmesa6-dev)", "20")
    .option("--step-ms <ms>", "the pixel agent's measured time per training step (env step + update), for the share spent rendering")
    .option("--json", "print one JSON array of {task, size, ms, cpuMs, framesPerSec, multiRayMs, share, glMs, glDiff}")
    .action(guarded(async (o: { tasks?: string; sizes: string; frames: string; glFrames: string; stepMs?: string; json?: boolean }) => {
      const tasks = o.tasks ? o.tasks.split(",").map((s) => s.trim()) : listTasks();
      for (const t of tasks) getTask(t); // unknown names fail before any timing
      const sizes = o.sizes.split(",").map((s) => positiveInt("--sizes", s.trim()));
      const stepMs = o.stepMs === undefined ? undefined : Number(o.stepMs);
      if (stepMs !== undefined && !(stepMs > 0)) throw new Error(`--step-ms must be a positive number, got '${o.stepMs}'`);
      const glFrames = o.glFrames === "0" ? 0 : positiveInt("--gl-frames", o.glFrames);
      const notes: string[] = [];
      const rows = await benchRender({ tasks, sizes, frames: positiveInt("--frames", o.frames), glFrames, stepMs, log: (s) => process.stderr.write(s + "\n"), note: (s) => notes.push(s) });
      if (o.json) {
        console.log(JSON.stringify(rows));
        return;
      }
      console.log(
        textTable(
          rows.map((r) => ({
            task: r.task,
            size: `${r.size}×${r.size}`,
            "ms/frame": Number(r.ms.toFixed(3)),
            "CPU ms/frame": Number(r.cpuMs.toFixed(3)),
            "frames/s": Math.round(r.framesPerSec),
            "multiRay ms": Number(r.multiRayMs.toFixed(3)),
            "ours/multiRay": Number((r.ms / r.multiRayMs).toFixed(2)),
            "MuJoCo GL ms": r.glMs === null ? null : Number(r.glMs.toFixed(1)),
            "|Δ| vs GL": r.glDiff === null ? null : Number(r.glDiff.toFixed(2)),
            ...(stepMs ? { "share of step %": Number((100 * r.share!).toFixed(2)) } : {}),
          })),
        ),
      );
      console.log("one core; multiRay = MuJoCo's mj_multiRay over the same rays, depth and geom id only (no colour or lighting);");
      console.log("MuJoCo GL = mjr_render of libmujoco 2.2.2 on OSMesa (llvmpipe, 1 thread), read-back included; |Δ| = its frame vs ours at 4×4 rays/pixel, mean per channel (0-255)");
      for (const n of notes) console.log(n);
      if (!stepMs) console.log("share of a pixel training step: pass --step-ms <the agent's ms per env step + update>");
    }));
}
