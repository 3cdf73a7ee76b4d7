/**
 * `tdmpc bench render`: milliseconds per rendered frame per task and size on one core, against two peers run in the
 * same call on the same states:
 *  - MuJoCo's own `mj_multiRay` casting the same grid of rays from the same camera (depth and geom id only: no
 *    colour, no lighting, so a lower bound on what a renderer built on it would cost);
 *  - MuJoCo's own OpenGL renderer (libmujoco 2.2.2 on OSMesa, one llvmpipe thread; mujoco-gl.ts), which also gives
 *    the fidelity: mean |Δ| per channel between its frame (4× MSAA) and ours (4×4 rays per pixel) of one state.
 *
 * States: a uniform-random policy at the task's action repeat; one frame per agent step (what a pixel agent
 * renders), the env step itself untimed. With the agent's measured time per training step (`stepMs`), the share
 * of that step spent rendering is ms/frame ÷ stepMs.
 */
import { Rng } from "../../util/random.js";
import { makeEnv } from "../registry.js";
import type { Env } from "../env.js";
import { cameraPose, resolveCamera } from "./camera.js";
import { buildMujocoGl, freeMujocoGl, meanAbsDiff, renderWithMujocoGl, type MujocoGl } from "./mujoco-gl.js";
import { readMjcf } from "../env.js";
import { SceneRenderer } from "./renderer.js";

export interface RenderBenchRow {
  task: string;
  size: number;
  /** Our renderer: mean wall-clock ms per frame and the process's CPU ms per frame (user + system). */
  ms: number;
  cpuMs: number;
  framesPerSec: number;
  /** mj_multiRay over the same W×H rays: mean wall-clock ms per frame. */
  multiRayMs: number;
  /** ms ÷ stepMs when a step time was given, else null. */
  share: number | null;
  /** MuJoCo's OpenGL renderer on OSMesa: ms per frame, and mean |Δ| (levels of 255) from ours; null without it. */
  glMs: number | null;
  glDiff: number | null;
}

export interface RenderBenchOptions {
  tasks: string[];
  sizes: number[];
  /** Timed frames per task and size (after 50 warm-up frames). */
  frames: number;
  /** The agent's time per training step in ms, if measured (for the share). */
  stepMs?: number;
  /** Frames timed with MuJoCo's OpenGL renderer (0: skip that peer). */
  glFrames: number;
  log?: (s: string) => void;
  /** Called once with the reason when the OpenGL peer cannot run. */
  note?: (s: string) => void;
}

/** Step `env` with uniform-random actions, resetting at the end of an episode. */
function stepper(env: Env, seed: number): () => void {
  const rng = new Rng(seed);
  const a = new Float64Array(env.actionSpace.shape[0]);
  return () => {
    for (let i = 0; i < a.length; i++) a[i] = rng.uniform(-1, 1);
    if (env.step(a).truncated) env.reset();
  };
}

/** Mean wall and CPU ms of `render()` over `frames` states (one env step between frames, untimed). */
function timeFrames(step: () => void, render: () => void, frames: number): { ms: number; cpuMs: number } {
  for (let f = 0; f < 50; f++) {
    step();
    render();
  }
  let wall = 0;
  let cpu = 0;
  for (let f = 0; f < frames; f++) {
    step();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    render();
    wall += performance.now() - t0;
    const c = process.cpuUsage(c0);
    cpu += (c.user + c.system) / 1000;
  }
  return { ms: wall / frames, cpuMs: cpu / frames };
}

/** The peer: one `mj_multiRay` call per frame casting our renderer's rays (camera 0, size × size). */
function multiRayFrame(env: Env, size: number): { render: () => void; free: () => void } {
  const p = env.physics;
  const { mj, model } = p;
  const n = size * size;
  const vec = new mj.DoubleBuffer(3 * n);
  const geomid = new mj.IntBuffer(n);
  const dist = new mj.DoubleBuffer(n);
  const cam = resolveCamera(p, 0);
  const pos = new Float64Array(3);
  const rot = new Float64Array(9);
  return {
    render() {
      const fovy = cameraPose(p, cam, pos, rot);
      const ty = Math.tan((fovy * Math.PI) / 360);
      const v = vec.GetView() as Float64Array;
      for (let j = 0, k = 0; j < size; j++) {
        const y = (1 - (2 * (j + 0.5)) / size) * ty;
        for (let i = 0; i < size; i++, k++) {
          const x = ((2 * (i + 0.5)) / size - 1) * ty;
          for (let c = 0; c < 3; c++) v[3 * k + c] = rot[3 * c] * x + rot[3 * c + 1] * y - rot[3 * c + 2];
        }
      }
      // the typed view is passed as is (the binding's type says number[]; a view avoids copying 3·W·H numbers)
      mj.mj_multiRay(model, p.data, [pos[0], pos[1], pos[2]], v as unknown as number[], [1, 1, 1, 0, 0, 0], true, -1, geomid.GetView(), dist.GetView(), null, n, 1e9);
    },
    free() {
      vec.delete();
      geomid.delete();
      dist.delete();
    },
  };
}

export async function benchRender(o: RenderBenchOptions): Promise<RenderBenchRow[]> {
  const rows: RenderBenchRow[] = [];
  let gl: MujocoGl | null = null;
  if (o.glFrames > 0) {
    const built = buildMujocoGl();
    if ("error" in built) o.note?.(`MuJoCo OpenGL peer skipped: ${built.error}`);
    else gl = built;
  }
  try {
    for (const task of o.tasks) {
      for (const size of o.sizes) {
        const env = await makeEnv(task, { seed: 0 });
        try {
          env.reset(0);
          const renderer = new SceneRenderer(env.physics, { width: size, height: size, camera: 0 });
          const ours = timeFrames(stepper(env, 1), () => renderer.render(), o.frames);
          const row: RenderBenchRow = { task, size, ms: ours.ms, cpuMs: ours.cpuMs, framesPerSec: 1000 / ours.ms, multiRayMs: NaN, share: o.stepMs ? ours.ms / o.stepMs : null, glMs: null, glDiff: null };
          if (gl) {
            const r = renderWithMujocoGl(gl, env.physics, readMjcf(env.task.mjcf), size, o.glFrames);
            row.glMs = r.ms;
            row.glDiff = meanAbsDiff(r.rgb, new SceneRenderer(env.physics, { width: size, height: size, camera: 0, supersample: 4 }).render());
          }
          env.reset(0);
          const peer = multiRayFrame(env, size);
          try {
            row.multiRayMs = timeFrames(stepper(env, 1), peer.render, o.frames).ms;
          } finally {
            peer.free();
          }
          rows.push(row);
          o.log?.(`${task} ${size}×${size}: ${row.ms.toFixed(3)} ms/frame (multiRay ${row.multiRayMs.toFixed(3)} ms, MuJoCo GL ${row.glMs?.toFixed(1) ?? "-"} ms, |Δ| ${row.glDiff?.toFixed(2) ?? "-"})`);
        } finally {
          env.close();
        }
      }
    }
  } finally {
    if (gl) freeMujocoGl(gl);
  }
  return rows;
}
