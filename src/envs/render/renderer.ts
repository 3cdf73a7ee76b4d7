/**
 * A CPU renderer of MuJoCo scenes for Node (the WebAssembly build has no OpenGL): RGB frames of the model's geoms
 * and sites from any of its cameras, as uint8 arrays.
 *
 *   const r = new SceneRenderer(env.physics, { width: 64, height: 64, camera: 0 });
 *   const rgb = r.render();                     // Uint8Array, H×W×3 (or r.render(buf, "chw", offset))
 *
 * How: analytic ray casting, one ray per pixel (per sub-pixel with `supersample`). Each drawable object is
 * transformed into the camera's frame once per frame; its bounding sphere's exact screen rectangle limits the rays
 * tested against it (a capsule of the cheetah covers a few dozen of 4096 pixels); a z-buffer keeps the nearest
 * hit; a second pass shades each pixel once (lights.ts). Exact silhouettes, no tessellation, no allocation per
 * frame. Measured with `tdmpc bench render` (docs/pixels.md).
 *
 * Drawn: planes (with the material's 2-D texture, e.g. the suite's checker), spheres, capsules, ellipsoids,
 * cylinders, boxes, of geom and site groups 0–2 (MuJoCo's default visibility) with alpha > 0 (alpha < 1 is drawn
 * opaque). Not drawn: meshes and height fields (the model's such geom types are listed in `unsupported`),
 * transparency, shadows, reflections. How close to MuJoCo's own renderer: docs/pixels.md.
 *
 * Memory: the renderer allocates nothing in the wasm heap (it reads the model's and the data's arrays), so there is
 * nothing of MuJoCo's to free; `close()` drops its buffers and makes later calls fail clearly.
 */
import type { Physics } from "../physics.js";
import { cameraPose, resolveCamera, type CameraSpec, type ResolvedCamera } from "./camera.js";
import { LightSet, shadePoint } from "./lights.js";
import { materialTables, resolveLook, type MaterialTables } from "./material.js";
import { GEOM, Primitive } from "./primitive.js";
import { castPrimitive, localNormal } from "./raycast.js";
import { gridCell, planeGridAxis } from "./plane-grid.js";
import { MipTexture, TEXTURE_2D } from "./texture.js";

export interface RenderOptions {
  /** Frame size in pixels (default 64 × 64). */
  width?: number;
  height?: number;
  /** Camera (default: the model's camera 0 when it has one, else the free camera). */
  camera?: CameraSpec;
  /** Rays per pixel along each axis, averaged (anti-aliasing for figures; 1 for training). */
  supersample?: number;
  /** MuJoCo's headlight (default: on when the model's `visual/headlight/active` is). */
  headlight?: boolean;
  /** Background: the suite's skybox gradient by ray elevation (rgb in [0, 1]), or a flat colour. */
  sky?: { top: readonly [number, number, number]; bottom: readonly [number, number, number] };
}

/** The suite's skybox (common/skybox.xml): gradient from rgb1 .4 .6 .8 above to rgb2 0 0 0 below. */
export const SUITE_SKY = { top: [0.4, 0.6, 0.8], bottom: [0, 0, 0] } as const;

export type Layout = "hwc" | "chw";

/** Objects that can be drawn, by (kind, index). */
export interface DrawnObject {
  kind: "geom" | "site";
  id: number;
}

const MAX_GROUP = 2;
const MAX_LIGHTS = 9;
/** Planes with more grid vertices than this are lit per pixel (none of the suite's: the cheetah's has ~1,000). */
const MAX_GRID_VERTICES = 20000;

function checkSize(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1 || v > 4096) throw new RangeError(`${name} must be an integer in [1, 4096], got ${v}`);
  return v;
}

export class SceneRenderer {
  readonly width: number;
  readonly height: number;
  readonly supersample: number;
  /** Geom types the model has that are not drawn (names of MuJoCo types). */
  readonly unsupported: string[] = [];
  private readonly physics: Physics;
  private cam: ResolvedCamera;
  private readonly headlight: boolean;
  private readonly sky: { top: readonly number[]; bottom: readonly number[] };
  // internal resolution (supersampled)
  private readonly wi: number;
  private readonly hi: number;
  private readonly us: Float64Array;
  private readonly vs: Float64Array;
  /** |(u, v, −1)| per internal pixel (distance = depth × this). */
  private readonly rayLength: Float64Array;
  private fovy = NaN;
  private readonly depthBuf: Float32Array;
  private readonly hitBuf: Int16Array;
  private readonly rgb: Float32Array;
  private readonly prims: Primitive[] = [];
  private nprim = 0;
  private readonly lights = new LightSet(MAX_LIGHTS);
  private readonly textures = new Map<number, MipTexture | null>();
  private readonly camPos = new Float64Array(3);
  private readonly camRot = new Float64Array(9);
  private readonly centre = new Float64Array(3);
  private readonly normal = new Float64Array(3);
  private readonly colour = new Float64Array(3);
  private readonly cellX = { index: 0, weight: 0 };
  private readonly cellY = { index: 0, weight: 0 };
  private mats: MaterialTables | undefined;
  private znear = 0;
  private zfar = Infinity;
  private closed = false;

  constructor(physics: Physics, opts: RenderOptions = {}) {
    this.physics = physics;
    this.width = checkSize("width", opts.width ?? 64);
    this.height = checkSize("height", opts.height ?? 64);
    this.supersample = checkSize("supersample", opts.supersample ?? 1);
    this.cam = resolveCamera(physics, opts.camera ?? (physics.model.ncam > 0 ? 0 : -1));
    this.headlight = opts.headlight ?? true;
    this.sky = opts.sky ?? SUITE_SKY;
    this.wi = this.width * this.supersample;
    this.hi = this.height * this.supersample;
    this.us = new Float64Array(this.wi);
    this.vs = new Float64Array(this.hi);
    this.rayLength = new Float64Array(this.wi * this.hi);
    this.depthBuf = new Float32Array(this.wi * this.hi);
    this.hitBuf = new Int16Array(this.wi * this.hi);
    this.rgb = new Float32Array(3 * this.wi * this.hi);
    const names: Record<number, string> = { 1: "hfield", 7: "mesh", 8: "sdf" };
    const types = physics.model.geom_type as Int32Array;
    for (const t of new Set(types)) if (names[t] !== undefined) this.unsupported.push(names[t]);
  }

  /** Switch camera (index, name, −1/"free", or free-camera settings). */
  setCamera(spec: CameraSpec): void {
    this.cam = resolveCamera(this.physics, spec);
  }

  get camera(): ResolvedCamera {
    return this.cam;
  }

  /**
   * Render the current state (positions as of the last step/forward). Writes `width·height·3` bytes into `out` at
   * `offset` (allocated when omitted): "hwc" = rows of RGB pixels (images, PNG), "chw" = three planes R, G, B
   * (TD-MPC's channels-first observations).
   */
  render(out?: Uint8Array, layout: Layout = "hwc", offset = 0): Uint8Array {
    this.assertOpen();
    const n = this.width * this.height;
    const buf = out ?? new Uint8Array(3 * n);
    if (offset < 0 || offset + 3 * n > buf.length) throw new RangeError(`render: output of ${buf.length} bytes cannot hold ${3 * n} bytes at offset ${offset}`);
    this.prepareFrame();
    this.depthBuf.fill(Infinity);
    this.hitBuf.fill(-1);
    for (let p = 0; p < this.nprim; p++) castPrimitive(this.prims[p], p, this.us, this.vs, this.wi, this.depthBuf, this.hitBuf, this.znear, this.zfar);
    this.shade();
    this.resolve(buf, layout, offset);
    return buf;
  }

  /** Depth (distance along the view axis, metres) of the last frame at the internal resolution; Infinity = sky. */
  get depth(): Float32Array {
    return this.depthBuf;
  }

  /** The object seen at internal pixel (i, j) of the last frame (null: sky). */
  objectAt(i: number, j: number): DrawnObject | null {
    const h = this.hitBuf[j * this.wi + i];
    if (h < 0) return null;
    const p = this.prims[h];
    return { kind: p.objKind === 0 ? "geom" : "site", id: p.objId };
  }

  close(): void {
    this.closed = true;
    this.textures.clear();
    this.prims.length = 0;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("this renderer has been closed");
    if (this.physics.deleted) throw new Error("render: the simulator has been deleted (the environment was closed)");
  }

  /** Camera pose, ray table, lights and the frame's primitives. */
  private prepareFrame(): void {
    const m = this.physics.model;
    const d = this.physics.data;
    const fovy = cameraPose(this.physics, this.cam, this.camPos, this.camRot);
    // MuJoCo's clipping planes scale with the model's extent
    this.znear = m.vis.map.znear * m.stat.extent;
    this.zfar = m.vis.map.zfar * m.stat.extent;
    if (fovy !== this.fovy) {
      this.fovy = fovy;
      const ty = Math.tan((fovy * Math.PI) / 360);
      const tx = (ty * this.wi) / this.hi;
      for (let i = 0; i < this.wi; i++) this.us[i] = ((2 * (i + 0.5)) / this.wi - 1) * tx;
      for (let j = 0; j < this.hi; j++) this.vs[j] = (1 - (2 * (j + 0.5)) / this.hi) * ty;
      for (let j = 0, k = 0; j < this.hi; j++) for (let i = 0; i < this.wi; i++, k++) this.rayLength[k] = Math.hypot(this.us[i], this.vs[j], 1);
    }
    this.lights.update(m, d, this.camPos, this.camRot, this.headlight);
    this.mats = materialTables(m);
    this.nprim = 0;
    this.gather(0, m.ngeom, m.geom_type as Int32Array, m.geom_size as Float64Array, m.geom_group as Int32Array, m.geom_matid as Int32Array, m.geom_rgba as Float32Array, this.physics.geomXposAll, this.physics.geomXmatAll);
    if (m.nsite > 0) {
      this.gather(1, m.nsite, m.site_type as Int32Array, m.site_size as Float64Array, m.site_group as Int32Array, m.site_matid as Int32Array, m.site_rgba as Float32Array, d.site_xpos as Float64Array, d.site_xmat as Float64Array);
    }
  }

  private gather(kind: number, count: number, type: Int32Array, size: Float64Array, group: Int32Array, matid: Int32Array, rgba: Float32Array, xpos: Float64Array, xmat: Float64Array): void {
    for (let i = 0; i < count; i++) {
      const t = type[i];
      if (group[i] > MAX_GROUP || (t !== GEOM.plane && (t < GEOM.sphere || t > GEOM.box))) continue;
      if (this.nprim === this.prims.length) this.prims.push(new Primitive());
      const p = this.prims[this.nprim];
      resolveLook(this.mats!, matid[i], rgba, i, p.look);
      if (p.look.a <= 0) continue;
      p.type = t;
      p.objKind = kind;
      p.objId = i;
      p.sx = size[3 * i];
      p.sy = size[3 * i + 1];
      p.sz = size[3 * i + 2];
      p.place(xpos, xmat, i, this.camPos, this.camRot);
      p.texture = t === GEOM.plane && p.look.texId >= 0 ? this.texture(p.look.texId) : null;
      if (p.texture) p.texelsPerMetre = (p.texture.widths[0] * Math.max(p.look.texRepeatU, p.look.texRepeatV)) / 2;
      if (this.screenRect(p)) this.nprim++;
    }
  }

  /** Set the primitive's pixel rectangle from its bounding sphere; false when it is off screen. */
  private screenRect(p: Primitive): boolean {
    const W = this.wi;
    const H = this.hi;
    const znear = this.znear;
    if (p.type === GEOM.plane && p.oz <= 0) return false; // seen from behind
    const r = p.boundingRadius();
    const c = p.centre(this.centre);
    const Z = -c[2];
    p.i0 = 0;
    p.i1 = W - 1;
    p.j0 = 0;
    p.j1 = H - 1;
    if (!Number.isFinite(r) || Z - r <= znear) return Number.isFinite(r) ? Z + r >= znear : true;
    // tangent lines from the eye to the sphere, in the x–z and y–z planes: u = x/Z at the silhouette
    const den = Z * Z - r * r;
    const tx = this.us[W - 1] / (1 - 1 / W); // tan of the half field of view, horizontally
    const ty = this.vs[0] / (1 - 1 / H);
    const sxq = r * Math.sqrt(c[0] * c[0] + den);
    const syq = r * Math.sqrt(c[1] * c[1] + den);
    const uMin = (c[0] * Z - sxq) / den;
    const uMax = (c[0] * Z + sxq) / den;
    const vMin = (c[1] * Z - syq) / den;
    const vMax = (c[1] * Z + syq) / den;
    p.i0 = Math.max(0, Math.ceil(((uMin / tx + 1) * W) / 2 - 0.5));
    p.i1 = Math.min(W - 1, Math.floor(((uMax / tx + 1) * W) / 2 - 0.5));
    p.j0 = Math.max(0, Math.ceil(((1 - vMax / ty) * H) / 2 - 0.5));
    p.j1 = Math.min(H - 1, Math.floor(((1 - vMin / ty) * H) / 2 - 0.5));
    return p.i0 <= p.i1 && p.j0 <= p.j1;
  }

  private texture(id: number): MipTexture | null {
    let t = this.textures.get(id);
    if (t === undefined) {
      const m = this.physics.model;
      t = id >= 0 && id < m.ntex && (m.tex_type as Int32Array)[id] === TEXTURE_2D ? new MipTexture(m, id) : null;
      this.textures.set(id, t);
    }
    return t;
  }

  /**
   * A finite plane's lit colours at the vertices of MuJoCo's plane grid (plane-grid.ts), for Gouraud shading; planes
   * whose grid would exceed MAX_GRID_VERTICES are lit per pixel instead.
   */
  private lightPlaneGrid(p: Primitive): void {
    const key = `${p.sx} ${p.sy} ${p.sz}`;
    if (p.gridKey !== key) {
      p.gridKey = key;
      p.gridX = planeGridAxis(p.sx, p.sz);
      p.gridY = planeGridAxis(p.sy, p.sz);
      const n = p.gridX && p.gridY ? p.gridX.length * p.gridY.length : 0;
      p.vertexRgb = n > 0 && n <= MAX_GRID_VERTICES ? new Float64Array(3 * n) : null;
    }
    const gx = p.gridX;
    const gy = p.gridY;
    const out = p.vertexRgb;
    if (!gx || !gy || !out) return;
    const R = p.rot;
    const c = p.centre(this.centre);
    const col = this.normal;
    const look = p.look;
    for (let j = 0, v = 0; j < gy.length; j++) {
      for (let i = 0; i < gx.length; i++, v++) {
        const x = gx[i];
        const y = gy[j];
        shadePoint(this.lights, c[0] + R[0] * x + R[1] * y, c[1] + R[3] * x + R[4] * y, c[2] + R[6] * x + R[7] * y, R[2], R[5], R[8], look.r, look.g, look.b, look, col);
        out[3 * v] = col[0];
        out[3 * v + 1] = col[1];
        out[3 * v + 2] = col[2];
      }
    }
  }

  /** Colour every internal pixel into `rgb` (linear [0, 1], unclamped above). */
  private shade(): void {
    const W = this.wi;
    const H = this.hi;
    const { us, vs, rayLength, depthBuf, hitBuf, rgb, prims, normal: n } = this;
    for (let q = 0; q < this.nprim; q++) if (prims[q].type === GEOM.plane) this.lightPlaneGrid(prims[q]);
    const cr = this.camRot;
    const [skyT, skyB] = [this.sky.top, this.sky.bottom];
    const pixelAngle = (2 * Math.tan((this.fovy * Math.PI) / 360)) / H;
    const col = this.colour;
    const cx = this.cellX;
    const cy = this.cellY;
    for (let j = 0, k = 0; j < H; j++) {
      const v = vs[j];
      for (let i = 0; i < W; i++, k++) {
        const u = us[i];
        const id = hitBuf[k];
        if (id < 0) {
          // skybox gradient (MuJoCo's builtin: sigmoid-like blend by the ray's elevation)
          const el = (Math.asin((cr[6] * u + cr[7] * v - cr[8]) / rayLength[k]) * 2) / Math.PI;
          let a = 0.5 * (1 + (el / Math.sqrt(1 + el * el)) * Math.SQRT2);
          a = a < 0 ? 0 : a > 1 ? 1 : a;
          rgb[3 * k] = a * skyT[0] + (1 - a) * skyB[0];
          rgb[3 * k + 1] = a * skyT[1] + (1 - a) * skyB[1];
          rgb[3 * k + 2] = a * skyT[2] + (1 - a) * skyB[2];
          continue;
        }
        const p = prims[id];
        const look = p.look;
        const R = p.rot;
        const t = depthBuf[k];
        if (p.type === GEOM.plane) {
          const lx = p.ox + t * (u * p.ax + v * p.bx - p.cx);
          const ly = p.oy + t * (u * p.ay + v * p.by - p.cy);
          let tr = 1;
          let tg = 1;
          let tb = 1;
          const tex = p.texture;
          if (tex !== null) {
            // plane texture coordinates as MuJoCo < 3.12 generates them (texuniform: one texture per 2/texrepeat
            // metres, origin at the plane's centre), what the TD-MPC papers' frames show; 3.12 moved the origin
            // to the plane's corner
            const tu = 0.5 * look.texRepeatU * lx - 0.5;
            const tv = -0.5 * look.texRepeatV * ly - 0.5;
            // pixel footprint on the plane, in texels: picks the mipmap level
            const cos = Math.abs(R[2] * u + R[5] * v - R[8]) / rayLength[k];
            const level = tex.levelFor(((t * rayLength[k] * pixelAngle) / (cos > 0.1 ? cos : 0.1)) * p.texelsPerMetre);
            const o = tex.texel(level, tu, tv);
            const data = tex.levels[level];
            tr = data[o];
            tg = data[o + 1];
            tb = data[o + 2];
          }
          const vc = p.vertexRgb;
          if (vc !== null) {
            // Gouraud: bilinear in the grid cell, then modulated by the texture
            const gx = p.gridX!;
            gridCell(gx, lx, cx);
            gridCell(p.gridY!, ly, cy);
            const nx = gx.length;
            const v00 = 3 * (cy.index * nx + cx.index);
            const v01 = v00 + 3;
            const v10 = v00 + 3 * nx;
            const v11 = v10 + 3;
            const wx = cx.weight;
            const wy = cy.weight;
            const w00 = (1 - wx) * (1 - wy);
            const w01 = wx * (1 - wy);
            const w10 = (1 - wx) * wy;
            const w11 = wx * wy;
            rgb[3 * k] = tr * (w00 * vc[v00] + w01 * vc[v01] + w10 * vc[v10] + w11 * vc[v11]);
            rgb[3 * k + 1] = tg * (w00 * vc[v00 + 1] + w01 * vc[v01 + 1] + w10 * vc[v10 + 1] + w11 * vc[v11 + 1]);
            rgb[3 * k + 2] = tb * (w00 * vc[v00 + 2] + w01 * vc[v01 + 2] + w10 * vc[v10 + 2] + w11 * vc[v11 + 2]);
            continue;
          }
          shadePoint(this.lights, t * u, t * v, -t, R[2], R[5], R[8], look.r, look.g, look.b, look, col);
          rgb[3 * k] = tr * col[0];
          rgb[3 * k + 1] = tg * col[1];
          rgb[3 * k + 2] = tb * col[2];
          continue;
        } else {
          localNormal(p, p.ox + t * (u * p.ax + v * p.bx - p.cx), p.oy + t * (u * p.ay + v * p.by - p.cy), p.oz + t * (u * p.az + v * p.bz - p.cz), n);
          const nx = R[0] * n[0] + R[1] * n[1] + R[2] * n[2];
          const ny = R[3] * n[0] + R[4] * n[1] + R[5] * n[2];
          const nz = R[6] * n[0] + R[7] * n[1] + R[8] * n[2];
          shadePoint(this.lights, t * u, t * v, -t, nx, ny, nz, look.r, look.g, look.b, look, col);
        }
        rgb[3 * k] = col[0];
        rgb[3 * k + 1] = col[1];
        rgb[3 * k + 2] = col[2];
      }
    }
  }

  /** Average each supersample block, clamp to [0, 1], quantise, write in the requested layout. */
  private resolve(out: Uint8Array, layout: Layout, offset: number): void {
    const { width: W, height: H, supersample: s, rgb, wi } = this;
    const plane = W * H;
    const inv = 1 / (s * s);
    for (let j = 0; j < H; j++) {
      for (let i = 0; i < W; i++) {
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          for (let y = 0; y < s; y++) {
            const row = (j * s + y) * wi + i * s;
            for (let x = 0; x < s; x++) {
              const val = rgb[3 * (row + x) + c];
              sum += val > 1 ? 1 : val;
            }
          }
          const q = (sum * inv * 255 + 0.5) | 0;
          out[offset + (layout === "hwc" ? 3 * (j * W + i) + c : c * plane + j * W + i)] = q;
        }
      }
    }
  }
}

