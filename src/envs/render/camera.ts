/**
 * Cameras for the CPU renderer: the model's own cameras (by index or name, with MuJoCo's tracking modes already
 * applied: `mj_camlight` writes `cam_xpos`/`cam_xmat` every `mj_forward`/step) and a free camera that orbits a
 * point (MuJoCo's `mjCAMERA_FREE`: lookat, distance, azimuth, elevation; defaults from the model's statistic and
 * `visual/global`, as `mjv_defaultFreeCamera`), optionally following a body's subtree centre of mass
 * (`mjCAMERA_TRACKING`).
 *
 * A pose is the camera's position and a row-major 3×3 matrix whose columns are its right, up and backward axes in
 * world coordinates (MuJoCo's camera frame: the camera looks along −z, y is up).
 */
import type { Physics } from "../physics.js";

/** A free (orbiting) camera. Angles in degrees, as MuJoCo's `mjvCamera`. */
export interface FreeCamera {
  /** Point looked at (default: the model's `statistic/center`). */
  lookat?: readonly [number, number, number];
  /** Distance from `lookat` (default: 1.5 × `statistic/extent`). */
  distance?: number;
  /** Azimuth (default: `visual/global/azimuth`, 90°). */
  azimuth?: number;
  /** Elevation, negative looks down (default: `visual/global/elevation`, −45°). */
  elevation?: number;
  /** Vertical field of view (default: `visual/global/fovy`, 45°). */
  fovy?: number;
  /** Follow this body's subtree centre of mass (lookat is then ignored). */
  trackBody?: string;
}

/**
 * Which camera renders: a model camera by index (0 = the first, what dm_control's pixel tasks use) or by name,
 * −1 or "free" for the default free camera, or a free camera's settings.
 */
export type CameraSpec = number | string | FreeCamera;

/** A resolved camera: a model camera id, or free-camera settings with every default filled in. */
export type ResolvedCamera =
  | { kind: "model"; id: number; name: string }
  | { kind: "free"; lookat: [number, number, number]; distance: number; azimuth: number; elevation: number; fovy: number; trackBody: number };

/** Check a camera spec against the model; an unknown name or index names the cameras the model has. */
export function resolveCamera(physics: Physics, spec: CameraSpec): ResolvedCamera {
  const m = physics.model;
  const names = Array.from({ length: m.ncam }, (_, i) => physics.name("camera", i));
  const known = () => (names.length ? `the model's cameras: ${names.map((n, i) => `${i} '${n}'`).join(", ")}` : "the model has no cameras");
  if (spec === -1 || spec === "free") return resolveCamera(physics, {});
  if (typeof spec === "number") {
    if (!Number.isInteger(spec) || spec < -1 || spec >= m.ncam) throw new RangeError(`camera ${spec} does not exist (${known()}; −1 = free camera)`);
    return { kind: "model", id: spec, name: names[spec] ?? "" };
  }
  if (typeof spec === "string") {
    const id = names.indexOf(spec);
    if (id < 0) throw new RangeError(`no camera named '${spec}' (${known()}; "free" = free camera)`);
    return { kind: "model", id, name: spec };
  }
  const g = m.vis.global;
  const center = m.stat.center as Float64Array;
  const out = {
    kind: "free" as const,
    lookat: (spec.lookat ? [...spec.lookat] : [center[0], center[1], center[2]]) as [number, number, number],
    distance: spec.distance ?? 1.5 * m.stat.extent,
    azimuth: spec.azimuth ?? g.azimuth,
    elevation: spec.elevation ?? g.elevation,
    fovy: spec.fovy ?? g.fovy,
    trackBody: spec.trackBody === undefined ? -1 : physics.id("body", spec.trackBody),
  };
  for (const [k, v] of Object.entries({ distance: out.distance, azimuth: out.azimuth, elevation: out.elevation, fovy: out.fovy })) {
    if (!Number.isFinite(v)) throw new RangeError(`free camera: ${k} must be a finite number, got ${v}`);
  }
  if (out.distance <= 0) throw new RangeError(`free camera: distance must be positive, got ${out.distance}`);
  if (!(out.fovy > 0 && out.fovy < 180)) throw new RangeError(`free camera: fovy must be in (0, 180) degrees, got ${out.fovy}`);
  if (!out.lookat.every(Number.isFinite)) throw new RangeError(`free camera: lookat must be 3 finite numbers, got ${String(out.lookat)}`);
  return out;
}

/**
 * Write the camera's current pose into `pos` (3) and `rot` (9, row-major, columns = right, up, backward) and
 * return its vertical field of view in degrees.
 */
export function cameraPose(physics: Physics, cam: ResolvedCamera, pos: Float64Array, rot: Float64Array): number {
  const m = physics.model;
  const d = physics.data;
  if (cam.kind === "model") {
    const xpos = d.cam_xpos as Float64Array;
    const xmat = d.cam_xmat as Float64Array;
    for (let i = 0; i < 3; i++) pos[i] = xpos[3 * cam.id + i];
    for (let i = 0; i < 9; i++) rot[i] = xmat[9 * cam.id + i];
    return (m.cam_fovy as Float64Array)[cam.id];
  }
  // mjv_cameraFrame for mjCAMERA_FREE / mjCAMERA_TRACKING
  const a = (cam.azimuth * Math.PI) / 180;
  const e = (cam.elevation * Math.PI) / 180;
  const [ca, sa, ce, se] = [Math.cos(a), Math.sin(a), Math.cos(e), Math.sin(e)];
  const fwd = [ce * ca, ce * sa, se];
  const up = [-se * ca, -se * sa, ce];
  const right = [sa, -ca, 0];
  let look: ArrayLike<number> = cam.lookat;
  if (cam.trackBody >= 0) look = (d.subtree_com as Float64Array).subarray(3 * cam.trackBody, 3 * cam.trackBody + 3);
  for (let i = 0; i < 3; i++) {
    pos[i] = look[i] - cam.distance * fwd[i];
    rot[3 * i] = right[i];
    rot[3 * i + 1] = up[i];
    rot[3 * i + 2] = -fwd[i];
  }
  return cam.fovy;
}
