/**
 * The peer of the CPU renderer: MuJoCo's own OpenGL renderer (`mjr_render`, Debian's libmujoco 2.2.2) on OSMesa
 * (Mesa's software OpenGL, llvmpipe limited to one thread), built from scripts/render_mujoco_gl.c at bench time.
 * It renders a state copied from our simulator (qpos, mocap poses, and the per-episode edits tasks make to geom
 * sizes and colours), from camera 0, so its frames can be compared with ours pixel by pixel and timed.
 * The model gets the suite's skybox texture, which our MJCFs leave out (we draw the same gradient procedurally).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../tooling/paths.js";
import { mjcfForMujoco2 } from "../bench.js";
import type { Physics } from "../physics.js";

export interface MujocoGl {
  exe: string;
  dir: string;
}

/** The suite's common/skybox.xml texture. */
const SKYBOX = '<texture name="skybox" type="skybox" builtin="gradient" rgb1=".4 .6 .8" rgb2="0 0 0" width="800" height="800" mark="random" markrgb="1 1 1"/>';

/** Compile the peer, or say why it cannot run here. */
export function buildMujocoGl(): MujocoGl | { error: string } {
  if (!existsSync("/usr/include/mujoco/mujoco.h")) return { error: "no MuJoCo headers (apt-get install -y libmujoco-dev)" };
  if (!existsSync("/usr/include/GL/osmesa.h")) return { error: "no OSMesa (apt-get install -y libosmesa6-dev)" };
  const dir = mkdtempSync(join(tmpdir(), "tdmpc-render-gl-"));
  const exe = join(dir, "render_mujoco_gl");
  try {
    execFileSync("cc", ["-O2", "-o", exe, join(projectRoot(), "scripts", "render_mujoco_gl.c"), "-lmujoco", "-lOSMesa", "-lm"], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    return { error: `cannot compile scripts/render_mujoco_gl.c: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}` };
  }
  return { exe, dir };
}

export function freeMujocoGl(peer: MujocoGl): void {
  rmSync(peer.dir, { recursive: true, force: true });
}

/**
 * Render the simulator's current state `reps` times at size × size; returns the time per frame (ms, including the
 * read-back) and the last frame (H×W×3, rows top to bottom).
 */
export function renderWithMujocoGl(peer: MujocoGl, physics: Physics, xml: string, size: number, reps: number): { ms: number; rgb: Uint8Array } {
  const model = join(peer.dir, "model.xml");
  const state = join(peer.dir, "state.txt");
  const image = join(peer.dir, "frame.ppm");
  writeFileSync(model, mjcfForMujoco2(xml).replace("<asset>", `<asset>\n    ${SKYBOX}`));
  const m = physics.model;
  const d = physics.data;
  const line = (name: string, v: ArrayLike<number>) => `${name} ${v.length} ${Array.from(v).join(" ")}`;
  const lines = [line("qpos", physics.qpos), line("geom_size", m.geom_size as Float64Array), line("geom_rgba", m.geom_rgba as Float32Array)];
  if (m.nsite > 0) lines.push(line("site_size", m.site_size as Float64Array), line("site_rgba", m.site_rgba as Float32Array));
  if (m.nmocap > 0) lines.push(line("mocap_pos", d.mocap_pos as Float64Array), line("mocap_quat", d.mocap_quat as Float64Array));
  writeFileSync(state, lines.join("\n") + "\n");
  const out = execFileSync(peer.exe, [model, state, String(size), String(size), String(reps), image], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, LP_NUM_THREADS: "1", GALLIUM_DRIVER: "llvmpipe" },
  });
  const ms = Number(/ms_per_frame ([\d.]+)/.exec(out)?.[1]);
  const ppm = readFileSync(image);
  const start = ppm.indexOf("255\n") + 4;
  return { ms, rgb: new Uint8Array(ppm.subarray(start, start + 3 * size * size)) };
}

/** Mean absolute difference of two equal-sized uint8 images, in levels of 255. */
export function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new RangeError(`images differ in size (${a.length} vs ${b.length} bytes)`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}
