/**
 * `tdmpc bench render` (bench.ts).
 */
import type { Command } from "commander";
import { isQuick } from "../../util/quick.js";
import { guarded, textTable } from "../cli.js";
import { listTasks } from "../registry.js";
import { getTask } from "../task.js";
import { benchRender } from "./bench.js";

const positiveInt = (name: string, s: string): number => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got '${s}'`);
  return n;
};

export function register(_program: Command, bench: Command): void {
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
