/**
 * Animations of recorded episodes in plotly (offline: plotly.js is inlined by showFigure):
 *  - `animationFigure2d`: a side view (planar tasks in the x–z plane: pendulum, cartpole, acrobot, cheetah, walker,
 *    hopper, finger) or a top view (x–y: reacher, point_mass); each geom is a filled outline.
 *  - `animationFigure3d`: every geom as a mesh in a 3-D scene you can rotate while it plays.
 * Both have a play/pause button and a time slider; the title shows time, reward and the return so far.
 * Input: a `Recording` from src/envs/recording.ts (body poses per frame + geom shapes).
 */
import type { GeomInfo, Recording } from "../envs/recording.js";
import type { Figure } from "./plotly.js";

type V3 = [number, number, number];
type M3 = number[]; // row-major 3×3

function quatToMat(w: number, x: number, y: number, z: number): M3 {
  return [
    1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
    2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
  ];
}

function apply(m: M3, v: V3): V3 {
  return [m[0]! * v[0] + m[1]! * v[1] + m[2]! * v[2], m[3]! * v[0] + m[4]! * v[1] + m[5]! * v[2], m[6]! * v[0] + m[7]! * v[1] + m[8]! * v[2]];
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** A small triangle mesh of a geom in its own frame (vertices and triangles). */
interface Template {
  verts: V3[];
  tris: [number, number, number][];
}

/** Latitude–longitude grid; `zShift(lat)` moves the upper/lower halves apart (capsules). */
function sphereGrid(rx: number, ry: number, rz: number, zShift: (upper: boolean) => number, nLat = 6, nLon = 12): Template {
  const verts: V3[] = [];
  const tris: [number, number, number][] = [];
  for (let i = 0; i <= nLat; i++) {
    const th = (Math.PI * i) / nLat; // 0 at the top
    const upper = i <= nLat / 2;
    for (let j = 0; j < nLon; j++) {
      const ph = (2 * Math.PI * j) / nLon;
      verts.push([rx * Math.sin(th) * Math.cos(ph), ry * Math.sin(th) * Math.sin(ph), rz * Math.cos(th) + zShift(upper)]);
    }
  }
  for (let i = 0; i < nLat; i++) {
    for (let j = 0; j < nLon; j++) {
      const a = i * nLon + j;
      const b = i * nLon + ((j + 1) % nLon);
      tris.push([a, b, a + nLon], [b, b + nLon, a + nLon]);
    }
  }
  return { verts, tris };
}

function boxTemplate(a: number, b: number, c: number): Template {
  const verts: V3[] = [];
  for (const x of [-a, a]) for (const y of [-b, b]) for (const z of [-c, c]) verts.push([x, y, z]);
  // faces of the cube with corners indexed by (x, y, z) bits (4x + 2y + z)
  const faces = [
    [0, 1, 3, 2], [4, 6, 7, 5], [0, 4, 5, 1], [2, 3, 7, 6], [0, 2, 6, 4], [1, 5, 7, 3],
  ];
  const tris: [number, number, number][] = [];
  for (const [p, q, r, s] of faces) tris.push([p!, q!, r!], [p!, r!, s!]);
  return { verts, tris };
}

function cylinderTemplate(r: number, h: number, n = 12): Template {
  const verts: V3[] = [];
  for (const z of [-h, h]) for (let j = 0; j < n; j++) verts.push([r * Math.cos((2 * Math.PI * j) / n), r * Math.sin((2 * Math.PI * j) / n), z]);
  verts.push([0, 0, -h], [0, 0, h]);
  const tris: [number, number, number][] = [];
  for (let j = 0; j < n; j++) {
    const k = (j + 1) % n;
    tris.push([j, k, n + j], [k, n + k, n + j], [2 * n, k, j], [2 * n + 1, n + j, n + k]);
  }
  return { verts, tris };
}

function template(g: GeomInfo, planeExtent: number): Template {
  const [s0, s1, s2] = g.size;
  switch (g.shape) {
    case "sphere":
      return sphereGrid(s0, s0, s0, () => 0);
    case "capsule":
      return sphereGrid(s0, s0, s0, (upper) => (upper ? s1 : -s1));
    case "ellipsoid":
      return sphereGrid(s0, s1, s2, () => 0);
    case "cylinder":
      return cylinderTemplate(s0, s1);
    case "box":
      return boxTemplate(s0, s1, s2);
    case "plane": {
      const a = s0 > 0 ? s0 : planeExtent;
      const b = s1 > 0 ? s1 : planeExtent;
      return { verts: [[-a, -b, 0], [a, -b, 0], [a, b, 0], [-a, b, 0]], tris: [[0, 1, 2], [0, 2, 3]] };
    }
    default: // unknown shapes: a small sphere of the largest size
      return sphereGrid(Math.max(s0, 0.02), Math.max(s0, 0.02), Math.max(s0, 0.02), () => 0, 4, 8);
  }
}

/** World-space vertices of every geom at frame `f`. */
function worldVerts(rec: Recording, local: V3[][], f: number): V3[][] {
  const fr = rec.frames[f]!;
  const out: V3[][] = [];
  const bodyMats = new Map<number, M3>();
  rec.geoms.forEach((g, gi) => {
    let R = bodyMats.get(g.body);
    if (!R) {
      const q = fr.xquat;
      R = quatToMat(q[4 * g.body]!, q[4 * g.body + 1]!, q[4 * g.body + 2]!, q[4 * g.body + 3]!);
      bodyMats.set(g.body, R);
    }
    const px = fr.xpos[3 * g.body]!;
    const py = fr.xpos[3 * g.body + 1]!;
    const pz = fr.xpos[3 * g.body + 2]!;
    out.push(local[gi]!.map((v) => {
      const w = apply(R!, v);
      return [px + w[0], py + w[1], pz + w[2]] as V3;
    }));
  });
  return out;
}

/** Geom template vertices in the body frame (geom pose applied). */
function bodyFrameVerts(rec: Recording, planeExtent: number): { local: V3[][]; templates: Template[] } {
  const templates = rec.geoms.map((g) => template(g, planeExtent));
  const local = rec.geoms.map((g, gi) => {
    const Rg = quatToMat(...g.quat);
    return templates[gi]!.verts.map((v) => {
      const w = apply(Rg, v);
      return [w[0] + g.pos[0], w[1] + g.pos[1], w[2] + g.pos[2]] as V3;
    });
  });
  return { local, templates };
}

/** Indices of frames to show: at most `maxFrames`, evenly spaced, always including the last. */
function pickFrames(n: number, maxFrames: number): number[] {
  if (n <= maxFrames) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  for (let i = 0; i < maxFrames; i++) out.push(Math.round((i * (n - 1)) / (maxFrames - 1)));
  return out;
}

function colour(g: GeomInfo, alpha?: number): string {
  const [r, gg, b, a] = g.rgba;
  return `rgba(${Math.round(255 * r)},${Math.round(255 * gg)},${Math.round(255 * b)},${alpha ?? a})`;
}

/** 2-D convex hull (Andrew's monotone chain), closed. */
function hull(points: [number, number][]): [number, number][] {
  const p = points.slice().sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (p.length < 3) return p;
  const cross = (o: [number, number], a: [number, number], b: [number, number]) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: [number, number][] = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, q) <= 0) lower.pop();
    lower.push(q);
  }
  const upper: [number, number][] = [];
  for (let i = p.length - 1; i >= 0; i--) {
    const q = p[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, q) <= 0) upper.pop();
    upper.push(q);
  }
  const h = lower.slice(0, -1).concat(upper.slice(0, -1));
  h.push(h[0]!);
  return h;
}

export interface AnimationOptions {
  /** At most this many animation frames (evenly subsampled). Default 150. */
  maxFrames?: number;
  /** Playback speed relative to real time (default 1). */
  speed?: number;
  /** Keep this body in view (running tasks): the view follows its x position. */
  follow?: string;
  title?: string;
  height?: number;
}

function frameTitle(rec: Recording, f: number, title: string): string {
  const fr = rec.frames[f]!;
  const ret = fr.ret;
  return `${title} — t = ${fr.time.toFixed(2)} s, reward ${fr.reward === undefined ? "–" : fr.reward.toFixed(2)}, return ${ret.toFixed(1)}`;
}

function animationControls(frameNames: string[], durationMs: number): Record<string, unknown> {
  return {
    updatemenus: [
      {
        type: "buttons",
        showactive: false,
        x: 0.0,
        y: -0.2,
        xanchor: "left",
        yanchor: "top",
        direction: "left",
        buttons: [
          { label: "▶ play", method: "animate", args: [null, { frame: { duration: durationMs, redraw: true }, transition: { duration: 0 }, fromcurrent: true, mode: "immediate" }] },
          { label: "❚❚ pause", method: "animate", args: [[null], { frame: { duration: 0, redraw: false }, mode: "immediate" }] },
        ],
      },
    ],
    sliders: [
      {
        x: 0.2,
        len: 0.8,
        y: -0.16,
        currentvalue: { visible: false },
        steps: frameNames.map((n) => ({ label: "", method: "animate", args: [[n], { frame: { duration: 0, redraw: true }, transition: { duration: 0 }, mode: "immediate" }] })),
      },
    ],
  };
}

/**
 * A 2-D animation of a recording: the side view (x–z) or the top view (x–y, default: the task's plane).
 */
export function animationFigure2d(rec: Recording, opts: AnimationOptions & { plane?: "xz" | "xy" } = {}): Figure {
  if (rec.frames.length === 0) throw new Error("animationFigure2d: the recording has no frames");
  const plane = opts.plane ?? rec.plane ?? "xz";
  const yi = plane === "xz" ? 2 : 1;
  const title = opts.title ?? rec.task;
  const { local } = bodyFrameVerts(rec, 1);
  const frames = pickFrames(rec.frames.length, opts.maxFrames ?? 150);
  const followBody = opts.follow === undefined ? -1 : rec.bodies.indexOf(opts.follow);
  if (opts.follow !== undefined && followBody < 0) throw new Error(`animation: no body named '${opts.follow}' (bodies: ${rec.bodies.join(", ")})`);

  // Planes: in the side view a floor (normal along z) is a line; in the top view planes are the background.
  const drawn = rec.geoms.map((g, i) => ({ g, i })).filter(({ g }) => g.shape !== "plane");
  const floors = plane === "xz" ? rec.geoms.filter((g) => g.shape === "plane" && g.body === 0 && Math.abs(quatToMat(...g.quat)[8]!) > 0.99) : [];
  const moving = drawn.filter(({ g }) => g.body !== 0);

  const outline = (verts: V3[]) => hull(verts.map((v) => [v[0], v[yi]] as [number, number]));
  let xmin = Infinity, xmax = -Infinity, ymin = Infinity, ymax = -Infinity;
  const perFrame = frames.map((f) => {
    const wv = worldVerts(rec, local, f);
    return drawn.map(({ i }) => {
      const h = outline(wv[i]!);
      for (const [x, y] of h) {
        xmin = Math.min(xmin, x); xmax = Math.max(xmax, x); ymin = Math.min(ymin, y); ymax = Math.max(ymax, y);
      }
      return { x: h.map((p) => r3(p[0])), y: h.map((p) => r3(p[1])) };
    });
  });
  for (const fl of floors) ymin = Math.min(ymin, fl.pos[2]);
  // Following a body, the window is sized by the body's height range, not by the whole track.
  const pad = 0.1 * Math.max(followBody >= 0 ? 0 : xmax - xmin, ymax - ymin, 0.2);
  const followX = (f: number) => rec.frames[f]!.xpos[3 * followBody]!;
  const halfWidth = followBody >= 0 ? Math.max(1.2, ymax - ymin + 2 * pad) : 0;
  const xrange = (f: number) => (followBody >= 0 ? [r3(followX(f) - halfWidth), r3(followX(f) + halfWidth)] : [xmin - pad, xmax + pad]);

  const data: Record<string, unknown>[] = [];
  for (const fl of floors) {
    data.push({ type: "scatter", mode: "lines", x: [xmin - 1000, xmax + 1000], y: [fl.pos[2], fl.pos[2]], line: { color: "rgb(90,110,130)", width: 2 }, hoverinfo: "skip", showlegend: false });
  }
  const first = perFrame[0]!;
  const traceIndex = new Map<number, number>();
  drawn.forEach(({ g, i }, k) => {
    traceIndex.set(i, data.length);
    data.push({
      type: "scatter",
      mode: "lines",
      x: first[k]!.x,
      y: first[k]!.y,
      fill: "toself",
      fillcolor: colour(g),
      line: { color: colour(g, 1), width: 1 },
      name: g.name || `geom ${i}`,
      hoverinfo: "name",
      showlegend: false,
    });
  });
  const movingTraces = moving.map(({ i }) => traceIndex.get(i)!);
  const movingK = moving.map(({ i }) => drawn.findIndex((d) => d.i === i));
  const names = frames.map((f) => String(f));
  const dt = frames.length > 1 ? (rec.frames[frames[1]!]!.time - rec.frames[frames[0]!]!.time) : 0.02;
  const figFrames = frames.map((f, n) => ({
    name: names[n],
    data: movingK.map((k) => ({ x: perFrame[n]![k]!.x, y: perFrame[n]![k]!.y })),
    traces: movingTraces,
    layout: { title: { text: frameTitle(rec, f, title) }, ...(followBody >= 0 ? { xaxis: { range: xrange(f) } } : {}) },
  }));
  return {
    data,
    frames: figFrames,
    layout: {
      title: { text: frameTitle(rec, frames[0]!, title) },
      height: opts.height ?? 500,
      xaxis: { range: xrange(frames[0]!), title: { text: "x (m)" }, zeroline: false },
      yaxis: { range: [ymin - pad, ymax + pad], title: { text: plane === "xz" ? "z (m)" : "y (m)" }, scaleanchor: "x", scaleratio: 1, zeroline: false },
      plot_bgcolor: "rgb(245,247,250)",
      margin: { t: 50, b: 120 },
      ...animationControls(names, (1000 * dt) / (opts.speed ?? 1)),
    },
  };
}

/** A 3-D animation of a recording: one mesh per geom; drag to rotate while it plays. */
export function animationFigure3d(rec: Recording, opts: AnimationOptions = {}): Figure {
  if (rec.frames.length === 0) throw new Error("animationFigure3d: the recording has no frames");
  const title = opts.title ?? rec.task;
  const followBody = opts.follow === undefined ? -1 : rec.bodies.indexOf(opts.follow);
  if (opts.follow !== undefined && followBody < 0) throw new Error(`animation: no body named '${opts.follow}' (bodies: ${rec.bodies.join(", ")})`);
  const frames = pickFrames(rec.frames.length, opts.maxFrames ?? 120);
  const shift = (f: number) => (followBody >= 0 ? rec.frames[f]!.xpos[3 * followBody]! : 0);

  // Extents of the moving parts decide the view box; planes are cut to it.
  const { local: local0 } = bodyFrameVerts(rec, 1);
  let lo: V3 = [Infinity, Infinity, Infinity];
  let hi: V3 = [-Infinity, -Infinity, -Infinity];
  const perFrameMoving = frames.map((f) => {
    const wv = worldVerts(rec, local0, f);
    const s = shift(f);
    return wv.map((vs, gi) => {
      if (rec.geoms[gi]!.shape === "plane") return vs;
      const shifted = vs.map((v) => [v[0] - s, v[1], v[2]] as V3);
      if (rec.geoms[gi]!.body !== 0 || followBody < 0) {
        for (const v of shifted) for (let a = 0; a < 3; a++) {
          lo[a] = Math.min(lo[a]!, v[a]!);
          hi[a] = Math.max(hi[a]!, v[a]!);
        }
      }
      return shifted;
    });
  });
  const span = Math.max(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2], 0.2);
  const pad = 0.15 * span;
  lo = [lo[0] - pad, lo[1] - pad, Math.min(lo[2] - pad, 0)];
  hi = [hi[0] + pad, hi[1] + pad, hi[2] + pad];
  // no axis thinner than 40% of the longest, so planar scenes do not collapse into a sliver
  for (let a = 0; a < 3; a++) {
    const need = 0.4 * Math.max(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]) - (hi[a]! - lo[a]!);
    if (need > 0) {
      lo[a] = lo[a]! - need / 2;
      hi[a] = hi[a]! + need / 2;
    }
  }
  const { templates } = bodyFrameVerts(rec, span);

  const data: Record<string, unknown>[] = [];
  const movingTraces: number[] = [];
  const movingGeoms: number[] = [];
  rec.geoms.forEach((g, gi) => {
    const t = templates[gi]!;
    const isPlane = g.shape === "plane";
    let vs = perFrameMoving[0]![gi]!;
    if (isPlane) {
      // a plane is drawn as the part of it inside the view box
      const R = quatToMat(...g.quat);
      if (Math.abs(R[8]!) < 0.99) return; // walls: skip, they hide the scene
      vs = [[lo[0], lo[1], g.pos[2]], [hi[0], lo[1], g.pos[2]], [hi[0], hi[1], g.pos[2]], [lo[0], hi[1], g.pos[2]]];
    }
    const trace = {
      type: "mesh3d",
      x: vs.map((v) => r3(v[0])),
      y: vs.map((v) => r3(v[1])),
      z: vs.map((v) => r3(v[2])),
      i: t.tris.map((q) => q[0]),
      j: t.tris.map((q) => q[1]),
      k: t.tris.map((q) => q[2]),
      color: isPlane ? "rgb(150,170,195)" : colour(g, 1),
      opacity: isPlane ? 0.5 : g.rgba[3],
      flatshading: true,
      lighting: { ambient: 0.55, diffuse: 0.8, specular: 0.2 },
      name: g.name,
      hoverinfo: "name",
      showscale: false,
    };
    const moves = !isPlane && (g.body !== 0 || followBody >= 0);
    if (moves) {
      movingTraces.push(data.length);
      movingGeoms.push(gi);
    }
    data.push(trace);
  });
  // Ground marks every metre, so that motion is visible when the view follows a body.
  const marks = (f: number) => {
    const s = shift(f);
    const xs: number[] = [];
    for (let x = Math.ceil(lo[0] + s); x <= hi[0] + s; x++) xs.push(r3(x - s));
    return xs;
  };
  if (followBody >= 0) {
    movingTraces.push(data.length);
    const xs = marks(frames[0]!);
    data.push({ type: "scatter3d", mode: "markers", x: xs, y: xs.map(() => 0), z: xs.map(() => 0), marker: { size: 4, color: "rgb(60,60,60)" }, hoverinfo: "skip", showlegend: false });
  }
  const names = frames.map((f) => String(f));
  const dt = frames.length > 1 ? rec.frames[frames[1]!]!.time - rec.frames[frames[0]!]!.time : 0.02;
  const figFrames = frames.map((f, n) => {
    const d: Record<string, unknown>[] = movingGeoms.map((gi) => {
      const vs = perFrameMoving[n]![gi]!;
      return { x: vs.map((v) => r3(v[0])), y: vs.map((v) => r3(v[1])), z: vs.map((v) => r3(v[2])) };
    });
    if (followBody >= 0) {
      const xs = marks(f);
      d.push({ x: xs, y: xs.map(() => 0), z: xs.map(() => 0) });
    }
    return { name: names[n], data: d, traces: movingTraces, layout: { title: { text: frameTitle(rec, f, title) } } };
  });
  const ext = [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]];
  const m = Math.max(...ext);
  return {
    data,
    frames: figFrames,
    layout: {
      title: { text: frameTitle(rec, frames[0]!, title) },
      height: opts.height ?? 520,
      scene: {
        xaxis: { range: [lo[0], hi[0]], title: { text: "x" } },
        yaxis: { range: [lo[1], hi[1]], title: { text: "y" } },
        zaxis: { range: [lo[2], hi[2]], title: { text: "z" } },
        aspectmode: "manual",
        aspectratio: { x: ext[0]! / m, y: ext[1]! / m, z: ext[2]! / m },
        camera: rec.plane === "xy" ? { eye: { x: 0.1, y: -0.7, z: 1.2 } } : { eye: { x: 0.2, y: -1.0, z: 0.35 } },
      },
      margin: { t: 50, b: 100, l: 0, r: 0 },
      ...animationControls(names, (1000 * dt) / (opts.speed ?? 1)),
    },
  };
}
