/**
 * `tdmpc render TASK --out file.png|file.gif`: look at a task. A PNG is one frame after `--steps` agent steps
 * (default 0: the initial state); a GIF is an episode of `--steps` agent steps (default 200) played by a uniform
 * random policy or the task's hand-written controller (`--policy hand`, at action repeat 1 as it was tuned).
 */
import type { Command } from "commander";
import { writeFileSync } from "node:fs";
import { extname } from "node:path";
import { guarded } from "../envs/cli.js";
import { HAND_CONTROLLERS } from "../controllers/feedback.js";
import { makeEnv } from "../envs/registry.js";
import type { CameraSpec } from "../envs/render/camera.js";
import { getTask } from "../envs/task.js";
import { Rng } from "../util/random.js";
import { encodeGif, episodeFrames } from "./gif.js";
import { encodePng } from "./image.js";

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

export function register(program: Command): void {
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
