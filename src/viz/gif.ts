/**
 * Episodes as animated GIFs (gifenc: one 256-colour palette for the whole clip, quantised from a few frames).
 *
 *   const { frames } = await episodeFrames(env, agentOrPolicy, { width: 320, height: 240, steps: 200 });
 *   writeFileSync("run.gif", encodeGif(frames, { delayMs: 40 }));   // or showGif(…) in a notebook
 */
import * as gifencModule from "gifenc";
import { policyAgent, runEpisode, type Agent } from "../envs/agent.js";
import type { Env } from "../envs/env.js";
import type { CameraSpec } from "../envs/render/camera.js";
import { SceneRenderer } from "../envs/render/renderer.js";
import { toRgba, upscale, type Frame } from "./image.js";
import { tslabDisplay } from "./plotly.js";

// gifenc is CommonJS: Node puts its exports under `default`, bundlers (vitest) expose them by name.
type Gifenc = typeof gifencModule.default;
const ns = gifencModule as unknown as Partial<Gifenc> & { default: Gifenc };
const gifenc: Gifenc = typeof ns.quantize === "function" ? (ns as Gifenc) : ns.default;

export interface EpisodeFramesOptions {
  width?: number;
  height?: number;
  camera?: CameraSpec;
  /** Rays per pixel along each axis (default 2: smoother edges for viewing). */
  supersample?: number;
  /** Agent steps to play (default: the whole episode). */
  steps?: number;
  /** Keep every n-th frame (default 1). */
  every?: number;
  /** Seed of the reset. */
  seed?: number;
}

/**
 * Play `policy` on `env` from a reset and render a frame after the reset and after each kept agent step.
 * Returns the frames, the return and the time one frame spans in seconds (for a real-time GIF).
 */
export async function episodeFrames(
  env: Env,
  agent: Agent | ((obs: Float32Array, t: number) => ArrayLike<number>),
  opts: EpisodeFramesOptions = {},
): Promise<{ frames: Frame[]; ret: number; secondsPerFrame: number }> {
  const width = opts.width ?? 320;
  const height = opts.height ?? 240;
  const every = opts.every ?? 1;
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`every must be a positive integer, got ${every}`);
  const renderer = new SceneRenderer(env.physics, { width, height, camera: opts.camera, supersample: opts.supersample ?? 2 });
  const frames: Frame[] = [];
  const snap = () => frames.push({ width, height, rgb: renderer.render() });
  try {
    const player = typeof agent === "function" ? policyAgent("policy", agent) : agent;
    const steps = Math.min(opts.steps ?? env.maxEpisodeSteps, env.maxEpisodeSteps);
    const ep = await runEpisode(env, player, { seed: opts.seed, maxSteps: steps, keep: false, onReset: snap, onStep: ({ step }) => step % every === 0 && snap() });
    const controlStep = env.physics.timestep * env.task.physicsStepsPerControlStep;
    return { frames, ret: ep.totalReturn, secondsPerFrame: controlStep * env.actionRepeat * every };
  } finally {
    renderer.close();
  }
}

/**
 * An animated GIF that loops forever. `delayMs` per frame is rounded to GIF's 10 ms units and kept ≥ 20 ms
 * (browsers show shorter delays as 100 ms); `scale` upscales each frame (nearest neighbour).
 */
export function encodeGif(frames: Frame[], opts: { delayMs?: number; scale?: number } = {}): Uint8Array {
  if (frames.length === 0) throw new RangeError("encodeGif: no frames");
  const scale = opts.scale ?? 1;
  const delay = Math.max(20, Math.round((opts.delayMs ?? 40) / 10) * 10);
  const big = frames.map((f) => upscale(f, scale));
  const { width, height } = big[0];
  if (big.some((f) => f.width !== width || f.height !== height)) throw new RangeError("encodeGif: frames differ in size");
  const rgba = big.map(toRgba);
  // one palette for the clip (no flicker between frames), from up to 8 frames spread over it
  const picks = Array.from({ length: Math.min(8, rgba.length) }, (_, i) => rgba[Math.floor((i * (rgba.length - 1)) / Math.max(1, Math.min(8, rgba.length) - 1))]);
  const sample = new Uint8Array(picks.reduce((s, p) => s + p.length, 0));
  picks.reduce((o, p) => (sample.set(p, o), o + p.length), 0);
  const palette = gifenc.quantize(sample, 256);
  const gif = gifenc.GIFEncoder();
  rgba.forEach((px, i) => gif.writeFrame(gifenc.applyPalette(px, palette), width, height, i === 0 ? { palette, delay, repeat: 0 } : { delay }));
  gif.finish();
  return gif.bytes();
}

/** Show a GIF inline in a tslab notebook (outside one: a note on stdout). */
export function showGif(bytes: Uint8Array): void {
  const t = tslabDisplay();
  if (t) t.display.gif(bytes);
  else console.log(`[animated GIF, ${bytes.length} bytes]`);
}
