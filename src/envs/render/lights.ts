/**
 * Lighting as MuJoCo's classic OpenGL renderer does it (fixed-function pipeline, render_gl3.c): the headlight
 * (a directional light along the camera's view, `visual/headlight`) plus the model's lights; per light
 * attenuation·spot·(ambient + diffuse·max(n·L, 0) + specular·max(n·H, 0)^(128·shininess)), spot lights with their
 * cutoff, exponent and attenuation; colour material (ambient = diffuse = the object's rgba); a global ambient of
 * 0.3 only when no light is on. MuJoCo draws the scene once with the lights that cast no shadow (the headlight)
 * and once more per shadow-casting light (every model light by default), adding the passes; OpenGL clamps each
 * pass's colour to [0, 1] before a texture multiplies it, so the sum is Σ_pass min(1, pass) (measured against
 * MuJoCo's own renderer: without the clamp a textured floor under the headlight alone comes out 1.2× too bright).
 * Evaluated per pixel here (planes: per vertex, plane-grid.ts), in camera coordinates.
 * Every model light counts as on (`light_active` is an mjtByte array, which the wasm build cannot read).
 * Not drawn: shadows, the floor's reflection, the skybox's stars and haze.
 */
import type { MjData, MjModel } from "../mujoco.js";
import type { Look } from "./material.js";

/** mjtLightType codes. */
const LIGHT_SPOT = 0;
const LIGHT_DIRECTIONAL = 1;

export class LightSet {
  n = 0;
  /** Per light: 1 directional, 0 positional (spot or point). */
  readonly directional: Uint8Array;
  /** Position (positional) in camera coordinates; for a directional light, the unit vector towards it. */
  readonly pos: Float64Array;
  /** Spot direction (unit, the way the light shines), camera coordinates. */
  readonly dir: Float64Array;
  readonly diffuse: Float64Array;
  readonly specular: Float64Array;
  readonly attenuation: Float64Array;
  /** cos(cutoff) (−1: no cone) and the spot exponent. */
  readonly cosCutoff: Float64Array;
  readonly exponent: Float64Array;
  /** Per light: its ambient colour, and 1 when it casts shadows (its own additive pass in MuJoCo's renderer). */
  readonly lightAmbient: Float64Array;
  readonly ownPass: Uint8Array;
  /** The global ambient (0.3 when no light is on, else 0). */
  readonly ambient = new Float64Array(3);

  constructor(readonly capacity: number) {
    this.directional = new Uint8Array(capacity);
    this.pos = new Float64Array(3 * capacity);
    this.dir = new Float64Array(3 * capacity);
    this.diffuse = new Float64Array(3 * capacity);
    this.specular = new Float64Array(3 * capacity);
    this.attenuation = new Float64Array(3 * capacity);
    this.cosCutoff = new Float64Array(capacity);
    this.exponent = new Float64Array(capacity);
    this.lightAmbient = new Float64Array(3 * capacity);
    this.ownPass = new Uint8Array(capacity);
  }

  /**
   * The frame's lights in the coordinates of a camera at `cp` with axes `cr` (row-major, columns = right, up,
   * backward). `headlight`: add MuJoCo's headlight (when the model's `visual/headlight/active` is on).
   */
  update(m: MjModel, d: MjData, cp: Float64Array, cr: Float64Array, headlight: boolean): void {
    this.n = 0;
    this.ambient.fill(0);
    if (headlight && m.vis.headlight.active) {
      const h = m.vis.headlight;
      // directional, shining along the view (−z): the vector towards the light is +z
      this.add(1, [0, 0, 0], [0, 0, -1], h.ambient as Float32Array, 0, h.diffuse as Float32Array, h.specular as Float32Array, [1, 0, 0], 180, 0, 0);
    }
    const type = m.light_type as Int32Array;
    const xpos = d.light_xpos as Float64Array;
    const xdir = d.light_xdir as Float64Array;
    const amb = m.light_ambient as Float32Array;
    const dif = m.light_diffuse as Float32Array;
    const spec = m.light_specular as Float32Array;
    const att = m.light_attenuation as Float32Array;
    const cut = m.light_cutoff as Float32Array;
    const exp = m.light_exponent as Float32Array;
    for (let l = 0; l < m.nlight && this.n < this.capacity; l++) {
      const p = [0, 1, 2].map((i) => xpos[3 * l + i] - cp[i]);
      const dw = [xdir[3 * l], xdir[3 * l + 1], xdir[3 * l + 2]];
      const pc = [0, 1, 2].map((k) => cr[k] * p[0] + cr[3 + k] * p[1] + cr[6 + k] * p[2]);
      const dc = [0, 1, 2].map((k) => cr[k] * dw[0] + cr[3 + k] * dw[1] + cr[6 + k] * dw[2]);
      const directional = type[l] === LIGHT_DIRECTIONAL;
      const spot = type[l] === LIGHT_SPOT;
      // light_castshadow is an mjtByte array the wasm build cannot read: MuJoCo's default (on) is assumed
      this.add(directional ? 1 : 0, pc, dc, amb, 3 * l, dif.subarray(3 * l), spec.subarray(3 * l), att.subarray(3 * l), spot ? cut[l] : 180, spot ? exp[l] : 0, 1);
    }
    if (this.n === 0) this.ambient.fill(0.3);
  }

  private add(
    directional: number,
    pos: ArrayLike<number>,
    dir: ArrayLike<number>,
    ambient: ArrayLike<number>,
    ambientAt: number,
    diffuse: ArrayLike<number>,
    specular: ArrayLike<number>,
    attenuation: ArrayLike<number>,
    cutoffDeg: number,
    exponent: number,
    ownPass: number,
  ): void {
    const n = this.n++;
    this.directional[n] = directional;
    const norm = Math.hypot(dir[0], dir[1], dir[2]) || 1;
    for (let i = 0; i < 3; i++) {
      this.dir[3 * n + i] = dir[i] / norm;
      // a directional light is stored as the unit vector towards it
      this.pos[3 * n + i] = directional ? -dir[i] / norm : pos[i];
      this.lightAmbient[3 * n + i] = ambient[ambientAt + i];
      this.diffuse[3 * n + i] = diffuse[i];
      this.specular[3 * n + i] = specular[i];
      this.attenuation[3 * n + i] = attenuation[i];
    }
    this.cosCutoff[n] = cutoffDeg >= 180 ? -1 : Math.cos((cutoffDeg * Math.PI) / 180);
    this.exponent[n] = exponent;
    this.ownPass[n] = ownPass;
  }
}

/**
 * The lit colour of a surface point p (camera coordinates) with unit normal n and base colour (br, bg, bb) into
 * `out`: the sum over MuJoCo's render passes, each clamped to [0, 1] (a texture multiplies the result afterwards).
 */
export function shadePoint(
  L: LightSet,
  px: number,
  py: number,
  pz: number,
  nx: number,
  ny: number,
  nz: number,
  br: number,
  bg: number,
  bb: number,
  look: Look,
  out: Float64Array,
): void {
  const { directional, pos: lpos, dir: ldir, diffuse, specular: lspec, attenuation, cosCutoff, exponent, lightAmbient, ownPass } = L;
  // unit vector towards the eye (OpenGL's local viewer)
  const il = 1 / Math.sqrt(px * px + py * py + pz * pz);
  const vx = -px * il;
  const vy = -py * il;
  const vz = -pz * il;
  // the first pass: emission, global ambient, lights without shadows; then one pass per shadow-casting light
  let bR = (look.emission + L.ambient[0]) * br;
  let bG = (look.emission + L.ambient[1]) * bg;
  let bB = (look.emission + L.ambient[2]) * bb;
  let sR = 0;
  let sG = 0;
  let sB = 0;
  const shininess = 128 * look.shininess;
  const matSpec = look.specular;
  for (let l = 0; l < L.n; l++) {
    const l3 = 3 * l;
    let lx = lpos[l3];
    let ly = lpos[l3 + 1];
    let lz = lpos[l3 + 2];
    let f = 1;
    if (directional[l] === 0) {
      lx -= px;
      ly -= py;
      lz -= pz;
      const dist = Math.sqrt(lx * lx + ly * ly + lz * lz);
      lx /= dist;
      ly /= dist;
      lz /= dist;
      const spot = -(lx * ldir[l3] + ly * ldir[l3 + 1] + lz * ldir[l3 + 2]);
      if (spot < cosCutoff[l]) continue;
      if (exponent[l] > 0) f = powPositive(spot, exponent[l]);
      f /= attenuation[l3] + dist * (attenuation[l3 + 1] + dist * attenuation[l3 + 2]);
    }
    let cR = lightAmbient[l3] * br;
    let cG = lightAmbient[l3 + 1] * bg;
    let cB = lightAmbient[l3 + 2] * bb;
    const ndl = nx * lx + ny * ly + nz * lz;
    if (ndl > 0) {
      cR += ndl * diffuse[l3] * br;
      cG += ndl * diffuse[l3 + 1] * bg;
      cB += ndl * diffuse[l3 + 2] * bb;
      if (matSpec > 0) {
        const hx = lx + vx;
        const hy = ly + vy;
        const hz = lz + vz;
        const ndh = (nx * hx + ny * hy + nz * hz) / Math.sqrt(hx * hx + hy * hy + hz * hz);
        // below 0.9 a highlight with exponent ≥ 64 adds less than 1/255: skip the pow
        if (ndh > 0.9 || (ndh > 0 && shininess < 64)) {
          const sp = matSpec * powPositive(ndh, shininess);
          cR += sp * lspec[l3];
          cG += sp * lspec[l3 + 1];
          cB += sp * lspec[l3 + 2];
        }
      }
    }
    if (ownPass[l]) {
      sR += Math.min(1, f * cR);
      sG += Math.min(1, f * cG);
      sB += Math.min(1, f * cB);
    } else {
      bR += f * cR;
      bG += f * cG;
      bB += f * cB;
    }
  }
  out[0] = sR + Math.min(1, bR);
  out[1] = sG + Math.min(1, bG);
  out[2] = sB + Math.min(1, bB);
}

/** x^e for x ≥ 0 (spot falloff, highlights): integer exponents by squaring, which is faster than Math.pow. */
function powPositive(x: number, e: number): number {
  if (e !== (e | 0) || e > 1024) return Math.pow(x, e);
  let r = 1;
  let b = x;
  for (let k = e; k > 0; k >>= 1) {
    if (k & 1) r *= b;
    b *= b;
  }
  return r;
}
