/**
 * Recording an episode to animate it: the static geometry of the model (each geom's shape, size, colour, and pose
 * relative to its body) once, then the pose of every body (xpos, xquat) at each recorded step. That is all a
 * viewer needs to redraw the scene; the figure builders live in src/viz/animation.ts. (Not to be confused with the
 * replay store of src/replay/, which keeps transitions for learning.)
 */
import { policyAgent, runEpisode, type Agent } from "./agent.js";
import type { Env } from "./env.js";
import type { Physics } from "./physics.js";
import { emptyLook, materialTables, resolveLook } from "./render/material.js";

export type GeomShape = "plane" | "sphere" | "capsule" | "ellipsoid" | "cylinder" | "box" | "other";

export interface GeomInfo {
  name: string;
  /** Index of the body the geom is attached to (0: the world). */
  body: number;
  shape: GeomShape;
  /** MuJoCo's geom_size (meaning depends on the shape: radius, half-length, half-sizes). */
  size: [number, number, number];
  /** Pose in the body frame. */
  pos: [number, number, number];
  quat: [number, number, number, number];
  rgba: [number, number, number, number];
}

export interface RecordingFrame {
  time: number;
  /** Reward of the (agent) step that led here (undefined for the initial frame). */
  reward?: number;
  /** Return accumulated up to this frame (over every step, recorded or not). */
  ret: number;
  /** nbody × 3 world positions. */
  xpos: Float32Array;
  /** nbody × 4 world orientations (w, x, y, z). */
  xquat: Float32Array;
}

export interface Recording {
  task: string;
  plane?: "xz" | "xy";
  bodies: string[];
  geoms: GeomInfo[];
  frames: RecordingFrame[];
}

const SHAPES: Record<number, GeomShape> = { 0: "plane", 2: "sphere", 3: "capsule", 4: "ellipsoid", 5: "cylinder", 6: "box" };

/** The static geometry of a model (geoms of visual groups 0–2, as MuJoCo's viewer shows by default). */
export function geomInfo(p: Physics): GeomInfo[] {
  const m = p.model;
  const out: GeomInfo[] = [];
  const size = m.geom_size as Float64Array;
  const pos = m.geom_pos as Float64Array;
  const quat = m.geom_quat as Float64Array;
  const rgba = m.geom_rgba as Float32Array;
  const matid = m.geom_matid as Int32Array;
  const mats = materialTables(m);
  const look = emptyLook();
  const group = m.geom_group as Int32Array;
  const type = m.geom_type as Int32Array;
  const bodyid = m.geom_bodyid as Int32Array;
  for (let g = 0; g < m.ngeom; g++) {
    if (group[g]! > 2) continue;
    const c = resolveLook(mats, matid[g]!, rgba, g, look); // MuJoCo's rule: an explicit rgba beats the material's
    out.push({
      name: p.name("geom", g),
      body: bodyid[g]!,
      shape: SHAPES[type[g]!] ?? "other",
      size: [size[3 * g]!, size[3 * g + 1]!, size[3 * g + 2]!],
      pos: [pos[3 * g]!, pos[3 * g + 1]!, pos[3 * g + 2]!],
      quat: [quat[4 * g]!, quat[4 * g + 1]!, quat[4 * g + 2]!, quat[4 * g + 3]!],
      rgba: [c.r, c.g, c.b, c.a],
    });
  }
  return out;
}

/** Collects frames from a simulator: call `capture()` after reset and after each step. */
export class EpisodeRecorder {
  readonly recording: Recording;
  private readonly physics: Physics;

  constructor(physics: Physics, task: string, plane?: "xz" | "xy") {
    this.physics = physics;
    const bodies: string[] = [];
    for (let b = 0; b < physics.model.nbody; b++) bodies.push(physics.name("body", b) || (b === 0 ? "world" : `body${b}`));
    this.recording = { task, plane, bodies, geoms: geomInfo(physics), frames: [] };
  }

  capture(reward?: number, ret = 0): void {
    const p = this.physics;
    // Geom sizes may be set per task at reset (reacher's target): refresh them from the model.
    if (this.recording.frames.length === 0) this.recording.geoms = geomInfo(p);
    this.recording.frames.push({ time: p.time, reward, ret, xpos: Float32Array.from(p.xpos), xquat: Float32Array.from(p.xquat) });
  }
}

/**
 * Play one episode of `agent` (or of a policy of the observation and the step t) on `env` through `runEpisode`, and
 * record it: the initial state, every `every`-th agent step (default: all of them) and the last one.
 * Returns the recording, the episode return and the rewards of every step.
 */
export async function recordEpisode(
  env: Env,
  agent: Agent | ((obs: Float32Array, t: number) => ArrayLike<number>),
  opts: { seed?: number; maxSteps?: number; every?: number } = {},
): Promise<{ recording: Recording; ret: number; rewards: number[] }> {
  const every = opts.every ?? 1;
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`every must be a positive integer, got ${every}`);
  const rec = new EpisodeRecorder(env.physics, env.task.name, env.task.plane);
  const ep = await runEpisode(env, typeof agent === "function" ? policyAgent("policy", agent) : agent, {
    seed: opts.seed,
    maxSteps: opts.maxSteps,
    keep: false,
    onReset: () => rec.capture(),
    onStep: ({ step, reward, totalReturn }) => {
      if (step % every === 0) rec.capture(reward, totalReturn);
    },
  });
  // the last step, unless it fell on the grid
  if (ep.steps % every !== 0) rec.capture(ep.rewards.at(-1), ep.totalReturn);
  return { recording: rec.recording, ret: ep.totalReturn, rewards: ep.rewards };
}
