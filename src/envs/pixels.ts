/**
 * Pixel observations (TD-MPC's `modality: pixels`, after DrQ): each agent step (after the action repeat) renders
 * one RGB frame from the task's camera 0, and the observation is the last `frameStack` frames stacked along the
 * channel axis, uint8 [3·frameStack, H, W], oldest first; `reset` fills the stack with the first frame
 * (dm_control's pixels wrapper + TD-MPC's FrameStackWrapper).
 *
 *   const env = await makeEnv("cheetah-run", { pixels: true, size: 84 });
 *   const { obs, info } = env.reset();   // obs: Uint8Array of 9·84·84; info.state: the state vector
 *
 * Each returned observation is a fresh array (agents keep them); the newest frame is its last 3·H·W bytes.
 */
import type { BoxSpace, Env, EnvState, ResetResult, StepInfo, StepResult } from "./env.js";
import type { Physics } from "./physics.js";
import type { CameraSpec } from "./render/camera.js";
import { SceneRenderer } from "./render/renderer.js";
import type { TaskDefinition } from "./task.js";

export interface PixelOptions {
  /** Frame height and width (default 84, TD-MPC's img_size; TD-MPC2 uses 64). */
  size?: number;
  /** Camera (default 0, as dm_control's pixel tasks use for every domain of ours). */
  camera?: CameraSpec;
  /** Frames per observation (default 3, TD-MPC's frame_stack). */
  frameStack?: number;
  /** Rays per pixel along each axis (default 1). */
  supersample?: number;
}

export class PixelEnv implements Env<Uint8Array> {
  readonly inner: Env;
  readonly observationSpace: BoxSpace;
  readonly renderer: SceneRenderer;
  readonly frameStack: number;
  readonly size: number;
  private readonly stack: Uint8Array;
  private readonly frameBytes: number;
  private state: Float32Array;

  constructor(inner: Env, opts: PixelOptions = {}) {
    const size = opts.size ?? 84;
    const k = opts.frameStack ?? 3;
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`frameStack must be a positive integer, got ${k}`);
    this.inner = inner;
    this.size = size;
    this.frameStack = k;
    this.renderer = new SceneRenderer(inner.physics, { width: size, height: size, camera: opts.camera ?? 0, supersample: opts.supersample });
    this.frameBytes = 3 * size * size;
    this.stack = new Uint8Array(k * this.frameBytes);
    const n = this.stack.length;
    this.observationSpace = { shape: [3 * k, size, size], low: new Float32Array(n), high: new Float32Array(n).fill(255), dtype: "uint8" };
    this.state = new Float32Array(0);
  }

  get task(): TaskDefinition {
    return this.inner.task;
  }
  get actionSpace(): BoxSpace {
    return this.inner.actionSpace;
  }
  get maxEpisodeSteps(): number {
    return this.inner.maxEpisodeSteps;
  }
  get actionRepeat(): number {
    return this.inner.actionRepeat;
  }
  get physics(): Physics {
    return this.inner.physics;
  }
  get closed(): boolean {
    return this.inner.closed;
  }

  reset(seed?: number): ResetResult<Uint8Array> {
    const r = this.inner.reset(seed);
    this.state = r.obs;
    this.fillStack();
    return { obs: this.stack.slice(), info: this.withState(r.info) };
  }

  step(action: ArrayLike<number>): StepResult<Uint8Array> {
    const r = this.inner.step(action);
    this.state = r.obs;
    this.pushFrame();
    return { ...r, obs: this.stack.slice(), info: this.withState(r.info) };
  }

  observe(): Uint8Array {
    return this.stack.slice();
  }

  /** The state observation of the current step (for debugging and for state-vs-pixels comparisons). */
  stateObservation(): Float32Array {
    return this.inner.observe();
  }

  getState(): EnvState {
    return { ...this.inner.getState(), frames: this.stack.slice() };
  }

  /** Restore a state; without saved frames (a state of a non-pixel env) the stack repeats the current frame. */
  setState(s: EnvState): void {
    this.inner.setState(s);
    this.state = this.inner.observe();
    if (s.frames === undefined) this.fillStack();
    else if (s.frames.length !== this.stack.length) throw new RangeError(`setState: ${s.frames.length} bytes of frames, this env stacks ${this.stack.length}`);
    else this.stack.set(s.frames);
  }

  close(): void {
    this.renderer.close();
    this.inner.close();
  }

  private withState(info: StepInfo): StepInfo {
    return { ...info, state: this.state };
  }

  /** Render the current frame into every slot (reset). */
  private fillStack(): void {
    const last = (this.frameStack - 1) * this.frameBytes;
    this.renderer.render(this.stack, "chw", last);
    for (let f = 0; f < this.frameStack - 1; f++) this.stack.copyWithin(f * this.frameBytes, last, last + this.frameBytes);
  }

  /** Drop the oldest frame, render the newest into the last slot. */
  private pushFrame(): void {
    this.stack.copyWithin(0, this.frameBytes);
    this.renderer.render(this.stack, "chw", (this.frameStack - 1) * this.frameBytes);
  }
}
