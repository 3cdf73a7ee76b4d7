/**
 * Rendered frames as images: PNG encoding/decoding (pngjs, pure JS), upscaling and tiling, pixel observations
 * (channels-first frame stacks) back to pictures, and inline display in a tslab notebook.
 *
 * A frame here is `{ width, height, rgb }` with `rgb` in rows of RGB pixels (H×W×3 uint8), what
 * `SceneRenderer.render()` returns.
 */
import pngjs from "pngjs";
import { tslabDisplay } from "./plotly.js";

export interface Frame {
  width: number;
  height: number;
  /** H×W×3 uint8, rows top to bottom. */
  rgb: Uint8Array;
}

function checkFrame(f: Frame): void {
  if (f.rgb.length !== 3 * f.width * f.height) throw new RangeError(`frame: ${f.rgb.length} bytes for ${f.width}×${f.height} RGB (expected ${3 * f.width * f.height})`);
}

/** RGBA copy of a frame (alpha 255), what PNG and GIF encoders take. */
export function toRgba(f: Frame): Uint8Array {
  checkFrame(f);
  const n = f.width * f.height;
  const out = new Uint8Array(4 * n);
  for (let p = 0; p < n; p++) {
    out[4 * p] = f.rgb[3 * p];
    out[4 * p + 1] = f.rgb[3 * p + 1];
    out[4 * p + 2] = f.rgb[3 * p + 2];
    out[4 * p + 3] = 255;
  }
  return out;
}

export function encodePng(f: Frame): Uint8Array {
  const png = new pngjs.PNG({ width: f.width, height: f.height });
  png.data = Buffer.from(toRgba(f));
  return new Uint8Array(pngjs.PNG.sync.write(png));
}

export function decodePng(bytes: Uint8Array): Frame {
  const png = pngjs.PNG.sync.read(Buffer.from(bytes));
  const n = png.width * png.height;
  const rgb = new Uint8Array(3 * n);
  for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) rgb[3 * p + c] = png.data[4 * p + c];
  return { width: png.width, height: png.height, rgb };
}

/** Each pixel as a k×k block (small frames are unreadable at 64×64 on screen). */
export function upscale(f: Frame, k: number): Frame {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`upscale: factor must be a positive integer, got ${k}`);
  if (k === 1) return f;
  const W = f.width * k;
  const rgb = new Uint8Array(3 * W * f.height * k);
  for (let y = 0; y < f.height * k; y++) {
    for (let x = 0; x < W; x++) {
      const s = 3 * (Math.floor(y / k) * f.width + Math.floor(x / k));
      const d = 3 * (y * W + x);
      rgb[d] = f.rgb[s];
      rgb[d + 1] = f.rgb[s + 1];
      rgb[d + 2] = f.rgb[s + 2];
    }
  }
  return { width: W, height: f.height * k, rgb };
}

/** Frames of equal size side by side in rows of `cols`, separated by `gap` white pixels. */
export function tile(frames: Frame[], cols = frames.length, gap = 2): Frame {
  if (frames.length === 0) throw new RangeError("tile: no frames");
  const { width: w, height: h } = frames[0];
  for (const f of frames) {
    checkFrame(f);
    if (f.width !== w || f.height !== h) throw new RangeError(`tile: frames differ in size (${w}×${h} vs ${f.width}×${f.height})`);
  }
  const rows = Math.ceil(frames.length / cols);
  const W = cols * w + (cols - 1) * gap;
  const H = rows * h + (rows - 1) * gap;
  const rgb = new Uint8Array(3 * W * H).fill(255);
  frames.forEach((f, n) => {
    const x0 = (n % cols) * (w + gap);
    const y0 = Math.floor(n / cols) * (h + gap);
    for (let y = 0; y < h; y++) rgb.set(f.rgb.subarray(3 * y * w, 3 * (y + 1) * w), 3 * ((y0 + y) * W + x0));
  });
  return { width: W, height: H, rgb };
}

/**
 * The frames of a pixel observation (uint8 [3·k, H, W], channels first, oldest first) as k pictures.
 */
export function observationFrames(obs: Uint8Array, size: number): Frame[] {
  const plane = size * size;
  if (obs.length % (3 * plane) !== 0) throw new RangeError(`observation of ${obs.length} bytes is not a stack of ${size}×${size} RGB frames`);
  const frames: Frame[] = [];
  for (let f = 0; f < obs.length / (3 * plane); f++) {
    const rgb = new Uint8Array(3 * plane);
    for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) rgb[3 * p + c] = obs[(3 * f + c) * plane + p];
    frames.push({ width: size, height: size, rgb });
  }
  return frames;
}

/**
 * Show a frame inline in a tslab notebook as a PNG, upscaled so it is at least ~256 px wide (`scale` overrides).
 * Outside a notebook: a one-line note on stdout.
 */
export function showFrame(f: Frame, opts: { scale?: number } = {}): void {
  const scale = opts.scale ?? Math.max(1, Math.floor(256 / f.width));
  const t = tslabDisplay();
  if (!t) {
    checkFrame(f);
    console.log(`[image ${f.width}×${f.height}]`);
    return;
  }
  t.display.png(encodePng(upscale(f, scale)));
}
