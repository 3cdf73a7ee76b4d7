/**
 * 2-D textures of the model (`tex_data`, e.g. the suite's 300×300 checker "grid") as mipmaps: level 0 is the
 * texture, each next level averages 2×2 texels. A small frame sees a far floor through few pixels; sampling the
 * full-resolution checker there would alias into noise, the level whose texels match the pixel's footprint
 * gives the average colour instead (what OpenGL's mipmapping does for MuJoCo's renderer).
 */
import type { MjModel } from "../mujoco.js";

/** mjTEXTURE_2D. */
export const TEXTURE_2D = 0;

export class MipTexture {
  /** RGB in [0, 1], one Float32Array per level. */
  readonly levels: Float32Array[] = [];
  readonly widths: number[] = [];
  readonly heights: number[] = [];

  /** Copy texture `id` out of the model (RGB or RGBA or grey data; alpha is dropped). */
  constructor(m: MjModel, id: number) {
    if ((m.tex_type as Int32Array)[id] !== TEXTURE_2D) throw new Error(`texture ${id} is not a 2-D texture`);
    let w = (m.tex_width as Int32Array)[id];
    let h = (m.tex_height as Int32Array)[id];
    const nc = (m.tex_nchannel as Int32Array)[id];
    const adr = (m.tex_adr as Int32Array)[id];
    const data = m.tex_data as Uint8Array;
    let level = new Float32Array(3 * w * h);
    for (let p = 0; p < w * h; p++) {
      for (let c = 0; c < 3; c++) level[3 * p + c] = data[adr + nc * p + (nc >= 3 ? c : 0)] / 255;
    }
    this.push(level, w, h);
    while (w > 1 || h > 1) {
      const w2 = Math.max(1, w >> 1);
      const h2 = Math.max(1, h >> 1);
      const next = new Float32Array(3 * w2 * h2);
      for (let y = 0; y < h2; y++) {
        for (let x = 0; x < w2; x++) {
          for (let c = 0; c < 3; c++) {
            let s = 0;
            for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) s += level[3 * (Math.min(h - 1, 2 * y + dy) * w + Math.min(w - 1, 2 * x + dx)) + c];
            next[3 * (y * w2 + x) + c] = s / 4;
          }
        }
      }
      level = next;
      w = w2;
      h = h2;
      this.push(level, w, h);
    }
  }

  private push(level: Float32Array, w: number, h: number): void {
    this.levels.push(level);
    this.widths.push(w);
    this.heights.push(h);
  }

  /** The level whose texels match a pixel that covers `texelsPerPixel` texels of level 0. */
  levelFor(texelsPerPixel: number): number {
    if (!(texelsPerPixel > 1)) return 0;
    return Math.min(this.levels.length - 1, Math.floor(Math.log2(texelsPerPixel)));
  }

  /** Offset into `levels[level]` of the texel at texture coordinates (u, v), repeating (nearest texel). */
  texel(level: number, u: number, v: number): number {
    const w = this.widths[level];
    const h = this.heights[level];
    const x = Math.min(w - 1, Math.floor((u - Math.floor(u)) * w));
    const y = Math.min(h - 1, Math.floor((v - Math.floor(v)) * h));
    return 3 * (y * w + x);
  }
}
