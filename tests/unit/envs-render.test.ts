import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { Physics } from "../../src/envs/physics.js";
import { makeEnv } from "../../src/envs/registry.js";
import { readMjcf } from "../../src/envs/env.js";
import { buildMujocoGl, freeMujocoGl, meanAbsDiff, renderWithMujocoGl } from "../../src/envs/render/mujoco-gl.js";
import { SceneRenderer } from "../../src/envs/render/renderer.js";
import { projectRoot } from "../../src/tooling/paths.js";
import { decodePng, encodePng, observationFrames } from "../../src/viz/image.js";
import { encodeGif } from "../../src/viz/gif.js";

const FIXTURES = join(projectRoot(), "tests", "fixtures");
/** `UPDATE_RENDER_FIXTURES=1 npx vitest run tests/unit/envs-render.test.ts` rewrites the reference images. */
const UPDATE = process.env.UPDATE_RENDER_FIXTURES === "1";

/** A red ball at the origin, a blue box on a slide joint along y, a camera at y = −3 looking along +y. */
const OCCLUSION_XML = `
<mujoco>
  <option><flag contact="disable" gravity="disable"/></option>
  <worldbody>
    <light pos="0 -3 3" dir="0 1 -1" directional="true"/>
    <camera name="front" pos="0 -3 0" xyaxes="1 0 0 0 0 1"/>
    <body name="ball"><geom name="ball" type="sphere" size=".4" rgba="1 0 0 1"/></body>
    <body name="crate"><joint name="slide" type="slide" axis="0 1 0"/><geom name="crate" type="box" size=".1 .1 .1" rgba="0 0 1 1"/></body>
  </worldbody>
</mujoco>`;

/** Mean column and row of the pixels where `pick` is seen (at the renderer's internal resolution). */
function centroid(r: SceneRenderer, pick: (o: ReturnType<SceneRenderer["objectAt"]>) => boolean): { x: number; y: number; n: number } {
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let j = 0; j < r.height; j++) {
    for (let i = 0; i < r.width; i++) {
      if (pick(r.objectAt(i, j))) {
        sx += i;
        sy += j;
        n++;
      }
    }
  }
  return { x: sx / n, y: sy / n, n };
}

describe("SceneRenderer", () => {
  it.each([
    ["cartpole-swingup", { slider: 0.3, hinge_1: 0.6 }],
    ["cheetah-run", { rootz: -0.1, bthigh: 0.4, fthigh: -0.5 }],
  ])("renders a known pose of %s as the committed 64×64 reference images (ours, and MuJoCo's own renderer's)", async (task, pose) => {
    const env = await makeEnv(task);
    try {
      env.reset(0);
      const p = env.physics;
      for (const [joint, q] of Object.entries(pose)) p.qpos[p.jointQposAdr(joint)] = q;
      p.forward();
      const ours = { width: 64, height: 64, rgb: new SceneRenderer(p, { width: 64, height: 64 }).render() };
      const file = join(FIXTURES, `render-${task}-64.png`);
      // MuJoCo's classic OpenGL renderer (4× MSAA) made the second reference: scripts/render_mujoco_gl.c via mujoco-gl.ts
      const glFile = join(FIXTURES, `render-${task}-64-mujoco-gl.png`);
      if (UPDATE) {
        writeFileSync(file, encodePng(ours));
        const gl = buildMujocoGl();
        if ("error" in gl) throw new Error(gl.error);
        writeFileSync(glFile, encodePng({ width: 64, height: 64, rgb: renderWithMujocoGl(gl, p, readMjcf(env.task.mjcf), 64, 1).rgb }));
        freeMujocoGl(gl);
      }
      for (const f of [file, glFile]) expect(existsSync(f), `${f} is missing: run with UPDATE_RENDER_FIXTURES=1`).toBe(true);
      // ours, as committed: equal up to floating-point differences of the maths library
      const ref = decodePng(readFileSync(file));
      expect([ref.width, ref.height]).toEqual([64, 64]);
      let far = 0;
      for (let k = 0; k < ref.rgb.length; k++) if (Math.abs(ref.rgb[k]! - ours.rgb[k]!) > 24) far++;
      expect(meanAbsDiff(ref.rgb, ours.rgb)).toBeLessThan(1);
      expect(far).toBeLessThanOrEqual(0.005 * ref.rgb.length);
      // MuJoCo's: same picture up to what we leave out (shadows, the skybox's stars) and anti-aliasing
      const smooth = new SceneRenderer(p, { width: 64, height: 64, supersample: 4 }).render();
      expect(meanAbsDiff(decodePng(readFileSync(glFile)).rgb, smooth)).toBeLessThan(4);
    } finally {
      env.close();
    }
  });

  it("draws the nearer of two geoms (a box in front of a sphere, then behind it)", async () => {
    const p = await Physics.fromXml(OCCLUSION_XML);
    try {
      const r = new SceneRenderer(p, { width: 48, height: 48, camera: "front" });
      const crate = p.id("geom", "crate");
      const ball = p.id("geom", "ball");
      const slide = p.jointQposAdr("slide");
      p.qpos[slide] = -1; // box 1 m nearer the camera than the ball
      p.forward();
      let rgb = r.render();
      const centre = 3 * (24 * 48 + 24);
      expect(r.objectAt(24, 24)).toEqual({ kind: "geom", id: crate });
      expect(r.depth[24 * 48 + 24]).toBeCloseTo(3 - 1 - 0.1, 2);
      expect(rgb[centre + 2]).toBeGreaterThan(2 * rgb[centre]!); // blue
      // the ball still shows around the box
      expect(centroid(r, (o) => o?.id === ball).n).toBeGreaterThan(50);
      p.qpos[slide] = 1; // box behind the ball: hidden entirely
      p.forward();
      rgb = r.render();
      expect(r.objectAt(24, 24)).toEqual({ kind: "geom", id: ball });
      expect(r.depth[24 * 48 + 24]).toBeCloseTo(3 - 0.4, 2);
      expect(rgb[centre]).toBeGreaterThan(2 * rgb[centre + 2]!); // red
      expect(centroid(r, (o) => o?.id === crate).n).toBe(0);
    } finally {
      p.delete();
    }
  });

  it("moves the image when the camera moves: the ball's centroid shifts by the projected amount", async () => {
    const p = await Physics.fromXml(OCCLUSION_XML);
    try {
      p.qpos[p.jointQposAdr("slide")] = 5; // the box out of the way, behind the ball
      p.forward();
      const ball = p.id("geom", "ball");
      const W = 64;
      const view = { distance: 3, azimuth: 90, elevation: 0, fovy: 45 };
      const r = new SceneRenderer(p, { width: W, height: W, camera: { ...view, lookat: [0, 0, 0] } });
      r.render();
      const a = centroid(r, (o) => o?.id === ball);
      expect(a.x).toBeCloseTo((W - 1) / 2, 1);
      expect(a.y).toBeCloseTo((W - 1) / 2, 1);
      // azimuth 90°: the camera's right axis is +x; moving it 0.3 m right moves the ball left on screen
      r.setCamera({ ...view, lookat: [0.3, 0, 0] });
      r.render();
      const b = centroid(r, (o) => o?.id === ball);
      const expected = (0.3 / (3 * Math.tan((22.5 * Math.PI) / 180))) * (W / 2);
      expect(a.x - b.x).toBeCloseTo(expected, 0);
      expect(b.y).toBeCloseTo(a.y, 1);
      // raising the camera (elevation −20°) moves the ball up the image
      r.setCamera({ ...view, lookat: [0, 0, 0], elevation: -20 });
      r.render();
      expect(centroid(r, (o) => o?.id === ball).y).toBeCloseTo(a.y, 0); // it orbits the ball: still centred
    } finally {
      p.delete();
    }
  });

  it("keeps the cheetah in place with the tracking camera while a fixed camera sees it move", async () => {
    const env = await makeEnv("cheetah-run");
    try {
      env.reset(0);
      const p = env.physics;
      const ground = p.id("geom", "ground");
      const body = (o: ReturnType<SceneRenderer["objectAt"]>) => o !== null && o.id !== ground;
      const tracking = new SceneRenderer(p, { width: 64, height: 64, camera: "side" });
      const fixed = new SceneRenderer(p, { width: 64, height: 64, camera: { lookat: [0, 0, 0.5], distance: 4, azimuth: 90, elevation: -10 } });
      tracking.render();
      fixed.render();
      const [t0, f0] = [centroid(tracking, body), centroid(fixed, body)];
      p.qpos[p.jointQposAdr("rootx")] += 0.8;
      p.forward();
      tracking.render();
      fixed.render();
      const [t1, f1] = [centroid(tracking, body), centroid(fixed, body)];
      expect(Math.abs(t1.x - t0.x)).toBeLessThan(0.5);
      expect(Math.abs(t1.y - t0.y)).toBeLessThan(0.5);
      expect(f1.x - f0.x).toBeGreaterThan(5); // the fixed camera sees it run to the right
    } finally {
      env.close();
    }
  });

  it("allocates nothing per frame and fails clearly once closed", async () => {
    const env = await makeEnv("walker-walk");
    const p = env.physics;
    const r = new SceneRenderer(p, { width: 32, height: 32 });
    const out = new Uint8Array(3 * 32 * 32);
    const heap = p.qpos.buffer.byteLength; // any view's buffer is the whole wasm heap
    env.reset(0);
    for (let i = 0; i < 300; i++) {
      env.step([0.1, -0.2, 0.3, 0, 0.5, -0.5]);
      expect(r.render(out)).toBe(out);
    }
    expect(p.qpos.buffer.byteLength).toBe(heap);
    env.close();
    expect(() => r.render()).toThrow(/simulator has been deleted/);
    r.close();
    expect(() => r.render()).toThrow(/closed/);
  });

  it("names the cameras when asked for one the model lacks", async () => {
    const env = await makeEnv("cartpole-swingup");
    try {
      expect(() => new SceneRenderer(env.physics, { camera: "top" })).toThrow(/no camera named 'top'.*0 'fixed', 1 'lookatcart'/);
      expect(() => new SceneRenderer(env.physics, { camera: 5 })).toThrow(/camera 5 does not exist/);
      expect(() => new SceneRenderer(env.physics, { width: 0 })).toThrow(/width/);
    } finally {
      env.close();
    }
  });
});

describe("pixel observations", () => {
  it("stack the last 3 frames as uint8 [9, H, W], render once per agent step after the action repeat, and round-trip", async () => {
    const env = await makeEnv("cartpole-swingup", { pixels: true, size: 32 });
    try {
      const plane = 32 * 32;
      expect(env.observationSpace.shape).toEqual([9, 32, 32]);
      expect(env.observationSpace.dtype).toBe("uint8");
      expect(env.actionRepeat).toBe(8);
      const first = env.reset(3);
      expect(first.obs).toBeInstanceOf(Uint8Array);
      expect(first.obs.length).toBe(9 * plane);
      // reset repeats the first frame
      const f = observationFrames(first.obs, 32);
      expect(f[0]!.rgb).toEqual(f[2]!.rgb);
      expect(f[1]!.rgb).toEqual(f[2]!.rgb);
      expect(first.info.state).toEqual(env.stateObservation());
      const renders = vi.spyOn(env.renderer, "render");
      const r = env.step([1]);
      expect(renders).toHaveBeenCalledTimes(1);
      expect(r.info.step).toBe(8);
      // oldest first: the two older frames shift down, the newest is a render of the current state
      expect(r.obs.subarray(0, 6 * plane)).toEqual(first.obs.subarray(3 * plane));
      const now = new SceneRenderer(env.physics, { width: 32, height: 32, camera: 0 }).render();
      expect(observationFrames(r.obs, 32)[2]!.rgb).toEqual(now);
      expect(r.obs.subarray(6 * plane)).not.toEqual(first.obs.subarray(6 * plane));
      // the state (frames included) restores exactly
      const saved = env.getState();
      const obsAtSave = env.observe();
      env.step([-1]);
      env.step([-1]);
      env.setState(saved);
      expect(env.observe()).toEqual(obsAtSave);
    } finally {
      env.close();
    }
    expect(env.closed).toBe(true);
  });

  it("refuses pixel options without pixels: true", async () => {
    await expect(makeEnv("cartpole-swingup", { size: 64 })).rejects.toThrow(/only apply with pixels: true/);
  });
});

describe("images", () => {
  it("PNG round-trips a frame; a GIF holds every frame", () => {
    const rgb = Uint8Array.from({ length: 3 * 5 * 4 }, (_, i) => (i * 37) % 256);
    const frame = { width: 5, height: 4, rgb };
    expect(decodePng(encodePng(frame))).toEqual(frame);
    const gif = encodeGif([frame, { ...frame, rgb: rgb.map((v) => 255 - v) }, frame], { delayMs: 50 });
    expect(Buffer.from(gif.subarray(0, 6)).toString()).toBe("GIF89a");
    // one graphic-control extension (0x21 0xF9) per frame
    let n = 0;
    for (let i = 0; i + 1 < gif.length; i++) if (gif[i] === 0x21 && gif[i + 1] === 0xf9) n++;
    expect(n).toBe(3);
  });
});
