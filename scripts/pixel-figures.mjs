// The figures of docs/pixels.md, from the built library (npm run build first):
//   node scripts/pixel-figures.mjs
// figures/pixels-tasks.png: camera 0 of every task at 84×84 (what a pixel agent sees), after 20 random agent steps
// from seed 0, 2× enlarged. figures/pixels-vs-mujoco-gl.png (needs libmujoco-dev and libosmesa6-dev): per domain,
// MuJoCo's own OpenGL renderer (left) and ours (right) at 96×96 on the same state, with the mean |Δ| printed.
import { writeFileSync } from "node:fs";
import { readMjcf } from "../dist/envs/env.js";
import { listTasks, makeEnv } from "../dist/envs/registry.js";
import { buildMujocoGl, freeMujocoGl, meanAbsDiff, renderWithMujocoGl } from "../dist/envs/render/mujoco-gl.js";
import { SceneRenderer } from "../dist/envs/render/renderer.js";
import { Rng } from "../dist/util/random.js";
import { encodePng, tile, upscale } from "../dist/viz/image.js";

async function stateAfter(task, steps) {
  const env = await makeEnv(task, { seed: 0 });
  env.reset(0);
  const rng = new Rng(1);
  for (let t = 0; t < steps; t++) env.step(Array.from({ length: env.actionSpace.shape[0] }, () => rng.uniform(-1, 1)));
  return env;
}

const frames = [];
for (const task of listTasks()) {
  const env = await stateAfter(task, 20);
  frames.push({ width: 84, height: 84, rgb: new SceneRenderer(env.physics, { width: 84, height: 84, camera: 0 }).render() });
  env.close();
}
writeFileSync("figures/pixels-tasks.png", encodePng(upscale(tile(frames, 7), 2)));
console.log("figures/pixels-tasks.png:", listTasks().join(", "));

const gl = buildMujocoGl();
if ("error" in gl) {
  console.log(`figures/pixels-vs-mujoco-gl.png skipped: ${gl.error}`);
} else {
  const pairs = [];
  for (const task of ["acrobot-swingup", "cartpole-swingup", "cheetah-run", "finger-spin", "hopper-stand", "pendulum-swingup", "point_mass-easy", "reacher-easy", "walker-walk"]) {
    const env = await stateAfter(task, 20);
    const theirs = renderWithMujocoGl(gl, env.physics, readMjcf(env.task.mjcf), 96, 1).rgb;
    const ours = new SceneRenderer(env.physics, { width: 96, height: 96, camera: 0, supersample: 4 }).render();
    console.log(`${task}: mean |Δ| ${meanAbsDiff(theirs, ours).toFixed(2)} levels of 255`);
    pairs.push({ width: 96, height: 96, rgb: theirs }, { width: 96, height: 96, rgb: ours });
    env.close();
  }
  freeMujocoGl(gl);
  writeFileSync("figures/pixels-vs-mujoco-gl.png", encodePng(tile(pairs, 6, 3)));
  console.log("figures/pixels-vs-mujoco-gl.png: pairs (MuJoCo GL, ours), 3 per row");
}
