/**
 * Ray–shape intersections in the shape's own frame (ray o + t·d), and the surface normal at a hit.
 * Each `hit*` returns the entering t or Infinity. Surfaces are seen from outside (a camera inside a shape sees
 * nothing of it, as with OpenGL's back-face culling); planes are one-sided (visible from +z).
 */
import { GEOM, type Primitive } from "./primitive.js";

const EPS = 1e-12;

/** The entering hit of the ellipsoid with semi-axes 1/ix, 1/iy, 1/iz (a sphere when equal). */
export function hitEllipsoid(ox: number, oy: number, oz: number, dx: number, dy: number, dz: number, ix: number, iy: number, iz: number): number {
  const px = ox * ix;
  const py = oy * iy;
  const pz = oz * iz;
  const qx = dx * ix;
  const qy = dy * iy;
  const qz = dz * iz;
  const a = qx * qx + qy * qy + qz * qz;
  const b = px * qx + py * qy + pz * qz;
  const c = px * px + py * py + pz * pz - 1;
  const disc = b * b - a * c;
  if (disc < 0 || c < 0) return Infinity;
  return (-b - Math.sqrt(disc)) / a;
}

/** A capsule of radius r around the z segment [−h, h]. */
export function hitCapsule(ox: number, oy: number, oz: number, dx: number, dy: number, dz: number, r: number, h: number): number {
  const a = dx * dx + dy * dy;
  const b = ox * dx + oy * dy;
  const c = ox * ox + oy * oy - r * r;
  const ir = 1 / r;
  if (a > EPS && c > 0) {
    const disc = b * b - a * c;
    if (disc < 0) return Infinity; // misses the infinite cylinder, which contains the capsule
    const t = (-b - Math.sqrt(disc)) / a;
    const z = oz + t * dz;
    if (z >= -h && z <= h) return t;
    // entered the infinite cylinder beyond an end: the first surface is that end's sphere (or nothing)
    const zc = z > h ? h : -h;
    return hitEllipsoid(ox, oy, oz - zc, dx, dy, dz, ir, ir, ir);
  }
  // along the axis, or starting inside the infinite cylinder: the nearer of the two end spheres
  return Math.min(hitEllipsoid(ox, oy, oz - h, dx, dy, dz, ir, ir, ir), hitEllipsoid(ox, oy, oz + h, dx, dy, dz, ir, ir, ir));
}

/** A cylinder of radius r and half-height h along z (with its two end discs). */
export function hitCylinder(ox: number, oy: number, oz: number, dx: number, dy: number, dz: number, r: number, h: number): number {
  const r2 = r * r;
  // the end disc facing the origin
  if ((oz > h && dz < 0) || (oz < -h && dz > 0)) {
    const t = ((oz > h ? h : -h) - oz) / dz;
    const x = ox + t * dx;
    const y = oy + t * dy;
    if (x * x + y * y <= r2) return t;
  }
  const a = dx * dx + dy * dy;
  const c = ox * ox + oy * oy - r2;
  if (a < EPS || c < 0) return Infinity;
  const b = ox * dx + oy * dy;
  const disc = b * b - a * c;
  if (disc < 0) return Infinity;
  const t = (-b - Math.sqrt(disc)) / a;
  const z = oz + t * dz;
  return z >= -h && z <= h ? t : Infinity;
}

/** A box with half-sizes (sx, sy, sz) (slab test, unrolled per axis: this runs per pixel). */
export function hitBox(ox: number, oy: number, oz: number, dx: number, dy: number, dz: number, sx: number, sy: number, sz: number): number {
  let tn = -Infinity;
  let tf = Infinity;
  if (Math.abs(dx) < EPS) {
    if (ox < -sx || ox > sx) return Infinity;
  } else {
    const t1 = (-sx - ox) / dx;
    const t2 = (sx - ox) / dx;
    tn = Math.max(tn, Math.min(t1, t2));
    tf = Math.min(tf, Math.max(t1, t2));
  }
  if (Math.abs(dy) < EPS) {
    if (oy < -sy || oy > sy) return Infinity;
  } else {
    const t1 = (-sy - oy) / dy;
    const t2 = (sy - oy) / dy;
    tn = Math.max(tn, Math.min(t1, t2));
    tf = Math.min(tf, Math.max(t1, t2));
  }
  if (Math.abs(dz) < EPS) {
    if (oz < -sz || oz > sz) return Infinity;
  } else {
    const t1 = (-sz - oz) / dz;
    const t2 = (sz - oz) / dz;
    tn = Math.max(tn, Math.min(t1, t2));
    tf = Math.min(tf, Math.max(t1, t2));
  }
  return tn <= tf && tn > 0 ? tn : Infinity;
}

/** The plane z = 0 seen from +z, limited to |x| ≤ sx, |y| ≤ sy when those are positive. */
export function hitPlane(ox: number, oy: number, oz: number, dx: number, dy: number, dz: number, sx: number, sy: number): number {
  if (oz <= 0 || dz >= 0) return Infinity;
  const t = -oz / dz;
  if (sx > 0 && Math.abs(ox + t * dx) > sx) return Infinity;
  if (sy > 0 && Math.abs(oy + t * dy) > sy) return Infinity;
  return t;
}

/**
 * Cast the rays of the primitive's screen rectangle: where it is hit nearer than `depth` (and within
 * [znear, zfar]), write its depth and `index` into the buffers. `us`/`vs`: the rays' u per column, v per row.
 */
export function castPrimitive(
  p: Primitive,
  index: number,
  us: Float64Array,
  vs: Float64Array,
  width: number,
  depth: Float32Array,
  hit: Int16Array,
  znear: number,
  zfar: number,
): void {
  const { type, ox, oy, oz, ax, ay, az, bx, by, bz, cx, cy, cz } = p;
  let { sx, sy, sz } = p;
  if (type === GEOM.sphere) sy = sz = sx;
  if (type === GEOM.sphere || type === GEOM.ellipsoid) {
    sx = 1 / sx;
    sy = 1 / sy;
    sz = 1 / sz;
  }
  for (let j = p.j0; j <= p.j1; j++) {
    const v = vs[j];
    const rx = v * bx - cx;
    const ry = v * by - cy;
    const rz = v * bz - cz;
    let k = j * width + p.i0;
    for (let i = p.i0; i <= p.i1; i++, k++) {
      const u = us[i];
      const dx = u * ax + rx;
      const dy = u * ay + ry;
      const dz = u * az + rz;
      let t: number;
      switch (type) {
        case GEOM.sphere:
        case GEOM.ellipsoid:
          t = hitEllipsoid(ox, oy, oz, dx, dy, dz, sx, sy, sz);
          break;
        case GEOM.capsule:
          t = hitCapsule(ox, oy, oz, dx, dy, dz, sx, sy);
          break;
        case GEOM.cylinder:
          t = hitCylinder(ox, oy, oz, dx, dy, dz, sx, sy);
          break;
        case GEOM.box:
          t = hitBox(ox, oy, oz, dx, dy, dz, sx, sy, sz);
          break;
        default:
          t = hitPlane(ox, oy, oz, dx, dy, dz, sx, sy);
      }
      if (t < depth[k] && t >= znear && t <= zfar) {
        depth[k] = t;
        hit[k] = index;
      }
    }
  }
}

/** The outward unit normal at local point (x, y, z) of the primitive's surface, into `n` (local frame). */
export function localNormal(p: Primitive, x: number, y: number, z: number, n: Float64Array): void {
  let nx = 0;
  let ny = 0;
  let nz = 1;
  switch (p.type) {
    case GEOM.sphere:
      nx = x;
      ny = y;
      nz = z;
      break;
    case GEOM.ellipsoid:
      nx = x / (p.sx * p.sx);
      ny = y / (p.sy * p.sy);
      nz = z / (p.sz * p.sz);
      break;
    case GEOM.capsule:
      nx = x;
      ny = y;
      nz = z - (z > p.sy ? p.sy : z < -p.sy ? -p.sy : z);
      break;
    case GEOM.cylinder:
      // the face whose constraint is tighter: the end disc (|z| = h) or the side (ρ = r)
      if (Math.abs(z) / p.sy > Math.hypot(x, y) / p.sx) {
        nx = ny = 0;
        nz = z > 0 ? 1 : -1;
      } else {
        nx = x;
        ny = y;
        nz = 0;
      }
      break;
    case GEOM.box: {
      const fx = Math.abs(x) / p.sx;
      const fy = Math.abs(y) / p.sy;
      const fz = Math.abs(z) / p.sz;
      nx = ny = nz = 0;
      if (fx >= fy && fx >= fz) nx = x > 0 ? 1 : -1;
      else if (fy >= fz) ny = y > 0 ? 1 : -1;
      else nz = z > 0 ? 1 : -1;
      break;
    }
  }
  const s = 1 / Math.hypot(nx, ny, nz);
  n[0] = nx * s;
  n[1] = ny * s;
  n[2] = nz * s;
}
